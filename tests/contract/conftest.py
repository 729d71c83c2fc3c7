"""The ``world`` fixture: each contract scenario runs once per platform.

    async def test_something(world: OpenWorld) -> None:
        d = await world("bob", "carol")  # alice (a moderator), bob and carol in the home room

``world`` is parametrised over the platforms. The Matrix and Discord runs are end-to-end
(``-m "not e2e"`` leaves them out); Synapse starts only when a Matrix run is collected.
After each scenario the driver checks its platform's own rules (mentions stay off, nothing
Discord would refuse was sent), and the bot must have logged no error.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.contract.discord_driver import DiscordDriver
from tests.contract.driver import CAST, MODERATOR, Driver, ErrorLog, OpenWorld
from tests.contract.local_driver import LocalDriver
from tests.contract.matrix_driver import MatrixDriver
from tests.e2e.discord_protocol import DiscordServer
from tests.e2e.matrix_bot import MakeBot, MakePeople


def _cast(names: tuple[str, ...]) -> tuple[str, ...]:
    unknown = set(names) - set(CAST)
    assert not unknown, f"not in the cast: {unknown}"
    return tuple(n for n in CAST if n in names and n != MODERATOR)


@pytest.fixture
async def errors() -> AsyncIterator[ErrorLog]:
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


@pytest.fixture
async def local_world(tmp_path: Path, errors: ErrorLog) -> AsyncIterator[OpenWorld]:
    opened: list[LocalDriver] = []

    async def open_world(*names: str) -> Driver:
        _cast(names)
        assert not opened, "one world per scenario"
        opened.append(await LocalDriver.open(tmp_path))
        return opened[0]

    yield open_world
    for driver in opened:
        await driver.close()
    errors.check()


@pytest.fixture
async def matrix_world(
    matrix_bot: MakeBot, people: MakePeople, errors: ErrorLog
) -> AsyncIterator[OpenWorld]:
    opened: list[MatrixDriver] = []

    async def open_world(*names: str) -> Driver:
        assert not opened, "one world per scenario"
        opened.append(await MatrixDriver.open(matrix_bot, people, _cast(names)))
        return opened[0]

    yield open_world
    for driver in opened:
        driver.check_rules()
    errors.check()


@pytest.fixture
async def discord_world(
    discord_server: DiscordServer, tmp_path: Path, errors: ErrorLog
) -> AsyncIterator[OpenWorld]:
    opened: list[DiscordDriver] = []

    async def open_world(*names: str) -> Driver:
        assert not opened, "one world per scenario"
        opened.append(await DiscordDriver.open(discord_server, tmp_path / "data", _cast(names)))
        return opened[0]

    yield open_world
    for driver in opened:
        await driver.close()
        driver.check_rules()
    errors.check()


@pytest.fixture(
    params=[
        pytest.param("local"),
        pytest.param("matrix", marks=pytest.mark.e2e),
        pytest.param("discord", marks=pytest.mark.e2e),
    ]
)
def world(request: pytest.FixtureRequest) -> OpenWorld:
    """Open the home room on one platform, with the bot running and the cast in it."""
    opener: OpenWorld = request.getfixturevalue(f"{request.param}_world")
    return opener


@pytest.fixture(
    params=[
        pytest.param("local"),
        pytest.param("discord", marks=pytest.mark.e2e),
    ]
)
def world_with_closed_dms(request: pytest.FixtureRequest) -> OpenWorld:
    """Like ``world``, on the platforms where a person can close their private messages to
    the bot and the bot meets the refusal. Matrix has none: the bot's invite to a direct room
    always goes out, and a person who never joins it simply doesn't read it."""
    opener: OpenWorld = request.getfixturevalue(f"{request.param}_world")
    return opener

"""Pytest fixtures for tests that talk to a real Synapse: the server, users, and nio clients.

Registered as a plugin in tests/conftest.py. One Synapse serves the whole session; tests stay
apart by using fresh users (and so fresh rooms), never by restarting the server.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import nio
import pytest

from tests.e2e.synapse import RegisteredUser, Synapse

MISSING_SYNAPSE = (
    "The Matrix end-to-end tests need a real Synapse, and matrix-synapse is not installed "
    "in this environment. Install the test extra: pip install -e '.[test]'"
)

RegisterUser = Callable[..., RegisteredUser]
MakeClient = Callable[..., nio.AsyncClient]


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """One Synapse on 127.0.0.1 for the whole test session, stopped at its end.

    A plain synchronous fixture: it needs no event loop, so pytest-asyncio's per-test loops
    can all share it.
    """
    # Not a skip: CI installs Synapse, and a silently skipped e2e suite would look green.
    if importlib.util.find_spec("synapse") is None:
        pytest.fail(MISSING_SYNAPSE, pytrace=False)
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def matrix_user(synapse: Synapse, request: pytest.FixtureRequest) -> RegisterUser:
    """Register users with names unique to this test: `matrix_user("alice", admin=False)`."""
    # Localparts allow only a-z, 0-9 and ._=-/ (https://spec.matrix.org/v1.16/appendices/#user-identifiers).
    test_name = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40]
    run = uuid.uuid4().hex[:6]
    counter = itertools.count()

    def register(
        name: str = "user", password: str | None = None, admin: bool = False
    ) -> RegisteredUser:
        localpart = f"{name}.{test_name}.{run}{next(counter)}"
        return synapse.register(localpart, password=password, admin=admin)

    return register


@pytest.fixture
async def matrix_client(synapse: Synapse, tmp_path: Path) -> AsyncIterator[MakeClient]:
    """Make logged-in nio clients: `matrix_client(user, encrypted=False, **config)`.

    Every client is closed after the test: an open aiohttp session would be a ResourceWarning,
    and warnings are errors in this suite. `config` overrides `nio.AsyncClientConfig` fields.
    """
    clients: list[nio.AsyncClient] = []

    def make(user: RegisteredUser, encrypted: bool = False, **config: object) -> nio.AsyncClient:
        store = tmp_path / "nio-stores" / user.user_id if encrypted else None
        client = synapse.client(user, store_path=store, **config)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()

"""Shared fixtures. Plugins for the end-to-end servers are listed in ``pytest_plugins``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.sandbox import Sandbox

pytest_plugins = [
    "tests.e2e.synapse_fixtures",
    "tests.e2e.discord_fixtures",
    "tests.e2e.matrix_bot",
]


@pytest.fixture
async def sb(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """The real engine on the local platform, a real SQLite file and a manual clock."""
    sandbox = Sandbox(tmp_path)
    await sandbox.open()
    try:
        yield sandbox
    finally:
        await sandbox.close()

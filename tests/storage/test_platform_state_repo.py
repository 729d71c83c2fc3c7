"""The platform-state repository's contract: small positions kept per platform and key."""

from __future__ import annotations

from bot.chat import Platform
from bot.storage.database import Database
from bot.storage.platform_state import PlatformStateRepo
from tests.storage.conftest import at


async def test_a_position_is_set_replaced_and_deleted(db: Database) -> None:
    """Setting again replaces; each platform keeps its own; deleting leaves nothing."""
    state = PlatformStateRepo(db)
    assert await state.get(Platform.MATRIX, "next_batch") is None
    await state.set(Platform.MATRIX, "next_batch", "s1", at(1))
    await state.set(Platform.MATRIX, "next_batch", "s2", at(2))
    await state.set(Platform.DISCORD, "next_batch", "d1", at(3))
    assert await state.get(Platform.MATRIX, "next_batch") == "s2"
    assert await state.get(Platform.DISCORD, "next_batch") == "d1"
    await state.delete(Platform.MATRIX, "next_batch")
    assert await state.get(Platform.MATRIX, "next_batch") is None
    assert await state.get(Platform.DISCORD, "next_batch") == "d1"

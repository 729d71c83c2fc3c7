"""Small positions a platform must not lose across a restart (Matrix's ``next_batch``, ...)."""

from __future__ import annotations

from datetime import datetime

from bot.chat import Platform
from bot.clock import to_iso
from bot.storage.database import Database


class PlatformStateRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, platform: Platform, key: str) -> str | None:
        value = await self._db.fetchval(
            "SELECT value FROM platform_state WHERE platform = ? AND key = ?", (platform.value, key)
        )
        return None if value is None else str(value)

    async def set(self, platform: Platform, key: str, value: str, at: datetime) -> None:
        query = """
            INSERT INTO platform_state (platform, key, value, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (platform, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """
        async with self._db.transaction() as tx:
            await tx.execute(query, (platform.value, key, value, to_iso(at)))

    async def delete(self, platform: Platform, key: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM platform_state WHERE platform = ? AND key = ?", (platform.value, key)
            )

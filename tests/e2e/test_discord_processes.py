"""Several `circlekeeper run` processes over one real PostgreSQL, on the loopback Discord.

Each process is a real interpreter started the way an operator starts one; the store is a
fresh schema on the machine's PostgreSQL (skipped with the reason where there is none, a
failure under ``CI=true``). What is checked is what only a shared store can break: work that
two processes both believe is theirs happens once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import owners
from bot.chat import Platform, RoomRef
from bot.storage.database import Database
from cogs.circles.repo import CirclesRepo
from cogs.reflections.model import Kind
from cogs.reflections.repo import ReflectionsRepo
from tests.e2e.discord_bot import make_folk, newest_thread
from tests.e2e.discord_protocol import DiscordServer, User, option, subcommand
from tests.e2e.discord_protocol.errors import Json
from tests.e2e.discord_protocol.state import Channel
from tests.storage.postgres_support import fresh_postgres

pytestmark = pytest.mark.e2e

START_LIMIT = 40.0  # a cold interpreter on a shared machine, the imports, the 2 s guild wait
DUE_AFTER = timedelta(seconds=15)  # far enough ahead that both processes are up by then


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_postgres() as url:
        yield url


def write_config(folder: Path, server: DiscordServer, store: str, **discord: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    extra = "".join(
        f"{key} = {value!r}\n".replace("'", '"') if isinstance(value, str) else f"{key} = {value}\n"
        for key, value in discord.items()
    )
    path = folder / "config.toml"
    path.write_text(
        f'[storage]\nurl = "{store}"\n'
        "[reflections]\nquiet_minutes = 0\n"
        "[discord]\nenabled = true\n"
        f'api_base = "{server.api_base}"\n'
        f'gateway_url = "{server.gateway_url}"\n' + extra,
        encoding="utf-8",
    )
    return path


class BotProcess:
    def __init__(self, process: asyncio.subprocess.Process, name: str) -> None:
        self.process = process
        self.name = name
        self.lines: list[str] = []

    async def wait_ready(self) -> None:
        stderr = self.process.stderr
        assert stderr is not None
        async with asyncio.timeout(START_LIMIT):
            while True:
                line = (await stderr.readline()).decode()
                assert line, f"{self.name} ended before it was ready:\n{''.join(self.lines)}"
                self.lines.append(line)
                if "ready in" in line:
                    break
        self._drain = asyncio.create_task(self._keep_reading())

    async def _keep_reading(self) -> None:
        stderr = self.process.stderr
        assert stderr is not None
        while line := await stderr.readline():
            self.lines.append(line.decode())

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.returncode is None:
            self.process.send_signal(sig)
        code = await asyncio.wait_for(self.process.wait(), START_LIMIT)
        drain = getattr(self, "_drain", None)
        if drain is not None:
            await asyncio.wait_for(drain, START_LIMIT)
        return code


async def start_bot(config: Path, server: DiscordServer, name: str, *flags: str) -> BotProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLEKEEPER_")}
    env["CIRCLEKEEPER_DISCORD_TOKEN"] = server.token
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        *flags,
        cwd=config.parent,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    return BotProcess(process, name)


@asynccontextmanager
async def bots(
    server: DiscordServer, configs: Sequence[tuple[Path, Sequence[str]]]
) -> AsyncIterator[list[BotProcess]]:
    """Start every process at once and wait until all are ready; stop them afterwards."""
    async with AsyncExitStack() as stack:
        started = []
        for n, (config, flags) in enumerate(configs):
            bot = await start_bot(config, server, f"bot {n}", *flags)
            stack.push_async_callback(bot.stop)
            started.append(bot)
        await asyncio.gather(*(b.wait_ready() for b in started))
        yield started


async def test_a_prompt_both_processes_think_is_due_is_posted_once(
    discord_server: DiscordServer, pg_url: str, tmp_path: Path
) -> None:
    """Two processes both run every shard (as during a move from one shard plan to the next,
    when old and new overlap): both arm the same prompt and both wake at its time. The claim
    in PostgreSQL lets one post it; the other stands down."""
    folk = make_folk(discord_server)
    db = await Database.open(pg_url, owners())
    try:
        now = datetime.now(UTC)
        circle = await CirclesRepo(db).create(
            room=RoomRef(Platform.DISCORD, str(folk.guild.id), str(folk.general.id)),
            thread=None,
            name="Tuesday",
            description="",
            capacity=12,
            is_open=True,
            time_zone="UTC",
            creator=str(folk.alice.id),
            at=now,
        )
        # Schedules keep whole minutes: the first minute far enough ahead for both to be up.
        due = (now + DUE_AFTER + timedelta(minutes=1)).replace(second=0, microsecond=0)
        rule = f"daily {due:%H:%M}"
        schedule_id, _ = await ReflectionsRepo(db).add_schedule(
            circle_id=circle.id,
            kind=Kind.PROMPT,
            form=rule,
            rule=rule,
            time_zone=None,
            deck_id="ips",
            theme=None,
            remind=None,
            next_due=due,
            created_by=str(folk.alice.id),
            at=now,
        )
        configs = [(write_config(tmp_path / f"p{n}", discord_server, pg_url), ()) for n in range(2)]
        async with bots(discord_server, configs) as running:
            for bot in running:
                # both armed it: each believes the prompt is its own to post
                assert any("1 schedule timers re-armed" in line for line in bot.lines), bot.lines
            deadline = due + timedelta(seconds=10)
            runs: list[tuple[object, ...]] = []
            while datetime.now(UTC) < deadline:
                runs = [
                    tuple(r)
                    for r in await db.fetchall(
                        "SELECT outcome FROM reflection_runs WHERE schedule_id = ?", (schedule_id,)
                    )
                ]
                if (
                    runs
                    and runs[0][0] != "claimed"
                    and datetime.now(UTC) > due + timedelta(seconds=3)
                ):
                    break
                await asyncio.sleep(0.2)
            posts = [
                m
                for m in discord_server.world.messages.values()
                if m.author_id == discord_server.bot.id
            ]
            logs = "".join(line for bot in running for line in bot.lines)
            assert len(posts) == 1, ([p.content for p in posts], runs, logs)
            assert runs == [("posted",)]
            for bot in running:
                assert await bot.stop() == 0, "".join(bot.lines)
    finally:
        await db.close()


CONSENT = "\N{WHITE HEAVY CHECK MARK}"


async def ask(
    server: DiscordServer, user: User, channel: Channel, name: str, *options: Json
) -> str:
    interaction = await server.dispatch_command(user, channel, name, *options)
    reply = await server.wait_for_reply(interaction)
    return reply.content or ""


async def wait_rows(db: Database, sql: str, params: tuple[object, ...], count: int) -> list[Any]:
    """Poll the store until ``sql`` returns ``count`` rows (or fail after START_LIMIT)."""
    rows: list[Any] = []
    async with asyncio.timeout(START_LIMIT):
        # another process writes these rows: the store is polled, there is nothing to await
        while len(rows := await db.fetchall(sql, params)) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    return [tuple(r) for r in rows]


async def test_a_kill_mid_vote_then_a_restart_loses_and_doubles_nothing(
    discord_server: DiscordServer, pg_url: str, tmp_path: Path
) -> None:
    """Two processes split two shards; the vote runs in the one whose shard holds the server.
    It is killed with SIGKILL between two votes; a vote made while it is gone is read back
    from Discord when it comes back, the vote from before is not counted again, and the votes
    after are counted live. The other process never touches the vote."""
    server = discord_server
    server.gateway.max_concurrency = 2
    guild = server.create_guild("Commons", shard=(1, 2))
    home = server.create_channel(guild, "circles")
    people = {name: server.create_user(name) for name in ("alice", "bob", "carol", "dan")}
    for user in people.values():
        server.add_member(guild, user)
    alice, bob, carol, dan = people.values()
    steward = server.world.users[guild.owner_id]  # the server's owner may start a circle
    owner_config = write_config(tmp_path / "b", server, pg_url, shard_count=2)
    other_config = write_config(tmp_path / "a", server, pg_url, shard_count=2)
    db = await Database.open(pg_url, owners())
    try:
        async with bots(server, [(other_config, ("--shards", "0"))]) as (other,):
            owner = await start_bot(owner_config, server, "owner", "--shards", "1")
            try:
                await owner.wait_ready()
                created = await ask(
                    server, steward, home, "circle", subcommand("create", option("name", "Tuesday"))
                )
                assert "has a home here now" in created
                for user in (alice, bob, carol, dan):
                    await ask(server, user, home, "circle", subcommand("join"))
                await ask(
                    server,
                    steward,
                    home,
                    "agreement",
                    subcommand("propose", option("text", "We start and end on time.")),
                )
                post = server.world.messages[newest_thread(server, home).id]
                await server.wait_until(lambda: len(post.reactions) == 3 or None, "the options")
                (proposal,) = await wait_rows(db, "SELECT id FROM agreement_proposals", (), 1)
                votes = "SELECT member_id, choice FROM agreement_reactions WHERE proposal_id = ? ORDER BY member_id"
                await server.react(bob, post, CONSENT)
                await wait_rows(db, votes, (proposal[0],), 1)
                assert await owner.stop(signal.SIGKILL) == -signal.SIGKILL
                await server.react(carol, post, CONSENT)  # while its owner is gone
            finally:
                await owner.stop()
            again = await start_bot(owner_config, server, "owner again", "--shards", "1")
            try:
                await again.wait_ready()
                await wait_rows(db, votes, (proposal[0],), 2)
                await server.react(dan, post, CONSENT)
                counted = await wait_rows(db, votes, (proposal[0],), 3)
                await asyncio.sleep(0.5)  # nothing more comes
                assert sorted(counted) == sorted(
                    (str(u.id), "consent") for u in (bob, carol, dan)
                ), counted
                assert len(await db.fetchall(votes, (proposal[0],))) == 3
                assert await again.stop() == 0, "".join(again.lines)
            finally:
                await again.stop()
            # The process on shard 0 heard none of it: not one line about the vote.
            assert not any("proposal" in line for line in other.lines), other.lines
    finally:
        await db.close()

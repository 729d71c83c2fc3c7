"""The composition root: the one place that opens resources and wires everything together.

``open_app`` opens the database (migrating it), builds the shared services, the cogs and the
command router, and closes all of it in reverse on the way out. ``serve`` is what
``circlekeeper run`` does: pick the platforms from the config, start them, start the cogs
(which re-arm their timers and reconcile), and serve until stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Any, TextIO

from bot import metrics
from bot.audit import AuditDataCare, AuditLog
from bot.chat import Event, Platform, actor_of
from bot.clock import Clock, ManualClock, OffsetClock, SystemClock
from bot.cog import Cog, EventBus, Services
from bot.commands import CommandRouter, CommandSpec
from bot.config import Config, Secrets
from bot.feature import Declared, Feature, Kernel, sections
from bot.help import help_command
from bot.host import Adapter, ChatHub
from bot.ownership import Ownership
from bot.scheduling import Scheduler
from bot.storage.database import Database
from bot.storage.migrations import Owner
from bot.storage.platform_state import PlatformStateRepo
from cogs import agreements, circles, nudges, privacy, reflections, support
from cogs.circles import CircleLookup, Circles

KERNEL: Kernel[Any, Circles] = circles.KERNEL
# Every feature, in the order they hear events (after the kernel). A new feature goes here.
FEATURES: tuple[Feature[Any, Circles], ...] = (
    agreements.FEATURE,
    reflections.FEATURE,
    nudges.FEATURE,
    support.FEATURE,
    privacy.FEATURE,
)
PARTS: tuple[Declared[Any], ...] = (KERNEL, *FEATURES)

log = logging.getLogger(__name__)

NOTHING_TO_RUN = (
    "This process was given the roles %s, but none of those platforms is switched on in the "
    "config, so there is nothing for it to run."
)


class App:
    """The running engine. Platform adapters see it as their ``Host``."""

    def __init__(
        self,
        *,
        config: Config,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        bus: EventBus,
        hub: ChatHub,
        router: CommandRouter,
        circles: CircleLookup,
    ) -> None:
        self.config = config
        self.db = db
        self._clock = clock
        self.scheduler = scheduler
        self.bus = bus
        self.hub = hub
        self._router = router
        self.circles = circles
        self._state = PlatformStateRepo(db)
        self._adapters: list[Adapter] = []
        self._started = False

    # --- Host ------------------------------------------------------------------------------

    @property
    def router(self) -> CommandRouter:
        return self._router

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def state(self) -> PlatformStateRepo:
        return self._state

    @property
    def cogs(self) -> Sequence[Cog]:
        return self.bus.cogs

    async def receive(self, event: Event) -> None:
        metrics.event_received(actor_of(event).platform)
        if event.by_bot:
            return  # other bots, and the bot itself: adapters mark them
        await self.bus.publish(event)

    async def advance(self, delta: timedelta) -> bool:
        if isinstance(self._clock, ManualClock | OffsetClock):
            self._clock.advance(delta)
            self.scheduler.rearm_all()
            return True
        return False

    async def run_due(self) -> int:
        return await self.scheduler.run_due()

    async def pass_time(self, delta: timedelta, *, leap: bool = False) -> bool:
        """Let ``delta`` pass on a manual or sandbox clock as if the bot ran all along: the clock
        stops at each timer due on the way, in order, and fires it on time. With ``leap`` the
        clock moves at once and whatever fell due fires late, as after a computer's sleep.

        The timers fire here, one after the other; the alarm clock is re-armed only at the
        end, so it never fires the same timers alongside.
        """
        clock = self._clock
        if not isinstance(clock, ManualClock | OffsetClock):
            return False
        target = clock.now() + delta
        try:
            for _ in range(0 if leap else 100_000):
                due = [when for _, when in self.scheduler.pending() if when <= target]
                if not due:
                    break
                step = min(due) - clock.now()
                if step > timedelta():
                    clock.advance(step)
                if await self.run_due() == 0:
                    break  # nothing was due after all (a timer cancelled meanwhile)
            rest = target - clock.now()
            if rest > timedelta():
                clock.advance(rest)
            await self.run_due()
        finally:
            self.scheduler.rearm_all()
        return True

    # --- platforms and lifecycle -----------------------------------------------------------

    async def attach(self, adapter: Adapter) -> None:
        """Connect a platform and route its Chat through the hub."""
        await adapter.start()
        self.hub.register(adapter.platform, adapter.chat)
        self._adapters.append(adapter)
        for cog in adapter.cogs():
            self.bus.attach(cog)

    async def start(self) -> None:
        """Start the cogs (timers, reconciliation) and the alarm clock."""
        for cog in self.bus.cogs:
            await cog.start()
        await self.scheduler.start()
        self._started = True

    async def stop(self) -> None:
        for adapter in reversed(self._adapters):
            try:
                await adapter.stop()
            except Exception:
                log.exception("stopping %s failed", adapter.platform.value)
            self.hub.unregister(adapter.platform)
        self._adapters.clear()
        if self._started:
            for cog in reversed(self.bus.cogs):
                try:
                    await cog.stop()
                except Exception:
                    log.exception("stopping %s failed", cog.name)
        await self.scheduler.shutdown()
        self._started = False

    async def advance_and_run(self, delta: timedelta) -> int:
        """For tests and the demo: move the manual clock, then fire what is due."""
        await self.advance(delta)
        return await self.run_due()


def ownership_of(config: Config) -> Ownership:
    """What this process owns: its Discord shards, and the platforms its roles name."""
    roles = {Platform(role) for role in config.roles} if config.roles else None
    discord = config.discord
    return Ownership.of(
        shards=discord.shard_ids if discord.shard_count else (),
        shard_count=discord.shard_count,
        platforms=roles,
    )


def owners() -> list[Owner]:
    """Whose migrations the database runs, in order: the kernel's, then each feature's."""
    return [owner for part in PARTS if (owner := part.owner) is not None]


def feature_sections() -> dict[str, type[Any]]:
    """The config sections the parts declare (for ``load_config``)."""
    return sections(PARTS)


def build_cogs(services: Services, config: Config) -> tuple[Circles, list[Cog]]:
    """The kernel, then every feature's cogs, in the order they hear events."""
    kernel = KERNEL.build(KERNEL.context(services, config.section(KERNEL.name, KERNEL.settings)))
    cogs = list(kernel.cogs)
    for feature in FEATURES:
        settings = config.section(feature.name, feature.settings)
        cogs += feature.build(feature.context(services, settings), kernel)
    return kernel, cogs


@asynccontextmanager
async def open_app(config: Config, *, clock: Clock | None = None) -> AsyncIterator[App]:
    """Open the database and build the engine; close everything in reverse on exit.

    A manual clock means nothing fires by itself: call ``app.run_due()``.
    """
    clock = clock or SystemClock()
    async with AsyncExitStack() as stack:
        db = await Database.open(config.storage_url, owners())
        stack.push_async_callback(db.close)
        ownership = ownership_of(config)
        scheduler = Scheduler(
            clock, real_time=not isinstance(clock, ManualClock), ownership=ownership
        )
        bus = EventBus()
        hub = ChatHub()
        services = Services(
            db=db, chat=hub, clock=clock, scheduler=scheduler, config=config, bus=bus
        )
        kernel, cogs = build_cogs(services, config)
        router = CommandRouter(kernel.directory, hub, clock)
        for cog in cogs:
            bus.attach(cog)
            router.add_all(cog.commands())
        router.add(help_command(router))
        audit = AuditLog(db)  # every change of a setting, from chat or the web
        router.audit = audit
        bus.attach(AuditDataCare(audit))
        app = App(
            config=config,
            db=db,
            clock=clock,
            scheduler=scheduler,
            bus=bus,
            hub=hub,
            router=router,
            circles=kernel.lookup,
        )
        stack.push_async_callback(app.stop)
        await stack.enter_async_context(web_if_enabled(app))
        yield app


def web_if_enabled(app: App) -> AbstractAsyncContextManager[object]:
    """The optional web server (``[web]`` in the config): the dashboard, ``/healthz`` and
    ``/metrics``. While it is off, nothing of it is imported and no metric is recorded."""
    if not app.config.web.enabled:
        return contextlib.nullcontext()
    from bot.web import open_web

    return open_web(app)


async def declared_specs() -> list[CommandSpec]:
    """Every command, exactly as a running bot declares them (built on a throwaway database)."""
    with tempfile.TemporaryDirectory(prefix="circlekeeper-specs-") as folder:
        async with open_app(Config(data_dir=folder)) as app:
            return app.router.specs


# --- circlekeeper run ----------------------------------------------------------------------


def choose_adapters(app: App, config: Config, secrets: Secrets) -> list[Adapter]:
    """The platforms switched on in the config (the sandbox runs in ``serve`` when there are none)."""
    adapters: list[Adapter] = []
    ownership = app.scheduler.ownership
    if config.matrix.enabled and ownership.runs(Platform.MATRIX):
        from bot.platforms.matrix import MatrixAdapter

        adapters.append(MatrixAdapter(app, config.matrix, secrets, data_path=config.data_path))
    if config.discord.enabled and ownership.runs(Platform.DISCORD):
        from bot.platforms.discord import DiscordAdapter

        adapters.append(DiscordAdapter(app, config.discord, secrets))
    return adapters


async def serve(
    config: Config,
    secrets: Secrets,
    *,
    out: TextIO | None = None,
    on_ready: Callable[[App], None] | None = None,
) -> int:
    """Run until the platforms stop or a signal arrives. With no platform switched on, run the
    console sandbox, which stops and starts the bot itself (``:down`` / ``:up``)."""
    if not (config.matrix.enabled or config.discord.enabled):
        from bot.platforms.local.session import SandboxSession

        def engine(clock: Clock) -> AbstractAsyncContextManager[App]:
            return open_app(config, clock=clock)

        return await SandboxSession(config, engine, out=out, on_ready=on_ready).run()
    async with open_app(config, clock=SystemClock()) as app:
        adapters = choose_adapters(app, config, secrets)
        if not adapters:
            log.error(NOTHING_TO_RUN, ", ".join(config.roles))
            return 1
        log.info("this process runs %s", app.scheduler.ownership.describe())
        for adapter in adapters:
            await app.attach(adapter)
        await app.start()
        if on_ready is not None:
            on_ready(app)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        runs = [asyncio.create_task(a.run(), name=f"run-{a.platform.value}") for a in adapters]
        stopper = asyncio.create_task(stop.wait(), name="stop-signal")
        done, _ = await asyncio.wait([*runs, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in [*runs, stopper]:
            task.cancel()
        await asyncio.gather(*runs, stopper, return_exceptions=True)
        failed = [
            t for t in done if t is not stopper and not t.cancelled() and t.exception() is not None
        ]
        for task in failed:
            log.error("a platform stopped with an error", exc_info=task.exception())
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        return 1 if failed else 0

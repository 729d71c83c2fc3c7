"""The web server in the bot's process, and the one hook that switches it on.

``open_web`` is entered by the composition root only when ``[web] enabled = true``; until
then nothing here is imported and no metric is recorded. It starts recording metrics, reads
(or makes) the signing key, declares ``dashboard`` on the router, lets the privacy cog know
about sessions, and listens on the configured address; on the way out it stops in reverse.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from aiohttp import web

from bot import metrics
from bot.audit import AuditLog
from bot.clock import Clock
from bot.cog import EventBus
from bot.commands import CommandRouter
from bot.config import Config, ConfigError, WebConfig
from bot.dashboard import DashboardView
from bot.host import ChatHub
from bot.scheduling import Scheduler
from bot.storage.database import Database
from bot.web.access import Access
from bot.web.dashboard_command import dashboard_command
from bot.web.data_care import DashboardDataCare
from bot.web.health import HealthCheck
from bot.web.keys import KeyProblem, signing_key
from bot.web.links import SignInLinks
from bot.web.routes import Dashboard
from bot.web.sessions import SessionsRepo

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 2.0  # seconds open requests get to finish when the bot stops


class Engine(Protocol):
    """What the web server needs of the running bot (``bot.app.App`` is one)."""

    @property
    def config(self) -> Config: ...

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def hub(self) -> ChatHub: ...

    @property
    def router(self) -> CommandRouter: ...

    @property
    def scheduler(self) -> Scheduler: ...

    @property
    def bus(self) -> EventBus: ...


class WebServer:
    """An aiohttp application served on one address, started and stopped with the bot."""

    def __init__(self, config: WebConfig) -> None:
        self._config = config
        self._runner: web.AppRunner | None = None
        self.port = config.port

    async def start(self, application: web.Application) -> None:
        runner = web.AppRunner(
            application,
            access_log=None,  # a sign-in link's path is a key for ten minutes: never logged
            handle_signals=False,
            shutdown_timeout=SHUTDOWN_GRACE,
        )
        await runner.setup()
        site = web.TCPSite(runner, self._config.host, self._config.port)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            where = f"{self._config.host}:{self._config.port}"
            raise ConfigError(
                [f"web.port: the dashboard can't listen on {where} ({error.strerror or error})"]
            ) from None
        self._runner = runner
        bound = runner.addresses
        if bound:
            self.port = int(bound[0][1])
        log.info("the dashboard listens on %s", self.base_url)
        if not _loopback(self._config.host):
            log.warning(
                "the dashboard listens on %s, beyond this machine; serve it through a reverse "
                "proxy with HTTPS (see the README)",
                self._config.host,
            )

    @property
    def addresses(self) -> list[str]:
        """The hosts it listens on, as bound."""
        return [str(a[0]) for a in self._runner.addresses] if self._runner else []

    @property
    def base_url(self) -> str:
        """Where people open it: ``public_url``, or else the address it is bound to."""
        if self._config.public_url:
            return self._config.public_url.rstrip("/")
        host = self._config.host
        if host in ("0.0.0.0", "::"):  # noqa: S104 - naming the wildcard, not binding it
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


@dataclass(frozen=True, slots=True)
class WiredDashboard:
    """The dashboard, wired into a running engine."""

    application: web.Application
    links: SignInLinks
    sessions: SessionsRepo


def wire(engine: Engine, families: metrics.Families, base_url: Callable[[], str]) -> WiredDashboard:
    """Build the dashboard's application, declare ``dashboard`` on the router and give the
    privacy cog the sessions. ``base_url`` says where people open it (known once bound)."""
    config = engine.config
    try:
        key = signing_key(config.data_path)
    except KeyProblem as problem:
        raise ConfigError([f"web: {problem}"]) from None
    sessions = SessionsRepo(engine.db, engine.clock, timedelta(hours=config.web.session_hours))
    links = SignInLinks(key, engine.db, engine.clock)
    directory = engine.router.directory
    dashboard = Dashboard(
        config.web,
        hub=engine.hub,
        links=links,
        sessions=sessions,
        access=Access(engine.hub, directory),
        health=HealthCheck(engine.db, lambda: engine.hub.platforms, engine.scheduler, engine.clock),
        families=families,
        scheduler_pending=lambda: len(engine.scheduler),
        router=engine.router,
        views=lambda: [c for c in engine.bus.cogs if isinstance(c, DashboardView)],
        audit=AuditLog(engine.db),
    )
    engine.router.add(
        dashboard_command(links, directory, lambda token: f"{base_url()}/signin/{token}")
    )
    engine.bus.attach(DashboardDataCare(sessions))
    return WiredDashboard(dashboard.application(), links, sessions)


@asynccontextmanager
async def open_web(engine: Engine) -> AsyncIterator[WebServer]:
    """Wire the dashboard into ``engine`` and serve it until the block ends."""
    families = metrics.start()
    try:
        server = WebServer(engine.config.web)
        wired = wire(engine, families, lambda: server.base_url)
        await server.start(wired.application)
        try:
            yield server
        finally:
            await server.stop()
    finally:
        metrics.stop(families)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

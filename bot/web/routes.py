"""The dashboard's routes: sign-in and out, the pages, ``/healthz`` and ``/metrics``.

Every response carries strict security headers (no scripts at all, no framing, no referrer).
Every POST must come from our own origin and carry the CSRF token of its form: the session's
token once signed in, and before that a token the sign-in page set in its own cookie.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot import metrics
from bot.audit import AuditLog
from bot.chat import DeliveryError, Platform
from bot.commands import CommandRouter
from bot.config import WebConfig
from bot.dashboard import DashboardView
from bot.host import ChatHub
from bot.web.access import Access, PlatformAway, Viewer
from bot.web.circle_pages import CirclePages
from bot.web.health import HealthCheck
from bot.web.links import LINK_LIFETIME, LinkRefused, Refusal, SignInLinks
from bot.web.pages import Pages
from bot.web.sessions import Session, SessionsRepo

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
SESSION = web.RequestKey("session", Session)  # the request's session, if it has one

PLATFORM_NAMES = {"local": "Sandbox", "discord": "Discord", "matrix": "Matrix"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Never beyond our own origin (a sign-in page's address holds its link); same-origin forms
    # still send their Origin, which "no-referrer" would turn into "null".
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# --- what people read ---------------------------------------------------------------------------

ASK_FOR_LINK = "Saying {command} in one of your community’s rooms brings a fresh link."
REFUSED = {
    Refusal.EXPIRED: (
        "This link has run out of time",
        "Sign-in links last ten minutes, so that one left lying in a chat can’t be used later.",
    ),
    Refusal.USED: (
        "This link has been used already",
        "Each link opens the dashboard once. If you didn’t use it yourself, a moderator may "
        "like to know.",
    ),
    Refusal.INVALID: (
        "This link isn’t one I can read",
        "Part of it may be missing, or it changed on the way. Copying the whole link "
        "usually helps.",
    ),
}
NOT_SIGNED_IN = (
    "You’re not signed in",
    "The dashboard opens with a private link from me. Saying {command} in one of your "
    "community’s rooms brings one.",
)
SIGNED_OUT = (
    "You’re signed out",
    "Whenever you’d like to come back, {command} in chat brings a fresh link.",
)
NOT_FOR_YOU = (
    "This dashboard is for moderators and facilitators",
    "It’s where they look after the circles of this community. If there’s something you’d "
    "like to see or change, one of them could look at it with you.",
)
PLATFORM_AWAY = (
    "I can’t check with {platform} right now",
    "I ask {platform} who you are there each time, and it isn’t answering me at the moment. "
    "Trying again in a little while usually works.",
)
FORM_REFUSED = (
    "That didn’t go through",
    "The form had gone stale, or it came from another site, so I left everything as it was. "
    "Going back, reloading the page and trying again should work.",
)
NOT_FOUND = ("There’s nothing here", "This address doesn’t lead to a page of the dashboard.")
NOT_ALLOWED = ("That doesn’t work here", "This page can’t be used that way.")
SCHEDULER_WORDS = {
    "running": "The alarm clock is running.",
    "stopped": "The alarm clock isn’t running.",
    "manual": "Timers fire when told to (a manual clock, as in tests).",
}


def session_of(request: web.Request) -> Session | None:
    session = request.get(SESSION)
    return session if isinstance(session, Session) else None


class Dashboard:
    def __init__(
        self,
        config: WebConfig,
        *,
        hub: ChatHub,
        links: SignInLinks,
        sessions: SessionsRepo,
        access: Access,
        health: HealthCheck,
        families: metrics.Families,
        scheduler_pending: Callable[[], int],
        router: CommandRouter,
        views: Callable[[], Sequence[DashboardView]],
        audit: AuditLog,
    ) -> None:
        self._config = config
        self._hub = hub
        self._links = links
        self._sessions = sessions
        self._access = access
        self._health = health
        self._families = families
        self._pending = scheduler_pending
        self._pages = Pages()
        self._secure = config.https
        prefix = "__Host-" if self._secure else ""  # Secure, Path=/, no Domain: the strictest kind
        self.session_cookie = f"{prefix}ck_session"
        self.signin_cookie = f"{prefix}ck_signin"
        public = urlsplit(config.public_url)
        self._root = public.path.rstrip("/")
        self._origin = f"{public.scheme}://{public.netloc}" if public.netloc else None
        self.circle_pages = CirclePages(
            self,
            hub=hub,
            router=router,
            access=access,
            views=views,
            audit=audit,
            root=self._root,
        )

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=64 * 1024)
        app.router.add_get("/", self.start_page)
        app.router.add_get("/signin/{token}", self.sign_in_page)
        app.router.add_post("/signin/{token}", self.sign_in)
        app.router.add_post("/signout", self.sign_out)
        app.router.add_get("/signed-out", self.signed_out)
        self.circle_pages.add_routes(app)
        app.router.add_get("/health", self.health_page)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        app.router.add_static("/static", STATIC)
        return app

    # --- every request ---------------------------------------------------------------------

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        session = await self._sessions.find(request.cookies.get(self.session_cookie, ""))
        if session is not None:
            request[SESSION] = session
        response: web.StreamResponse
        if request.method == "POST" and not self._same_origin(request):
            response = self._message(request, 403, FORM_REFUSED)
        else:
            try:
                response = await handler(request)
            except web.HTTPNotFound:
                response = self._message(request, 404, NOT_FOUND, home_link=True)
            except web.HTTPMethodNotAllowed:
                response = self._message(request, 405, NOT_ALLOWED, home_link=True)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if self._secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _same_origin(self, request: web.Request) -> bool:
        """A form POST from a page of ours. Browsers send Origin with every POST (and
        Sec-Fetch-Site where they can); a request with neither is not from a browser page,
        and the CSRF token still has to match."""
        if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return False
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        expected = self._origin or f"{request.scheme}://{request.host}"
        return hmac.compare_digest(origin.encode(), expected.encode())

    # --- signing in and out ----------------------------------------------------------------

    async def start_page(self, request: web.Request) -> web.StreamResponse:
        if session_of(request) is not None:
            return _see_other(f"{self._root}/circles")
        return self._render(request, "home.html", title="Welcome")

    async def sign_in_page(self, request: web.Request) -> web.StreamResponse:
        """The link's page: it uses nothing up, so a chat's link preview can't spend it; the
        button below does."""
        token = request.match_info["token"]
        try:
            link = self._links.read(token)
            if await self._links.is_used(link):
                raise LinkRefused(Refusal.USED)
        except LinkRefused as refused:
            return self._refused(request, refused.why)
        try:
            name: str | None = await self._hub.display_name(link.member, link.room)
        except DeliveryError:
            name = None
        form_csrf = secrets.token_urlsafe(32)
        response = self._render(
            request,
            "landing.html",
            title="Sign in",
            name=name,
            action=f"{self._root}/signin/{token}",
            form_csrf=form_csrf,
            hours=int(self._sessions.lifetime.total_seconds() // 3600),
        )
        self._set_cookie(response, self.signin_cookie, form_csrf, LINK_LIFETIME.total_seconds())
        return response

    async def sign_in(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        given = form.get("csrf")
        expected = request.cookies.get(self.signin_cookie, "")
        if not (isinstance(given, str) and expected and hmac.compare_digest(given, expected)):
            return self._message(request, 403, FORM_REFUSED)
        try:
            link = await self._links.redeem(request.match_info["token"])
        except LinkRefused as refused:
            return self._refused(request, refused.why)
        token, session = await self._sessions.open(link.member, link.room)
        try:
            viewer = await self._access.viewer(session)
        except PlatformAway:
            await self._sessions.end(token)
            return self._away(request, session)
        if not viewer.allowed:
            await self._sessions.end(token)
            return self._message(request, 403, NOT_FOR_YOU)
        log.info("%s signed in to the dashboard", session.member.platform.value)
        response = _see_other(f"{self._root}/circles")
        self._set_cookie(
            response, self.session_cookie, token, self._sessions.lifetime.total_seconds()
        )
        self._drop_cookie(response, self.signin_cookie)
        return response

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        session = session_of(request)
        if session is not None:
            form = await request.post()
            given = form.get("csrf")
            if not session.csrf_matches(given if isinstance(given, str) else None):
                return self._message(request, 403, FORM_REFUSED)
            await self._sessions.end(request.cookies.get(self.session_cookie, ""))
        response = _see_other(f"{self._root}/signed-out")
        self._drop_cookie(response, self.session_cookie)
        return response

    async def signed_out(self, request: web.Request) -> web.StreamResponse:
        return self._message(request, 200, SIGNED_OUT, home_link=False)

    # --- pages -----------------------------------------------------------------------------

    async def health_page(self, request: web.Request) -> web.StreamResponse:
        viewer = await self.viewer_or_refusal(request)
        if not isinstance(viewer, Viewer):
            return viewer
        health = await self._health.check()
        return self._render(
            request,
            "health.html",
            title="Health",
            viewer=viewer,
            page="health",
            health=health,
            store_size=_size(health.store.size_bytes),
            platform_names=PLATFORM_NAMES,
            scheduler_words=SCHEDULER_WORDS.get(health.scheduler.state, ""),
            checked=health.checked_at.strftime("%Y-%m-%d %H:%M:%S"),
        )

    async def viewer_or_refusal(self, request: web.Request) -> Viewer | web.Response:
        """The signed-in person with their roles now, or the page that says why not. Every
        page of the dashboard starts here."""
        session = session_of(request)
        if session is None:
            return self._message(request, 401, NOT_SIGNED_IN, home_link=True)
        try:
            viewer = await self._access.viewer(session)
        except PlatformAway:
            return self._away(request, session)
        if not viewer.allowed:
            return self._message(request, 403, NOT_FOR_YOU)
        return viewer

    # --- for machines ----------------------------------------------------------------------

    async def healthz(self, request: web.Request) -> web.StreamResponse:
        health = await self._health.check()
        return web.Response(
            text=json.dumps(health.as_json(), indent=2) + "\n",
            status=200 if health.ok else 503,
            content_type="application/json",
        )

    async def metrics(self, request: web.Request) -> web.StreamResponse:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        families = self._families
        families.timers_pending.set(self._pending())
        attached = set(self._hub.platforms)
        for platform in Platform:
            up = platform in attached and all(
                c.up for (p, _), c in families.connections.items() if p == platform.value
            )
            families.connected.labels(platform.value).set(1 if up else 0)
        body = generate_latest(families.registry)
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    # --- for the circle pages (``circle_pages.PageKit``) ----------------------------------

    def render(self, request: web.Request, template: str, **context: Any) -> web.Response:
        return self._render(request, template, **context)

    def message(
        self, request: web.Request, status: int, words: tuple[str, ...], *, home_link: bool = False
    ) -> web.Response:
        return self._message(request, status, words, home_link=home_link)

    def csrf_ok(self, request: web.Request, given: object) -> bool:
        session = session_of(request)
        return session is not None and session.csrf_matches(
            given if isinstance(given, str) else None
        )

    def form_refused(self, request: web.Request) -> web.Response:
        return self._message(request, 403, FORM_REFUSED)

    # --- helpers ---------------------------------------------------------------------------

    def _command(self, request: web.Request) -> str:
        session = session_of(request)
        if session is not None:
            return f"{self._hub.command_prefix(session.member.platform)}dashboard"
        return "/dashboard (or !ck dashboard on Matrix)"

    def _render(self, request: web.Request, template: str, **context: Any) -> web.Response:
        session = session_of(request)
        base: dict[str, Any] = {
            "root": self._root,
            "viewer": None,
            "page": "",
            "csrf": session.csrf if session is not None else "",
        }
        html = self._pages.render(template, base | context)
        return web.Response(text=html, content_type="text/html")

    def _message(
        self,
        request: web.Request,
        status: int,
        words: tuple[str, ...],
        *,
        home_link: bool = False,
        **fill: str,
    ) -> web.Response:
        fill = {"command": self._command(request), **fill}
        heading, *paragraphs = (w.format(**fill) for w in words)
        html = self._pages.render(
            "message.html",
            {
                "root": self._root,
                "viewer": None,
                "page": "",
                "csrf": "",
                "title": heading,
                "heading": heading,
                "paragraphs": paragraphs,
                "home_link": home_link,
            },
        )
        return web.Response(text=html, content_type="text/html", status=status)

    def _refused(self, request: web.Request, why: Refusal) -> web.Response:
        status = 400 if why is Refusal.INVALID else 410
        return self._message(request, status, (*REFUSED[why], ASK_FOR_LINK))

    def _away(self, request: web.Request, session: Session) -> web.Response:
        name = PLATFORM_NAMES.get(session.member.platform.value, session.member.platform.value)
        return self._message(request, 503, PLATFORM_AWAY, platform=name)

    def _drop_cookie(self, response: web.StreamResponse, name: str) -> None:
        # The same flags as when it was set: a browser ignores a __Host- cookie without Secure.
        response.del_cookie(name, path="/", secure=self._secure, httponly=True, samesite="Strict")

    def _set_cookie(
        self, response: web.StreamResponse, name: str, value: str, max_age: float
    ) -> None:
        response.set_cookie(
            name,
            value,
            max_age=int(max_age),
            path="/",
            secure=self._secure,
            httponly=True,
            samesite="Strict",
        )


def _see_other(location: str) -> web.Response:
    """After a form, or to the right page: the browser GETs ``location`` next."""
    return web.Response(status=303, headers={"Location": location})


def _size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"

"""Discord's rate limits, as the loopback server applies them ("Rate Limits" topic).

Every limited route belongs to a bucket (its hash goes out as ``X-RateLimit-Bucket``), counted
per top-level resource in the path: the channel, the guild, or the webhook id and token. On
top of the buckets, a bot gets 50 requests a second in all, except on interaction routes. Every
answer carries ``X-RateLimit-Limit``, ``-Remaining``, ``-Reset`` and ``-Reset-After``; going
over gets a 429 whose body says ``retry_after`` (seconds) and ``global``, with
``X-RateLimit-Scope`` and a ``Via`` header (without ``Via``, a 429 comes from Cloudflare).
Ten thousand 401, 403 and 429 answers in ten minutes get the client banned by Cloudflare.

Discord doesn't publish the per-route numbers and says not to hard-code them; the ones below
are of the size Discord answers with. ``scale`` shrinks every window (not the counts) so that
a test suite exercising the same rules doesn't sit through real seconds.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import web

from .errors import json_response

GLOBAL_LIMIT = 50  # requests per second, per bot
INVALID_LIMIT, INVALID_WINDOW = 10_000, 600.0
VIA = "1.1 google"


@dataclass(frozen=True)
class Limit:
    requests: int
    per: float  # seconds


# (bucket name, its routes, its limit). Routes not listed are limited by the global limit only.
BUCKETS: tuple[tuple[str, tuple[tuple[str, str], ...], Limit], ...] = (
    ("messages:create", (("POST", "/channels/{channel_id}/messages"),), Limit(5, 5.0)),
    (
        "messages:change",
        (
            ("PATCH", "/channels/{channel_id}/messages/{message_id}"),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}"),
        ),
        Limit(5, 5.0),
    ),
    (
        "messages:read",
        (
            ("GET", "/channels/{channel_id}/messages"),
            ("GET", "/channels/{channel_id}/messages/{message_id}"),
        ),
        Limit(5, 1.0),
    ),
    (
        "reactions:change",
        (
            ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}"),
        ),
        Limit(1, 0.25),
    ),
    (
        "reactions:read",
        (("GET", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}"),),
        Limit(5, 1.0),
    ),
    (
        "pins",
        (
            ("PUT", "/channels/{channel_id}/messages/pins/{message_id}"),
            ("DELETE", "/channels/{channel_id}/messages/pins/{message_id}"),
            ("PUT", "/channels/{channel_id}/pins/{message_id}"),
            ("DELETE", "/channels/{channel_id}/pins/{message_id}"),
        ),
        Limit(5, 5.0),
    ),
    (
        "threads:create",
        (
            ("POST", "/channels/{channel_id}/messages/{message_id}/threads"),
            ("POST", "/channels/{channel_id}/threads"),
        ),
        Limit(5, 5.0),
    ),
    ("channels:edit", (("PATCH", "/channels/{channel_id}"),), Limit(5, 5.0)),
    ("dm:open", (("POST", "/users/@me/channels"),), Limit(5, 1.0)),
    ("members:read", (("GET", "/guilds/{guild_id}/members/{user_id}"),), Limit(5, 1.0)),
    (
        "commands:write",
        (
            ("PUT", "/applications/{application_id}/commands"),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"),
        ),
        Limit(2, 20.0),
    ),
    (
        "webhooks",
        (
            ("POST", "/webhooks/{application_id}/{token}"),
            ("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}"),
            ("DELETE", "/webhooks/{application_id}/{token}/messages/{message_id}"),
        ),
        Limit(5, 2.0),
    ),
)
# "Interaction endpoints are not bound to the bot's Global Rate Limit."
NOT_GLOBAL = ("/interactions/", "/webhooks/")
MAJOR = ("channel_id", "guild_id")


@dataclass
class Window:
    """One bucket for one top-level resource: how much of the current window is used."""

    limit: Limit
    resets_at: float = 0.0
    used: int = 0


@dataclass
class Verdict:
    """The rate-limit headers for an answer, or the 429 that is the answer."""

    headers: dict[str, str] = field(default_factory=dict)
    refusal: web.Response | None = None


class RateLimiter:
    def __init__(self, *, scale: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.scale = scale
        self.clock = clock
        self.enabled = True
        self._routes = {route: (name, limit) for name, routes, limit in BUCKETS for route in routes}
        self._windows: dict[tuple[str, str], Window] = {}
        self._global = Window(Limit(GLOBAL_LIMIT, 1.0))
        self._invalid: deque[float] = deque()

    @staticmethod
    def bucket_hash(name: str) -> str:
        return hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:16]

    def take(self, method: str, route: str, params: Mapping[str, str]) -> Verdict:
        """Count one request to ``route`` (a template) with its path ``params``."""
        now = self.clock()
        if self.banned(now):
            # Cloudflare's answer: no Via, and not JSON (discord.py raises instead of waiting).
            return Verdict(refusal=web.Response(status=429, text="error code: 1015"))
        if not self.enabled:
            return Verdict()
        if not route.startswith(NOT_GLOBAL):
            refusal = self._take_global(now)
            if refusal is not None:
                return Verdict(refusal=refusal)
        known = self._routes.get((method, route))
        if known is None:
            return Verdict()
        name, limit = known
        major = "+".join(params[k] for k in MAJOR if k in params)
        if route.startswith("/webhooks/"):
            major = f"{params.get('application_id', '')}+{params.get('token', '')}"
        window = self._windows.setdefault((name, major), Window(limit))
        per = limit.per * self.scale
        if now >= window.resets_at:
            window.resets_at, window.used = now + per, 0
        reset_after = max(window.resets_at - now, 0.0)
        headers = {
            "X-RateLimit-Limit": str(limit.requests),
            "X-RateLimit-Bucket": self.bucket_hash(name),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        }
        if window.used >= limit.requests:
            headers["X-RateLimit-Remaining"] = "0"
            return Verdict(refusal=too_many(reset_after, headers, scope="user"))
        window.used += 1
        headers["X-RateLimit-Remaining"] = str(limit.requests - window.used)
        return Verdict(headers=headers)

    def _take_global(self, now: float) -> web.Response | None:
        window = self._global
        if now >= window.resets_at:
            window.resets_at, window.used = now + window.limit.per * self.scale, 0
        if window.used >= window.limit.requests:
            headers = {"X-RateLimit-Global": "true"}
            return too_many(
                max(window.resets_at - now, 0.0), headers, scope="global", is_global=True
            )
        window.used += 1
        return None

    def count_invalid(self, status: int, headers: Mapping[str, str]) -> None:
        """401, 403 and 429 count towards Cloudflare's limit (a "shared" 429 does not)."""
        if status in (401, 403) or (status == 429 and headers.get("X-RateLimit-Scope") != "shared"):
            self._invalid.append(self.clock())

    def banned(self, now: float) -> bool:
        while self._invalid and now - self._invalid[0] > INVALID_WINDOW:
            self._invalid.popleft()
        return len(self._invalid) >= INVALID_LIMIT

    @property
    def invalid_requests(self) -> int:
        return len(self._invalid)


def too_many(
    retry_after: float, headers: dict[str, str], *, scope: str, is_global: bool = False
) -> web.Response:
    body = {
        "message": "You are being rate limited.",
        "retry_after": round(retry_after, 3),
        "global": is_global,
    }
    headers = headers | {
        "Via": VIA,
        "Retry-After": str(max(math.ceil(retry_after), 1) if retry_after > 0 else 0),
        "X-RateLimit-Scope": scope,
    }
    return json_response(body, status=429, headers=headers)

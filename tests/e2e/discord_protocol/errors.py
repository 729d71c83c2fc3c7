"""Discord's error answers: a status, a JSON error code, and for form errors the path of the
field that was wrong (``{"errors": {"0": {"name": {"_errors": [...]}}}}``), as discord.py's
``HTTPException`` and ``CommandSyncFailure`` read them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

Json = dict[str, Any]

MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
INVALID_FORM_BODY = 50035
CANNOT_MESSAGE_USER = 50007
UNKNOWN_INTERACTION = 10062
INVALID_WEBHOOK_TOKEN = 50027


class ApiError(Exception):
    """An error answer in Discord's shape: {"message", "code", "errors"?}."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        errors: Json | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors
        self.headers = headers

    def response(self) -> web.Response:
        body: Json = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return json_response(body, status=self.status, headers=self.headers)


def json_response(
    data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # discord.py parses a body only when Content-Type is exactly "application/json", without a
    # charset (http.json_or_text); aiohttp's web.json_response would add "; charset=utf-8".
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        content_type="application/json",
        headers=headers,
    )


def no_content() -> web.Response:
    return web.Response(status=204)


def form_error(path: str | Sequence[str | int], code: str, message: str) -> ApiError:
    """50035 for the field at ``path`` ("content", or ("0", "options", 1, "name"))."""
    parts = [path] if isinstance(path, str) else [str(p) for p in path]
    errors: Json = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(parts):
        errors = {str(part): errors}
    return ApiError(400, INVALID_FORM_BODY, "Invalid Form Body", errors)


def not_found(code: int, what: str) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


def missing_access() -> ApiError:
    return ApiError(403, MISSING_ACCESS, "Missing Access")


def missing_permissions() -> ApiError:
    return ApiError(403, MISSING_PERMISSIONS, "Missing Permissions")

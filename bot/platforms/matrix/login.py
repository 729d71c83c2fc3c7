"""Logging the bot in to its homeserver, without a new device on every start.

An access token (``CIRCLEKEEPER_MATRIX_ACCESS_TOKEN``) is preferred; ``whoami`` tells us its
device. With a password (``CIRCLEKEEPER_MATRIX_PASSWORD``) the bot logs in once and keeps the
session (device id and token) in the data directory, so later starts reuse the same device,
and with it the same encryption keys. ``circlekeeper matrix-login`` makes that session ahead
of time, so the password need not stay in the environment.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import nio

from bot.config import MatrixConfig, Secrets

log = logging.getLogger(__name__)

SESSION_FILE = "matrix-session.json"
STORE_DIR = "matrix-store"
REQUEST_TIMEOUT = 30.0  # seconds for an ordinary request; the sync long-poll sets its own

NO_CREDENTIALS = (
    "matrix: there's no way to log in yet. Set CIRCLEKEEPER_MATRIX_ACCESS_TOKEN (or "
    "CIRCLEKEEPER_MATRIX_PASSWORD), or run `circlekeeper matrix-login` once."
)
WRONG_ACCOUNT = "matrix: the access token belongs to {found}, but matrix.user_id is {wanted}."
TOKEN_REFUSED = "matrix: the homeserver refused the access token ({detail})."
PASSWORD_REFUSED = "matrix: logging in as {user} failed: {detail}"
NO_E2E = (
    "matrix.encryption is on, but the encryption libraries are missing. "
    "Install them with: pip install 'circlekeeper[e2e]'"
)


class LoginProblem(Exception):
    """The bot cannot log in; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Session:
    homeserver: str
    user_id: str
    device_id: str
    access_token: str


def session_path(data_path: Path) -> Path:
    return data_path / SESSION_FILE


def load_session(data_path: Path, homeserver: str, user_id: str) -> Session | None:
    """The stored session, if there is one for this homeserver and account."""
    path = session_path(data_path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        session = Session(**{key: str(raw[key]) for key in Session.__dataclass_fields__})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("ignoring %s: it is not a session this version can read", path)
        return None
    if session.homeserver.rstrip("/") != homeserver.rstrip("/") or session.user_id != user_id:
        log.info("the stored Matrix session is for another account; not using it")
        return None
    return session


def save_session(data_path: Path, session: Session) -> Path:
    """Write the session where only the bot's own user can read it."""
    data_path.mkdir(parents=True, exist_ok=True)
    path = session_path(data_path)
    partial = path.with_suffix(".tmp")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(asdict(session), out, indent=2)
    partial.replace(path)
    return path


def make_client(config: MatrixConfig, data_path: Path) -> nio.AsyncClient:
    """A nio client that never retries on its own: the adapter owns retries and back-off."""
    if config.encryption and not nio.crypto.ENCRYPTION_ENABLED:
        raise LoginProblem(NO_E2E)
    store = ""
    if config.encryption:
        folder = data_path / STORE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        store = str(folder)
    settings = nio.AsyncClientConfig(
        # A 429 comes back as an error, and a lost connection raises, instead of nio's
        # silent sleep-and-retry-forever (its defaults are unlimited).
        max_limit_exceeded=0,
        max_timeouts=0,
        request_timeout=REQUEST_TIMEOUT,
        store_sync_tokens=False,  # next_batch lives in our database, with what it covers
        encryption_enabled=config.encryption,
    )
    return nio.AsyncClient(config.homeserver, config.user_id, store_path=store, config=settings)


async def log_in(
    client: nio.AsyncClient, config: MatrixConfig, secrets: Secrets, data_path: Path
) -> Session:
    """Log ``client`` in: token, else stored session, else password (then stored)."""
    if secrets.matrix_access_token:
        return await _with_token(client, config, secrets.matrix_access_token)
    stored = load_session(data_path, config.homeserver, config.user_id)
    if stored is not None:
        client.restore_login(stored.user_id, stored.device_id, stored.access_token)
        whoami = await client.whoami()
        if isinstance(whoami, nio.WhoamiResponse):
            log.info(
                "logged in to Matrix as %s (device %s, stored session)",
                stored.user_id,
                stored.device_id,
            )
            return stored
        if not secrets.matrix_password:
            raise LoginProblem(TOKEN_REFUSED.format(detail=_detail(whoami)))
        log.warning(
            "the stored Matrix session no longer works (%s); logging in again", _detail(whoami)
        )
        client.access_token = ""
    if secrets.matrix_password:
        # nio sends client.device_id with the login, so a known device is reused.
        session = await password_login(client, config, secrets.matrix_password)
        save_session(data_path, session)
        return session
    raise LoginProblem(NO_CREDENTIALS)


async def password_login(client: nio.AsyncClient, config: MatrixConfig, password: str) -> Session:
    response = await client.login(password=password, device_name=config.device_name)
    if not isinstance(response, nio.LoginResponse):
        raise LoginProblem(PASSWORD_REFUSED.format(user=config.user_id, detail=_detail(response)))
    log.info("logged in to Matrix as %s (device %s)", response.user_id, response.device_id)
    return Session(config.homeserver, response.user_id, response.device_id, response.access_token)


async def _with_token(client: nio.AsyncClient, config: MatrixConfig, token: str) -> Session:
    client.access_token = token
    whoami = await client.whoami()
    if not isinstance(whoami, nio.WhoamiResponse):
        raise LoginProblem(TOKEN_REFUSED.format(detail=_detail(whoami)))
    if whoami.user_id != config.user_id:
        raise LoginProblem(WRONG_ACCOUNT.format(found=whoami.user_id, wanted=config.user_id))
    if not whoami.device_id:
        if config.encryption:
            raise LoginProblem(
                "matrix: this access token has no device, so encryption can't work with it."
            )
        log.warning("the access token has no device id; that is fine without encryption")
    device = whoami.device_id or ""
    client.restore_login(whoami.user_id, device, token)
    log.info("logged in to Matrix as %s (device %s, access token)", whoami.user_id, device)
    return Session(config.homeserver, whoami.user_id, device, token)


async def login_once(
    config: MatrixConfig, password: str, data_path: Path, *, keep: bool
) -> tuple[Session, Path | None]:
    """``circlekeeper matrix-login``: log in with a password, and keep the session if asked."""
    client = _plain_client(config)
    try:
        stored = load_session(data_path, config.homeserver, config.user_id)
        if stored is not None:
            client.device_id = stored.device_id  # the same device, not a new one
        session = await password_login(client, config, password)
    finally:
        await client.close()  # type: ignore[no-untyped-call]  # nio leaves close() unannotated
    return session, save_session(data_path, session) if keep else None


def _plain_client(config: MatrixConfig) -> nio.AsyncClient:
    # Logging in needs no crypto store; the bot opens it with the device id on its first start.
    settings = nio.AsyncClientConfig(
        max_limit_exceeded=0,
        max_timeouts=0,
        request_timeout=REQUEST_TIMEOUT,
        encryption_enabled=False,
    )
    return nio.AsyncClient(config.homeserver, config.user_id, config=settings)


def _detail(response: object) -> str:
    code = getattr(response, "status_code", None)
    message = getattr(response, "message", None) or str(response)
    return f"{code}: {message}" if code else message

"""A real Synapse homeserver on 127.0.0.1, run as a child process for the end-to-end tests.

Synapse is AGPL, so it is never imported here: it runs as a separate process from the same
virtual environment (`matrix-synapse` is in the `test` extra). The facts behind each setting
are in `shared/testing/matrix-synapse.md`; the config keys are documented at
https://element-hq.github.io/synapse/latest/usage/configuration/config_documentation.html
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import hmac
import json
import logging
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nio

log = logging.getLogger(__name__)

SERVER_NAME = "localhost"
HOST = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0

# Every rate limiter Synapse reads from its config (synapse/config/ratelimiting.py, 1.163).
# Left at their defaults, the 10th message in a row and the 6th login get 429, and nio
# quietly sleeps and retries, which makes tests slow and flaky rather than failing.
# A dotted name is a nested key: "rc_login.address" is `rc_login: {address: ...}`.
RELAXED = {"per_second": 1000, "burst_count": 10000}
RATE_LIMITERS = (
    "rc_message",
    "rc_registration",
    "rc_registration_token_validity",
    "rc_login.address",
    "rc_login.account",
    "rc_login.failed_attempts",
    "rc_joins.local",
    "rc_joins.remote",
    "rc_joins_per_room",
    "rc_invites.per_room",
    "rc_invites.per_user",
    "rc_invites.per_issuer",
    "rc_third_party_invite",
    "rc_room_creation",
    "rc_admin_redaction",
    "rc_presence.per_user",
    "rc_reports",
    "rc_profile",
    "rc_user_directory",
    "rc_media_create",
    "rc_key_requests",
    "rc_delayed_event_mgmt",
    "rc_3pid_validation",
)


@dataclass(frozen=True)
class RegisteredUser:
    """A user made through the shared-secret admin API, with a ready access token."""

    user_id: str
    access_token: str
    device_id: str
    password: str


class SynapseError(RuntimeError):
    """Synapse did not start, stop or answer as a test needs."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def rate_limits() -> dict[str, Any]:
    """The `rc_*` section of homeserver.yaml, with every limiter relaxed."""
    config: dict[str, Any] = {}
    for dotted in RATE_LIMITERS:
        *parents, leaf = dotted.split(".")
        section = config
        for parent in parents:
            section = section.setdefault(parent, {})
        section[leaf] = dict(RELAXED)
    return config


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to SIGTERM Synapse when the test run dies.

    See prctl(2), PR_SET_PDEATHSIG. The signal follows the *thread* that forked, so start
    Synapse from the main thread (pytest runs synchronous fixtures there).
    """
    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


class Synapse:
    """One Synapse homeserver with its config and data in `data_dir`.

    `start()` and `stop()` may be called repeatedly; each start reuses the same database,
    signing key and port, so a client keeps talking to the same URL across an outage.
    """

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.server_name = SERVER_NAME
        self.shared_secret = secrets.token_hex(32)
        self.config_path = data_dir / "homeserver.yaml"
        self.log_path = data_dir / "homeserver.log"
        # Synapse's own stdout/stderr: errors from before its logging is set up land here.
        self.console_path = data_dir / "console.log"
        self.last_start_seconds: float | None = None
        self._process: subprocess.Popen[bytes] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start Synapse and return once its client API answers."""
        if self.running:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        began = time.monotonic()
        with self.console_path.open("ab") as console:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config_path)],
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
                # Its own session: a Ctrl-C in the terminal reaches pytest, whose teardown
                # stops Synapse cleanly, instead of killing Synapse under a running test.
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        self._wait_until_ready(began + timeout)
        self.last_start_seconds = time.monotonic() - began
        log.info(
            "Synapse pid %s ready on %s in %.2f s", self.pid, self.url, self.last_start_seconds
        )

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM Synapse and wait for it to exit; SIGKILL it if it lingers."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("Synapse pid %s ignored SIGTERM for %s s; killing it", process.pid, timeout)
            process.kill()
            process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    @contextlib.contextmanager
    def outage(self) -> Iterator[None]:
        """Synapse is down inside the block and up again after it, even if the block fails,
        so one failed outage test does not leave the session's server stopped for the rest.

        Call this from the main thread, also in async tests (see `_die_with_parent`).
        """
        self.stop()
        try:
            yield
        finally:
            self.start()

    def __enter__(self) -> Synapse:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _wait_until_ready(self, deadline: float) -> None:
        # GET /versions needs no auth and is served once the listener is up and the
        # database is prepared: https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientversions
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                raise SynapseError(
                    f"Synapse exited with status {code} while starting.\n{self.log_tail()}"
                )
            with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                self._request("GET", f"{self.url}/_matrix/client/versions", timeout=1)
                return
            time.sleep(0.05)
        self.stop()
        raise SynapseError(f"Synapse did not answer on {self.url} in time.\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of Synapse's console output and log file, for error messages."""
        parts = []
        for path in (self.console_path, self.log_path):
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {path} (last {len(tail)} lines)\n" + "\n".join(tail))
        return "\n".join(parts) or "(Synapse wrote no output)"

    # -- configuration -----------------------------------------------------------------------

    def _write_config(self) -> None:
        # YAML is a superset of JSON, so the stdlib writes both files.
        self.config_path.write_text(json.dumps(self.config(), indent=2))
        (self.data_dir / "log_config.yaml").write_text(json.dumps(self._log_config(), indent=2))

    def config(self) -> dict[str, Any]:
        """homeserver.yaml: loopback only, SQLite, no outbound connections, no rate limits."""
        return {
            "server_name": SERVER_NAME,
            "public_baseurl": f"{self.url}/",
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": [HOST],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(self.data_dir / "homeserver.db")},
            },
            "log_config": str(self.data_dir / "log_config.yaml"),
            "media_store_path": str(self.data_dir / "media_store"),
            # A missing file: Synapse generates the key on first start and reuses it after.
            "signing_key_path": str(self.data_dir / "signing.key"),
            "registration_shared_secret": self.shared_secret,
            "enable_registration": False,
            # Password hashing is the slowest part of registering and logging in.
            "bcrypt_rounds": 4,
            "report_stats": False,
            "enable_metrics": False,
            # With these, Synapse makes no outbound connection at all.
            "trusted_key_servers": [],
            "federation_domain_whitelist": [],
            "url_preview_enabled": False,
            "presence": {"enabled": False},
            # Synapse's default cap on a sync filter's `room.timeline.limit`, written out
            # because tests rely on it: a filter cannot ask for more than 100 events.
            "filter_timeline_limit": 100,
            **rate_limits(),
        }

    def _log_config(self) -> dict[str, Any]:
        # A Python logging dictConfig; Synapse's filter adds the %(request)s field.
        # https://element-hq.github.io/synapse/latest/usage/configuration/logging_sample_config.html
        return {
            "version": 1,
            "formatters": {
                "precise": {
                    "format": "%(asctime)s %(name)s:%(lineno)d %(levelname)s %(request)s %(message)s"
                }
            },
            "filters": {
                "context": {"()": "synapse.logging.context.LoggingContextFilter", "request": ""}
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "formatter": "precise",
                    "filters": ["context"],
                    "filename": str(self.log_path),
                    "encoding": "utf8",
                }
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }

    # -- users and clients -------------------------------------------------------------------

    def register(
        self, username: str, password: str | None = None, admin: bool = False
    ) -> RegisteredUser:
        """Make a user through the shared-secret registration admin API.

        https://element-hq.github.io/synapse/latest/admin_api/register_api.html
        """
        password = password or secrets.token_urlsafe(16)
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = self._request("GET", endpoint)["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(
            b"\x00".join(
                part.encode()
                for part in (nonce, username, password, "admin" if admin else "notadmin")
            )
        )
        reply = self._request(
            "POST",
            endpoint,
            {
                "nonce": nonce,
                "username": username,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            },
        )
        return RegisteredUser(
            user_id=reply["user_id"],
            access_token=reply["access_token"],
            device_id=reply["device_id"],
            password=password,
        )

    def _request(
        self, method: str, url: str, body: dict[str, Any] | None = None, timeout: float = 10
    ) -> Any:
        """A JSON request with the stdlib, so the fixtures that call it stay synchronous."""
        data = json.dumps(body).encode() if body is not None else None
        # S310 warns about file: URLs; every URL here starts with our own http://127.0.0.1.
        request = urllib.request.Request(  # noqa: S310
            url, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
                return json.load(reply)
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise SynapseError(f"{method} {url} answered {error.code}: {detail}") from None

    def client(
        self, user: RegisteredUser, store_path: Path | None = None, **config: Any
    ) -> nio.AsyncClient:
        """A nio client already logged in as `user` (no /login). The caller closes it.

        With `store_path`, end-to-end encryption is on and its keys live in that directory.
        Extra keyword arguments override fields of `nio.AsyncClientConfig`.
        """
        settings: dict[str, Any] = {
            # A 429 comes back as an error response instead of a silent sleep-and-retry,
            # so a rate limit that was not relaxed fails the test that hit it.
            "max_limit_exceeded": 0,
            "encryption_enabled": store_path is not None,
            "store_sync_tokens": False,
        }
        settings.update(config)
        if store_path is not None:
            store_path.mkdir(parents=True, exist_ok=True)
        client = nio.AsyncClient(
            self.url,
            user.user_id,
            device_id=user.device_id,
            store_path=str(store_path) if store_path else "",
            config=nio.AsyncClientConfig(**settings),
        )
        client.restore_login(user.user_id, user.device_id, user.access_token)
        return client

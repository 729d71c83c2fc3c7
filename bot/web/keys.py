"""The dashboard's signing key: from the environment, or made once and kept in the data folder.

The key signs sign-in links. Whoever holds it can mint a link for anyone, so the file is
readable by its owner alone (0600), and a looser file is tightened with a warning.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

ENV_WEB_SECRET = "CIRCLEKEEPER_WEB_SECRET"
KEY_FILE = "web-secret"
MIN_LENGTH = 32  # characters; a shorter secret from the environment is refused
KEY_BYTES = 48


class KeyProblem(Exception):
    """The key could not be read or made; the message says what to do."""


def signing_key(data_path: Path, env: Mapping[str, str] | None = None) -> str:
    """``$CIRCLEKEEPER_WEB_SECRET`` if set, else the key kept in ``data_path``, made on first use."""
    env = os.environ if env is None else env
    given = env.get(ENV_WEB_SECRET, "").strip()
    if given:
        if len(given) < MIN_LENGTH:
            raise KeyProblem(
                f"{ENV_WEB_SECRET} is {len(given)} characters long; it needs at least "
                f"{MIN_LENGTH} (for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return given
    return _kept_key(data_path / KEY_FILE)


def _kept_key(path: Path) -> str:
    if path.exists():
        return _read_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside, then linked into place: a second process starting at the same moment
    # either wins the link or reads the finished file, never a half-written one.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    key = secrets.token_urlsafe(KEY_BYTES)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(key + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(partial, path)
        except FileExistsError:
            return _read_key(path)
    finally:
        partial.unlink(missing_ok=True)
    log.info("made the dashboard's signing key in %s", path)
    return key


def _read_key(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning(
            "the dashboard's signing key %s was readable by others (mode %o); it is 0600 now",
            path,
            mode,
        )
        path.chmod(0o600)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_LENGTH:
        raise KeyProblem(
            f"{path} holds no usable key; remove the file and a new one is made "
            "(everyone then needs a new sign-in link)"
        )
    return key

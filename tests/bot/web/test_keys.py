"""The signing key: from the environment, or made once in the data folder, owner-only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot.web.keys import ENV_WEB_SECRET, KEY_FILE, KeyProblem, signing_key


def test_a_key_is_made_once_and_kept_readable_by_its_owner_only(tmp_path: Path) -> None:
    """The first start makes the file with mode 0600; later starts read the same key."""
    first = signing_key(tmp_path, env={})
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert signing_key(tmp_path, env={}) == first
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]  # no half-written file left


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    """CIRCLEKEEPER_WEB_SECRET is used as given, and no file is made."""
    secret = "s" * 40
    assert signing_key(tmp_path, env={ENV_WEB_SECRET: secret}) == secret
    assert not (tmp_path / KEY_FILE).exists()


def test_a_short_secret_from_the_environment_is_refused(tmp_path: Path) -> None:
    """A guessable key is refused with a way to make a good one."""
    with pytest.raises(KeyProblem, match="at least 32"):
        signing_key(tmp_path, env={ENV_WEB_SECRET: "short"})


def test_a_key_file_readable_by_others_is_tightened(tmp_path: Path) -> None:
    """A key file someone made 0644 is put back to 0600."""
    key = signing_key(tmp_path, env={})
    path = tmp_path / KEY_FILE
    path.chmod(0o644)
    assert signing_key(tmp_path, env={}) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_empty_key_file_is_a_clear_problem(tmp_path: Path) -> None:
    """A damaged key file says how to recover."""
    (tmp_path / KEY_FILE).write_text("\n", encoding="ascii")
    (tmp_path / KEY_FILE).chmod(0o600)
    with pytest.raises(KeyProblem, match="remove the file"):
        signing_key(tmp_path, env={})

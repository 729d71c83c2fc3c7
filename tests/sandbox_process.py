"""`circlekeeper run` as a real process, for the tests that stop it with a kill: the sandbox
in a folder of the test's own, with none of the developer's CIRCLEKEEPER_ settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def environment() -> dict[str, str]:
    """The environment a run gets: this checkout first on the path, no CIRCLEKEEPER_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLEKEEPER_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def run(folder: Path, script: str) -> str:
    """One run of the sandbox in ``folder`` (its data in ``folder/data``), fed ``script``."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input=script,
        capture_output=True,
        text=True,
        cwd=folder,
        env=environment(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def start(folder: Path) -> subprocess.Popen[str]:
    """A sandbox run in ``folder`` that the test feeds and kills itself (its output on a
    pipe, its log thrown away)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=folder,
        env=environment(),
    )

"""The install a newcomer's first `bash scripts/run.sh` does: quiet, and editable."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_first_install_shows_no_editable_install_warning(tmp_path: Path) -> None:
    """Installing the checkout into a new virtual environment prints our two progress lines and
    no setuptools warning box; the install points at the checkout, so edits take effect."""
    venv = tmp_path / "venv"
    env = {
        **os.environ,
        "CK_VENV": str(venv),
        "PIP_NO_DEPS": "1",
    }  # the project itself, not its dependencies
    result = subprocess.run(
        ["bash", "-c", "source scripts/venv.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    said = result.stdout + result.stderr
    assert "Installing Circlekeeper" in said
    for word in ("editable", "setuptools", "!!"):
        assert word not in said.lower(), said
    (pth,) = venv.glob("lib/python*/site-packages/__editable__.circlekeeper-*.pth")
    assert pth.read_text(encoding="utf-8").split() == [str(ROOT)]

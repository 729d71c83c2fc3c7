"""The import contracts hold on the tree, and each one fails on a deliberate violation.

The contracts live in pyproject.toml ([tool.importlinter]) and CI runs ``lint-imports``. Each
violation below is written into a copy of ``bot/`` and ``cogs/``, so the checkout is never
touched, and ``lint-imports`` must refuse the copy, naming the contract.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")
# contract id -> (file in the copy, the import it gains)
VIOLATIONS = {
    "circles-face": ("cogs/agreements/commands.py", "from cogs.circles.repo import CirclesRepo"),
    "features-apart": ("cogs/privacy/cog.py", "import cogs.nudges.repo"),
    "composition-root": ("bot/help.py", "import cogs.privacy"),
    "platforms-neutral": ("bot/platforms/local/lines.py", "import bot.app"),
    "features-platform-free": ("cogs/reflections/gating.py", "import bot.platforms.local"),
}


def lint(tree: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    args = [str(LINT), str(tree / "pyproject.toml"), "--no-cache", "--no-logo"]
    for contract in contracts:
        args += ["--contract", contract]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def clean_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bot/, cogs/ and pyproject.toml, copied without caches."""
    tree = tmp_path_factory.mktemp("tree")
    for package in ("bot", "cogs"):
        shutil.copytree(
            ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_tree_keeps_every_contract(clean_copy: Path) -> None:
    """As checked in, every contract is kept."""
    result = lint(clean_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(VIOLATIONS)} kept, 0 broken" in result.stdout


@pytest.mark.parametrize("contract", sorted(VIOLATIONS))
def test_a_violation_breaks_its_contract(contract: str, clean_copy: Path, tmp_path: Path) -> None:
    """One forbidden import, written into a copy, is reported as that contract broken."""
    tree = tmp_path / "tree"
    shutil.copytree(clean_copy, tree)
    where, line = VIOLATIONS[contract]
    with (tree / where).open("a", encoding="utf-8") as module:
        module.write(f"\n{line}  # a deliberate violation\n")
    result = lint(tree, contract)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert "0 kept, 1 broken" in result.stdout

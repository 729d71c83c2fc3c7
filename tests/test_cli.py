"""The command line: demo, backup, the generated command reference and the README."""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import declared_specs
from bot.demo import play
from bot.help import reference_markdown

ROOT = Path(__file__).parents[1]


def test_demo_exits_0_quickly_and_shows_every_feature() -> None:
    """`circlekeeper demo` exits 0 in well under ten seconds, showing a circle being created and
    joined, a check-in round, a scheduled prompt, an agreement adopted, and a private nudge."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 10
    out = result.stdout
    assert "**Mondays** has a home here now" in out
    assert "Welcome to **Mondays**, Bob." in out
    assert "The talking piece goes round in this order" in out
    assert "No rush: finish in your own time" in out  # the time box, privately
    assert "That completes the round for **Mondays**" in out
    assert (
        "⤷ thread" in out.split("/schedule add", 1)[1]
    )  # a scheduled prompt arrives in its thread
    assert "**Proposal 1 is adopted.**" in out
    assert "📌" in out  # the registry is pinned
    assert "✉ private to carol: Just for you" in out  # the fixing reply earns one private note


async def test_the_demo_player_plays_any_script() -> None:
    """The player runs a given script on a fresh database and returns 0 when all went well."""
    out = io.StringIO()
    assert await play(out, "alice: /circle create Mondays\n") == 0
    assert "has a home here now" in out.getvalue()


def test_backup_writes_a_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`circlekeeper backup PATH` copies the configured database; without one it says so."""
    config = tmp_path / "config.toml"
    config.write_text('data_dir = "data"\n', encoding="utf-8")
    assert main(["backup", str(tmp_path / "copy.db"), "--config", str(config)]) == 1
    assert "nothing to back up" in capsys.readouterr().err
    subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        input="alice: /circle create Tuesday\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert main(["backup", str(tmp_path / "copy.db"), "--config", str(config)]) == 0
    assert (tmp_path / "copy.db").stat().st_size > 0


async def test_the_readme_command_reference_matches_the_declarations() -> None:
    """The README's reference is exactly what `circlekeeper commands --markdown` generates."""
    generated = reference_markdown(await declared_specs())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- commands:start -->\n(.*?)<!-- commands:end -->", readme, re.DOTALL)
    assert match is not None, "README.md needs the generated command reference between its markers"
    assert match.group(1) == generated, (
        "run `circlekeeper commands --markdown` and paste it into README.md"
    )


def test_commands_markdown_prints_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    """`circlekeeper commands --markdown` prints tables of commands."""
    assert main(["commands", "--markdown"]) == 0
    assert "| `/circle join [circle]` |" in capsys.readouterr().out


def test_classify_follows_the_json_lines_contract() -> None:
    """`circlekeeper classify -` writes one verdict per line in order, an error line for a bad
    line, and exits 0; a threshold outside 0..1 is a usage error."""
    lines = '{"id": "a", "text": "Have you tried yoga?"}\nnot json\n\n{"id": 3, "text": "I should rest."}\n'
    result = subprocess.run(
        [sys.executable, "-m", "bot", "classify", "-"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item.get("id") for item in out] == ["a", None, 3]
    assert out[0]["advice"] is True
    assert "error" in out[1]
    assert out[2]["advice"] is False
    assert set(out[0]) == {"id", "advice", "score", "kind", "solicited", "cues"}
    strict = subprocess.run(
        [sys.executable, "-m", "bot", "classify", "--threshold", "2"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert strict.returncode == 2
    assert "not between 0 and 1" in strict.stderr


def test_every_subcommand_says_what_it_does() -> None:
    """Each subcommand has a one-line summary in the list and a description in its own --help."""
    from bot.__main__ import HANDLERS, _parser

    parser = _parser()
    listing = parser.format_help()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(subparsers.choices) == set(HANDLERS)
    for name, sub in subparsers.choices.items():
        assert sub.description, f"{name} has no description"
        assert " ".join(sub.description.split()) in " ".join(sub.format_help().split())
        assert name in listing
    assert "gentle" not in listing.lower()


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    """`circlekeeper --version` names the installed version and exits 0."""
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert re.fullmatch(r"circlekeeper \d+\.\d+\.\d+\S*\n", capsys.readouterr().out)

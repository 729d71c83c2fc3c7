"""A scripted week in the sandbox, replayed across real restarts of `circlekeeper run`.

The script is ``transcripts/restarts.txt`` (its header explains the notation). Each part
between ``--- restart`` lines is one run of the real program on the same data folder:
restarts mid-vote and mid-round, reactions while the bot is away, time passing with the bot
running, and a leap of the clock past a reminder and a close.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[4]
SCRIPT = Path(__file__).parent / "transcripts" / "restarts.txt"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_TAGGED = re.compile(r"^@(?P<tag>[a-z-]+)\s+(?P<check>.*)$")


@dataclass(frozen=True, slots=True)
class Check:
    kind: str  # "=>" / "=~" appears next; "!>" / "!~" must not appear before the next one
    text: str
    tag: str | None
    where: str  # "restarts.txt:12", for messages


@dataclass(slots=True)
class Run:
    lines: list[str] = field(default_factory=list)  # typed, placeholders unresolved
    checks: list[Check] = field(default_factory=list)


@dataclass(slots=True)
class Outcome:
    outputs: list[str] = field(default_factory=list)
    failures: list[tuple[str | None, str]] = field(default_factory=list)  # (tag, what went wrong)

    def failed(self, *, tagged: str | None) -> list[str]:
        return [what for tag, what in self.failures if tag == tagged]


def parse(path: Path) -> list[Run]:
    runs = [Run()]
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        where = f"{path.name}:{number}"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line == "--- restart":
            runs.append(Run())
            continue
        tag = None
        tagged = _TAGGED.match(line)
        if tagged:
            tag, line = tagged["tag"], tagged["check"]
        kind = line[:2]
        if kind in ("=>", "=~", "!>", "!~"):
            runs[-1].checks.append(Check(kind, line[3:], tag, where))
        else:
            assert tag is None, f"{where}: only checks can be tagged"
            runs[-1].lines.append(line)
    return runs


def pattern(check: Check, known: dict[str, str]) -> re.Pattern[str]:
    if check.kind.endswith("~"):  # a regular expression; placeholders must be known already
        return re.compile(_PLACEHOLDER.sub(lambda m: re.escape(known[m[1]]), check.text))
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(check.text):
        parts.append(re.escape(check.text[position : match.start()]))
        name = match[1]
        parts.append(re.escape(known[name]) if name in known else f"(?P<{name}>\\d+)")
        position = match.end()
    parts.append(re.escape(check.text[position:]))
    return re.compile("".join(parts))


def evaluate(output: str, checks: list[Check], known: dict[str, str], outcome: Outcome) -> None:
    cursor = 0
    waiting: list[Check] = []  # negative checks for the stretch up to the next "=>"

    def settle(end: int) -> None:
        for negative in waiting:
            found = pattern(negative, known).search(output, cursor, end)
            if found:
                outcome.failures.append(
                    (negative.tag, f"{negative.where}: {found[0]!r} should not be there")
                )
        waiting.clear()

    for check in checks:
        if check.kind.startswith("!"):
            waiting.append(check)
            continue
        found = pattern(check, known).search(output, cursor)
        if found is None:
            settle(len(output))
            outcome.failures.append(
                (check.tag, f"{check.where}: never saw {check.text!r} after position {cursor}")
            )
            return
        settle(found.start())
        known.update({k: v for k, v in found.groupdict().items() if v is not None})
        cursor = found.end()
    settle(len(output))


def replay(folder: Path, runs: list[Run]) -> Outcome:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLEKEEPER_")}
    env["PYTHONPATH"] = str(ROOT)
    known: dict[str, str] = {}
    outcome = Outcome()
    for run in runs:
        missing = {m[1] for line in run.lines for m in _PLACEHOLDER.finditer(line)} - set(known)
        if missing:
            outcome.failures.append(
                (None, f"no number was captured for {sorted(missing)} in an earlier run")
            )
            return outcome
        script = "".join(_PLACEHOLDER.sub(lambda m: known[m[1]], line) + "\n" for line in run.lines)
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            input=script,
            capture_output=True,
            text=True,
            cwd=folder,
            env=env,
            timeout=120,
            check=False,
        )
        outcome.outputs.append(result.stdout)
        if result.returncode != 0:
            outcome.failures.append(
                (None, f"run {len(outcome.outputs)} exited {result.returncode}: {result.stderr}")
            )
            return outcome
        evaluate(result.stdout, run.checks, known, outcome)
    return outcome


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    return replay(tmp_path_factory.mktemp("transcript"), parse(SCRIPT))


def test_a_week_in_the_sandbox_survives_its_restarts(week: Outcome) -> None:
    """Restarted mid-vote and mid-round, with votes made while the bot was away, the sandbox
    carries on: threads, ids, votes, the round and the clock are all where they were."""
    assert week.failed(tagged=None) == [], "\n\n".join(week.outputs)


def test_a_leap_past_a_reminder_and_a_close_sends_no_late_reminder(week: Outcome) -> None:
    """When the clock leaps past a proposal's reminder and its closing at once, nobody is
    reminded of a vote that has closed."""
    assert week.failed(tagged=None) == []  # the week got that far
    assert week.failed(tagged="after-close") == []


def test_the_notation_is_read_as_written() -> None:
    """Checks capture numbers once and repeat them; negative checks cover the stretch up to
    the next positive one; a tag keeps a check apart."""
    runs = parse(SCRIPT)
    assert len(runs) == 4
    outcome = Outcome()
    known: dict[str, str] = {}
    checks = [
        Check("=>", "thread #{t} opened", None, "a"),
        Check("!>", "oops", None, "b"),
        Check("=>", "in #{t}:", None, "c"),
        Check("!~", r"late \d", "later", "d"),
    ]
    evaluate("thread #7 opened\nall fine\nin #7: hi\nlate 3\n", checks, known, outcome)
    assert known == {"t": "7"}
    assert outcome.failures == [("later", "d: 'late 3' should not be there")]
    outcome = Outcome()
    evaluate("thread #7 opened\noops\nin #8: hi\n", checks[:3], {}, outcome)
    assert [what.split(":")[0] for _, what in outcome.failures] == ["b", "c"]

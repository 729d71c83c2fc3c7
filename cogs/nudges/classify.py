"""The JSON Lines contract of ``circlekeeper classify``: one verdict per message, in order.

Input, one JSON object per line::

    {"id": "m1", "text": "have you tried a walk?", "context": {"previous": "i feel awful today"}}

``context`` is optional. Its keys are ``previous`` (the message this one answers) and
``thread_root`` (strings), ``asked_for_ideas`` (bool) and ``preference`` (``"listening"``,
``"ideas"`` or null). Unknown keys are ignored, and so is a value of the wrong type: a
slightly odd context is no reason to refuse a line.

Output, one JSON object per input line, in input order::

    {"id": "m1", "advice": true, "score": 0.9421, "kind": "problem_solving",
     "solicited": false, "cues": ["a question with an answer already inside it (…)",
     "a suggestion question: 'have you tried'"]}

- ``score`` is the calibrated probability that the reply is a fixing form, in its context;
- ``advice`` is true when the score reaches the threshold (the ``normal`` level's by default)
  and the reply was not solicited: after "any ideas?", or with ``asked_for_ideas`` or an
  ``"ideas"`` preference, a fixing reply is ``solicited`` and not advice;
- a ``"listening"`` preference makes fixing weigh more (see `cogs.nudges.detector`);
- ``kind`` is the fixing kind (``cogs/nudges/TAXONOMY.md``) when the wording is fixing, else
  null; ``cues`` says what was seen, in words.

A line that cannot be classified (not JSON, not an object, ``text`` missing or not a string)
gives ``{"id": ..., "error": "..."}`` with the id when it could be read (else null), and
the run goes on. Blank lines are skipped: they carry no message, so they get no output line.
`run` returns 0; the exit status does not depend on the input.

For quick use without the main CLI:
``python -m cogs.nudges.classify [FILE|-] [--threshold X | --level gentle|normal|attentive]``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from cogs.nudges.detector import AssessmentContext, Detector, Preference, default_detector

_PREFERENCES: dict[object, Preference] = {"listening": "listening", "ideas": "ideas"}


class MalformedLine(ValueError):
    """A line that cannot be classified; the message says why."""


def parse_context(raw: object) -> AssessmentContext | None:
    """Build the context from a line's ``context`` value, ignoring what does not fit."""
    if not isinstance(raw, dict):
        return None
    previous = raw.get("previous")
    thread_root = raw.get("thread_root")
    asked = raw.get("asked_for_ideas")
    return AssessmentContext(
        previous=previous if isinstance(previous, str) else None,
        thread_root=thread_root if isinstance(thread_root, str) else None,
        asked_for_ideas=asked if isinstance(asked, bool) else False,
        preference=_PREFERENCES.get(raw.get("preference")),
    )


def parse_line(line: str) -> tuple[Any, str, AssessmentContext | None]:
    """Return (id, text, context) of one input line, or raise `MalformedLine`."""
    try:
        item = json.loads(line)
    except (ValueError, RecursionError) as error:
        raise MalformedLine(f"not valid JSON: {error}") from None
    if not isinstance(item, dict):
        raise MalformedLine(f"expected a JSON object, got {type(item).__name__}")
    text = item.get("text")
    if "text" not in item:
        raise MalformedLine("missing 'text'")
    if not isinstance(text, str):
        raise MalformedLine(f"'text' must be a string, got {type(text).__name__}")
    return item.get("id"), text, parse_context(item.get("context"))


def _id_of(line: str) -> Any:
    """The id of a malformed line when it can still be read, else None."""
    try:
        item = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return item.get("id") if isinstance(item, dict) else None


def classify_line(
    line: str, detector: Detector, threshold: float | None, level: str | None = None
) -> dict[str, Any]:
    """The output object for one non-blank input line."""
    try:
        message_id, text, context = parse_line(line)
    except MalformedLine as error:
        return {"id": _id_of(line), "error": str(error)}
    verdict = detector.assess(text, context, threshold=threshold, level=level)
    return {
        "id": message_id,
        "advice": verdict.advice,
        "score": round(verdict.score, 4),
        "kind": verdict.kind,
        "solicited": verdict.solicited,
        "cues": list(verdict.cues),
    }


def run(
    source: TextIO, sink: TextIO, threshold: float | None = None, level: str | None = None
) -> int:
    """Classify every JSON line of ``source`` into ``sink``, in order; returns 0."""
    if isinstance(source, io.TextIOWrapper):
        # Undecodable bytes become U+FFFD instead of ending the run halfway.
        source.reconfigure(errors="replace")
    detector = default_detector()
    for line in source:
        if not line.strip():
            continue
        result = classify_line(line, detector, threshold, level)
        sink.write(json.dumps(result) + "\n")
    sink.flush()
    return 0


def run_path(
    path: str, threshold: float | None = None, sink: TextIO | None = None, level: str | None = None
) -> int:
    """Classify a file (``-`` for stdin) to ``sink`` (stdout by default)."""
    sink = sink or sys.stdout
    if path == "-":
        return run(sys.stdin, sink, threshold, level)
    with Path(path).open(encoding="utf-8", errors="replace") as source:
        return run(source, sink, threshold, level)


def threshold_value(text: str) -> float:
    """An argparse type: a score between 0 and 1."""
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default="-", help="JSON Lines input, or - for stdin")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument(
        "--threshold", type=threshold_value, default=None, help="probability needed for advice"
    )
    choice.add_argument(
        "--level",
        choices=("gentle", "normal", "attentive"),
        default=None,
        help="a sensitivity level's threshold (default normal)",
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m cogs.nudges.classify [FILE|-] [--threshold X]``."""
    parser = argparse.ArgumentParser(description="Classify JSON Lines messages as advice or not.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run_path(args.file, args.threshold, level=args.level)


if __name__ == "__main__":
    raise SystemExit(main())

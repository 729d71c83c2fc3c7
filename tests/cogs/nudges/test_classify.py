"""The JSON Lines contract of `circlekeeper classify` (cogs.nudges.classify.run)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from cogs.nudges.classify import main, run


def _classify(lines: list[str], threshold: float | None = None) -> list[dict[str, Any]]:
    sink = io.StringIO()
    status = run(io.StringIO("\n".join(lines) + "\n"), sink, threshold)
    assert status == 0
    return [json.loads(line) for line in sink.getvalue().splitlines()]


def test_one_output_line_per_input_in_order() -> None:
    """Every message gets exactly one verdict, in input order, with the contract's keys."""
    texts = [
        "You should talk to your parents about it.",
        "I should call her.",
        "Take care.",
        "Have you tried yoga?",
    ]
    lines = [json.dumps({"id": f"m{index}", "text": text}) for index, text in enumerate(texts)]
    results = _classify(lines * 25)
    assert [result["id"] for result in results] == [f"m{index}" for index in range(4)] * 25
    for result in results:
        assert set(result) == {"id", "advice", "score", "kind", "solicited", "cues"}
        assert isinstance(result["advice"], bool)
        assert isinstance(result["score"], float)
        assert all(isinstance(cue, str) for cue in result["cues"])
    assert [result["advice"] for result in results[:4]] == [True, False, False, True]


def test_ids_are_echoed_as_given() -> None:
    """Ids of any JSON type come back unchanged; a missing id comes back as null."""
    results = _classify(
        [
            json.dumps({"id": 7, "text": "hi"}),
            json.dumps({"id": ["a", 1], "text": "hi"}),
            json.dumps({"text": "hi"}),
        ]
    )
    assert [result["id"] for result in results] == [7, ["a", 1], None]


@pytest.mark.parametrize(
    ("line", "expected_id", "reason"),
    [
        ("{not json", None, "not valid JSON"),
        ("[1, 2, 3]", None, "expected a JSON object"),
        ('"just a string"', None, "expected a JSON object"),
        ('{"id": "a"}', "a", "missing 'text'"),
        ('{"id": "b", "text": 42}', "b", "'text' must be a string"),
        ('{"id": "c", "text": null}', "c", "'text' must be a string"),
        ("[" * 100_000, None, "not valid JSON"),
    ],
)
def test_malformed_lines_give_an_error_line_and_the_run_goes_on(
    line: str, expected_id: object, reason: str
) -> None:
    """A bad line becomes {"id", "error"}, with the id when readable, and later lines still run."""
    results = _classify(
        [line, json.dumps({"id": "next", "text": "You should talk to your parents about it."})]
    )
    assert set(results[0]) == {"id", "error"}
    assert results[0]["id"] == expected_id
    assert reason in results[0]["error"]
    assert results[1]["id"] == "next"
    assert results[1]["advice"] is True


def test_blank_lines_are_skipped() -> None:
    """Blank and whitespace-only lines carry no message and produce no output line."""
    lines = [
        "",
        json.dumps({"id": 1, "text": "hello"}),
        "   ",
        "\t",
        json.dumps({"id": 2, "text": "hi"}),
    ]
    assert [result["id"] for result in _classify(lines)] == [1, 2]


def test_threshold_changes_the_verdict_not_the_score() -> None:
    """The threshold decides advice; the score is the same at any threshold."""
    line = json.dumps({"id": 1, "text": "Have you tried meditation for the racing thoughts?"})
    default = _classify([line])[0]
    strict = _classify([line], threshold=min(1.0, default["score"] + 0.001))[0]
    assert default["advice"] is True
    assert strict["advice"] is False
    assert strict["score"] == default["score"]
    assert strict["kind"] is None


def test_a_request_for_ideas_in_the_context_makes_a_reply_solicited() -> None:
    """After "any advice?" a fixing reply is solicited and not advice, though its wording stays fixing."""
    text = "You need to tell your manager."
    plain = _classify([json.dumps({"id": 1, "text": text})])[0]
    asked = _classify(
        [json.dumps({"id": 1, "text": text, "context": {"previous": "Work is hard. Any advice?"}})]
    )[0]
    assert plain["advice"] is True
    assert plain["solicited"] is False
    assert asked["advice"] is False
    assert asked["solicited"] is True
    assert asked["score"] > 0.9
    assert asked["kind"] == plain["kind"] == "directive"


def test_a_listening_preference_in_the_context_weighs_fixing_more() -> None:
    """With ``preference: listening`` the same reply scores higher."""
    text = "maybe a bath would help tonight"
    plain = _classify([json.dumps({"id": 1, "text": text})])[0]
    heard = _classify(
        [json.dumps({"id": 1, "text": text, "context": {"preference": "listening"}})]
    )[0]
    assert heard["score"] > plain["score"]


def test_context_is_read_leniently() -> None:
    """Unknown or mistyped context keys are ignored: such a line reads like one without context."""
    text = "You need to tell your manager."
    plain = _classify([json.dumps({"id": 1, "text": text})])[0]
    contexts: list[Any] = [
        {"mood": "tired", "asked_for_ideas": "yes"},
        {"preference": 5, "previous": ["not", "a", "string"]},
        "not an object",
        None,
    ]
    for context in contexts:
        result = _classify([json.dumps({"id": 1, "text": text, "context": context})])[0]
        assert result == plain


def test_a_level_picks_its_threshold(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`--level gentle` flags less than `--level attentive` on the same lines."""
    texts = [
        "did you talk to your manager about it?",
        "maybe a bath would help tonight",
        "you should rest",
    ]
    path = tmp_path / "lines.jsonl"
    path.write_text("".join(json.dumps({"id": n, "text": t}) + "\n" for n, t in enumerate(texts)))
    flagged = {}
    for level in ("gentle", "attentive"):
        assert main([str(path), "--level", level]) == 0
        flagged[level] = sum(
            json.loads(line)["advice"] for line in capsys.readouterr().out.splitlines()
        )
    assert flagged["gentle"] < flagged["attentive"]


def test_undecodable_bytes_do_not_end_the_run() -> None:
    """Invalid UTF-8 in the input is replaced, and every line still gets its verdict."""
    raw = b'{"id": 1, "text": "caf\xe9 time"}\n{"id": 2, "text": "You should talk to your parents about it."}\n'
    source = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    sink = io.StringIO()
    assert run(source, sink) == 0
    results = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert [result["id"] for result in results] == [1, 2]
    assert results[1]["advice"] is True


def test_module_entry_point_reads_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m cogs.nudges.classify FILE --threshold X` classifies the file to stdout."""
    path = tmp_path / "messages.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "Stop checking her social media."}) + "\n")
    assert main([str(path), "--threshold", "0.5"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["id"] == "x"
    assert result["advice"] is True

"""The advice detector: the hand-written peer-support set, hard cases and odd input."""

# Full-width and Cyrillic letters are the point of some tests here, not a typo.

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.nudges.detector import (
    DECIDED_FLOOR,
    Assessment,
    AssessmentContext,
    assess,
    default_detector,
)

SET_PATH = Path(__file__).with_name("peer_support_sentences.jsonl")
# Written after the rules were tuned on the set above, as a check on them.
FRESH_PATH = Path(__file__).with_name("peer_support_fresh.jsonl")
# Written later still, by someone else, in another voice.
LEAD_PATH = Path(__file__).with_name("peer_support_lead.jsonl")
# Measured with the shipped model (scripts/evaluate_advice.py): precision and recall 1.000 on
# all three sets, once the advice forms carried their floors. The floors here sit below, so
# that an honest retrain or a new rule does not fail them for one sentence.
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.90


def _rows(path: Path = SET_PATH) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_hand_written_set_is_large_and_well_formed() -> None:
    """The hand-written set has at least 250 labelled sentences with a kind each."""
    rows = _rows()
    assert len(rows) >= 250
    assert {row["label"] for row in rows} == {"advice", "other"}
    assert all(row["text"].strip() and row["kind"] for row in rows)
    assert len({row["text"] for row in rows}) == len(rows)


@pytest.mark.parametrize("path", [SET_PATH, FRESH_PATH, LEAD_PATH], ids=["first", "fresh", "lead"])
def test_hand_written_set_precision_and_recall_reach_their_floors(path: Path) -> None:
    """On each hand-written set, precision and recall stay at or above the measured floors."""
    rows = _rows(path)
    verdicts = [assess(row["text"]).advice for row in rows]
    labels = [row["label"] == "advice" for row in rows]
    hits = sum(v and y for v, y in zip(verdicts, labels, strict=True))
    assert hits / sum(verdicts) >= PRECISION_FLOOR
    assert hits / sum(labels) >= RECALL_FLOOR


def test_no_kind_of_non_advice_is_mostly_judged_advice() -> None:
    """Each non-advice kind (self-talk, reporting, reflections ...) is almost never flagged."""
    flagged: dict[str, list[bool]] = defaultdict(list)
    for row in _rows():
        if row["label"] == "other":
            flagged[row["kind"]].append(assess(row["text"]).advice)
    for kind, verdicts in flagged.items():
        assert sum(verdicts) <= len(verdicts) * 0.1, kind


@pytest.mark.parametrize(
    "text",
    [
        "You should talk to your parents about it.",
        "You need to tell your manager what is going on.",
        "Just get over it, it was years ago.",
        "Try to get some exercise, it really helps with stress.",
        "If I were you, I would talk to your manager about it.",
    ],
)
def test_outright_directives_are_strong_advice(text: str) -> None:
    """A second-person directive or imperative is advice and marked strong."""
    result = assess(text)
    assert result.advice
    assert result.strong
    assert result.cues


@pytest.mark.parametrize(
    "text",
    [
        "That's your anxiety talking.",
        "You're just depressed.",
        "You're overthinking this.",
        "Sounds like textbook PTSD to me.",
    ],
)
def test_labelling_someones_experience_counts_as_fixing(text: str) -> None:
    """Telling someone what their experience is counts as advice, though not a directive."""
    result = assess(text)
    assert result.advice
    assert not result.strong
    assert result.score >= DECIDED_FLOOR
    assert any(cue.startswith("labelling") for cue in result.cues)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("I should try to sleep more.", "self-talk"),
        ("I told myself I should rest.", "reporting someone's words"),
        ("She said I should quit.", "reporting someone's words"),
        ("My doctor told me to cut back on caffeine.", "reporting someone's words"),
        ("What helped me was walking every morning.", "own experience"),
        ("It sounds like you felt really alone.", "a reflection"),
        ("What is that like for you?", "an open question"),
        ("Should I tell my sister?", "a question about oneself"),
        ("Take care.", "a pleasantry or farewell"),
        ("Hang in there, friend.", "a pleasantry or farewell"),
        ("Sending hugs.", "a pleasantry or farewell"),
        ("Try as I might, I couldn't sleep.", "an idiom"),
    ],
)
def test_look_alikes_are_not_advice_and_say_what_they_are(text: str, cue: str) -> None:
    """Self-talk, reporting, own experience, reflections and farewells are not advice."""
    result = assess(text)
    assert not result.advice
    assert cue in result.cues


@pytest.mark.parametrize(
    "text",
    ["Go figure.", "Thank you, that means a lot.", "You shouldn't have to go through this alone."],
)
def test_idioms_thanks_and_validation_are_not_advice(text: str) -> None:
    """Imperative-looking idioms, thanks and validation are not advice."""
    assert not assess(text).advice


def test_one_directive_in_a_story_makes_the_message_advice() -> None:
    """A long message is advice if one sentence is, and the cues name that sentence only."""
    text = (
        "I went through something similar last year. It was awful and I felt alone. "
        "You need to tell your manager what is going on. I hope it gets easier."
    )
    result = assess(text)
    assert result.advice
    assert result.cues == ["a directive: 'you need to'"]


def test_quoted_lines_are_someone_elses_words() -> None:
    """Lines starting with '>' are ignored; the reply itself is judged."""
    quoted = "> You should just leave him.\n> Seriously, block his number.\nThat sounds so hard."
    assert not assess(quoted).advice
    assert assess("> I feel stuck.\nYou should leave him.").advice


def test_code_is_not_read_as_advice() -> None:
    """Fenced and inline code are ignored, so commands in code are not directives."""
    fenced = "Here is what I ran:\n```\nyou should never do this\nrm -rf build\n```\nIt worked."
    assert not assess(fenced).advice
    assert not assess("I typed `stop the service` and it hung.").advice
    assert not assess("~~~\nTake the first item\n~~~").advice


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t  ",
        "😀😀😀",
        "🙏🏽💛",
        "\u200b\u200c\u200d\ufeff",
        "...!!!???",
        "12345",
        "> you must leave\n> right now",
        "```\nyou should\n```",
        "\x00\x01\x02",
        "\ud800",  # a lone surrogate, as broken clients sometimes send
        "Ｈｅｌｌｏ　ｆｒｉｅｎｄｓ",
    ],
)
def test_odd_input_never_raises_and_is_never_advice(text: str) -> None:
    """Empty, emoji-only, invisible, quoted, code-only and odd Unicode text are not advice."""
    result = assess(text)
    assert isinstance(result, Assessment)
    assert not result.advice
    assert 0.0 <= result.score < 0.5


def test_zero_width_characters_cannot_hide_or_invent_advice() -> None:
    """Zero-width characters are stripped before reading, in either direction."""
    hidden = "You sh\u200bould c\u200dall her tonight."
    assert assess(hidden).advice == assess("You should call her tonight.").advice
    assert not assess("I sh\u200bould rest\u200c more.").advice
    assert not assess("Take\u200b care\u2060.").advice


@pytest.mark.parametrize(
    "text",
    [
        "Deberías ir al médico cuanto antes.",
        "Tu devrais parler à quelqu'un de confiance.",
        "Du solltest mit jemandem darüber reden.",
        "Dovresti parlare con qualcuno.",
        "Você deveria procurar ajuda.",
        "你应该去看医生。",
        "Тебе стоит поговорить с кем-нибудь.",
        "يجب أن تتحدث مع طبيب.",
        "お医者さんに相談したほうがいいよ。",
    ],
)
def test_other_languages_get_no_guess(text: str) -> None:
    """Text in another language is not judged advice and scores near zero."""
    result = assess(text)
    assert not result.advice
    assert result.score < 0.1


def test_a_100_kb_message_returns_quickly() -> None:
    """A 100 kB paste is capped and assessed well within a second, without error."""
    text = ("I keep thinking about what she said and I can't sleep. " * 1900)[:100_000]
    started = time.perf_counter()
    result = assess(text + " You should talk to someone.")
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert not result.advice  # the directive lies beyond the cap


def test_one_huge_sentence_is_capped_too() -> None:
    """A single 100 kB sentence without punctuation is handled like a capped one."""
    started = time.perf_counter()
    result = assess("you should " + "really " * 15_000)
    assert time.perf_counter() - started < 1.0
    assert result.advice


def test_context_changes_solicited_but_never_the_verdict() -> None:
    """Asking for ideas sets `solicited`; advice, score and cues stay the text's own."""
    text = "You should try going to bed earlier."
    plain = assess(text)
    asked = assess(text, AssessmentContext(asked_for_ideas=True, preference="ideas"))
    assert (asked.advice, asked.score, asked.cues) == (plain.advice, plain.score, plain.cues)
    assert asked.solicited
    assert not plain.solicited


@pytest.mark.parametrize(
    ("context", "solicited"),
    [
        (AssessmentContext(), False),
        (AssessmentContext(asked_for_ideas=True), True),
        (AssessmentContext(preference="ideas"), True),
        (AssessmentContext(previous="I can't sleep. Any advice?"), True),
        (AssessmentContext(thread_root="What should I do about my boss?"), True),
        (AssessmentContext(previous="I just need to vent tonight."), False),
        (AssessmentContext(previous="Any ideas?", preference="listening"), False),
    ],
)
def test_solicited_reads_flags_preference_and_the_thread(
    context: AssessmentContext, solicited: bool
) -> None:
    """`solicited` follows the flag, the preference, or a request for ideas in the thread."""
    assert assess("Have you tried yoga?", context).solicited is solicited


def test_threshold_argument_moves_the_operating_point() -> None:
    """A higher threshold flags less and a lower one more; the score stays the same."""
    text = "Have you tried meditation for the racing thoughts?"
    default = assess(text)
    assert default.advice
    directives_only = assess(text, threshold=0.6)
    assert not directives_only.advice
    assert directives_only.score == default.score
    assert not assess("You need to get out of there.", threshold=0.9999).advice


def test_default_threshold_is_the_models() -> None:
    """The operating threshold is read from the model file, and it is 0.5 by design."""
    assert default_detector().threshold == 0.5


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_gives_a_consistent_assessment(text: str) -> None:
    """For any string, the score is within 0..1, advice follows it, and cues are strings."""
    result = assess(text)
    assert 0.0 <= result.score <= 1.0
    assert result.advice == (result.score >= default_detector().threshold)
    assert all(isinstance(cue, str) and cue for cue in result.cues)
    if result.advice:
        assert result.cues


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Cf", "Zs", "So", "Sk", "Mn"]), max_size=200))
def test_invisible_marks_and_symbols_alone_are_never_advice(text: str) -> None:
    """Text made only of format characters, spaces, symbols and marks is never advice."""
    assert not assess(text).advice


def test_advice_found_by_the_model_alone_names_the_words_that_weighed() -> None:
    """When no rule fired but the score passes the threshold, the cue names learned wording."""
    result = assess("A weighted blanket works wonders for sleep.", threshold=1e-9)
    assert result.advice
    assert len(result.cues) == 1
    assert result.cues[0].startswith("advice-like wording")

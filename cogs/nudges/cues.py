"""Linguistic cues of advice-giving in one English sentence. Pure, no I/O.

`find_cues` takes one sentence, lower-cased with plain apostrophes (see
`cogs.nudges.sentences.normalise_apostrophes`), and reports three things:

- **advice cues**: forms that tell the other person what to do or what their experience is.
  Imperatives ("try ...", "don't ..."), second-person modals ("you should", "you need to"),
  suggestion questions ("have you tried", "why don't you"), suggestions ("it might help to",
  "if I were you", "I'd suggest"), fix-it framing ("just get over it", "look on the bright
  side") and labelling someone's experience for them ("that's your anxiety talking").
- **counter cues**: forms that look similar but are not advice to the reader. Self-talk ("I
  should rest"), reporting or quoting ("my doctor told me to ..."), own experience ("what
  helped me was ..."), questions about oneself, curious questions, reflections ("it sounds
  like you felt alone"), validation, pleasantries and farewells ("take care", "hang in there"),
  offers ("let me know if you want to talk") and idioms ("try as I might").
- **hints**: weaker signals that are only model features, such as "you have to" in the
  middle of a description ("the catch is you have to pay for it").

Decisions that are policy rather than grammar, written down once:

- Common farewells and pleasantries ("take care", "hang in there", "stay safe", "sending
  hugs", "have a good night") are *not* advice, although some are imperative in form.
- Requests aimed at the speaker ("let me know", "tell me more", "trust me") are not advice:
  they do not tell the other person how to live.
- Words reported from someone else ("she said I should quit") are not advice from the writer.
  An advice cue that starts after a reporting verb is dropped; one before it stays.
- "You shouldn't have to ..." is validation; "you must be exhausted" is a reflection;
  "you should be proud" is praise; "you should have ..." is hindsight.

A cue's ``strong`` flag marks an outright directive: an imperative, "you should / need to /
have to / must" and the like, "if I were you", or "all you need to do is". Suggestions,
suggestion questions and labels are advice but not strong.

Speed matters (the detector reads every message of a busy server), so each rule names the
words it needs, and its regular expression runs only when the sentence has them.
"""

from __future__ import annotations

from cogs.nudges.advice_cues import find_phrases
from cogs.nudges.counter_cues import (
    COUNTER_RULE_FAMILIES,
    find_counter_cues,
    find_reporting_start,
    is_curious_question,
    is_pleasantry,
)
from cogs.nudges.cue_types import WORD, Cue, CueReport, words_of
from cogs.nudges.imperatives import find_imperative

__all__ = [
    "COUNTER_FAMILIES",
    "WORD",
    "Cue",
    "CueReport",
    "complete_cues",
    "find_cues",
    "find_cues_lazily",
    "words_of",
]

# Every family a counter cue can have.
COUNTER_FAMILIES = ("pleasantry", "reporting", *COUNTER_RULE_FAMILIES, "curious_question")
_PLEASANTRY_REPORT = CueReport((), (Cue("pleasantry", "a pleasantry or farewell", False),))


def find_cues(sentence: str, words: frozenset[str] | None = None) -> CueReport:
    """Find advice cues, counter cues and hints in one lower-cased sentence.

    ``words`` is `words_of(sentence)`, passed in when the caller already has it.
    """
    if words is None:
        words = words_of(sentence)
    report, pending = find_cues_lazily(sentence, words)
    return complete_cues(sentence, words, report) if pending else report


def find_cues_lazily(sentence: str, words: frozenset[str]) -> tuple[CueReport, bool]:
    """The advice cues, the hints and reported speech of a sentence, and whether the other
    counter cues are still to be found (by `complete_cues`).

    The detector asks for those only when they could matter: the counter cues only ever
    lower a sentence's score by much, so a sentence far below the threshold without them
    stays below it with them.
    """
    if is_pleasantry(sentence):
        return _PLEASANTRY_REPORT, False

    advice, hints = find_phrases(sentence, words)
    imperative = find_imperative(sentence)
    if imperative is not None:
        advice.insert(0, imperative)

    counter: tuple[Cue, ...] = ()
    cut = find_reporting_start(sentence, words)
    if cut is not None:
        counter = (Cue("reporting", "reporting someone's words", False, start=cut),)
        advice = [cue for cue in advice if cue.start < cut]
    if len(advice) > 1:
        advice = _dedupe(advice)
    return CueReport(tuple(advice), counter, tuple(hints)), True


def complete_cues(sentence: str, words: frozenset[str], report: CueReport) -> CueReport:
    """`find_cues_lazily`'s report with the remaining counter cues added."""
    counter = [*report.counter, *find_counter_cues(sentence, words)]
    if not report.advice and is_curious_question(sentence, words):
        counter.append(Cue("curious_question", "an open question", False))
    return CueReport(report.advice, tuple(counter), report.hints)


def _dedupe(cues: list[Cue]) -> list[Cue]:
    """Keep the first cue of each description, in sentence order."""
    seen: set[str] = set()
    kept: list[Cue] = []
    for cue in sorted(cues, key=lambda cue: cue.start):
        if cue.text not in seen:
            seen.add(cue.text)
            kept.append(cue)
    return kept

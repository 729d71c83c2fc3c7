"""The advice detector: does a reply fix, or connect? A calibrated probability and a kind.

Pure and synchronous; no I/O after the model file is loaded, and it never raises on any text.

    >>> from cogs.nudges.detector import assess
    >>> result = assess("sounds like your depression is back, maybe ask your doctor about your meds?")
    >>> result.advice, result.kind
    (True, 'treatment')

The API (the thread-drift rules, the nudges cog and ``circlekeeper classify`` build on it):

- `assess(text, context=None, *, threshold=None, level=None) -> Assessment`, using the model
  shipped in ``cogs/nudges/advice_model.npz``. `Detector` does the same with a model you pass.
- `Assessment.score`: the calibrated probability that the reply is a fixing form
  (``TAXONOMY.md``), in its context. Fitted on the corpus's dev split; the model card reports
  its expected calibration error.
- `Assessment.fixing`: ``score >= threshold``: the wording is fixing, whoever asked.
- `Assessment.advice`: fixing, and not solicited: what a nudge may be about.
- `Assessment.kind`: the fixing kind most likely meant ("treatment", "labelling" ...), for a
  fixing reply; else None. `Assessment.cues` says it in plain words, then what the rules saw
  (``"a directive: 'you should'"``), or the words that weighed most when no rule fired.
- `Assessment.solicited`: the context says the person sharing asked for ideas.
- `Assessment.counter`: the families of connecting wording the rules saw in any sentence
  (``"reflection"``, ``"own_experience"`` ...): whether a message answers someone.

The threshold: by default the ``normal`` level's; ``level`` picks another level and
``threshold`` sets one directly. Each level is the lowest probability at which the dev split
reached its target precision (see `cogs.nudges.training`):

- ``gentle``: only wording that is fixing almost every time it is seen;
- ``normal``: wording that is fixing about nine times in ten or more (the default);
- ``attentive``: softer wording too, with more notes that turn out to be misread.

How a message is read (see `cogs.nudges.sentences`): code, quoted ``>`` lines and invisible
characters are dropped, the work is capped, and the rest is split into sentences. Each
English sentence gets the model's log-odds; the message takes the highest, so one fixing
sentence in a warm reply is enough. The rules (`cogs.nudges.cues`) are features of the model
and the source of the plain-words explanation; no rule decides a verdict on its own, and the
model can flag a sentence where no rule fired. A sentence that is not English is not scored:
the model only knows English, and a wrong note does more harm than a missed one.

How context is used:

- the message answered (``previous``, else ``thread_root``) gives the model a few facts: is
  it a question, is it about the circle itself, does its writer speak of themselves;
- ``solicited`` is true when ``asked_for_ideas`` is set, when ``preference`` is ``"ideas"``, or
  when the message answered asks for ideas ("any tips?"); a solicited reply is never
  ``advice``, however fixing its wording;
- a ``"listening"`` preference makes ``solicited`` false, and fixing weighs more: the odds
  are multiplied by `LISTENING_ODDS` before the threshold, so a reply that is borderline
  elsewhere is flagged for someone who asked to be listened to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, NamedTuple

from cogs.nudges.asks import asks_for_ideas
from cogs.nudges.cue_types import CueReport
from cogs.nudges.cues import COUNTER_FAMILIES, complete_cues, find_cues, find_cues_lazily
from cogs.nudges.features import (
    CONTEXT_NONE,
    context_features,
    phrase_features,
    read_tokens,
    sentence_features,
)
from cogs.nudges.kinds import FIXING, plain_words
from cogs.nudges.language import looks_english
from cogs.nudges.model import DEFAULT_MODEL_PATH, LinearModel, load_model
from cogs.nudges.sentences import message_sentences, normalise_apostrophes

# For someone who chose "listening", fixing weighs this many times more in odds. A policy of
# the product, not something learnt: the same words land harder on someone who asked not to
# be given them.
LISTENING_ODDS = 2.5
LISTENING_SHIFT = math.log(LISTENING_ODDS)
MAX_CUES = 6
NO_LOGIT = -30.0  # a message with nothing to read
_LETTERS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

Preference = Literal["listening", "ideas"]
Level = Literal["gentle", "normal", "attentive"]


@dataclass(frozen=True, slots=True)
class AssessmentContext:
    """What the detector may know about the conversation around a message.

    ``facts`` is what `cogs.nudges.features.context_features` made of the message answered,
    for a caller that read it earlier and kept the numbers, not the words (the nudges cog).
    """

    previous: str | None = None  # the message this one answers, if any
    thread_root: str | None = None  # the message that opened the thread
    asked_for_ideas: bool = False  # the person sharing said they are open to ideas
    preference: Preference | None = None  # the sharer's declared support preference
    facts: tuple[int, ...] | None = None

    @property
    def solicited(self) -> bool:
        """Whether the person sharing asked for ideas, by flag, preference or in words."""
        if self.preference == "listening":
            return False
        if self.asked_for_ideas or self.preference == "ideas":
            return True
        return any(text and asks_for_ideas(text) for text in (self.previous, self.thread_root))

    @property
    def model_facts(self) -> tuple[int, ...]:
        """The context features the model weighs."""
        answered = self.previous or self.thread_root
        if answered:
            return context_features(answered)
        return self.facts if self.facts is not None else CONTEXT_NONE

    @property
    def shift(self) -> float:
        """How much more fixing weighs here, in log-odds."""
        return LISTENING_SHIFT if self.preference == "listening" else 0.0


class Assessment:
    """The detector's verdict on one message. See the module docstring for each field.

    ``kind`` and ``cues`` of a fixing reply are worked out when first asked for: the verdict
    is all that most messages need, and naming the kind costs as much as the verdict itself.
    """

    __slots__ = (
        "_counter",
        "_cues",
        "_explain",
        "_kind",
        "_resolve",
        "_score",
        "advice",
        "english",
        "fixing",
        "solicited",
    )

    def __init__(
        self,
        advice: bool,
        score: float,
        cues: list[str] | None = None,
        kind: str | None = None,
        fixing: bool = False,
        solicited: bool = False,
        counter: tuple[str, ...] = (),
        english: bool = True,
        explain: Callable[[], tuple[str, list[str]]] | None = None,
        resolve: Callable[[], tuple[float, tuple[str, ...], list[str]]] | None = None,
    ) -> None:
        self.advice = advice
        self._score = score
        self.fixing = fixing
        self.solicited = solicited
        self._counter = counter
        self.english = english
        self._kind = kind
        self._cues = cues if cues is not None else []
        self._explain = explain
        self._resolve = resolve

    def _resolved(self) -> None:
        # A reply far below the threshold gets its verdict before its counter cues are read;
        # its exact score, counter families and cues are worked out when first asked for.
        if self._resolve is not None:
            self._score, self._counter, self._cues = self._resolve()
            self._resolve = None

    @property
    def score(self) -> float:
        """The calibrated probability that the reply is a fixing form, in its context."""
        self._resolved()
        return self._score

    @property
    def counter(self) -> tuple[str, ...]:
        """The families of connecting wording the rules saw in any sentence."""
        self._resolved()
        return self._counter

    def _explained(self) -> None:
        if self._explain is not None:
            self._kind, self._cues = self._explain()
            self._explain = None

    @property
    def kind(self) -> str | None:
        """The fixing kind of a fixing reply, else None."""
        self._explained()
        return self._kind

    @property
    def cues(self) -> list[str]:
        """What was seen, in words: the kind first for a fixing reply."""
        self._resolved()
        self._explained()
        return self._cues

    def __repr__(self) -> str:
        return f"Assessment(advice={self.advice}, score={self.score:.4f}, kind={self.kind!r}, solicited={self.solicited})"


class Unit(NamedTuple):
    """One English sentence of a message, read once for the model."""

    lower: str
    tokens: list[str]
    report: CueReport
    words: frozenset[str] = frozenset()
    pending: bool = False  # the counter cues other than reporting are still to be found

    def completed(self) -> Unit:
        """The unit with all of its counter cues."""
        if not self.pending:
            return self
        return Unit(self.lower, self.tokens, complete_cues(self.lower, self.words, self.report))


def read_units(text: str, *, lazily: bool = False) -> tuple[list[Unit], bool]:
    """The English sentences of a message as model units; and whether any sentence was
    skipped for another language. ``lazily`` leaves most counter cues to `Unit.completed`."""
    sentences = message_sentences(text)
    units: list[Unit] = []
    skipped = False
    for sentence in sentences:
        lower = normalise_apostrophes(sentence).lower()
        tokens, words = read_tokens(lower)
        # Accented words are split by the model's tokens ("deberías" gives "deber", "as"), so
        # the language is judged on whole words.
        whole = words if lower.isascii() else frozenset(_LETTERS.findall(lower))
        if not looks_english(sentence, whole):
            skipped = True
            continue
        if not tokens:
            continue
        if lazily:
            report, pending = find_cues_lazily(lower, words)
            units.append(Unit(lower, tokens, report, words, pending))
        else:
            units.append(Unit(lower, tokens, find_cues(lower, words)))
    return units, skipped


def unit_features(unit: Unit, facts: tuple[int, ...]) -> list[int]:
    """All feature buckets of one unit, as training sees them."""
    return sentence_features(unit.lower, unit.tokens, unit.report, facts)


class Detector:
    """The advice detector with one loaded model."""

    __slots__ = ("_ceiling", "model")

    def __init__(self, model: LinearModel) -> None:
        self.model = model
        self._ceiling = model.counter_ceiling(COUNTER_FAMILIES)

    @classmethod
    def from_file(cls, path: Path = DEFAULT_MODEL_PATH) -> Detector:
        """A detector with the model stored at ``path``."""
        return cls(load_model(path))

    @property
    def threshold(self) -> float:
        """The default (``normal``) threshold."""
        return self.model.thresholds["normal"]

    def threshold_for(self, level: str) -> float:
        """The probability threshold of a sensitivity level."""
        return self.model.thresholds.get(level, self.threshold)

    def logits(self, text: str, context: AssessmentContext | None = None) -> list[float]:
        """The fixing head's log-odds of each English sentence (training and tests use it)."""
        facts = context.model_facts if context is not None else CONTEXT_NONE
        units, _ = read_units(text)
        return [self._logit(unit, facts) for unit in units]

    def _logit(self, unit: Unit, facts: tuple[int, ...]) -> float:
        return self.model.unit_logit(unit.lower, unit.tokens, unit.report, facts)

    def assess(
        self,
        text: str,
        context: AssessmentContext | None = None,
        *,
        threshold: float | None = None,
        level: str | None = None,
    ) -> Assessment:
        """Assess one message. Never raises on any string."""
        if threshold is None:
            threshold = self.threshold_for(level) if level else self.threshold
        solicited = context.solicited if context is not None else False
        facts = context.model_facts if context is not None else CONTEXT_NONE
        shift = context.shift if context is not None else 0.0
        units, skipped = read_units(text, lazily=True)
        if not units:
            cues = ["another language (not assessed)"] if skipped else []
            return Assessment(False, 0.0, cues, solicited=solicited, english=not skipped)
        model = self.model
        unit_parts = model.unit_parts
        parts = [unit_parts(unit.lower, unit.tokens, unit.report, facts) for unit in units]
        # The counter cues add at most the ceiling: when even that keeps every sentence below
        # the threshold, the verdict is known, and they are read only if the score is asked for.
        ceiling = self._ceiling
        bound = max(total + phrases + ceiling for total, phrases in parts)
        if model.probability(max(bound, NO_LOGIT), shift) < threshold:

            def resolve() -> tuple[float, tuple[str, ...], list[str]]:
                return self._below(units, parts, shift)

            return Assessment(False, 0.0, None, None, False, solicited, resolve=resolve)
        units = [unit.completed() for unit in units]
        logits = [
            model.with_counter(part, unit.report) for part, unit in zip(parts, units, strict=True)
        ]
        top = max(logits)
        score = model.probability(max(top, NO_LOGIT), shift)
        counter = tuple(dict.fromkeys(cue.family for unit in units for cue in unit.report.counter))
        if score < threshold:
            return Assessment(
                False, score, _seen(units[logits.index(top)]), None, False, solicited, counter
            )

        def explain() -> tuple[str, list[str]]:
            # Every sentence that reads as fixing on its own gets a kind, and the most steering
            # one names the reply (the taxonomy's rule for a mixed reply).
            fixing = [
                (unit, phrase_features(unit.lower, unit.tokens, unit.report, facts))
                for logit, unit in zip(logits, units, strict=True)
                if model.probability(logit, shift) >= threshold
            ]
            named = sorted(
                (FIXING.index(model.kind_of(unit.tokens, phrases)), position, unit)
                for position, (unit, phrases) in enumerate(fixing)
            )
            rank, _, best = named[0]
            kind = FIXING[rank]
            cues = [plain_words(kind)]
            cues.extend(cue.text for cue in best.report.advice if cue.text not in cues)
            if len(cues) == 1:
                cues.append(self._weighty_words(best))
            return kind, cues[:MAX_CUES]

        return Assessment(
            not solicited, score, None, None, True, solicited, counter, explain=explain
        )

    def _below(
        self, units: list[Unit], parts: list[tuple[float, float]], shift: float
    ) -> tuple[float, tuple[str, ...], list[str]]:
        """The exact score, counter families and cues of a reply known to be below threshold."""
        units = [unit.completed() for unit in units]
        logits = [
            self.model.with_counter(part, unit.report)
            for part, unit in zip(parts, units, strict=True)
        ]
        top = max(logits)
        score = self.model.probability(max(top, NO_LOGIT), shift)
        counter = tuple(dict.fromkeys(cue.family for unit in units for cue in unit.report.counter))
        return score, counter, _seen(units[logits.index(top)])

    def _weighty_words(self, unit: Unit) -> str:
        """Name the word that weighed most for fixing when no rule fired."""
        best_word = ""
        best_weight = 0.0
        for token in unit.tokens:
            weight = self.model.word_weight(token)
            if weight > best_weight:
                best_weight, best_word = weight, token
        return f"wording such as '{best_word}'" if best_word else "the wording as a whole"


def _seen(unit: Unit) -> list[str]:
    """What the rules saw in a sentence, in words: its advice cues, then its counter cues."""
    return [cue.text for cue in (*unit.report.advice, *unit.report.counter)][:MAX_CUES]


@cache
def default_detector() -> Detector:
    """The detector with the shipped model, loaded on first use."""
    return Detector.from_file()


def assess(
    text: str,
    context: AssessmentContext | None = None,
    *,
    threshold: float | None = None,
    level: str | None = None,
) -> Assessment:
    """Assess one message with the shipped model. See the module docstring."""
    return default_detector().assess(text, context, threshold=threshold, level=level)

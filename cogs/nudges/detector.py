"""The advice detector: does a message tell someone what to do, or what their experience is?

Pure and synchronous; no I/O after the model file is loaded, and it never raises on any text.

    >>> from cogs.nudges.detector import assess
    >>> result = assess("It helped me a lot. You need to tell your manager what is going on.")
    >>> result.advice, result.strong, result.cues
    (True, True, ["a directive: 'you need to'"])

The API (stable; the thread-drift rules and the nudges cog build on it):

- `assess(text, context=None, *, threshold=None) -> Assessment`, using a model loaded once
  from ``cogs/nudges/advice_model.npz``. `Detector` does the same with a model you pass in.
- `Assessment.advice`: whether the message gives advice (``score >= threshold``).
- `Assessment.score`: 0..1, the highest sentence score in the message.
- `Assessment.cues`: short human-readable reasons from the deciding sentences, e.g.
  ``"a directive: 'you should'"``. When there is no advice they name what was seen instead
  (``"self-talk"``, ``"reporting someone's words"``), or nothing.
- `Assessment.strong`: a deciding sentence is an outright directive (an imperative, "you
  should/need to/must", "if I were you", "all you need to do is"). The drift rules may treat
  one strong directive like several soft suggestions.
- `Assessment.solicited`: the context says the person sharing asked for ideas.

How a message is read (see `cogs.nudges.sentences`): code, quoted ``>`` lines and invisible
characters are dropped, the work is capped, and the rest is split into sentences. Each
sentence is scored on its own and the message takes the highest score, so one advice
sentence in a long story is enough, and the cues come from the sentences that decided.

How a sentence is scored. Two sources of evidence meet:

- the cue rules (`cogs.nudges.cues`), which say what the product means by advice;
- a logistic-regression model (`cogs.nudges.model`) trained on Reddit advice threads, whose
  annotators also counted implicit advice and disagreed with the rules on some forms
  (many suggestion questions and generic "you have to" statements are "not advice" there).

The sentence's *evidence* is the model's log-odds, plus `CUE_BOOST` when an advice cue
fired. Then the score is ``sigmoid(evidence - offset)``, where ``offset`` is stored with the
model and was chosen by cross-validation on the training threads so that precision there
reaches 0.88 at a score of 0.5 (see `cogs.nudges.training`). So the default threshold is
0.5. Four rules then bound the score, whatever the model says:

- each advice form earns at least its floor (`FAMILY_FLOORS`): an imperative or "if I were
  you" 0.62, "you should/need to/must" 0.6, a suggestion ("you could try", "it might help
  to") or a suggestion question ("have you tried", "why don't you") 0.55. The model was
  trained on Reddit threads whose annotators often judged these plain forms "not advice";
  in a peer-support circle they are exactly the replies that turn sharing into fixing, so
  the form decides and the model ranks above the floor;
- labelling someone's experience or fix-it framing scores at least `DECIDED_FLOOR`: the
  training data has no view on labelling, and the product counts both as fixing;
- with no advice cue, a counter cue (self-talk, reporting, own experience, reflection,
  question, pleasantry or reassurance ...) caps the score at `COUNTER_CAP`;
- a sentence that is not English scores 0: the rules and the model only know English, and
  a wrong nudge does more harm than a missed one.

Choosing a threshold: the default is 0.5, where every advice form counts. A caller who wants
only outright directives can use 0.6 (suggestions fall below it), and 0.65 or more leaves
what the model itself is sure of. ``scripts/evaluate_advice.py`` prints the whole sweep on
the Reddit development set and on the hand-written peer-support sets.

How context is used: it never changes `advice`, `score` or `cues`, which describe the text.
Whether advice was welcome is the drift rules' question, so the detector only reports it as
`solicited`: true when ``asked_for_ideas`` is set, when ``preference`` is ``"ideas"``, or when
the previous message or the thread root asks for ideas ("any advice?", "what should I do?").
A ``"listening"`` preference makes `solicited` false even if the text asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal, NamedTuple

from cogs.nudges.asks import asks_for_ideas
from cogs.nudges.cues import WORD, Cue, CueReport, find_cues
from cogs.nudges.language import looks_english
from cogs.nudges.model import (
    DEFAULT_MODEL_PATH,
    MAX_TOKENS,
    LinearModel,
    featurize,
    load_model,
    sigmoid,
)
from cogs.nudges.sentences import message_sentences, normalise_apostrophes

CUE_BOOST = 3.0
DECIDED_FLOOR = 0.9
# The least score each advice form earns, whatever the model says. The model learnt from
# Reddit advice threads, whose annotators often called "Have you tried…?" or "You should call
# her." something other than advice; in a peer-support circle these are the very replies that
# turn sharing into fixing, so the forms themselves carry the verdict and the model only ranks
# above the floor. Outright directives sit higher than suggestions, so a stricter threshold
# (0.6) keeps directives and lets suggestions go.
FAMILY_FLOORS = {
    "imperative": 0.62,
    "hypothetical": 0.62,
    "modal": 0.6,
    "suggestion": 0.55,
    "suggestion_question": 0.55,
}
COUNTER_CAP = 0.2
DECIDED_FAMILIES = frozenset({"labelling", "fix_it"})
MAX_CUES = 6
# Added to or taken from the evidence of a sentence the rules decided, so that training
# ranks it above (or below) every sentence the model decides.
_DECIDED_EVIDENCE = 100.0

Preference = Literal["listening", "ideas"]

@dataclass(frozen=True, slots=True)
class AssessmentContext:
    """What the detector may know about the conversation around a message."""

    previous: str | None = None  # the message this one answers, if any
    thread_root: str | None = None  # the message that opened the thread
    asked_for_ideas: bool = False  # the person sharing said they are open to ideas
    preference: Preference | None = None  # the sharer's declared support preference

    @property
    def solicited(self) -> bool:
        """Whether the person sharing asked for ideas, by flag, preference or in words."""
        if self.preference == "listening":
            return False
        if self.asked_for_ideas or self.preference == "ideas":
            return True
        return any(text and asks_for_ideas(text) for text in (self.previous, self.thread_root))


@dataclass(frozen=True, slots=True)
class Assessment:
    """The detector's verdict on one message. See the module docstring for each field."""

    advice: bool
    score: float
    cues: list[str] = field(default_factory=list)
    strong: bool = False
    solicited: bool = False
    # The families of the deciding cues ("modal", "suggestion_question", "labelling" ...):
    # stable names the nudges cog can keep and explain without keeping any words.
    families: tuple[str, ...] = ()
    # The families of counter-evidence seen in any sentence ("reflection", "own_experience",
    # "curious_question" ...): whether a message shares, or answers someone who shared.
    counter: tuple[str, ...] = ()


class SentenceScore(NamedTuple):
    """One sentence's score, the evidence behind it and its cues."""

    score: float
    evidence: float  # log-odds before the offset; +-_DECIDED_EVIDENCE when rules decided
    report: CueReport
    english: bool = True
    tokens: list[str] = []  # noqa: RUF012 - never mutated; a NamedTuple default
    features: list[int] = []  # noqa: RUF012 - never mutated; a NamedTuple default


_EMPTY_REPORT = CueReport((), ())
_NOTHING = SentenceScore(0.0, -_DECIDED_EVIDENCE, _EMPTY_REPORT)


def weigh(logit: float, report: CueReport) -> tuple[float, int]:
    """The evidence for advice, and whether the rules decided: 1 for, -1 against, 0 not."""
    if report.advice:
        decided = 1 if any(cue.family in DECIDED_FAMILIES for cue in report.advice) else 0
        return logit + CUE_BOOST, decided
    return logit, -1 if report.counter else 0


def to_score(evidence: float, decided: int, offset: float, floor: float = 0.0) -> float:
    """Map evidence to a 0..1 score, where 0.5 is the operating point chosen in training.

    ``floor`` is the least score the sentence's advice cues guarantee (see `FAMILY_FLOORS`).
    """
    score = max(sigmoid(evidence - offset), floor)
    if decided > 0:
        return max(score, DECIDED_FLOOR)
    if decided < 0:
        return min(score, COUNTER_CAP)
    return score


def cue_floor(report: CueReport) -> float:
    """The least score a sentence's advice cues guarantee."""
    return max((FAMILY_FLOORS.get(cue.family, 0.0) for cue in report.advice), default=0.0)


class Detector:
    """The advice detector with one loaded model."""

    __slots__ = ("model",)

    def __init__(self, model: LinearModel) -> None:
        self.model = model

    @classmethod
    def from_file(cls, path: Path = DEFAULT_MODEL_PATH) -> Detector:
        """A detector with the model stored at ``path``."""
        return cls(load_model(path))

    @property
    def threshold(self) -> float:
        """The operating threshold stored with the model."""
        return self.model.threshold

    def score_sentence(self, sentence: str) -> SentenceScore:
        """Score one sentence (already cleaned and split), with its cues."""
        lower = normalise_apostrophes(sentence).lower()
        tokens = WORD.findall(lower)
        if not tokens:
            return _NOTHING
        words = frozenset(tokens)
        if not looks_english(sentence, words):
            return SentenceScore(0.0, -_DECIDED_EVIDENCE, _EMPTY_REPORT, english=False)
        report = find_cues(lower, words)
        features = featurize(lower, tokens, report)
        evidence, decided = weigh(self.model.logit(features), report)
        score = to_score(evidence, decided, self.model.offset, cue_floor(report))
        ranked = evidence + decided * _DECIDED_EVIDENCE
        return SentenceScore(score, ranked, report, True, tokens, features)

    def evidence(self, text: str) -> float:
        """The highest sentence evidence in a message; training ranks messages by it."""
        scored = [self.score_sentence(sentence) for sentence in message_sentences(text)]
        return max((result.evidence for result in scored), default=-_DECIDED_EVIDENCE)

    def assess(
        self,
        text: str,
        context: AssessmentContext | None = None,
        *,
        threshold: float | None = None,
    ) -> Assessment:
        """Assess one message. Never raises on any string."""
        if threshold is None:
            threshold = self.model.threshold
        solicited = context.solicited if context is not None else False
        scored = [self.score_sentence(sentence) for sentence in message_sentences(text)]
        if not scored:
            return Assessment(False, 0.0, [], solicited=solicited)
        counter = tuple(dict.fromkeys(cue.family for result in scored for cue in result.report.counter))
        best = scored[0] if len(scored) == 1 else max(scored, key=_by_score)
        if best.score < threshold:
            return Assessment(False, best.score, _describe_other(best), False, solicited, (), counter)
        deciding = [result for result in scored if result.score >= threshold]
        cues: list[str] = []
        for result in deciding:
            for cue in result.report.advice:
                if cue.text not in cues:
                    cues.append(cue.text)
        if not cues:
            cues.append(self._learned_cue(deciding))
        strong = any(result.report.strong for result in deciding)
        families = tuple(dict.fromkeys(cue.family for result in deciding for cue in result.report.advice))
        return Assessment(True, best.score, cues[:MAX_CUES], strong, solicited, families or ("learned",), counter)

    def _learned_cue(self, deciding: list[SentenceScore]) -> str:
        """Name the words that weighed most for advice when no rule fired."""
        best_words = ""
        best_weight = 0.0
        weights = self.model.weights
        for result in deciding:
            tokens = result.tokens[:MAX_TOKENS]
            count = len(tokens)
            # `featurize` lists one word feature per token, then one pair feature per token.
            for position in range(count):
                weight = weights[result.features[position]]
                pair_weight = weights[result.features[count + position]]
                if weight > best_weight:
                    best_weight, best_words = weight, tokens[position]
                if position and pair_weight > best_weight:
                    best_weight = pair_weight
                    best_words = tokens[position - 1] + " " + tokens[position]
        if not best_words:
            return "advice-like wording"
        return f"advice-like wording: '{best_words}'"


def _by_score(result: SentenceScore) -> float:
    return result.score


def _describe_other(best: SentenceScore) -> list[str]:
    """For a message that is not advice, name what the deciding sentence was instead."""
    if not best.english:
        return ["another language (not assessed)"]
    cues: list[Cue] = [*best.report.advice, *best.report.counter]
    return [cue.text for cue in cues][:MAX_CUES]


@cache
def default_detector() -> Detector:
    """The detector with the shipped model, loaded on first use."""
    return Detector.from_file()


def assess(
    text: str,
    context: AssessmentContext | None = None,
    *,
    threshold: float | None = None,
) -> Assessment:
    """Assess one message with the shipped model. See the module docstring."""
    return default_detector().assess(text, context, threshold=threshold)

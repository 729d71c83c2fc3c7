"""Rebuild the advice model from the development data, deterministically.

Used by ``scripts/train_advice_model.py`` and its test; the bot never imports it.

1. Read ``reddit_train.jsonl`` and sort it by id, so file order never matters.
2. Turn each row into features the way the detector does (`row_features`).
3. Split the rows into `FOLDS` folds by Reddit thread (a stable hash of the thread id, so
   sentences of one reply never sit on both sides), fit a model on all folds but one, and
   rank the held-out fold by the full detector's evidence (sentence splitting, cue boost
   and the rules' decisions included; see `cogs.nudges.detector`).
4. From those out-of-fold rankings choose the offset: the lowest evidence level at which
   precision reaches `TARGET_PRECISION`. The detector puts that level at a score of 0.5.
5. Fit the final model on all rows and write it with the offset.

Why 0.88 when the product asks for 0.80: precision on threads the model has never seen is
lower than on cross-validation folds. The folds agree with each other within about 0.02,
but the first design, tuned to 0.85 here, measured 0.78 on ``reddit_dev``. The margin is
there so that the figure holds on new threads, not to fit the development set.

The fit is full-batch gradient descent with Adam on L2-regularised log loss, starting from
zeros. There is no sampling, so every run gives the same numbers.
"""

from __future__ import annotations

import itertools
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cogs.nudges.cues import WORD, find_cues
from cogs.nudges.detector import Detector
from cogs.nudges.model import HASH_BITS, LinearModel, featurize, save_model
from cogs.nudges.sentences import clean, normalise_apostrophes

FOLDS = 5
TARGET_PRECISION = 0.88
L2 = 1e-3
EPOCHS = 150
LEARNING_RATE = 0.05
# Buckets seen in fewer training rows than this keep a zero weight: rare words teach the
# model about one Reddit thread, not about advice.
MIN_ROWS_PER_FEATURE = 3


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled development sentence."""

    id: str
    text: str
    advice: bool

    @property
    def thread(self) -> str:
        """The Reddit thread the sentence came from ("askparents-c7yyzm")."""
        return "-".join(self.id.split("-")[:2])


@dataclass(frozen=True, slots=True)
class TrainingResult:
    """The fitted model and the out-of-fold figures its threshold came from."""

    weights: np.ndarray
    bias: float
    offset: float
    oof_precision: float
    oof_recall: float


def read_examples(path: Path) -> list[Example]:
    """Read labelled sentences from JSON Lines, sorted by id."""
    examples = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                examples.append(Example(row["id"], row["text"], row["label"] == "advice"))
    return sorted(examples, key=lambda example: example.id)


def row_features(text: str) -> list[int]:
    """The distinct feature indices of one training row, read as one sentence."""
    lower = normalise_apostrophes(clean(text)).lower()
    tokens = WORD.findall(lower)
    return sorted(set(featurize(lower, tokens, find_cues(lower, frozenset(tokens)))))


def fit(
    rows: Sequence[list[int]],
    labels: np.ndarray,
    *,
    l2: float = L2,
    epochs: int = EPOCHS,
    learning_rate: float = LEARNING_RATE,
) -> tuple[np.ndarray, float]:
    """Fit logistic regression on hashed rows; returns (weights, bias)."""
    dimension = 2**HASH_BITS
    lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
    indices = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64)
    row_of = np.repeat(np.arange(len(rows)), lengths)
    seen_rows = np.bincount(
        np.unique(row_of * dimension + indices) % dimension, minlength=dimension
    )
    trainable = (seen_rows >= MIN_ROWS_PER_FEATURE).astype(np.float64)
    targets = labels.astype(np.float64)
    count = len(rows)

    weights = np.zeros(dimension)
    bias = 0.0
    moment = np.zeros(dimension)
    velocity = np.zeros(dimension)
    bias_moment = bias_velocity = 0.0
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    for step in range(1, epochs + 1):
        logits = np.bincount(row_of, weights=weights[indices], minlength=count) + bias
        # The logistic function written with tanh cannot overflow, as exp(-x) can for a very
        # negative x; the tests turn warnings into errors.
        residual = (0.5 * (1.0 + np.tanh(0.5 * logits)) - targets) / count
        data_gradient = np.bincount(indices, weights=residual[row_of], minlength=dimension)
        gradient = (data_gradient + l2 * weights) * trainable
        bias_gradient = float(residual.sum())
        moment = beta1 * moment + (1 - beta1) * gradient
        velocity = beta2 * velocity + (1 - beta2) * gradient * gradient
        bias_moment = beta1 * bias_moment + (1 - beta1) * bias_gradient
        bias_velocity = beta2 * bias_velocity + (1 - beta2) * bias_gradient**2
        correction1 = 1 - beta1**step
        correction2 = 1 - beta2**step
        weights -= (
            learning_rate * (moment / correction1) / (np.sqrt(velocity / correction2) + epsilon)
        )
        bias -= (
            learning_rate
            * (bias_moment / correction1)
            / (np.sqrt(bias_velocity / correction2) + epsilon)
        )
    return weights, bias


def fold_of(example: Example) -> int:
    """The cross-validation fold of an example, fixed by its thread."""
    return zlib.crc32(example.thread.encode("utf-8")) % FOLDS


def detector_for(weights: np.ndarray, bias: float, offset: float = 0.0) -> Detector:
    """A detector around freshly fitted weights (rounded to float32 as when saved)."""
    as_saved = weights.astype(np.float32).tolist()
    return Detector(LinearModel(as_saved, bias, offset))


def out_of_fold_evidence(examples: Sequence[Example], rows: Sequence[list[int]]) -> np.ndarray:
    """Each example's detector evidence from a model that did not see its thread."""
    labels = np.array([example.advice for example in examples])
    folds = np.array([fold_of(example) for example in examples])
    evidence = np.zeros(len(examples))
    for fold in range(FOLDS):
        held_out = [int(index) for index in np.flatnonzero(folds == fold)]
        train = [int(index) for index in np.flatnonzero(folds != fold)]
        weights, bias = fit([rows[index] for index in train], labels[train])
        detector = detector_for(weights, bias)
        for index in held_out:
            evidence[index] = detector.evidence(examples[index].text)
    return evidence


def choose_threshold(
    scores: np.ndarray, labels: np.ndarray, target_precision: float = TARGET_PRECISION
) -> tuple[float, float, float]:
    """The lowest threshold whose precision reaches ``target_precision``.

    Returns (threshold, precision, recall) on the given scores. Without any such threshold
    it returns one above every score: flag nothing rather than flag wrongly.
    """
    labels = labels.astype(bool)
    positives = int(labels.sum())
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    hits = np.cumsum(labels[order])
    flagged = np.arange(1, len(ranked) + 1)
    # The last position of each run of equal scores: thresholds sit between distinct scores.
    ends = np.flatnonzero(np.append(ranked[1:] != ranked[:-1], True))
    precision = hits[ends] / flagged[ends]
    reaching = np.flatnonzero(precision >= target_precision)
    if reaching.size == 0 or positives == 0:
        return float(ranked[0]) + 1e-6 if len(ranked) else 1.0, 1.0, 0.0
    end = ends[reaching[-1]]
    return float(ranked[end]), float(precision[reaching[-1]]), float(hits[end] / positives)


def train(source: Path) -> TrainingResult:
    """Fit the model on ``source`` and choose its offset by cross-validation."""
    examples = read_examples(source)
    rows = [row_features(example.text) for example in examples]
    labels = np.array([example.advice for example in examples])
    oof = out_of_fold_evidence(examples, rows)
    offset, precision, recall = choose_threshold(oof, labels)
    weights, bias = fit(rows, labels)
    return TrainingResult(weights, bias, offset, precision, recall)


def train_and_save(source: Path, target: Path) -> TrainingResult:
    """Train on ``source`` and write the model file to ``target``."""
    result = train(source)
    save_model(target, result.weights, result.bias, result.offset)
    return result

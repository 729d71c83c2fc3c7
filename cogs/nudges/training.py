"""Rebuild the advice model from the data, deterministically, and measure it.

Used by ``scripts/train_advice_model.py``, ``scripts/evaluate_advice.py`` and their tests;
the bot never imports it.

The data, in three parts (`gather`):

- our corpus (``corpus/items``): the ``train`` split fits the model, the ``dev`` split fits
  the calibration and chooses the levels' thresholds, and the ``test`` split is only ever
  measured. Replies are labelled by *form*: an answer to a request for ideas (``solicited``)
  is fixing wording, and the detector's context rule, not the model, keeps it from a note;
- ``reddit_train.jsonl`` from the shared advice data (MIT), sentences labelled advice/other.

The MIBot v6.3A counsellor data in the shared fix-it folder (CC BY-SA 4.0) is *not* trained
on. Tried with the codes whose labels agree with our taxonomy (reflections, greetings,
advice without permission, suggestions with permission; not ``Q`` or ``MICO``, which hold
problem-solving questions and reassurance), at weight 0.5 and half the participants, it cut
the flags on the other half's reflections from 14 % to 1.7 %; but it lowered recall on our
dev split (0.78 to 0.75 at normal), two of Alison's three fixing replies in the seed then
fell below the normal threshold, and the weights would have to be shared alike. So the
shipped model is weaker in a polished counselling register, and
`scripts/evaluate_advice.py` measures it there, on data it has never seen.

The fit (`fit`): L2-regularised logistic regression over hashed features with sample
weights, full-batch Adam from zeros, no sampling, so every run gives the same numbers.
Buckets seen in fewer than `MIN_ROWS_PER_FEATURE` rows keep a zero weight.

Sentences, not messages, are scored, and a message takes its highest sentence. A corpus label
belongs to a whole reply, so (multiple-instance learning, in two rounds): every sentence of a
connecting reply is a negative; a one-sentence fixing reply is a positive; and for a longer
fixing reply, the sentence the first-round model finds most fixing becomes the positive.

Then, on the dev split: a Platt calibration of the message log-odds, and for each level the
lowest probability at which the dev flags (fixing, and not solicited) reach `TARGETS`. The kind
head is a softmax over the seven fixing kinds, fitted on the train split's fixing replies
(their deciding sentence).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cogs.nudges import corpus as corpus_module
from cogs.nudges.corpus import Item
from cogs.nudges.detector import AssessmentContext, Detector, read_units, unit_features
from cogs.nudges.features import CONTEXT_NONE, HASH_BITS, KIND_BITS, context_features, kind_bucket
from cogs.nudges.kinds import CONNECTING, FIXING
from cogs.nudges.model import LEVELS, LinearModel, ModelParts, save_model

PROJECT = Path(__file__).resolve().parents[2]
SHARED_DATA = PROJECT.parent / "shared" / "data"
REDDIT_TRAIN = SHARED_DATA / "advice" / "reddit_train.jsonl"
REDDIT_DEV = SHARED_DATA / "advice" / "reddit_dev.jsonl"
MIBOT = SHARED_DATA / "fixit" / "mibot_v6_3a_volleys.jsonl"
CARD_PATH = Path(__file__).with_name("model_card.json")

# The precision each level aims at on the dev split.
TARGETS = {"gentle": 0.98, "normal": 0.96, "attentive": 0.9}
CORPUS_WEIGHT = 3.0
REDDIT_WEIGHT = 1.0
L2 = 2e-3
EPOCHS = 250
LEARNING_RATE = 0.05
MIN_ROWS_PER_FEATURE = 2
KIND_L2 = 1e-3
KIND_EPOCHS = 300
CALIBRATION_BINS = 10

# How the previous detector (rules first, the learned part only ranking; commit 0132880)
# measured on reddit_dev at its operating threshold, before this model replaced it.
PREVIOUS_REDDIT_DEV = {"precision": 0.721, "recall": 0.339, "average_precision": 0.661}


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message for the fixing head."""

    text: str
    context: str | None
    fixing: bool
    weight: float
    source: str


# --- the data ---------------------------------------------------------------------------------


def sha256_of(path: Path) -> str | None:
    """The SHA-256 of a file, or None when it is not there."""
    if not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def corpus_examples(items: Iterable[Item]) -> list[Example]:
    """Corpus replies labelled by form (an answer to a request is fixing wording)."""
    return [
        Example(
            item.text,
            item.context,
            item.fixing or item.kind == "solicited",
            CORPUS_WEIGHT,
            "corpus",
        )
        for item in items
    ]


def reddit_examples(path: Path = REDDIT_TRAIN) -> list[Example]:
    """Reddit advice sentences; their ``prev_sentence`` is not the message answered, so no context."""
    if not path.exists():
        return []
    rows = sorted(read_jsonl(path), key=lambda row: row["id"])
    return [
        Example(row["text"], None, row["label"] == "advice", REDDIT_WEIGHT, "reddit")
        for row in rows
    ]


def mibot_examples(path: Path = MIBOT) -> list[Example]:
    """MIBot counsellor turns with the client's turn as context: for measuring only."""
    if not path.exists():
        return []
    rows = sorted(read_jsonl(path), key=lambda row: row["id"])
    return [
        Example(row["text"], row.get("context"), row["label"] == "advice", 1.0, "mibot")
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class Data:
    items: list[Item]
    train: list[Example]


def gather(items: Sequence[Item] | None = None) -> Data:
    """The corpus and the training examples from every source, in a fixed order."""
    items = list(items) if items is not None else corpus_module.load()
    train_items = corpus_module.of_split(items, "train")
    examples = corpus_examples(train_items) + reddit_examples()
    return Data(items, examples)


# --- features ---------------------------------------------------------------------------------


def units_of(text: str, context: str | None) -> list[list[int]]:
    """Each English sentence's features, the way the detector sees them."""
    facts = context_features(context) if context else CONTEXT_NONE
    units, _ = read_units(text)
    return [unit_features(unit, facts) for unit in units]


@dataclass(frozen=True, slots=True)
class Rows:
    """Sentence rows in the flat form the fit wants."""

    indices: np.ndarray  # all feature buckets, row after row
    row_of: np.ndarray  # the row of each bucket
    count: int

    @classmethod
    def of(cls, rows: Sequence[Sequence[int]]) -> Rows:
        lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
        indices = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64)
        return cls(indices, np.repeat(np.arange(len(rows)), lengths), len(rows))

    def logits(self, weights: np.ndarray, bias: float) -> np.ndarray:
        return np.bincount(self.row_of, weights=weights[self.indices], minlength=self.count) + bias


def _adam(
    gradient_of: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    epochs: int,
    learning_rate: float,
) -> np.ndarray:
    """Full-batch Adam from ``start``; deterministic."""
    params = start.copy()
    moment = np.zeros_like(params)
    velocity = np.zeros_like(params)
    beta1, beta2, epsilon = 0.9, 0.999, 1e-8
    for step in range(1, epochs + 1):
        gradient = gradient_of(params)
        moment = beta1 * moment + (1 - beta1) * gradient
        velocity = beta2 * velocity + (1 - beta2) * gradient * gradient
        params -= (
            learning_rate
            * (moment / (1 - beta1**step))
            / (np.sqrt(velocity / (1 - beta2**step)) + epsilon)
        )
    return params


def _logistic(values: np.ndarray) -> np.ndarray:
    # Written with tanh, which cannot overflow as exp(-x) can; the tests turn warnings into errors.
    return 0.5 * (1.0 + np.tanh(0.5 * values))


def fit(
    rows: Sequence[Sequence[int]],
    labels: np.ndarray,
    weights: np.ndarray,
    *,
    l2: float = L2,
    epochs: int = EPOCHS,
    learning_rate: float = LEARNING_RATE,
) -> tuple[np.ndarray, float]:
    """Fit weighted logistic regression on hashed rows; returns (weights, bias)."""
    dimension = 2**HASH_BITS
    flat = Rows.of(rows)
    seen_rows = np.bincount(
        np.unique(flat.row_of * dimension + flat.indices) % dimension, minlength=dimension
    )
    trainable = np.append((seen_rows >= MIN_ROWS_PER_FEATURE).astype(np.float64), 1.0)
    targets = labels.astype(np.float64)
    sample = weights / weights.sum()

    def gradient_of(params: np.ndarray) -> np.ndarray:
        residual = (_logistic(flat.logits(params[:-1], params[-1])) - targets) * sample
        data = np.bincount(flat.indices, weights=residual[flat.row_of], minlength=dimension)
        penalty = np.append(l2 * params[:-1], 0.0)
        return np.asarray((np.append(data, residual.sum()) + penalty) * trainable)

    params = _adam(gradient_of, np.zeros(dimension + 1), epochs, learning_rate)
    # Rounded to what the file keeps, so that training measures the model as shipped.
    rounded = params[:-1].astype(np.float16).astype(np.float64)
    return rounded, float(params[-1])


def fit_examples(
    examples: Sequence[Example], units: Sequence[list[list[int]]]
) -> tuple[np.ndarray, float]:
    """The two-round multiple-instance fit described in the module docstring."""
    rows: list[list[int]] = []
    labels: list[bool] = []
    weights: list[float] = []
    pending: list[int] = []
    for number, (example, sentences) in enumerate(zip(examples, units, strict=True)):
        if not sentences:
            continue
        if not example.fixing or len(sentences) == 1:
            for sentence in sentences:
                rows.append(sentence)
                labels.append(example.fixing)
                weights.append(example.weight)
        else:
            pending.append(number)
    first, bias = fit(rows, np.array(labels), np.array(weights))
    for number in pending:
        sentences = units[number]
        scores = Rows.of(sentences).logits(first, bias)
        rows.append(sentences[int(np.argmax(scores))])
        labels.append(True)
        weights.append(examples[number].weight)
    return fit(rows, np.array(labels), np.array(weights))


# --- calibration and thresholds ---------------------------------------------------------------


def fit_platt(logits: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """A 1-D logistic regression ``sigmoid(a * logit + b)``, by Newton's method."""
    slope, intercept = 1.0, 0.0
    targets = labels.astype(np.float64)
    for _ in range(100):
        predicted = _logistic(slope * logits + intercept)
        residual = predicted - targets
        curvature = predicted * (1 - predicted) + 1e-9
        grad = np.array([(residual * logits).sum(), residual.sum()])
        hessian = np.array(
            [
                [(curvature * logits * logits).sum(), (curvature * logits).sum()],
                [(curvature * logits).sum(), curvature.sum()],
            ]
        )
        step = np.linalg.solve(hessian + 1e-6 * np.eye(2), grad)
        slope, intercept = slope - step[0], intercept - step[1]
        if np.abs(step).max() < 1e-10:
            break
    return float(slope), float(intercept)


def expected_calibration_error(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = CALIBRATION_BINS
) -> float:
    """The size-weighted gap between confidence and accuracy over equal-width bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for number in range(bins):
        chosen = which == number
        if chosen.any():
            total += chosen.sum() * abs(probabilities[chosen].mean() - labels[chosen].mean())
    return float(total / len(labels))


def choose_threshold(
    scores: np.ndarray, labels: np.ndarray, target_precision: float
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
    ends = np.flatnonzero(np.append(ranked[1:] != ranked[:-1], True))
    precision = hits[ends] / flagged[ends]
    reaching = np.flatnonzero(precision >= target_precision)
    if reaching.size == 0 or positives == 0:
        return (min(float(ranked[0]) + 1e-6, 1.0) if len(ranked) else 1.0), 1.0, 0.0
    end = ends[reaching[-1]]
    return float(ranked[end]), float(precision[reaching[-1]]), float(hits[end] / positives)


# --- the kind head ----------------------------------------------------------------------------


def fit_kinds(
    features: Sequence[Sequence[int]], kinds: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """A softmax over the fixing kinds; returns (weights [kinds, buckets], bias [kinds])."""
    classes = len(FIXING)
    dimension = 2**KIND_BITS
    folded = Rows.of([[kind_bucket(index) for index in row] for row in features])
    targets = np.zeros((folded.count, classes))
    targets[np.arange(folded.count), [FIXING.index(kind) for kind in kinds]] = 1.0

    def gradient_of(params: np.ndarray) -> np.ndarray:
        weights = params[: classes * dimension].reshape(classes, dimension)
        bias = params[classes * dimension :]
        logits = (
            np.stack(
                [
                    np.bincount(
                        folded.row_of, weights=weights[c][folded.indices], minlength=folded.count
                    )
                    for c in range(classes)
                ],
                axis=1,
            )
            + bias
        )
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        residual = (odds / odds.sum(axis=1, keepdims=True) - targets) / folded.count
        data = np.stack(
            [
                np.bincount(folded.indices, weights=residual[folded.row_of, c], minlength=dimension)
                for c in range(classes)
            ]
        )
        return np.concatenate([(data + KIND_L2 * weights).ravel(), residual.sum(axis=0)])

    params = _adam(gradient_of, np.zeros(classes * dimension + classes), KIND_EPOCHS, LEARNING_RATE)
    weights = params[: classes * dimension].reshape(classes, dimension).astype(np.float16)
    return weights, params[classes * dimension :]


# --- the whole run ----------------------------------------------------------------------------


def context_of(item: Item) -> AssessmentContext:
    """The context the detector gets for a corpus item: the message answered and the
    sharer's preference."""
    preference = item.preference if item.preference in ("listening", "ideas") else None
    return AssessmentContext(previous=item.context, preference=preference)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Trained:
    parts: ModelParts
    detector: Detector
    dev_ece: float
    dev_levels: dict[str, dict[str, float]]


def message_probabilities(
    detector: Detector, items: Sequence[Item]
) -> tuple[np.ndarray, np.ndarray]:
    """Each item's calibrated probability (listening weight included) and whether it is solicited."""
    scores = []
    solicited = []
    for item in items:
        verdict = detector.assess(item.text, context_of(item), threshold=2.0)
        scores.append(verdict.score)
        solicited.append(verdict.solicited)
    return np.array(scores), np.array(solicited)


def train(data: Data) -> Trained:
    """Fit, calibrate, choose the levels and fit the kind head."""
    units = [units_of(example.text, example.context) for example in data.train]
    weights, bias = fit_examples(data.train, units)
    raw = ModelParts(
        weights,
        bias,
        (1.0, 0.0),
        (2.0, 2.0, 2.0),
        np.zeros((len(FIXING), 2**KIND_BITS)),
        np.zeros(len(FIXING)),
    )
    uncalibrated = Detector(LinearModel(raw))

    dev = corpus_module.of_split(data.items, "dev")
    dev_logits = np.array(
        [max(uncalibrated.logits(item.text, context_of(item)), default=-30.0) for item in dev]
    )
    form = np.array([item.fixing or item.kind == "solicited" for item in dev])
    calibration = fit_platt(dev_logits, form)
    calibrated = Detector(
        LinearModel(
            ModelParts(weights, bias, calibration, (2.0, 2.0, 2.0), raw.kind_weights, raw.kind_bias)
        )
    )

    dev_scores, dev_solicited = message_probabilities(calibrated, dev)
    wanted = np.array([item.flag_wanted for item in dev])
    gated = np.where(dev_solicited, 0.0, dev_scores)
    thresholds = []
    dev_levels = {}
    for level in LEVELS:
        threshold, precision, recall = choose_threshold(gated, wanted, TARGETS[level])
        thresholds.append(threshold)
        dev_levels[level] = {"threshold": threshold, "precision": precision, "recall": recall}
    plain_form = np.array(
        [max(calibrated.logits(item.text, context_of(item)), default=-30.0) for item in dev]
    )
    dev_probabilities = np.array([calibrated.model.probability(logit) for logit in plain_form])
    dev_ece = expected_calibration_error(dev_probabilities, form.astype(np.float64))

    kind_rows: list[list[int]] = []
    kind_labels: list[str] = []
    for item in corpus_module.of_split(data.items, "train"):
        if not item.fixing:
            continue
        sentences = units_of(item.text, item.context)
        if not sentences:
            continue
        scores = Rows.of(sentences).logits(weights, bias)
        kind_rows.append(sentences[int(np.argmax(scores))])
        kind_labels.append(item.kind)
    kind_weights, kind_bias = fit_kinds(kind_rows, kind_labels)
    parts = ModelParts(
        weights,
        bias,
        calibration,
        (thresholds[0], thresholds[1], thresholds[2]),
        kind_weights,
        kind_bias,
    )
    return Trained(parts, Detector(LinearModel(parts)), dev_ece, dev_levels)


# --- measuring --------------------------------------------------------------------------------


def precision_recall(flagged: np.ndarray, wanted: np.ndarray) -> tuple[float, float]:
    hits = int((flagged & wanted).sum())
    return (hits / int(flagged.sum()) if flagged.any() else 0.0), (
        hits / int(wanted.sum()) if wanted.any() else 0.0
    )


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the precision-recall steps, tied scores taken together."""
    labels = labels.astype(bool)
    if not labels.any():
        return 0.0
    order = np.argsort(-scores, kind="stable")
    ranked, hits = scores[order], np.cumsum(labels[order])
    ends = np.flatnonzero(np.append(ranked[1:] != ranked[:-1], True))
    precision = hits[ends] / (ends + 1)
    gained = np.diff(np.concatenate([[0], hits[ends]])) / labels.sum()
    return float((precision * gained).sum())


def recall_at_precision(scores: np.ndarray, labels: np.ndarray, precision: float) -> float:
    """The highest recall at any threshold whose precision reaches ``precision``."""
    return choose_threshold(scores, labels, precision)[2]


def measure_split(detector: Detector, items: Sequence[Item]) -> dict[str, Any]:
    """Figures of one corpus split: per level, per kind, calibration and the kind head."""
    scores, solicited = message_probabilities(detector, items)
    wanted = np.array([item.flag_wanted for item in items])
    form = np.array([item.fixing or item.kind == "solicited" for item in items])
    plain = np.array(
        [
            detector.model.probability(
                max(detector.logits(item.text, context_of(item)), default=-30.0)
            )
            for item in items
        ]
    )
    figures: dict[str, Any] = {
        "items": len(items),
        "fixing": int(wanted.sum()),
        "ece": round(expected_calibration_error(plain, form.astype(np.float64)), 4),
        "average_precision": round(average_precision(np.where(solicited, 0.0, scores), wanted), 4),
        "levels": {},
    }
    for level in LEVELS:
        flagged = (scores >= detector.threshold_for(level)) & ~solicited
        precision, recall = precision_recall(flagged, wanted)
        connecting = ~wanted
        per_kind: dict[str, dict[str, float]] = {}
        for kind in (*FIXING, *CONNECTING):
            chosen = np.array([item.kind == kind for item in items])
            if not chosen.any():
                continue
            share = float(flagged[chosen].mean())
            per_kind[kind] = {"items": int(chosen.sum()), "flagged": round(share, 4)}
        figures["levels"][level] = {
            "threshold": round(detector.threshold_for(level), 4),
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "connecting_flagged": round(float(flagged[connecting].mean()), 4),
            "kinds": per_kind,
        }
    right = total = 0
    for item in items:
        if item.fixing:
            verdict = detector.assess(item.text, context_of(item))
            if verdict.fixing:
                total += 1
                right += verdict.kind == item.kind
    # Among the fixing replies flagged at the normal level: how often the kind is named right.
    figures["kind_accuracy"] = round(right / total, 4) if total else 0.0
    return figures


def measure_reddit(detector: Detector, path: Path = REDDIT_DEV) -> dict[str, Any] | None:
    """Figures on reddit_dev next to the previous detector's, at the same precision."""
    if not path.exists():
        return None
    rows = read_jsonl(path)
    labels = np.array([row["label"] == "advice" for row in rows])
    scores = np.array([detector.assess(row["text"], threshold=2.0).score for row in rows])
    precision, recall = precision_recall(scores >= detector.threshold, labels)
    previous = PREVIOUS_REDDIT_DEV["precision"]
    return {
        "sentences": len(rows),
        "average_precision": round(average_precision(scores, labels), 4),
        "at_normal": {"precision": round(precision, 4), "recall": round(recall, 4)},
        "recall_at_previous_precision": round(recall_at_precision(scores, labels, previous), 4),
        "previous_detector": PREVIOUS_REDDIT_DEV,
    }


def card(trained: Trained, data: Data, model_path: Path) -> dict[str, Any]:
    """The model card: what the model was made from, how, and how it measures."""
    splits: dict[str, list[Item]] = {
        "train": corpus_module.of_split(data.items, "train"),
        "dev": corpus_module.of_split(data.items, "dev"),
        "test": corpus_module.of_split(data.items, "test"),
    }
    sources = Counter(example.source for example in data.train)
    out_of_style = corpus_module.load_out_of_style()
    return {
        "model": {
            "file": model_path.name,
            "sha256": sha256_of(model_path),
            "bytes": model_path.stat().st_size,
            "hash_bits": HASH_BITS,
            "kind_bits": KIND_BITS,
            "calibration": [round(value, 6) for value in trained.parts.calibration],
            "thresholds": {level: trained.parts.thresholds[n] for n, level in enumerate(LEVELS)},
            "targets_on_dev": TARGETS,
            "listening_odds": 2.5,
        },
        "data": {
            "corpus": {
                "sha256": corpus_module.fingerprint(data.items),
                "test_sha256": corpus_module.fingerprint(splits["test"]),
                "items": {name: len(split) for name, split in splits.items()},
                "kinds": dict(sorted(Counter(item.kind for item in data.items).items())),
                "licence": "CC BY 4.0 (corpus/LICENSE.md)",
            },
            "out_of_style": {
                "sha256": corpus_module.fingerprint(out_of_style),
                "items": len(out_of_style),
                "use": "measured only (corpus/out_of_style/README.md)",
            },
            "reddit_train": {
                "sha256": sha256_of(REDDIT_TRAIN),
                "licence": "MIT",
                "rows": sources["reddit"],
            },
            "weights": {"corpus": CORPUS_WEIGHT, "reddit": REDDIT_WEIGHT},
        },
        "training": {
            "l2": L2,
            "epochs": EPOCHS,
            "learning_rate": LEARNING_RATE,
            "min_rows_per_feature": MIN_ROWS_PER_FEATURE,
        },
        "metrics": {
            "dev": {"ece": round(trained.dev_ece, 4), "levels": trained.dev_levels},
            "test_frozen": measure_split(trained.detector, splits["test"]),
            "out_of_style": measure_split(trained.detector, out_of_style),
            "reddit_dev": measure_reddit(trained.detector),
        },
    }


def train_and_save(model_path: Path, card_path: Path | None = CARD_PATH) -> dict[str, Any]:
    """Train on all the data, write the model file and (unless None) the card; return the card."""
    data = gather()
    trained = train(data)
    save_model(model_path, trained.parts)
    result = card(trained, data, model_path)
    if card_path is not None:
        card_path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return result


def per_kind_lines(figures: dict[str, Any], level: str = "normal") -> list[str]:
    """Readable lines of a split's per-kind figures at one level."""
    lines = []
    kinds = figures["levels"][level]["kinds"]
    for kind, numbers in kinds.items():
        side = "fixing" if kind in FIXING else "connecting"
        verb = "flagged (recall)" if side == "fixing" else "flagged (false)"
        lines.append(
            f"    {side:<10} {kind:<16} {numbers['items']:>4} items, {numbers['flagged']:.2f} {verb}"
        )
    return lines


def grouped(items: Iterable[Item]) -> dict[str, list[Item]]:
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[item.group].append(item)
    return groups

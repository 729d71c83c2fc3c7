"""The advice model: a linear scorer over hashed features, its calibration, and its file.

Two heads share the features of `cogs.nudges.features`:

- the **fixing head**: logistic regression, one weight per bucket and a bias. A message's
  log-odds is the highest of its sentences' (so one fixing sentence in a warm reply counts),
  and a Platt calibration ``sigmoid(a * logit + b)``, fitted on the corpus's dev split, turns
  it into a probability;
- the **kind head**: a softmax over the seven fixing kinds of ``TAXONOMY.md``, on the same
  features folded into ``2 ** KIND_BITS`` buckets. It only runs for a reply that is flagged,
  to say in words what was noticed.

The three sensitivity levels are probability thresholds stored with the model, each chosen on
the dev split for a target precision (see `cogs.nudges.training`).

The file is a NumPy ``.npz`` without pickled objects (load it with ``allow_pickle=False``):

==================  ===========================================================
``weights``         float16, ``2 ** HASH_BITS`` fixing-head weights
``bias``            float64 scalar
``calibration``     float64 ``[a, b]``
``thresholds``      float64 ``[gentle, normal, attentive]`` probabilities
``kind_weights``    float16, ``[len(FIXING), 2 ** KIND_BITS]``
``kind_bias``       float64, ``[len(FIXING)]``
``format_version``  int64 scalar, `FORMAT_VERSION`
``hash_bits``       int64 scalar, `HASH_BITS`
``kind_bits``       int64 scalar, `KIND_BITS`
==================  ===========================================================

``scripts/train_advice_model.py`` rebuilds it deterministically; its model card
(``cogs/nudges/model_card.json``) records the data it came from and its figures.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cogs.nudges.cue_types import CueReport
from cogs.nudges.features import (
    HASH_BITS,
    KIND_BITS,
    START_PAIRED,
    counter_bucket,
    kind_bucket,
    phrase_buckets,
    phrase_features,
    token_hashes,
    word_features,
)
from cogs.nudges.kinds import FIXING

FORMAT_VERSION = 2
DEFAULT_MODEL_PATH = Path(__file__).with_name("advice_model.npz")
LEVELS = ("gentle", "normal", "attentive")
FIELDS = (
    "weights",
    "bias",
    "calibration",
    "thresholds",
    "kind_weights",
    "kind_bias",
    "format_version",
    "hash_bits",
    "kind_bits",
)
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_WORD_CACHE_LIMIT = 100_000


class ModelFileError(ValueError):
    """The model file is missing fields, from another format version, or malformed."""


def sigmoid(value: float) -> float:
    """The logistic function, safe for large magnitudes."""
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


@dataclass(frozen=True, slots=True)
class ModelParts:
    """Everything a model file holds, as arrays: what training writes and loading reads."""

    weights: np.ndarray
    bias: float
    calibration: tuple[float, float]
    thresholds: tuple[float, float, float]
    kind_weights: np.ndarray
    kind_bias: np.ndarray


class LinearModel:
    """The loaded model, ready for fast scoring."""

    __slots__ = (
        "_kind_rows",
        "_tokens",
        "_word_kinds",
        "_word_weights",
        "bias",
        "calibration",
        "kind_bias",
        "kind_weights",
        "thresholds",
        "weights",
    )

    def __init__(self, parts: ModelParts) -> None:
        # Most buckets hold 0.0: start from one shared zero and set the rest, which keeps the
        # loaded model small (a plain list indexes faster than an array).
        weights = parts.weights.astype(np.float64)
        values = [0.0] * len(weights)
        used = np.flatnonzero(weights)
        for index, value in zip(used.tolist(), weights[used].tolist(), strict=True):
            values[index] = value
        self.weights: list[float] = values
        self.bias = parts.bias
        self.calibration = parts.calibration
        self.thresholds = dict(zip(LEVELS, parts.thresholds, strict=True))
        self.kind_weights = parts.kind_weights.astype(np.float32)
        self.kind_bias = parts.kind_bias.astype(np.float64)
        # One row per bucket, so that a sentence's kind scores are one gather and one sum.
        self._kind_rows = np.ascontiguousarray(self.kind_weights.T)
        self._word_weights: dict[str, float] = {}
        # Per token: its summed word weight and its hashes (`token_hashes`), so that
        # scoring a sentence looks each token up once.
        self._tokens: dict[str, tuple[float, int, int, int]] = {}
        self._word_kinds: dict[str, tuple[float, ...]] = {}

    def word_weight(self, word: str) -> float:
        """The summed weight of a word and its character n-grams, cached per model."""
        weight = self._word_weights.get(word)
        if weight is None:
            weights = self.weights
            weight = sum(weights[index] for index in word_features(word))
            if len(self._word_weights) >= _WORD_CACHE_LIMIT:
                self._word_weights.clear()
            self._word_weights[word] = weight
        return weight

    def sentence_logit(self, tokens: Sequence[str], phrases: Sequence[int]) -> float:
        """The fixing head's log-odds for one sentence: its tokens and its
        `cogs.nudges.features.phrase_features` (features counted with repeats)."""
        cache = self._word_weights
        total = self.bias
        for token in tokens:
            weight = cache.get(token)
            total += weight if weight is not None else self.word_weight(token)
        return total + sum(map(self.weights.__getitem__, phrases))

    def _token(self, token: str) -> tuple[float, int, int, int]:
        entry = self._tokens.get(token)
        if entry is None:
            if len(self._tokens) >= _WORD_CACHE_LIMIT:
                self._tokens.clear()
            entry = self._tokens[token] = (self.word_weight(token), *token_hashes(token))
        return entry

    def unit_parts(
        self, sentence: str, tokens: Sequence[str], report: CueReport, context: Sequence[int]
    ) -> tuple[float, float]:
        """A sentence's log-odds in two parts, before its counter cues: the bias and its words,
        and the sum of its other phrase features (`cogs.nudges.features.phrase_buckets`).
        `unit_logit` adds the counter cues to the second part and then the two together."""
        get = self._tokens.get
        if not tokens:  # the detector never sends one; training's path covers it
            return self.bias, sum(
                map(
                    self.weights.__getitem__,
                    phrase_features(sentence, (), report, context)[: -len(report.counter) or None],
                )
            )
        # Transposed in one step: the words' weights, hashes, premultiplied and triple hashes.
        words, hashes, premultiplied, triples = zip(
            *[get(token) or self._token(token) for token in tokens], strict=True
        )
        # sum() adds in order from the bias, as a loop would: the same number to the last bit.
        total = sum(words, self.bias)
        multiplied = (START_PAIRED, *premultiplied)
        phrases = phrase_buckets(sentence, tokens, hashes, multiplied, triples, report, context)
        return total, sum(map(self.weights.__getitem__, phrases))

    def with_counter(self, parts: tuple[float, float], report: CueReport) -> float:
        """The log-odds from `unit_parts` and the report's counter cues."""
        total, phrases = parts
        weights = self.weights
        for cue in report.counter:
            phrases += weights[counter_bucket(cue.family)]
        return total + phrases

    def unit_logit(
        self, sentence: str, tokens: Sequence[str], report: CueReport, context: Sequence[int]
    ) -> float:
        """The fixing head's log-odds for one sentence from its report and context: the same
        features as `cogs.nudges.features.phrase_features` with the words, one cache lookup
        per token (the detector's hot path). Always summed in the same order, so that the
        lazy path of the detector gives the same number to the last bit."""
        return self.with_counter(self.unit_parts(sentence, tokens, report, context), report)

    def counter_ceiling(self, families: Sequence[str]) -> float:
        """The most the counter cues of these families can add to a sentence's log-odds
        (each family counts once per sentence), with a margin for rounding."""
        return sum(max(0.0, self.weights[counter_bucket(family)]) for family in families) + 1e-9

    def probability(self, logit: float, shift: float = 0.0) -> float:
        """The calibrated probability of fixing for a message's log-odds."""
        slope, intercept = self.calibration
        return sigmoid(slope * logit + intercept + shift)

    def _word_kind(self, word: str) -> tuple[float, ...]:
        """A word's summed kind-head weights (its own bucket and n-grams), cached per model."""
        vector = self._word_kinds.get(word)
        if vector is None:
            folded = [kind_bucket(index) for index in word_features(word)]
            vector = tuple(self._kind_rows[folded].sum(axis=0, dtype=np.float64).tolist())
            if len(self._word_kinds) >= _WORD_CACHE_LIMIT:
                self._word_kinds.clear()
            self._word_kinds[word] = vector
        return vector

    def kind_logits(self, tokens: Sequence[str], phrases: Sequence[int]) -> list[float]:
        """The kind head's log-odds for one sentence, one per kind of `FIXING`."""
        rows = self._kind_rows[[kind_bucket(index) for index in phrases]]
        totals: list[float] = (rows.sum(axis=0, dtype=np.float64) + self.kind_bias).tolist()
        for token in tokens:
            totals = [
                total + weight for total, weight in zip(totals, self._word_kind(token), strict=True)
            ]
        return totals

    def kind_of(self, tokens: Sequence[str], phrases: Sequence[int]) -> str:
        """The most likely fixing kind of one sentence."""
        logits = self.kind_logits(tokens, phrases)
        return FIXING[logits.index(max(logits))]

    def kind_scores(self, tokens: Sequence[str], phrases: Sequence[int]) -> list[tuple[str, float]]:
        """The fixing kinds for one sentence, most likely first, with softmax probabilities."""
        logits = self.kind_logits(tokens, phrases)
        top = max(logits)
        odds = [math.exp(value - top) for value in logits]
        total = sum(odds)
        ranked = sorted(range(len(FIXING)), key=lambda i: -odds[i])
        return [(FIXING[i], odds[i] / total) for i in ranked]


def save_model(path: Path, parts: ModelParts) -> None:
    """Write a model file; the same parts always give the same bytes."""
    if parts.weights.shape != (2**HASH_BITS,):
        raise ModelFileError(f"expected {2**HASH_BITS} weights, got shape {parts.weights.shape}")
    if parts.kind_weights.shape != (len(FIXING), 2**KIND_BITS):
        raise ModelFileError(f"expected kind weights of shape {(len(FIXING), 2**KIND_BITS)}")
    arrays = {
        "weights": parts.weights.astype("<f2"),
        "bias": np.array(parts.bias, dtype="<f8"),
        "calibration": np.array(parts.calibration, dtype="<f8"),
        "thresholds": np.array(parts.thresholds, dtype="<f8"),
        "kind_weights": parts.kind_weights.astype("<f2"),
        "kind_bias": np.asarray(parts.kind_bias, dtype="<f8"),
        "format_version": np.array(FORMAT_VERSION, dtype="<i8"),
        "hash_bits": np.array(HASH_BITS, dtype="<i8"),
        "kind_bits": np.array(KIND_BITS, dtype="<i8"),
    }
    # np.savez_compressed stamps the current time on each member, so the archive is written
    # here with a fixed date instead: the same model always gives the same bytes.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = zipfile.ZipInfo(name + ".npy", date_time=_FIXED_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(member, "w") as handle:
                np.lib.format.write_array(handle, array, allow_pickle=False)


def read_parts(path: Path = DEFAULT_MODEL_PATH) -> ModelParts:
    """Read a model file written by `save_model`; never unpickles anything."""
    try:
        with np.load(path, allow_pickle=False) as data:
            version = int(data["format_version"])
            bits = (int(data["hash_bits"]), int(data["kind_bits"]))
            if version != FORMAT_VERSION or bits != (HASH_BITS, KIND_BITS):
                raise ModelFileError(
                    f"{path}: format {version} with {bits} hash bits; this code reads format "
                    f"{FORMAT_VERSION} with {(HASH_BITS, KIND_BITS)}"
                )
            weights = data["weights"]
            calibration = data["calibration"].tolist()
            thresholds = data["thresholds"].tolist()
            parts = ModelParts(
                weights=weights,
                bias=float(data["bias"]),
                calibration=(float(calibration[0]), float(calibration[1])),
                thresholds=(float(thresholds[0]), float(thresholds[1]), float(thresholds[2])),
                kind_weights=data["kind_weights"],
                kind_bias=data["kind_bias"],
            )
    except KeyError as error:
        raise ModelFileError(f"{path}: missing field {error}") from None
    except (ValueError, IndexError, zipfile.BadZipFile) as error:
        if isinstance(error, ModelFileError):
            raise
        raise ModelFileError(f"{path}: not a model file ({error})") from None
    if parts.weights.shape != (2**HASH_BITS,) or not np.all(np.isfinite(parts.weights)):
        raise ModelFileError(f"{path}: weights must be {2**HASH_BITS} finite numbers")
    if parts.kind_weights.shape != (len(FIXING), 2**KIND_BITS):
        raise ModelFileError(f"{path}: kind weights have the wrong shape")
    return parts


def load_model(path: Path = DEFAULT_MODEL_PATH) -> LinearModel:
    """Load a model file for scoring."""
    return LinearModel(read_parts(path))

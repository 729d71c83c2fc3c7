"""The small linear model behind the advice detector: features, scoring and the file format.

A sentence becomes a list of hashed feature indices:

- its words and word pairs (with a start marker, so the first word counts on its own),
- how it ends (``?``, ``!``, ``.`` or nothing) and a length bucket,
- the families of the cues that `cogs.nudges.cues` found (``imperative``, ``self_talk`` ...).

The model is logistic regression over those features, present or absent (a word said twice
counts once): a weight per hash bucket and a bias.
Hashing needs no vocabulary, so the model file holds numbers only and never the training
sentences. The hash is zlib's CRC-32 (stable across processes, unlike ``hash()``), mixed by
Fibonacci hashing into ``2 ** HASH_BITS`` buckets.

The file is a NumPy ``.npz`` without pickled objects (load it with ``allow_pickle=False``):

==================  =========================================================
``weights``         float32, ``2 ** HASH_BITS`` weights
``bias``            float64 scalar
``offset``          float64 scalar: log-odds subtracted before the sigmoid, chosen on
                    training data so that the operating point sits at a score of 0.5
``threshold``       float64 scalar: the default operating threshold on the score (0.5)
``format_version``  int64 scalar, `FORMAT_VERSION`
``hash_bits``       int64 scalar, `HASH_BITS`
==================  =========================================================

`scripts/train_advice_model.py` rebuilds it deterministically; see `cogs.nudges.training`.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cogs.nudges.cues import CueReport

FORMAT_VERSION = 1
HASH_BITS = 18
DEFAULT_MODEL_PATH = Path(__file__).with_name("advice_model.npz")

MAX_TOKENS = 60
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_SHIFT = 32 - HASH_BITS
_GOLDEN = 0x9E3779B1
_MASK32 = 0xFFFFFFFF
_START = zlib.crc32(b"<s>")
_PAIR = 1_000_003

# Word hashes repeat a lot; keep them, but never let the cache grow without bound.
_WORD_HASHES: dict[str, int] = {}
_WORD_CACHE_LIMIT = 200_000


def _bucket(value: int) -> int:
    """Fibonacci hashing: spread a 32-bit value over the buckets by its high bits."""
    return ((value * _GOLDEN) & _MASK32) >> _SHIFT


def _word_hash(word: str) -> int:
    cached = _WORD_HASHES.get(word)
    if cached is None:
        if len(_WORD_HASHES) >= _WORD_CACHE_LIMIT:
            _WORD_HASHES.clear()
        cached = _WORD_HASHES[word] = zlib.crc32(word.encode("utf-8"))
    return cached


def _named(name: str) -> int:
    """The bucket of a named feature such as ``cue=imperative``."""
    return _bucket(zlib.crc32(name.encode("utf-8")) ^ 0x5BD1E995)


_ENDINGS = {"?": _named("end=?"), "!": _named("end=!"), ".": _named("end=.")}
_NO_ENDING = _named("end=none")
_LENGTHS = tuple(_named(f"len={bucket}") for bucket in range(5))
_CUE_LENGTHS = tuple(_named(f"cue_len={bucket}") for bucket in range(5))
_CUE_FEATURES: dict[str, int] = {}


def _cue_feature(kind: str, family: str) -> int:
    key = kind + "=" + family
    index = _CUE_FEATURES.get(key)
    if index is None:
        index = _CUE_FEATURES[key] = _named(key)
    return index


def _length_bucket(count: int) -> int:
    if count <= 3:
        return 0
    if count <= 8:
        return 1
    if count <= 16:
        return 2
    if count <= 30:
        return 3
    return 4


def featurize(sentence: str, tokens: list[str], report: CueReport) -> list[int]:
    """The hashed feature indices of one lower-cased sentence, its word tokens and its cues.

    The first ``len(tokens)`` indices are the words, the next ``len(tokens)`` the word pairs
    (each pair ending at that word), then the rest. The hashing is written out inline,
    because a function call per feature would double the cost of scoring a sentence.
    """
    tokens = tokens[:MAX_TOKENS]
    cache = _WORD_HASHES
    hashes = [cache.get(token) or _word_hash(token) for token in tokens]
    features = [((value * _GOLDEN) & _MASK32) >> _SHIFT for value in hashes]
    previous = [_START, *hashes]  # zip stops at the shorter list: each word with the one before
    features += [
        ((((before * _PAIR) ^ value ^ 0x27D4EB2F) * _GOLDEN) & _MASK32) >> _SHIFT
        for before, value in zip(previous, hashes, strict=False)
    ]
    ending = sentence.rstrip()[-1:]
    features.append(_ENDINGS.get(ending, _NO_ENDING))
    length = _length_bucket(len(tokens))
    features.append(_LENGTHS[length])
    if report.advice:
        # A bag of words adds up more evidence in a long sentence than in a short one, so
        # "You should rest." would look weaker than a long Reddit paragraph. Length given
        # the cue lets the model learn how short advice really scores.
        features.append(_CUE_LENGTHS[length])
    for cue in report.advice:
        features.append(_cue_feature("cue", cue.family))
        # Advice that opens the sentence is more often meant for the reader than advice
        # buried in a longer clause ("... and you have to pay for it").
        opening = "opening" if sentence.count(" ", 0, cue.start) <= 2 else "later"
        features.append(_cue_feature("cue_at", opening))
    for cue in report.counter:
        features.append(_cue_feature("counter", cue.family))
    for hint in report.hints:
        features.append(_cue_feature("hint", hint))
    return features


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Logistic regression over hashed features, ready for fast scoring."""

    weights: list[float]  # a plain list: indexing it is faster than indexing an array
    bias: float
    offset: float
    threshold: float = 0.5

    def logit(self, features: list[int]) -> float:
        """The log-odds of advice for a sentence's features (each counted once)."""
        return self.bias + sum(map(self.weights.__getitem__, set(features)))


def sigmoid(value: float) -> float:
    """The logistic function, safe for large magnitudes."""
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


class ModelFileError(ValueError):
    """The model file is missing fields, from another format version, or malformed."""


def save_model(
    path: Path, weights: np.ndarray, bias: float, offset: float, threshold: float = 0.5
) -> None:
    """Write a model file; the same inputs always give the same bytes."""
    if weights.shape != (2**HASH_BITS,):
        raise ModelFileError(f"expected {2**HASH_BITS} weights, got shape {weights.shape}")
    arrays = {
        "weights": weights.astype("<f4"),
        "bias": np.array(bias, dtype="<f8"),
        "offset": np.array(offset, dtype="<f8"),
        "threshold": np.array(threshold, dtype="<f8"),
        "format_version": np.array(FORMAT_VERSION, dtype="<i8"),
        "hash_bits": np.array(HASH_BITS, dtype="<i8"),
    }
    # np.savez_compressed stamps the current time on each member, so the archive is written
    # here with a fixed date instead: the same model always gives the same bytes.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = zipfile.ZipInfo(name + ".npy", date_time=_FIXED_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(member, "w") as handle:
                np.lib.format.write_array(handle, array, allow_pickle=False)


def load_model(path: Path = DEFAULT_MODEL_PATH) -> LinearModel:
    """Read a model file written by `save_model`; never unpickles anything."""
    try:
        with np.load(path, allow_pickle=False) as data:
            version = int(data["format_version"])
            bits = int(data["hash_bits"])
            weights = data["weights"]
            bias = float(data["bias"])
            offset = float(data["offset"])
            threshold = float(data["threshold"])
    except KeyError as error:
        raise ModelFileError(f"{path}: missing field {error}") from None
    if version != FORMAT_VERSION or bits != HASH_BITS:
        raise ModelFileError(
            f"{path}: format {version} with {bits} hash bits; this code reads format "
            f"{FORMAT_VERSION} with {HASH_BITS}"
        )
    if weights.shape != (2**HASH_BITS,) or not np.all(np.isfinite(weights)):
        raise ModelFileError(f"{path}: weights must be {2**HASH_BITS} finite numbers")
    # Most buckets are unused and hold 0.0: start from one shared zero and set the rest,
    # which keeps the loaded model near 2.5 MB instead of 8 MB of separate float objects.
    values = [0.0] * len(weights)
    used = np.flatnonzero(weights)
    for index, value in zip(used.tolist(), weights[used].tolist(), strict=True):
        values[index] = value
    return LinearModel(values, bias, offset, threshold)

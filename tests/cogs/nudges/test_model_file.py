"""The shipped model: safe to load, small, numbers only, agreeing with its card, and rebuilt
byte for byte by the training command."""

from __future__ import annotations

import hashlib
import json
import time
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cogs.nudges import corpus
from cogs.nudges.features import HASH_BITS, KIND_BITS
from cogs.nudges.kinds import FIXING
from cogs.nudges.model import (
    DEFAULT_MODEL_PATH,
    FIELDS,
    FORMAT_VERSION,
    LEVELS,
    ModelFileError,
    ModelParts,
    load_model,
    read_parts,
    save_model,
)
from cogs.nudges.training import CARD_PATH, REDDIT_TRAIN, choose_threshold, train_and_save

PROJECT = Path(__file__).resolve().parents[3]
FROZEN = PROJECT / "corpus" / "FROZEN_TEST.sha256"
OUT_OF_STYLE_FROZEN = PROJECT / "corpus" / "OUT_OF_STYLE.sha256"


def card() -> dict[str, object]:
    return json.loads(CARD_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_model_loads_without_pickle() -> None:
    """The model file opens with allow_pickle=False and holds only numeric arrays."""
    with np.load(DEFAULT_MODEL_PATH, allow_pickle=False) as data:
        assert set(data.files) == set(FIELDS)
        for name in data.files:
            assert data[name].dtype.kind in "fi", name
        assert data["weights"].shape == (2**HASH_BITS,)
        assert data["kind_weights"].shape == (len(FIXING), 2**KIND_BITS)
        assert int(data["format_version"]) == FORMAT_VERSION
    model = load_model()
    assert len(model.weights) == 2**HASH_BITS
    assert (
        0.0
        < model.thresholds["attentive"]
        < model.thresholds["normal"]
        < model.thresholds["gentle"]
        < 1.0
    )


def test_model_file_is_small_and_loads_fast() -> None:
    """The model file stays within 5 MB and loads well inside 0.3 s (bench/nudges.py measures it)."""
    assert DEFAULT_MODEL_PATH.stat().st_size <= 5 * 1024 * 1024
    started = time.perf_counter()
    load_model()
    assert time.perf_counter() - started < 3.0  # a generous bound for a loaded CI machine


def test_model_file_holds_no_text() -> None:
    """The archive's members are the numeric fields only: no vocabulary, no sentences."""
    with zipfile.ZipFile(DEFAULT_MODEL_PATH) as archive:
        assert {name.removesuffix(".npy") for name in archive.namelist()} == set(FIELDS)


def test_package_data_ships_the_model() -> None:
    """pyproject's package-data covers .npz files, so a non-editable install includes it."""
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.npz" in config["tool"]["setuptools"]["package-data"]["*"]
    assert DEFAULT_MODEL_PATH.parent == PROJECT / "cogs" / "nudges"


def test_a_model_from_another_format_is_refused(tmp_path: Path) -> None:
    """A file with the wrong shape, missing fields or no archive at all raises ModelFileError."""
    path = tmp_path / "broken.npz"
    np.savez(path, weights=np.zeros(3, dtype=np.float32))
    with pytest.raises(ModelFileError):
        load_model(path)
    path.write_bytes(b"not a zip")
    with pytest.raises(ModelFileError):
        load_model(path)
    with pytest.raises(ModelFileError):
        save_model(
            path,
            ModelParts(
                np.zeros(3), 0.0, (1.0, 0.0), (0.9, 0.8, 0.7), np.zeros((7, 4)), np.zeros(7)
            ),
        )


def test_saving_is_reproducible(tmp_path: Path) -> None:
    """Saving the same parts twice gives identical bytes (no timestamps in the archive)."""
    parts = read_parts()
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    save_model(first, parts)
    save_model(second, parts)
    assert first.read_bytes() == second.read_bytes() == DEFAULT_MODEL_PATH.read_bytes()


def test_choose_threshold_takes_the_lowest_level_reaching_the_precision() -> None:
    """The chosen level is the lowest whose precision reaches the target; none, when none does."""
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    labels = np.array([True, True, False, True, False, False])
    threshold, precision, recall = choose_threshold(scores, labels, 0.75)
    assert (threshold, precision, recall) == (0.6, 0.75, 1.0)
    assert choose_threshold(scores, np.zeros(6, dtype=bool), 0.5)[2] == 0.0


# --- the card -------------------------------------------------------------------------------


def test_the_card_describes_the_shipped_model() -> None:
    """The card's checksum, thresholds and calibration are those of the model file."""
    described = card()["model"]
    assert isinstance(described, dict)
    assert described["sha256"] == hashlib.sha256(DEFAULT_MODEL_PATH.read_bytes()).hexdigest()
    parts = read_parts()
    assert described["thresholds"] == dict(zip(LEVELS, parts.thresholds, strict=True))
    assert described["calibration"] == [round(value, 6) for value in parts.calibration]


def test_the_card_names_the_corpus_the_model_was_trained_on() -> None:
    """A change to the corpus without retraining fails here: the card records its version."""
    data = card()["data"]
    assert isinstance(data, dict)
    items = corpus.load()
    assert data["corpus"]["sha256"] == corpus.fingerprint(items)
    assert data["corpus"]["items"]["test"] == len(corpus.of_split(items, "test"))


def test_the_frozen_test_split_has_not_changed() -> None:
    """The test split is frozen: its checksum is committed, and the card measured that split."""
    test_split = corpus.of_split(corpus.load(), "test")
    frozen = FROZEN.read_text(encoding="utf-8").split()[0]
    assert corpus.fingerprint(test_split) == frozen
    assert card()["data"]["corpus"]["test_sha256"] == frozen  # type: ignore[index]
    assert len(test_split) >= 600


def test_the_out_of_style_set_is_frozen_and_apart_from_the_corpus() -> None:
    """The out-of-style set is frozen by its checksum, shares no group with the corpus, has no
    near-duplicate in it, and the card measured exactly that set."""
    held_out = corpus.load_out_of_style()
    frozen = OUT_OF_STYLE_FROZEN.read_text(encoding="utf-8").split()[0]
    assert corpus.fingerprint(held_out) == frozen
    assert card()["data"]["out_of_style"]["sha256"] == frozen  # type: ignore[index]
    assert len(held_out) >= 250
    items = corpus.load()
    assert not {item.group for item in held_out} & {item.group for item in items}
    assert corpus.near_duplicates_across(held_out, items) == []


@pytest.mark.skipif(not REDDIT_TRAIN.exists(), reason="needs ../shared/data/advice")
def test_the_card_names_the_shared_data_it_was_trained_on() -> None:
    """The card records the checksum of the Reddit training file it was fitted on."""
    data = card()["data"]
    assert data["reddit_train"]["sha256"] == hashlib.sha256(REDDIT_TRAIN.read_bytes()).hexdigest()  # type: ignore[index]


@pytest.mark.skipif(not REDDIT_TRAIN.exists(), reason="needs ../shared/data/advice")
def test_retraining_rebuilds_the_shipped_model_and_card_byte_for_byte(tmp_path: Path) -> None:
    """The training command is deterministic: it reproduces the committed model and card."""
    rebuilt = tmp_path / "advice_model.npz"
    rebuilt_card = tmp_path / "model_card.json"
    train_and_save(rebuilt, rebuilt_card)
    assert rebuilt.read_bytes() == DEFAULT_MODEL_PATH.read_bytes()
    expected = card()
    produced = json.loads(rebuilt_card.read_text(encoding="utf-8"))
    produced["model"]["file"] = expected["model"]["file"]  # type: ignore[index]
    assert produced == expected

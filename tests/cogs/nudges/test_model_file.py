"""The shipped model file: safe to load, small, numbers only, and rebuilt byte for byte."""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cogs.nudges.model import (
    DEFAULT_MODEL_PATH,
    FORMAT_VERSION,
    HASH_BITS,
    ModelFileError,
    load_model,
    save_model,
)
from cogs.nudges.training import choose_threshold, train_and_save

PROJECT = Path(__file__).resolve().parents[3]
TRAINING_DATA = PROJECT.parent / "shared" / "data" / "advice" / "reddit_train.jsonl"
FIELDS = {"weights", "bias", "offset", "threshold", "format_version", "hash_bits"}


def test_model_loads_without_pickle() -> None:
    """The model file opens with allow_pickle=False and holds only numeric arrays."""
    with np.load(DEFAULT_MODEL_PATH, allow_pickle=False) as data:
        assert set(data.files) == FIELDS
        for name in data.files:
            assert data[name].dtype.kind in "fi", name
        assert data["weights"].shape == (2**HASH_BITS,)
        assert int(data["format_version"]) == FORMAT_VERSION
    model = load_model()
    assert len(model.weights) == 2**HASH_BITS
    assert model.threshold == 0.5


def test_model_file_is_small() -> None:
    """The model file stays within 5 MB."""
    assert DEFAULT_MODEL_PATH.stat().st_size <= 5 * 1024 * 1024


def test_model_file_holds_no_text() -> None:
    """The archive's members are the numeric fields only: no vocabulary, no sentences."""
    with zipfile.ZipFile(DEFAULT_MODEL_PATH) as archive:
        assert {name.removesuffix(".npy") for name in archive.namelist()} == FIELDS


def test_package_data_ships_the_model() -> None:
    """pyproject's package-data covers .npz files, so a non-editable install includes it."""
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.npz" in config["tool"]["setuptools"]["package-data"]["*"]
    assert DEFAULT_MODEL_PATH.parent == PROJECT / "cogs" / "nudges"


def test_a_model_from_another_format_is_refused(tmp_path: Path) -> None:
    """A file with the wrong shape or missing fields raises ModelFileError, not garbage."""
    path = tmp_path / "broken.npz"
    np.savez(path, weights=np.zeros(3, dtype=np.float32))
    with pytest.raises(ModelFileError):
        load_model(path)
    with pytest.raises(ModelFileError):
        save_model(path, np.zeros(3), 0.0, 0.0)


def test_saving_is_reproducible(tmp_path: Path) -> None:
    """Saving the same weights twice gives identical bytes (no timestamps in the archive)."""
    weights = np.linspace(-1, 1, 2**HASH_BITS)
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    save_model(first, weights, 0.25, 3.5)
    save_model(second, weights, 0.25, 3.5)
    assert first.read_bytes() == second.read_bytes()
    model = load_model(first)
    assert model.offset == 3.5
    assert model.weights[-1] == pytest.approx(1.0)


def test_choose_threshold_takes_the_lowest_level_reaching_the_precision() -> None:
    """The chosen level is the lowest whose precision reaches the target."""
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    labels = np.array([True, True, False, True, False, False])
    threshold, precision, recall = choose_threshold(scores, labels, 0.75)
    assert threshold == 0.6
    assert precision == 0.75
    assert recall == 1.0
    assert choose_threshold(scores, np.zeros(6, dtype=bool), 0.5)[2] == 0.0


@pytest.mark.skipif(not TRAINING_DATA.exists(), reason="needs ../shared/data/advice")
def test_retraining_rebuilds_the_shipped_model_byte_for_byte(tmp_path: Path) -> None:
    """The training script is deterministic: retraining reproduces the committed file."""
    rebuilt = tmp_path / "advice_model.npz"
    train_and_save(TRAINING_DATA, rebuilt)
    assert rebuilt.read_bytes() == DEFAULT_MODEL_PATH.read_bytes()

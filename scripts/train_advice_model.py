"""Rebuild the advice detector's model from the development data.

    .venv/bin/python scripts/train_advice_model.py [--data DIR] [--out FILE]

Reads ``DIR/reddit_train.jsonl`` (default ``../shared/data/advice`` next to the project) and
writes ``cogs/nudges/advice_model.npz``. The run is deterministic: the same data gives the
same bytes. How the model and its operating point are chosen is in cogs/nudges/training.py.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from cogs.nudges.model import DEFAULT_MODEL_PATH
from cogs.nudges.training import TARGET_PRECISION, train_and_save

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = PROJECT.parent / "shared" / "data" / "advice"


def main() -> int:
    """Train, save and print what was chosen."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the data")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH, help="model file")
    args = parser.parse_args()
    source = args.data / "reddit_train.jsonl"
    started = time.perf_counter()
    result = train_and_save(source, args.out)
    elapsed = time.perf_counter() - started
    size = args.out.stat().st_size
    print(f"trained on {source}")
    print(f"wrote {args.out} ({size / 1024:.0f} KiB) in {elapsed:.1f} s")
    print(
        f"offset {result.offset:.4f}: out-of-fold precision {result.oof_precision:.3f} "
        f"(target {TARGET_PRECISION}), recall {result.oof_recall:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Rebuild the advice detector's model and its card from the data, deterministically.

    .venv/bin/python scripts/train_advice_model.py [--out FILE] [--card FILE]

Reads our corpus (``corpus/items``) and ``../shared/data/advice/reddit_train.jsonl`` (next to
the project), writes ``cogs/nudges/advice_model.npz`` and its card
``cogs/nudges/model_card.json``, and prints the figures. The same data gives the same bytes;
``tests/cogs/nudges/test_model_file.py`` checks it. How the model, its calibration and its
levels are chosen is in ``cogs/nudges/training.py``; the frozen test split is only measured.

``--freeze`` also writes the test split's checksum to ``corpus/FROZEN_TEST.sha256``. Do that
only when test groups were added on purpose, and say so in the commit.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from cogs.nudges import corpus
from cogs.nudges.model import DEFAULT_MODEL_PATH, LEVELS
from cogs.nudges.training import CARD_PATH, per_kind_lines, train_and_save

FROZEN = corpus.CORPUS_DIR / "FROZEN_TEST.sha256"


def main() -> int:
    """Train, save and print what was chosen and how it measures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH, help="model file")
    parser.add_argument("--card", type=Path, default=CARD_PATH, help="model card (JSON)")
    parser.add_argument("--freeze", action="store_true", help="record the test split's checksum")
    args = parser.parse_args()
    started = time.perf_counter()
    card = train_and_save(args.out, args.card)
    elapsed = time.perf_counter() - started
    data, metrics = card["data"], card["metrics"]
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB) and {args.card} in {elapsed:.0f} s"
    )
    print(f"corpus {data['corpus']['sha256'][:12]}: {data['corpus']['items']}")
    print(f"dev: ECE {metrics['dev']['ece']:.3f} (the calibration was fitted here)")
    for level in LEVELS:
        chosen = metrics["dev"]["levels"][level]
        print(
            f"  {level:<9} threshold {chosen['threshold']:.3f}: "
            f"precision {chosen['precision']:.3f}, recall {chosen['recall']:.3f}"
        )
    test = metrics["test_frozen"]
    print(
        f"frozen test split ({test['items']} items, {test['fixing']} fixing): ECE {test['ece']:.3f}"
    )
    for level in LEVELS:
        figures = test["levels"][level]
        print(
            f"  {level:<9} precision {figures['precision']:.3f}, recall {figures['recall']:.3f}, "
            f"connecting flagged {figures['connecting_flagged']:.3f}"
        )
    print("\n".join(per_kind_lines(test)))
    reddit = metrics["reddit_dev"]
    if reddit is not None:
        previous = reddit["previous_detector"]
        print(
            f"reddit_dev: recall {reddit['recall_at_previous_precision']:.3f} at precision "
            f"{previous['precision']} (previous detector: {previous['recall']}); "
            f"AP {reddit['average_precision']:.3f} (previous {previous['average_precision']})"
        )
    if args.freeze:
        FROZEN.write_text(data["corpus"]["test_sha256"] + "\n", encoding="utf-8")
        print(f"recorded the test split in {FROZEN}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

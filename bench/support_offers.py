"""Support's private offers on our labelled set: phrase recall and the false-offer rate,
on the dev split (what the vocabulary was shaped on) and the frozen test split.

    python bench/support_offers.py
"""

from __future__ import annotations

import time
from pathlib import Path

from cogs.support.hard_words import names_a_hard_moment
from cogs.support.offer_corpus import measure, read

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    for split in ("dev", "test"):
        items = read(ROOT / "corpus" / "support" / f"{split}.txt")
        started = time.perf_counter()
        result = measure(items, names_a_hard_moment)
        per_message = (time.perf_counter() - started) / len(items) * 1e6
        print(
            f"{split}: {result.offers} offer items, recall {result.recall:.2f} "
            f"({result.found}/{result.offers}); {result.others} other items, false-offer rate "
            f"{result.false_offer_rate:.3f} ({result.false_offers}/{result.others}); "
            f"{per_message:.0f} µs per message"
        )
        if split == "test":
            missed = [
                i.text for i in items if i.label == "offer" and not names_a_hard_moment(i.text)
            ]
            wrong = [i.text for i in items if i.label == "none" and names_a_hard_moment(i.text)]
            for text in missed:
                print(f"  missed: {text}")
            for text in wrong:
                print(f"  false offer: {text}")


if __name__ == "__main__":
    main()

"""Measure the shipped advice detector on every set we have, next to a naive baseline.

    .venv/bin/python scripts/evaluate_advice.py [--level normal]

Prints, deterministically:

1. our corpus's frozen test split (never used for fitting, calibration or thresholds): at each
   level precision, recall and the share of connecting replies flagged; recall per fixing kind
   and false flags per connecting kind; calibration error; how often the kind is named right;
2. the dev split, for comparison (the calibration and thresholds were chosen there, so its
   figures flatter the model);
3. ``reddit_dev`` from the shared advice data, next to the previous detector's figures at the
   same precision, and the regex baseline;
4. out-of-domain checks the model never trained on: the MIBot counsellor turns (shared fix-it
   data, counselling register; its labels count reassurance and problem-solving questions as
   "other") and the three hand-written sets written for the previous detector (whose labels
   follow its older taxonomy, so some disagreement is expected).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np

from cogs.nudges import corpus
from cogs.nudges.detector import AssessmentContext, default_detector
from cogs.nudges.model import LEVELS
from cogs.nudges.training import (
    MIBOT,
    REDDIT_DEV,
    average_precision,
    measure_reddit,
    measure_split,
    per_kind_lines,
    precision_recall,
    read_jsonl,
    recall_at_precision,
)

PROJECT = Path(__file__).resolve().parents[1]
HAND_WRITTEN = [
    PROJECT / "tests" / "cogs" / "nudges" / name
    for name in (
        "peer_support_sentences.jsonl",
        "peer_support_fresh.jsonl",
        "peer_support_lead.jsonl",
    )
]
# The naive baseline: any of the usual advice phrases anywhere in the text.
BASELINE = re.compile(
    r"\b(?:you (?:should|shouldn't|need to|have to|must|could|can|might want to)"
    r"|have you (?:tried|considered|thought about)|why don't you|why not|i (?:would )?suggest"
    r"|i (?:would )?recommend|try|make sure|don't|do not|never|just)\b",
    re.IGNORECASE,
)


def show_split(name: str, items: list[corpus.Item], level: str) -> None:
    detector = default_detector()
    figures = measure_split(detector, items)
    print(f"\n{name}: {figures['items']} items, {figures['fixing']} fixing")
    print(
        f"  ECE {figures['ece']:.3f}, AP {figures['average_precision']:.3f}, kind named right {figures['kind_accuracy']:.2f}"
    )
    for each in LEVELS:
        numbers = figures["levels"][each]
        print(
            f"  {each:<9} (threshold {numbers['threshold']:.3f}) precision {numbers['precision']:.3f}  "
            f"recall {numbers['recall']:.3f}  connecting flagged {numbers['connecting_flagged']:.3f}"
        )
    print(f"  per kind at {level}:")
    print("\n".join(per_kind_lines(figures, level)))
    baseline = np.array([bool(BASELINE.search(item.text)) for item in items])
    wanted = np.array([item.flag_wanted for item in items])
    precision, recall = precision_recall(baseline, wanted)
    print(
        f"  regex baseline: precision {precision:.3f}  recall {recall:.3f}  connecting flagged {baseline[~wanted].mean():.3f}"
    )


def show_reddit() -> None:
    figures = measure_reddit(default_detector())
    if figures is None:
        print("\nreddit_dev: not found, skipped")
        return
    previous = figures["previous_detector"]
    print(f"\nreddit_dev ({figures['sentences']} sentences)")
    print(
        f"  at normal: precision {figures['at_normal']['precision']:.3f}  recall {figures['at_normal']['recall']:.3f}"
    )
    print(
        f"  recall at the previous detector's precision {previous['precision']}: "
        f"{figures['recall_at_previous_precision']:.3f} (previous: {previous['recall']})"
    )
    print(
        f"  average precision {figures['average_precision']:.3f} (previous: {previous['average_precision']})"
    )
    rows = read_jsonl(REDDIT_DEV)
    labels = np.array([row["label"] == "advice" for row in rows])
    scores = np.array([default_detector().assess(row["text"], threshold=2.0).score for row in rows])
    print(
        "  recall at precision: "
        + ", ".join(
            f"{p}: {recall_at_precision(scores, labels, p):.3f}" for p in (0.75, 0.8, 0.85, 0.9)
        )
    )
    baseline = np.array([bool(BASELINE.search(row["text"])) for row in rows])
    precision, recall = precision_recall(baseline, labels)
    print(f"  regex baseline: precision {precision:.3f}  recall {recall:.3f}")


def show_out_of_domain(level: str) -> None:
    detector = default_detector()
    if MIBOT.exists():
        rows = read_jsonl(MIBOT)
        labels = np.array([row["label"] == "advice" for row in rows])
        scores = np.array(
            [
                detector.assess(
                    row["text"], AssessmentContext(previous=row.get("context")), threshold=2.0
                ).score
                for row in rows
            ]
        )
        flagged = scores >= detector.threshold_for(level)
        precision, recall = precision_recall(flagged, labels)
        print(f"\nMIBot counsellor turns ({len(rows)}, {labels.sum()} advice; never trained on)")
        print(
            f"  at {level}: precision {precision:.3f}  recall {recall:.3f}  AP {average_precision(scores, labels):.3f}"
        )
    for path in HAND_WRITTEN:
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        labels = np.array([row["label"] == "advice" for row in rows])
        flagged = np.array([detector.assess(row["text"], level=level).advice for row in rows])
        precision, recall = precision_recall(flagged, labels)
        print(f"  {path.name} ({len(rows)}): precision {precision:.3f}  recall {recall:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--level", choices=LEVELS, default="normal", help="the level per kind is shown at"
    )
    args = parser.parse_args()
    items = corpus.load()
    show_split("frozen test split", corpus.of_split(items, "test"), args.level)
    show_split(
        "dev split (calibration and thresholds were chosen here)",
        corpus.of_split(items, "dev"),
        args.level,
    )
    show_reddit()
    show_out_of_domain(args.level)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

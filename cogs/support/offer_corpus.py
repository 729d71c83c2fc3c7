"""Reading the labelled set of support's offers (``corpus/support``), and measuring the
detector on it: phrase recall and the rate of false offers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

LABELS = ("offer", "none")


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    text: str


@dataclass(frozen=True, slots=True)
class Measure:
    offers: int
    found: int
    others: int
    false_offers: int

    @property
    def recall(self) -> float:
        return self.found / self.offers if self.offers else 0.0

    @property
    def false_offer_rate(self) -> float:
        return self.false_offers / self.others if self.others else 0.0


def read(path: Path) -> list[Item]:
    """Items of one file; ValueError naming the line for anything that isn't one."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label, sep, text = line.partition(" | ")
        if not sep or label.strip() not in LABELS or not text.strip():
            raise ValueError(f"{path.name}:{number}: want `offer | text` or `none | text`")
        items.append(Item(label.strip(), text.strip()))
    return items


def measure(items: Sequence[Item], detect: Callable[[str], bool]) -> Measure:
    offers = [i for i in items if i.label == "offer"]
    others = [i for i in items if i.label == "none"]
    return Measure(
        offers=len(offers),
        found=sum(detect(i.text) for i in offers),
        others=len(others),
        false_offers=sum(detect(i.text) for i in others),
    )

"""The starter set of agreements (``prompts/agreements.toml``), read from the installed package."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib.resources import files


@dataclass(frozen=True, slots=True)
class Starter:
    id: str
    title: str
    text: str


@functools.cache
def starters() -> tuple[Starter, ...]:
    raw = tomllib.loads(files("prompts").joinpath("agreements.toml").read_text(encoding="utf-8"))
    return tuple(Starter(item["id"], item["title"], item["text"]) for item in raw["agreements"])


def starter(starter_id: str) -> Starter | None:
    return next((s for s in starters() if s.id == starter_id), None)

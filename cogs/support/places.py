"""Where to turn in a hard moment: each space's list of resources, read and checked.

The shipped list lives in ``prompts/support/resources.toml`` (an example, to be checked by each
space); a space's moderators can keep their own by command. Pure rules, no I/O beyond reading
a file: parsing and checking entries, choosing the region, and which entries are due a look.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from bot.text import check_line

INTERNATIONAL = "INT"
STALE_AFTER = timedelta(days=182)  # about six months
_REGION = re.compile(r"^(?:[A-Z]{2}|INT)$")
_FIELDS = {"region", "name", "reach", "hours", "verified_on", "checked"}
_TEXT_LIMITS = {"name": 120, "reach": 200, "hours": 120}


@dataclass(frozen=True, slots=True)
class Resource:
    region: str
    name: str
    reach: str
    hours: str
    verified_on: date
    checked: bool = True
    id: int | None = None  # a space's own entry, by its number; None for the shipped list

    def stale(self, today: date) -> bool:
        return today - self.verified_on > STALE_AFTER


class ResourceError(Exception):
    """The list can't be used; ``problems`` says where and why, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def region_code(text: str) -> str | None:
    """A region as written by people ("gb", " INT ") in its stored form, or None."""
    code = text.strip().upper()
    return code if _REGION.match(code) else None


def shipped_path() -> Path:
    return Path(str(resources.files("prompts") / "support" / "resources.toml"))


def read_file(path: Path | None = None) -> list[Resource]:
    """The list in ``path`` (the shipped one when None); ResourceError when it can't be used."""
    where = path or shipped_path()
    try:
        raw = tomllib.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResourceError([f"{where}: the file does not exist"]) from None
    except (UnicodeDecodeError, OSError):
        raise ResourceError([f"{where}: the file can't be read as UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ResourceError([f"{where}: not valid TOML: {error}"]) from None
    return parse(raw, str(where))


def parse(raw: dict[str, Any], label: str) -> list[Resource]:
    problems: list[str] = []
    unknown = set(raw) - {"resource"}
    if unknown:
        problems.append(f"{label}: unknown top-level key {sorted(unknown)[0]!r}")
    entries = raw.get("resource", [])
    if not isinstance(entries, list) or not entries:
        problems.append(f"{label}: needs at least one [[resource]]")
        entries = []
    found: list[Resource] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{label}: resource {number}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: should be a table")
            continue
        before = len(problems)
        for key in sorted(set(entry) - _FIELDS):
            problems.append(f"{where}: unknown key {key!r}")
        for key in sorted(_FIELDS - set(entry) - {"checked"}):
            problems.append(f"{where}: missing {key!r}")
        region = entry.get("region")
        if "region" in entry and (not isinstance(region, str) or region_code(region) != region):
            problems.append(f'{where}: region should be a two-letter code like "GB", or "INT"')
        for key, limit in _TEXT_LIMITS.items():
            value = entry.get(key)
            if key not in entry:
                continue
            if not isinstance(value, str):
                problems.append(f"{where}: {key} should be text in quotes")
                continue
            _, problem = check_line(value, max_length=limit)
            if problem is not None:
                problems.append(f"{where}: {key}: {problem.sentence(key, limit)}")
        verified = entry.get("verified_on")
        if "verified_on" in entry and (not isinstance(verified, date) or hasattr(verified, "hour")):
            problems.append(f"{where}: verified_on should be a date like 2026-11-01 (no quotes)")
        checked = entry.get("checked", True)
        if not isinstance(checked, bool):
            problems.append(f"{where}: checked should be true or false")
        if len(problems) == before:
            found.append(
                Resource(
                    region=str(region),
                    name=str(entry["name"]).strip(),
                    reach=str(entry["reach"]).strip(),
                    hours=str(entry["hours"]).strip(),
                    verified_on=verified,  # type: ignore[arg-type]  # checked just above
                    checked=bool(checked),
                )
            )
    if problems:
        raise ResourceError(problems)
    return found


def choose_region(*choices: str | None) -> str:
    """The first region given (the member's own, the circle's, the space's), else everywhere."""
    return next((c for c in choices if c), INTERNATIONAL)


def for_region(entries: Sequence[Resource], region: str) -> list[Resource]:
    """The region's own entries first, then those for everywhere."""
    own = [e for e in entries if e.region == region and region != INTERNATIONAL]
    everywhere = [e for e in entries if e.region == INTERNATIONAL]
    return own + everywhere


def due_for_a_look(entries: Sequence[Resource], today: date) -> list[Resource]:
    return [e for e in entries if e.stale(today)]


def next_look(entries: Sequence[Resource]) -> date | None:
    """The day the oldest entry becomes due a look (None for an empty list)."""
    if not entries:
        return None
    return min(e.verified_on for e in entries) + STALE_AFTER + timedelta(days=1)

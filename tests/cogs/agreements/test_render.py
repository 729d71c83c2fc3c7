"""How the registry and dates read: the circle's time zone, and one message at most."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cogs.agreements.ballots import Choice, Process
from cogs.agreements.render import (
    REGISTRY_LIMIT,
    Entry,
    counts_line,
    day,
    moment,
    registry_text,
    short_title,
)

BERLIN = ZoneInfo("Europe/Berlin")
WHEN = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)


def entry(
    number: int, text: str = "We keep each other's stories in the circle.", title: str | None = None
) -> Entry:
    return Entry(
        id=number,
        title=title,
        text=text,
        version=1,
        changed_at=WHEN,
        process=Process.CONSENT,
        counts={Choice.CONSENT: 4, Choice.CONCERN: 1},
        voters=5,
        members=6,
        review_at=WHEN + timedelta(days=90),
    )


def test_times_show_in_the_circle_zone_across_daylight_saving() -> None:
    """Berlin is an hour ahead before the clocks change and two hours after."""
    assert moment(WHEN, BERLIN) == "Sunday 29 March 2026, 00:30 (Europe/Berlin)"
    assert moment(WHEN + timedelta(days=1), BERLIN) == "Monday 30 March 2026, 01:30 (Europe/Berlin)"
    assert day(WHEN, ZoneInfo("UTC")) == "28 March 2026"


def test_titles_come_from_the_title_or_the_first_line() -> None:
    """A starter's title shows as it is; a proposal's text is shortened to its first line."""
    assert short_title("Passing is always fine", "…") == "Passing is always fine"
    assert short_title(None, "First line here\nsecond line") == "First line here"
    assert short_title(None, "x" * 100).endswith("…")


def test_long_titles_are_cut_between_words_with_an_ellipsis() -> None:
    """A long first line ends at the last whole word that fits, then an ellipsis; never inside
    a word, never after a dangling comma."""
    text = "We start and end on time, and anyone can leave early without explaining themselves."
    title = short_title(None, text, 40)
    assert title == "We start and end on time, and anyone…"
    assert len(title) <= 40
    assert short_title(None, "We start and end on time, and anyone can", 26) == (
        "We start and end on time…"
    )
    assert short_title(None, "Short enough", 40) == "Short enough"
    # one word longer than the room is cut inside it, as nothing else fits
    assert short_title(None, "x" * 100, 10) == "x" * 9 + "…"
    # every cut leaves whole words of the original
    for length in range(12, len(text)):
        cut = short_title(None, text, length)
        assert len(cut) <= length
        assert text.startswith(cut.removesuffix("…"))
        words = cut.removesuffix("…").split()
        assert all(w.strip(",") in text.replace(",", "").split() for w in words)


def test_counts_name_every_option() -> None:
    """Counts list each option of the process, zeros included."""
    assert (
        counts_line(Process.CONSENT, {Choice.CONSENT: 2})
        == "✅ consent 2 · 🤔 concern 0 · ✋ object 0"
    )


def test_the_registry_lists_version_date_vote_and_review() -> None:
    """Each agreement shows its number, title, version, adoption date, the vote and the review."""
    text = registry_text("Tuesday", [entry(7, title="What's shared here stays here")], BERLIN, "/")
    assert "**Our agreements · Tuesday**" in text
    assert "**7 · What's shared here stays here**" in text
    assert (
        "version 1 · adopted 29 March 2026 · by consent (✅ 4 🤔 1 ✋ 0; 5 of 6 voted) · next review 27 June 2026"
        in text
    )


def test_an_empty_registry_invites_a_proposal() -> None:
    """With nothing adopted, the registry says how to propose."""
    assert "`/agreement propose <text>`" in registry_text("Tuesday", [], BERLIN, "/")


def test_a_long_registry_stays_within_one_message() -> None:
    """Forty long agreements still fit one message, with a pointer to the rest."""
    entries = [entry(n, text="We " + "really " * 150 + "mean it.") for n in range(1, 41)]
    text = registry_text("Tuesday", entries, BERLIN, "/")
    assert len(text) <= REGISTRY_LIMIT
    assert "more: `/agreement list` shows them all." in text

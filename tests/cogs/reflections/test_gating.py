"""Activity gating as a pure rule: when to look again before posting, and when to post anyway."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.chat import Platform, RoomRef
from cogs.reflections.gating import ROUND_CHECK, RoomActivity, hold_until

DUE = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
QUIET = timedelta(minutes=10)
MAX_WAIT = timedelta(minutes=60)


def hold(now: datetime, last: datetime | None, round_open: bool = False) -> datetime | None:
    return hold_until(
        now=now, due=DUE, last_message=last, quiet=QUIET, max_wait=MAX_WAIT, round_open=round_open
    )


def test_a_quiet_room_posts_now() -> None:
    """No message in the last ten minutes (or none at all) means post now."""
    assert hold(DUE, None) is None
    assert hold(DUE, DUE - QUIET) is None


def test_a_busy_room_waits_until_ten_minutes_after_the_last_message() -> None:
    """A message three minutes ago holds the prompt until seven minutes from now."""
    assert hold(DUE, DUE - timedelta(minutes=3)) == DUE + timedelta(minutes=7)


def test_waiting_never_goes_past_the_longest_wait() -> None:
    """However busy the room, the prompt posts at the latest an hour after it was due."""
    assert hold(DUE + timedelta(minutes=55), DUE + timedelta(minutes=54)) == DUE + MAX_WAIT
    assert hold(DUE + MAX_WAIT, DUE + MAX_WAIT) is None


def test_an_open_round_holds_the_prompt_and_looks_again_soon() -> None:
    """While a check-in round is open, the prompt looks again each minute, until the longest wait."""
    assert hold(DUE, None, round_open=True) == DUE + ROUND_CHECK
    assert hold(DUE + MAX_WAIT, None, round_open=True) is None


def test_room_activity_keeps_the_latest_message_per_room() -> None:
    """The record keeps each room's latest message time; an older event does not move it back."""
    activity = RoomActivity()
    room = RoomRef(Platform.LOCAL, "space", "room")
    other = RoomRef(Platform.MATRIX, "space", "room")
    activity.saw(room, DUE)
    activity.saw(room, DUE - timedelta(minutes=5))
    assert activity.last(room) == DUE
    assert activity.last(other) is None


def test_the_bots_own_post_holds_the_next_prompt_a_quiet_moment() -> None:
    """The bot posted two minutes ago: the next prompt waits until ten minutes after that."""
    own = DUE - timedelta(minutes=2)
    assert (
        hold_until(
            now=DUE,
            due=DUE,
            last_message=None,
            quiet=QUIET,
            max_wait=MAX_WAIT,
            round_open=False,
            last_own_post=own,
        )
        == own + QUIET
    )


def test_the_bots_own_post_spaces_prompts_even_past_the_longest_wait() -> None:
    """Long past the longest wait (a catch-up after downtime), two prompts still come apart."""
    late = DUE + timedelta(hours=3)
    assert (
        hold_until(
            now=late,
            due=DUE,
            last_message=late,
            quiet=QUIET,
            max_wait=MAX_WAIT,
            round_open=False,
            last_own_post=late,
        )
        == late + QUIET
    )


def test_room_activity_keeps_the_bots_own_posts_apart_from_peoples() -> None:
    """The bot's own posts are kept on their own, so they never count as someone's sharing."""
    activity = RoomActivity()
    room = RoomRef(Platform.LOCAL, "space", "room")
    activity.posted(room, DUE)
    assert activity.last(room) is None
    assert activity.last_own(room) == DUE

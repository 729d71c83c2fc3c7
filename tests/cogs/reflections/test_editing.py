"""Editing instead of delete and recreate: `schedule edit` and `schedule unskip`, tag filters,
`prompt next`, and retitling or removing a prompt of the circle's own deck. Each refusal is a
kind sentence that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.cogs.reflections.support import state, table, thread_titles, walk
from tests.sandbox import Sandbox, make_circle

HOUR = timedelta(hours=1)
SMILE = "What is something small that made you smile this week?"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def deck_tags(sb: Sandbox, deck_id: str) -> dict[str, tuple[str, ...]]:
    assert sb.app is not None
    cog = next(c for c in sb.app.cogs if c.name == "reflections")
    deck = cog.library.get(deck_id)  # type: ignore[attr-defined]  # found by name, so a plain Cog
    return {p.id: p.tags for p in deck.prompts}


def posted_prompts(sb: Sandbox) -> list[str]:
    return [
        str(r[0])
        for r in table(
            sb, "SELECT prompt_id FROM reflection_runs WHERE outcome = 'posted' ORDER BY id"
        )
    ]


# --- schedule edit -----------------------------------------------------------------------------


async def test_editing_the_time_keeps_the_number_and_moves_the_next_prompt(sb: Sandbox) -> None:
    """`schedule edit 1 daily 19:00`: still schedule #1, and the prompt comes at 19:00, not 18:00."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00")
    out = await sb.say("alice: /schedule edit 1 daily 19:00")
    assert (
        "🗓️ Schedule #1 is changed: `daily 19:00` (UTC) · deck ips. The next one comes Mon 2 Mar, 19:00."
        in out
    )
    assert table(sb, "SELECT id, form, next_due FROM reflection_schedules") == [
        (1, "daily 19:00", "2026-03-02T19:00:00.000000Z")
    ]
    opened = await walk(sb, utc(2026, 3, 2, 20), step=timedelta(minutes=30))
    assert [when for when, _ in opened] == [utc(2026, 3, 2, 19)]


async def test_editing_the_deck_theme_and_tags(sb: Sandbox) -> None:
    """The deck, theme and tags change in place, and the list shows them."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00")
    await sb.say("alice: /schedule edit 1 deck=check-ins theme=check-out without=group")
    assert "prompts `daily 18:00` · deck check-ins, theme check-out, without group" in await sb.say(
        "alice: /schedule list"
    )
    await sb.say("alice: /schedule edit 1 theme=any without=none")
    assert "prompts `daily 18:00` · deck check-ins · next" in await sb.say("alice: /schedule list")


async def test_an_edited_meeting_time_moves_its_reminder(sb: Sandbox) -> None:
    """`schedule edit` changes a meeting's time too; its reminder follows."""
    await make_circle(sb)
    await sb.say("alice: /meeting set tuesdays 19:00")
    await sb.say("alice: /schedule edit 1 wednesdays 20:00")
    assert sb.app is not None
    assert sb.app.scheduler.when("reflections:schedule:1") == utc(2026, 3, 4, 19)


async def test_an_edit_survives_a_restart(sb: Sandbox) -> None:
    """The edited time is the truth in the database: after a restart the timer is armed there."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00", "alice: /schedule edit 1 daily 21:15")
    await sb.restart()
    assert sb.app is not None
    assert sb.app.scheduler.when("reflections:schedule:1") == utc(2026, 3, 2, 21, 15)


@pytest.mark.parametrize(
    ("line", "sentence"),
    [
        pytest.param("alice: /schedule edit 1", "What would you like to change?", id="nothing"),
        pytest.param(
            "alice: /schedule edit 1 once in a blue moon",
            "I need a time of day for “once in a blue moon”",
            id="bad-form",
        ),
        pytest.param(
            "alice: /schedule edit 1 deck=garden",
            "I don't know a deck called “garden”",
            id="unknown-deck",
        ),
        pytest.param(
            "alice: /schedule edit 1 without=dep",
            "No prompt in the “ips” deck has the tag “dep”. Its tags are: deep, gentle, group, light",
            id="unknown-tag",
        ),
        pytest.param(
            "alice: /schedule edit 1 without=Deep!",
            "I read tags as single lowercase words",
            id="bad-tag",
        ),
        pytest.param(
            "alice: /schedule edit 1 deck=check-ins theme=worldview",
            "The “check-ins” deck has no prompts with the theme “worldview”.",
            id="theme-matches-nothing",
        ),
        pytest.param(
            "alice: /schedule edit 2 deck=check-ins",
            "Schedule #2 is a meeting time, so it has no deck",
            id="meeting-deck",
        ),
        pytest.param(
            "alice: /schedule edit 42 daily 10:00", "I couldn't find schedule #42.", id="unknown-id"
        ),
        pytest.param(
            "bob: /schedule edit 1 daily 10:00",
            "That one is for the facilitators of Tuesday",
            id="member",
        ),
        pytest.param("alice: /schedule edit 1 0 0 31 2 *", "has no time coming up", id="never"),
        pytest.param(
            "alice: /schedule unskip 1",
            "Schedule #1 has no skipped time still to come",
            id="unskip-nothing",
        ),
        pytest.param(
            "bob: /schedule unskip 1",
            "That one is for the facilitators of Tuesday",
            id="unskip-member",
        ),
    ],
)
async def test_edit_refusals_explain_and_change_nothing(
    sb: Sandbox, line: str, sentence: str
) -> None:
    """Bad edits get a clear, kind sentence, and no schedule, run or timer changes."""
    await make_circle(sb, "bob")
    await sb.say("alice: /schedule add daily 18:00", "alice: /meeting set tuesdays 19:00")
    before = state(sb)
    out = await sb.say(line)
    assert sentence in out
    assert "only" in out
    assert state(sb) == before


# --- un-skip -----------------------------------------------------------------------------------


async def test_unskip_brings_back_the_skipped_time(sb: Sandbox) -> None:
    """Skip today's 18:00, then take it back: it comes at 18:00 after all, once."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00", "alice: /schedule skip 1")
    out = await sb.say("alice: /schedule unskip 1")
    assert "Schedule #1 will come at Mon 2 Mar, 18:00 after all." in out
    assert table(sb, "SELECT COUNT(*) FROM reflection_runs") == [(0,)]
    opened = await walk(sb, utc(2026, 3, 3, 19), step=HOUR)
    assert [when for when, _ in opened] == [utc(2026, 3, 2, 18), utc(2026, 3, 3, 18)]


async def test_two_skips_come_back_one_at_a_time(sb: Sandbox) -> None:
    """Skipping twice, then un-skipping twice, brings back the later skip first, then the earlier."""
    await make_circle(sb)
    await sb.say(
        "alice: /schedule add daily 18:00", "alice: /schedule skip 1", "alice: /schedule skip 1"
    )
    assert "Tue 3 Mar, 18:00 after all" in await sb.say("alice: /schedule unskip 1")
    assert "Mon 2 Mar, 18:00 after all" in await sb.say("alice: /schedule unskip 1")
    assert table(sb, "SELECT next_due FROM reflection_schedules") == [
        ("2026-03-02T18:00:00.000000Z",)
    ]


async def test_a_skip_whose_time_has_passed_cannot_be_taken_back(sb: Sandbox) -> None:
    """Once the skipped time has gone by, there is nothing to bring back."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00", "alice: /schedule skip 1")
    await sb.wait(2 * HOUR)
    assert "has no skipped time still to come" in await sb.say("alice: /schedule unskip 1")


async def test_an_unskip_survives_a_restart(sb: Sandbox) -> None:
    """The brought-back time is stored: after a restart it still comes."""
    await make_circle(sb)
    await sb.say(
        "alice: /schedule add daily 18:00", "alice: /schedule skip 1", "alice: /schedule unskip 1"
    )
    await sb.restart()
    opened = await walk(sb, utc(2026, 3, 2, 19), step=HOUR)
    assert [when for when, _ in opened] == [utc(2026, 3, 2, 18)]


# --- tag filters -------------------------------------------------------------------------------


async def test_a_timer_without_deep_prompts_never_posts_one(sb: Sandbox) -> None:
    """`without=deep`: a month of daily worldview prompts, none of them tagged deep."""
    await make_circle(sb)
    out = await sb.say("alice: /schedule add daily 09:00 theme=worldview without=deep")
    assert "theme “worldview”, without “deep”" in out
    await walk(sb, utc(2026, 4, 2, 10), step=timedelta(hours=4))
    tags = deck_tags(sb, "ips")
    posted = posted_prompts(sb)
    assert len(posted) == 31
    assert not [p for p in posted if "deep" in tags[p]]
    assert len(set(posted)) == len(
        [p for p, t in tags.items() if p.startswith("worldview") and "deep" not in t]
    )


async def test_adding_a_timer_mentions_leaving_out_the_deep_prompts(sb: Sandbox) -> None:
    """A schedule on a deck with deep prompts says how to leave them out; one that does, doesn't."""
    await make_circle(sb)
    assert "`without=deep` leaves them out of a timer" in await sb.say(
        "alice: /schedule add daily 09:00"
    )
    assert "`without=deep`" not in await sb.say("alice: /schedule add daily 10:00 without=deep")


async def test_a_tag_keeps_a_schedule_to_those_prompts(sb: Sandbox) -> None:
    """`tag=light` on the check-ins deck posts only prompts tagged light."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 09:00 deck=check-ins tag=light")
    await walk(sb, utc(2026, 3, 12, 10), step=timedelta(hours=4))
    tags = deck_tags(sb, "check-ins")
    posted = posted_prompts(sb)
    assert posted
    assert all("light" in tags[p] for p in posted)


async def test_prompt_now_takes_tags_too(sb: Sandbox) -> None:
    """`prompt now tag=playful` posts a playful prompt."""
    await make_circle(sb)
    await sb.say("alice: /prompt now deck=check-ins tag=playful")
    assert "playful" in deck_tags(sb, "check-ins")[posted_prompts(sb)[0]]


# --- prompt next -------------------------------------------------------------------------------


async def test_prompt_next_shows_what_a_schedule_will_post(sb: Sandbox) -> None:
    """`prompt next 1` shows the prompt the schedule's next run will post, and it does."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00 deck=check-ins")
    out = await sb.say("alice: /prompt next 1")
    assert (
        "only alice sees: If nothing else is posted from the “check-ins” deck first, the next prompt of schedule #1 (Mon 2 Mar, 18:00) is:"
        in out
    )
    title = out.split("💭 **", 1)[1].split("**", 1)[0]
    assert thread_titles(sb) == []
    await sb.wait(HOUR)
    assert thread_titles(sb) == [title]


async def test_prompt_next_for_a_deck_matches_prompt_now(sb: Sandbox) -> None:
    """Without a schedule, `prompt next` previews the deck; `prompt now` then posts that one."""
    await make_circle(sb)
    out = await sb.say("alice: /prompt next deck=check-ins theme=check-out")
    title = out.split("💭 **", 1)[1].split("**", 1)[0]
    await sb.say("alice: /prompt now deck=check-ins theme=check-out")
    assert thread_titles(sb) == [title]


async def test_prompt_next_changes_nothing_and_is_for_facilitators(sb: Sandbox) -> None:
    """Previewing posts nothing and records nothing; a member is refused kindly."""
    await make_circle(sb, "bob")
    await sb.say("alice: /schedule add daily 18:00")
    before = state(sb)
    await sb.say("alice: /prompt next 1")
    assert state(sb) == before
    assert "That one is for the facilitators of Tuesday" in await sb.say("bob: /prompt next 1")


# --- the circle's own deck ---------------------------------------------------------------------


async def test_approving_without_a_title_does_not_repeat_the_text(sb: Sandbox) -> None:
    """No title given: the reply doesn't quote the text as a title, and the post shows the words once."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /prompt suggest {SMILE}")
    out = await sb.say("alice: /prompt approve 1")
    assert "Suggestion #1 joins the circle's own deck for Tuesday (1 prompt now)." in out
    assert "“What is something small" not in out
    assert table(sb, "SELECT title FROM reflection_suggestions") == [(None,)]
    out = await sb.say("alice: /prompt now deck=circle")
    assert out.count("something small that made you smile") == 1
    assert thread_titles(sb) == ["Reflection · Tuesday"]


async def test_a_circle_prompt_can_be_retitled(sb: Sandbox) -> None:
    """`prompt retitle 1 Small smiles` names its threads; `retitle 1 none` takes the title away."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /prompt suggest {SMILE}", "alice: /prompt approve 1")
    assert "Suggestion #1 is called “Small smiles” now." in await sb.say(
        "alice: /prompt retitle 1 Small smiles."
    )
    await sb.say("alice: /prompt now deck=circle")
    assert thread_titles(sb) == ["Small smiles"]
    assert "Suggestion #1 has no title now" in await sb.say("alice: /prompt retitle 1 none")
    assert table(sb, "SELECT title FROM reflection_suggestions") == [(None,)]


async def test_a_circle_prompt_can_be_removed(sb: Sandbox) -> None:
    """`prompt remove 1` takes it out of the deck, words and all."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /prompt suggest {SMILE}", "alice: /prompt approve 1 Smiles")
    out = await sb.say("alice: /prompt remove 1")
    assert (
        "Suggestion #1 has left the circle's own deck for Tuesday (0 prompts now), and its words with it."
        in out
    )
    assert table(sb, "SELECT COUNT(*) FROM reflection_suggestions") == [(0,)]
    assert "The circle's own deck for Tuesday has no prompts yet" in await sb.say(
        "alice: /prompt now deck=circle"
    )


async def test_the_suggestions_list_shows_the_circles_own_deck(sb: Sandbox) -> None:
    """Facilitators find the numbers to retitle or remove in `prompt suggestions`."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /prompt suggest {SMILE}", "alice: /prompt approve 1 Smiles")
    out = await sb.say("alice: /prompt suggestions")
    assert "**In the circle's own deck**" in out
    assert f"• #1 “Smiles”: {SMILE}" in out


@pytest.mark.parametrize(
    ("line", "sentence"),
    [
        pytest.param(
            "alice: /prompt retitle 2 Hello",
            "Suggestion #2 isn't in the circle's own deck yet.",
            id="retitle-pending",
        ),
        pytest.param(
            "alice: /prompt remove 2",
            "Suggestion #2 isn't in the circle's own deck yet.",
            id="remove-pending",
        ),
        pytest.param(
            "alice: /prompt retitle 9 Hello", "I couldn't find suggestion #9.", id="retitle-unknown"
        ),
        pytest.param(
            "alice: /prompt retitle 1 " + "x" * 70,
            "A title is one line of up to 60 characters",
            id="title-too-long",
        ),
        pytest.param(
            "bob: /prompt retitle 1 Hello",
            "That one is for the facilitators of Tuesday",
            id="retitle-member",
        ),
        pytest.param(
            "bob: /prompt remove 1",
            "That one is for the facilitators of Tuesday",
            id="remove-member",
        ),
    ],
)
async def test_circle_deck_refusals_change_nothing(sb: Sandbox, line: str, sentence: str) -> None:
    """Retitling or removing what isn't there, or without the role, is refused kindly."""
    await make_circle(sb, "bob")
    await sb.say(
        f"bob: /prompt suggest {SMILE}",
        "alice: /prompt approve 1 Smiles",
        "bob: /prompt suggest Where do you feel most at ease, and what makes it so?",
    )
    before = state(sb)
    out = await sb.say(line)
    assert sentence in out
    assert state(sb) == before


async def test_the_deck_list_counts_one_prompt_as_one_prompt(sb: Sandbox) -> None:
    """A folder deck with a single prompt reads “1 prompt”."""
    folder = sb.config.data_path / "decks"
    folder.mkdir(parents=True)
    (folder / "garden.toml").write_text(
        '[deck]\nid = "garden"\ntitle = "Things that grow"\ndescription = "Growing."\n\n'
        '[[prompts]]\nid = "garden-01"\ntheme = "moving-towards"\ntitle = "Tending"\n'
        'text = "What are you tending at the moment, in a garden or anywhere else?"\n',
        encoding="utf-8",
    )
    await sb.say("alice: /prompt decks reload")
    assert (
        "• `garden`: Things that grow · 1 prompt · moving-towards · from the decks folder"
        in await sb.say("alice: /prompt decks list")
    )

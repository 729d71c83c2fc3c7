"""Circle prompts: members suggest, facilitators approve or decline, and people's words are
kept only as long as they must be."""

from __future__ import annotations

import json

import pytest

from bot.commands import NOT_MODERATOR
from tests.cogs.reflections.support import state, table, thread_titles
from tests.sandbox import Sandbox, make_circle

SMILE = "What is something small that made you smile this week?"


async def test_a_member_suggests_and_the_facilitators_hear_privately(sb: Sandbox) -> None:
    """The suggestion is kept with its author, the member is thanked, and facilitators get a note."""
    await make_circle(sb, "bob")
    out = await sb.say(f"bob: /prompt suggest {SMILE}")
    assert (
        "only bob sees: Thank you. Your prompt is with the facilitators of Tuesday (suggestion #1)."
        in out
    )
    assert f"Bob suggested a prompt for **Tuesday** (#1):\n> {SMILE}" in sb.private_to("alice")[-1]
    assert table(sb, "SELECT member_id, text, status FROM reflection_suggestions") == [
        ("bob", SMILE, "pending")
    ]
    out = await sb.say("alice: /prompt suggestions")
    assert f"• #1 from Bob: {SMILE}" in out


async def test_an_approved_suggestion_joins_the_circles_own_deck(sb: Sandbox) -> None:
    """Approving adds it to the circle's deck (title and theme optional) and tells the author privately."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /prompt suggest {SMILE}")
    out = await sb.say("alice: /prompt approve 1 Small smiles theme=connection")
    assert "“Small smiles” joins the circle's own deck for Tuesday (1 prompt now)." in out
    assert (
        sb.private_to("bob")[-1]
        == "Your prompt for **Tuesday** is in the circle's own deck now. Thank you for it. 🌿"
    )
    await sb.say("alice: /schedule add daily 18:00 deck=circle theme=connection")
    await sb.say("alice: /prompt now deck=circle")
    assert thread_titles(sb) == ["Small smiles"]


async def test_a_declined_suggestion_is_deleted_and_the_author_told_kindly(sb: Sandbox) -> None:
    """Declining deletes the words and lets the author know, without blame."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /prompt suggest {SMILE}")
    out = await sb.say("alice: /prompt decline 1")
    assert "Suggestion #1 is let go, and I've told Bob privately." in out
    assert (
        "won't add your prompt (“What is something small that made you smile this week?”) this time. Thank you for offering it; I haven't kept it."
        in sb.private_to("bob")[-1]
    )
    assert (
        "If you'd like to talk about it, or shape one together, you're welcome to write to Alice."
        in sb.private_to("bob")[-1]
    )
    assert table(sb, "SELECT COUNT(*) FROM reflection_suggestions") == [(0,)]


@pytest.mark.parametrize(
    ("line", "sentence"),
    [
        pytest.param(
            "bob: /prompt suggest " + "Why " * 80 + "?",
            "The text is longer than I can keep (280 characters at most)",
            id="too-long",
        ),
        pytest.param("bob: /prompt suggest", "I need the text for that", id="empty"),
        pytest.param("bob: /prompt suggest    ", "I need the text for that", id="blank"),
        pytest.param(
            "bob: /prompt suggest Why?",
            "a prompt needs a little more to go on (at least 20 characters; this one has 4)",
            id="too-short",
        ),
        pytest.param(
            "bob: /prompt suggest @everyone what made you smile this week?",
            "it mentions @everyone",
            id="mass-mention",
        ),
        pytest.param(
            "bob: /prompt suggest what is something SMALL that made you smile this week",
            "Tuesday already has that prompt among its suggestions or its own deck.",
            id="duplicate",
        ),
        pytest.param(
            "bob: /prompt suggest Where, or with whom, do you feel most like yourself?",
            "That prompt is already in the “ips” deck",
            id="already-in-a-deck",
        ),
        pytest.param(
            f"carol: /prompt suggest {SMILE} Really.",
            "Suggesting prompts is for the members of Tuesday",
            id="not-a-member",
        ),
        pytest.param(
            "bob: /prompt approve 1",
            "That one is for the facilitators of Tuesday",
            id="member-approves",
        ),
        pytest.param(
            "alice: /prompt approve 7", "I couldn't find suggestion #7.", id="unknown-suggestion"
        ),
        pytest.param(
            "alice: /prompt decline 7", "I couldn't find suggestion #7.", id="unknown-decline"
        ),
        pytest.param("alice: /prompt approve 1 Small?", "", id="title-punctuation-is-trimmed"),
    ],
)
async def test_bad_suggestions_are_refused_kindly_and_change_nothing(
    sb: Sandbox, line: str, sentence: str
) -> None:
    """Too long, empty, too short, repeated or not a member: a clear sentence, and nothing stored."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /prompt suggest {SMILE}")
    before = state(sb)
    out = await sb.say(line)
    if not sentence:  # the one case that is not a refusal: the title loses its "?"
        assert "“Small” joins the circle's own deck" in out
        return
    assert sentence in out
    assert state(sb) == before


async def test_a_suggestion_of_another_circle_is_for_its_facilitators(sb: Sandbox) -> None:
    """A facilitator can only decide on suggestions made for their own circle."""
    await make_circle(sb, "bob")
    await sb.say("alice: /round start")
    await sb.say(
        "alice ^: /circle create Thursday", "bob ^: /circle join", f"bob ^: /prompt suggest {SMILE}"
    )
    await sb.say("alice: /round end")
    before = state(sb)
    out = await sb.say("alice: /prompt approve 1")
    assert "Suggestion #1 was made for another circle, so its facilitators decide on it." in out
    assert state(sb) == before


async def test_decks_list_shows_the_shipped_decks_and_the_circles_own(sb: Sandbox) -> None:
    """The deck list names each deck with its size and themes, and the circle's own deck."""
    await make_circle(sb, "bob")
    out = await sb.say("bob: /prompt decks list")
    assert "• `ips`: Reflections in the spirit of Intentional Peer Support · 109 prompts" in out
    assert "• `circle`: prompts suggested in Tuesday · 0 approved" in out
    assert "• `check-ins`:" in out
    assert "check-in, check-out" in out
    assert "• `circle`: prompts suggested in Tuesday · 0 approved" in out


async def test_a_moderator_reloads_the_decks_folder_and_hears_what_was_left_out(
    sb: Sandbox,
) -> None:
    """`prompt decks reload` loads good TOML decks from the folder and explains the others kindly."""
    folder = sb.config.data_path / "decks"
    before = await sb.say("alice: /prompt decks reload")
    assert "The decks folder (`reflections.deck_dir`) doesn't exist yet." in before
    folder.mkdir(parents=True)
    (folder / "garden.toml").write_text(
        '[deck]\nid = "garden"\ntitle = "Things that grow"\ndescription = "Growing."\n\n'
        '[[prompts]]\nid = "garden-01"\ntheme = "moving-towards"\ntitle = "Tending"\n'
        'text = "What are you tending at the moment, in a garden or anywhere else?"\n',
        encoding="utf-8",
    )
    (folder / "oops.toml").write_text(
        '[deck]\nid = "oops"\ntitle = "Oops"\ndescription = "x"\n', encoding="utf-8"
    )
    out = await sb.say("alice: /prompt decks reload")
    assert "I read the decks folder again: 1 deck ready (garden; 1 prompt)." in out
    assert "• oops.toml has no prompts yet; a deck needs at least one [[prompts]] entry." in out
    assert NOT_MODERATOR in await sb.say("bob: /prompt decks reload")
    await make_circle(sb)
    await sb.say("alice: /prompt now deck=garden")
    assert thread_titles(sb) == ["Tending"]


# --- data care --------------------------------------------------------------------------------


REFLECTION_TABLES = ("reflection_schedules", "reflection_runs", "reflection_suggestions")


async def test_the_data_statement_says_what_is_kept(sb: Sandbox) -> None:
    """`privacy show` names suggested prompts (words and name) and schedules set up."""
    out = await sb.say("bob: /privacy show")
    assert "**Reflection prompts**" in out
    assert (
        "prompts you suggest for a circle: your words and your name, while the facilitators decide"
        in out
    )
    assert "your waiting suggestions are deleted, and your name comes off approved prompts" in out


async def test_export_and_forget(sb: Sandbox) -> None:
    """Export lists a member's suggestions and schedules; forgetting deletes what waits, keeps
    approved prompts without the name, and takes the name off schedules."""
    await make_circle(sb, "bob")
    await sb.say("alice: /circle rota add @bob")
    await sb.say(
        f"bob: /prompt suggest {SMILE}",
        "bob: /prompt suggest Where do you feel most at ease, and why?",
    )
    await sb.say("alice: /prompt approve 1", "bob: /schedule add daily 18:00")
    await sb.say("bob: /privacy export")
    data = json.loads(sb.private_to("bob")[-1].split("```json\n", 1)[1].rsplit("\n```", 1)[0])
    assert data["reflections"]["suggested_prompts"] == [
        {
            "circle": "Tuesday",
            "status": "in the circle's deck",
            "suggested_at": "2026-03-02T17:00:00.000000Z",
            "text": SMILE,
        },
        {
            "circle": "Tuesday",
            "status": "waiting for the facilitators",
            "suggested_at": "2026-03-02T17:00:00.000000Z",
            "text": "Where do you feel most at ease, and why?",
        },
    ]
    assert data["reflections"]["schedules_set_up"][0]["when"] == "daily 18:00"
    assert sb.rows_naming("bob", REFLECTION_TABLES) > 0
    await sb.say("bob: /privacy forget", "bob: /privacy forget confirm")
    assert sb.rows_naming("bob", REFLECTION_TABLES) == 0
    assert table(sb, "SELECT member_id, text, status FROM reflection_suggestions") == [
        (None, SMILE, "approved")
    ]
    assert table(sb, "SELECT created_by FROM reflection_schedules") == [(None,)]

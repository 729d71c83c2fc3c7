"""After a restart: timers rebuilt from the database, and open proposals reconciled with the
reactions the platform shows, so votes changed while the bot was down count."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from bot.chat import MemberRef, Platform, ReactionAdded
from tests.cogs.agreements.support import (
    CONCERN,
    CONSENT,
    OBJECT,
    PROPOSAL_TEXT,
    held,
    message_text,
    post_of,
    result,
    table,
    votes,
)
from tests.sandbox import Sandbox, make_circle


async def test_votes_changed_while_down_count_after_the_restart(sb: Sandbox) -> None:
    """Added, moved and withdrawn reactions while the bot was away are all read back; a
    non-member's reaction still doesn't count."""
    await make_circle(sb, "bob", "carol", "dan", "erin")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}", f"bob +^ {CONSENT}"
    )
    post = sb.last_thread
    async with sb.down() as chat:
        chat.toggle_reaction("carol", post, OBJECT, add=True)
        chat.toggle_reaction("bob", post, CONSENT, add=False)
        chat.toggle_reaction("dan", post, CONCERN, add=True)
        chat.toggle_reaction("alice", post, OBJECT, add=True)  # a second option, order unknown
        chat.toggle_reaction("zed", post, CONSENT, add=True)
    assert votes(sb, 1) == {"alice": "object", "carol": "object", "dan": "concern"}
    assert held(sb, 1)["alice"] == ["consent", "object"]


async def test_votes_after_a_restart_count_as_they_come(sb: Sandbox) -> None:
    """After a restart the open proposal's post still takes votes live, and the last one closes it."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}")
    await sb.restart()
    out = await sb.say(f"bob +^ {CONCERN}")
    assert "**Proposal 1 is adopted.**" in out
    assert "✅ consent 1 · 🤔 concern 1 · ✋ object 0 · 2 of 2 members voted." in out


async def test_a_restart_with_nothing_changed_changes_nothing(sb: Sandbox) -> None:
    """Reconciling with the reactions we already knew keeps every vote and its order."""
    await make_circle(sb, "bob", "carol")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}",
        f"bob +^ {OBJECT}",
        f"bob +^ {CONSENT}",
        f"alice +^ {CONCERN}",
    )
    before = table(sb, "SELECT * FROM agreement_reactions ORDER BY id")
    await sb.restart()
    assert table(sb, "SELECT * FROM agreement_reactions ORDER BY id") == before
    assert votes(sb, 1) == {"bob": "consent", "alice": "concern"}


async def test_a_proposal_whose_time_passed_while_down_closes_on_start_up_after_reconciling(
    sb: Sandbox,
) -> None:
    """The closing counts the reactions made while the bot was away: without Bob's concern,
    seen only on start-up, the quorum would not be met."""
    await make_circle(sb, "bob", "carol", "dan")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}")
    post = sb.last_thread
    async with sb.down() as chat:
        sb.clock.advance(timedelta(hours=80))
        chat.toggle_reaction("bob", post, CONCERN, add=True)
        sb.mark()
    out = sb.since_mark
    assert "**Proposal 1 is adopted.**" in out
    assert "✅ consent 1 · 🤔 concern 1 · ✋ object 0 · 2 of 4 members voted." in out
    assert table(sb, "SELECT closed_at FROM agreement_proposals") == [
        ("2026-03-06T01:00:00.000000Z",)
    ]


async def test_closing_on_start_up_uses_what_the_platform_shows(sb: Sandbox) -> None:
    """A withdrawn consent and a new objection, made while down, decide the outcome."""
    await make_circle(sb, "bob", "carol")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}", f"bob +^ {CONSENT}"
    )
    post = sb.last_thread
    async with sb.down() as chat:
        sb.clock.advance(timedelta(hours=73))
        chat.toggle_reaction("bob", post, CONSENT, add=False)
        chat.toggle_reaction("carol", post, OBJECT, add=True)
        sb.mark()
    out = sb.since_mark
    assert "**Proposal 1 isn't adopted this time.**" in out
    assert "✅ consent 1 · 🤔 concern 0 · ✋ object 1 · 2 of 3 members voted." in out
    assert result(sb, 1) == "objection"


async def test_everyone_voting_while_down_closes_it_on_start_up(sb: Sandbox) -> None:
    """If every member voted while the bot was away, it closes as soon as the bot is back."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}")
    post = sb.last_thread
    async with sb.down() as chat:
        chat.toggle_reaction("bob", post, CONSENT, add=True)
        sb.mark()
    assert "**Proposal 1 is adopted.**" in sb.since_mark


async def test_a_vote_read_back_on_start_up_is_not_told_it_came_too_late(sb: Sandbox) -> None:
    """A platform that catches up after downtime (Matrix) delivers the reactions made meanwhile
    after start-up has already counted them: a vote that counted gets no "closed" note, while a
    reaction made after the closing still does."""
    await make_circle(sb, "bob", "carol")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}", f"bob +^ {CONSENT}"
    )
    post = sb.last_thread
    async with sb.down() as chat:
        chat.toggle_reaction("carol", post, CONSENT, add=True)
        sb.mark()
    assert "✅ consent 3 · 🤔 concern 0 · ✋ object 0 · 3 of 3 members voted." in sb.since_mark
    assert sb.app is not None
    assert sb.chat is not None
    message = sb.chat.message_ref(sb.chat.messages[post])
    late = ReactionAdded(message, MemberRef(Platform.LOCAL, "carol"), CONSENT, sb.clock.now())
    await sb.app.receive(late)  # the same reaction, delivered by the catch-up
    assert [n for n in sb.private_to("carol") if "closed on" in n] == []
    assert table(sb, "SELECT * FROM agreement_notes") == []

    await sb.say(f"carol +^ {CONCERN}")  # a new reaction, after the closing
    assert len([n for n in sb.private_to("carol") if "don't change anything now" in n]) == 1


async def test_an_objection_made_while_down_opens_its_conversation_on_start_up(sb: Sandbox) -> None:
    """An objection seen first on start-up invites the objector and tells the thread, once, as it would have live."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}")
    post = sb.last_thread
    async with sb.down() as chat:
        chat.toggle_reaction("carol", post, OBJECT, add=True)
        sb.mark()
    assert sb.since_mark.count("An objection has come in.") == 1
    invite = "Thank you for saying you object to proposal 1 in Tuesday."
    assert len([n for n in sb.private_to("carol") if invite in n]) == 1
    assert [n for n in sb.private_to("alice") if invite in n] == []
    sb.mark()
    await sb.restart()
    assert "An objection has come in." not in sb.since_mark
    assert len([n for n in sb.private_to("carol") if invite in n]) == 1


async def test_timers_are_rebuilt_with_stable_ids(sb: Sandbox) -> None:
    """After a restart the closing and reminder timers are armed again, once each."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    await sb.restart()
    assert sb.app is not None
    pending = [job for job, _ in sb.app.scheduler.pending() if job.startswith("agreements:")]
    assert pending == ["agreements:remind:1", "agreements:close:1"]
    out = await sb.wait(timedelta(hours=72))
    assert "**Proposal 1 isn't adopted this time.**" in out


async def test_a_reminder_is_never_sent_twice_across_a_restart(sb: Sandbox) -> None:
    """The reminder is claimed in the database: a restart after it went out doesn't repeat it."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"bob +^ {CONSENT}")
    await sb.wait(timedelta(hours=48))
    assert len([n for n in sb.private_to("carol") if "your voice is welcome" in n]) == 1
    await sb.restart()
    await sb.wait(timedelta(hours=1))
    await sb.restart()
    await sb.wait(timedelta(hours=1))
    assert len([n for n in sb.private_to("carol") if "your voice is welcome" in n]) == 1
    assert not [n for n in sb.private_to("bob") if "your voice is welcome" in n]


async def test_a_reminder_due_while_down_goes_once_after_the_restart(sb: Sandbox) -> None:
    """A reminder whose time came while the bot was away goes out when it is back, once, and
    only to those who hadn't voted (counting votes made while away)."""
    await make_circle(sb, "bob", "carol", "dan")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    post = sb.last_thread
    async with sb.down() as chat:
        sb.clock.advance(timedelta(hours=50))
        chat.toggle_reaction("carol", post, CONSENT, add=True)
    await sb.wait(timedelta(0))
    await sb.restart()
    await sb.wait(timedelta(minutes=5))
    for member, expected in (("alice", 1), ("bob", 1), ("dan", 1), ("carol", 0)):
        assert len([n for n in sb.private_to(member) if "your voice is welcome" in n]) == expected


async def test_reviews_are_rebuilt_after_a_restart(sb: Sandbox) -> None:
    """An agreement's review date survives restarts, and a review due while down opens once."""
    await make_circle(sb, "bob")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}", f"bob +^ {CONSENT}"
    )
    async with sb.down():
        sb.clock.advance(timedelta(days=91))
    out = await sb.wait(timedelta(0))
    assert "a review of agreement 1" in out
    await sb.restart()
    out = await sb.wait(timedelta(hours=1))
    assert "a review of agreement 1" not in out
    assert table(sb, "SELECT COUNT(*) FROM agreement_proposals WHERE kind = 'review'") == [(1,)]


async def test_a_new_version_stored_but_never_posted_is_posted_on_start_up(sb: Sandbox) -> None:
    """If the bot stopped between recording a new version and posting it, it posts it on start,
    marks the earlier post as replaced, and old reactions don't come back as votes."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}")
    first = sb.last_thread
    async with sb.down():
        with sqlite3.connect(sb.config.database_path) as conn:
            # what amend's one transaction writes: the first wording kept, the second current
            conn.execute(
                "INSERT INTO agreement_versions (proposal_id, version, kind, text, proposed_by, "
                "started_at, ended_at, counts, voters, members, message_id) "
                "SELECT id, version, kind, text, proposed_by, opened_at, opened_at, "
                "'{\"consent\": 1}', 1, 3, message_id FROM agreement_proposals WHERE id = 1"
            )
            conn.execute(
                "UPDATE agreement_proposals SET version = 2, text = 'A clearer wording.' WHERE id = 1"
            )
            conn.execute("DELETE FROM agreement_reactions")
        sb.mark()
    assert "✏️ **Proposal 1, version 2**" in sb.since_mark
    assert post_of(sb, 1) != first
    assert "Reactions here no longer count" in message_text(sb, first)
    assert f"> {PROPOSAL_TEXT}" in message_text(sb, first)  # its words stay
    assert held(sb, 1) == {}

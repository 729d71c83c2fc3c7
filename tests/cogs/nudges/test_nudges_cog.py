"""Nudges in a circle, as sandbox conversations: who gets a note, who never does, and what is kept."""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.chat import MemberRef, MessagePosted, Platform
from bot.commands import NOT_MODERATOR
from cogs.nudges.kinds import PLAIN_WORDS
from cogs.nudges.texts import SENSITIVITY_WORDS
from tests.sandbox import Sandbox, make_circle

SHARING = "ana: I've been really low since the move and I can't seem to sleep."
SOFT = "ben: Have you tried a warm bath before bed?"
SECOND = "cat: You should try melatonin, it worked for my cousin."
STRONG = "ben: You need to see a doctor about this right away."


def nudges_to(sb: Sandbox, member: str) -> list[str]:
    return [text for text in sb.private_to(member) if "nudges off" in text]


def logged(sb: Sandbox) -> list[tuple[object, ...]]:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        return conn.execute(
            "SELECT member_id, situation, mode, delivered, kinds FROM nudge_log"
        ).fetchall()


def message_id(sb: Sandbox, author: str, text: str) -> str:
    assert sb.chat is not None
    return next(m.id for m in sb.chat.messages.values() if m.author == author and m.text == text)


async def circle(sb: Sandbox) -> None:
    await make_circle(sb, "ana", "ben", "cat", "dan")


async def test_a_fixing_reply_to_someone_sharing_earns_its_writer_a_private_note(
    sb: Sandbox,
) -> None:
    """One reply that reads as fixing, to someone sharing: its writer gets one private note."""
    await circle(sb)
    out = await sb.say(SHARING, SOFT)
    (note,) = nudges_to(sb, "ben")
    assert "a question with an answer already inside it" in note
    assert "`/nudges off`" in note
    assert "ben" not in out.split("private to ben")[0].split("\n")[-1]  # nothing public about it
    assert logged(sb) == [("ben", "suggestion", "private", 1, '["problem_solving"]')]


async def test_the_thread_limit_keeps_a_second_fixer_from_a_second_note(sb: Sandbox) -> None:
    """A second fixing reply minutes later earns nothing more: one note per thread per quarter hour."""
    await circle(sb)
    await sb.say(SHARING, SOFT, SECOND)
    assert len(nudges_to(sb, "ben")) == 1
    assert nudges_to(sb, "cat") == []


async def test_under_gentle_one_fixing_reply_is_not_yet_a_drift(sb: Sandbox) -> None:
    """At the gentle sensitivity a single fixing reply stays unremarked; the second earns a note."""
    await circle(sb)
    await sb.say("alice: /nudges settings sensitivity=gentle")
    await sb.say(SHARING, STRONG)
    assert logged(sb) == []
    await sb.say(
        "cat: You need to get out of the house more, honestly, go for a run every morning."
    )
    assert [row[0] for row in logged(sb)] == ["cat"]


async def test_a_fixing_reply_to_someone_who_chose_listening(sb: Sandbox) -> None:
    """When the sharer asked for listening, the note says so."""
    await circle(sb)
    await sb.say("ana: /circle preference listening", SHARING, STRONG)
    (note,) = nudges_to(sb, "ben")
    assert "listen" in note
    assert logged(sb)[0][1] == "listening"


async def test_a_sharer_who_asked_for_ideas_gets_them_in_peace(sb: Sandbox) -> None:
    """ "Any advice?" makes ideas welcome: no note for anyone."""
    await circle(sb)
    await sb.say("ana: I can't sleep since the move. Any advice?", SOFT, SECOND, STRONG)
    assert logged(sb) == []


async def test_a_sharer_open_to_ideas_by_preference(sb: Sandbox) -> None:
    """Choosing "open to ideas" works like asking."""
    await circle(sb)
    await sb.say("ana: /circle preference ideas", SHARING, SOFT, SECOND)
    assert logged(sb) == []


async def test_an_opted_out_member_gets_none(sb: Sandbox) -> None:
    """`nudges off` is respected; `nudges on` brings notes back."""
    await circle(sb)
    out = await sb.say("cat: /nudges off")
    assert "Nudges are off for you now" in out
    await sb.say(SHARING, SECOND)
    assert nudges_to(sb, "cat") == []
    assert "were already off" in await sb.say("cat: /nudges off")
    assert "on for you again" in await sb.say("cat: /nudges on")


async def test_self_talk_and_own_experience_never_earn_a_note(sb: Sandbox) -> None:
    """The sharer's own "I should...", others' stories, reflections and questions are not fixing."""
    await circle(sb)
    await sb.say(
        SHARING,
        "ana: I should probably try to get more sleep, I know.",
        "ben: For me, what helped after my move was walking in the evenings. Not sure it's your thing though.",
        "cat: That sounds so hard. What has it been like for you?",
        "dan: It sounds like you've been carrying a lot on your own.",
        "ben: My doctor told me to keep a sleep diary back then, I hated it honestly.",
    )
    assert logged(sb) == []


async def test_never_outside_circles(sb: Sandbox) -> None:
    """Without a circle in the room, nothing is read at all."""
    await sb.say(SHARING, SOFT, SECOND, STRONG)
    assert logged(sb) == []


async def test_group_mode_sends_one_note_to_everyone_naming_no_one(sb: Sandbox) -> None:
    """In group mode one gentle note goes to the thread, and it names nobody."""
    await circle(sb)
    await sb.say("alice: /nudges settings mode=group")
    out = await sb.say(SHARING, SOFT)
    notes = [line for line in out.splitlines() if "circlekeeper:" in line]
    assert len(notes) == 1
    assert not any(name in notes[0] for name in ("Ana", "Ben", "Cat", "ana", "ben", "cat"))
    assert sb.private_to("ben") == []


async def test_mode_off_reads_nothing(sb: Sandbox) -> None:
    """A circle can switch nudges off entirely."""
    await circle(sb)
    out = await sb.say("alice: /nudges settings mode=off sensitivity=attentive")
    assert "nudges in **Tuesday** are off, sensitivity attentive" in out
    await sb.say(SHARING, SOFT, SECOND, STRONG)
    assert logged(sb) == []


async def test_only_facilitators_change_settings(sb: Sandbox) -> None:
    """A member may see the settings but not change them."""
    await circle(sb)
    assert "That one is for the facilitators" in await sb.say("ben: /nudges settings mode=off")
    assert "For mode, the choices are: off, private, group." in await sb.say(
        "alice: /nudges settings mode=loud"
    )


async def test_rate_limits_hold_across_a_restart(sb: Sandbox) -> None:
    """After a note, the same member gets none for 30 minutes, even if the bot restarts."""
    await circle(sb)
    await sb.say(SHARING, SECOND)
    assert len(nudges_to(sb, "cat")) == 1
    await sb.restart()
    await sb.wait(timedelta(minutes=20))
    await sb.say(
        "dan: I feel stuck at work and nobody notices.", "cat: You should talk to HR about it."
    )
    assert len(nudges_to(sb, "cat")) == 1
    await sb.wait(timedelta(minutes=31))
    await sb.say(
        "dan: It's still hard.", "cat: You must stand up for yourself, tell your boss tomorrow."
    )
    assert len(nudges_to(sb, "cat")) == 2


async def test_closed_private_messages_never_turn_into_a_public_note(sb: Sandbox) -> None:
    """If the note can't be delivered privately, nothing is said in public; the log says so."""
    await circle(sb)
    await sb.say(":dms cat closed")
    out = await sb.say(SHARING, SECOND)
    assert "circlekeeper:" not in out
    assert logged(sb)[0][3] == 0


async def test_why_shows_the_kind_of_wording_never_the_words(sb: Sandbox) -> None:
    """`nudges why` explains the last note by the kind of wording, in plain words, privately."""
    await circle(sb)
    await sb.say("cat: /nudges why")
    assert "You haven't had a note from me" in sb.private_to("cat")[-1]
    await sb.say(SHARING, SECOND)
    await sb.say("cat: /nudges why")
    explanation = sb.private_to("cat")[-1]
    assert "in a reply of yours in Tuesday" in explanation
    assert any(words in explanation for words in PLAIN_WORDS.values())
    assert "melatonin" not in explanation


async def test_a_note_points_to_the_agreement_the_facilitators_chose(sb: Sandbox) -> None:
    """With `agreement=N` set, notes name the circle's agreement by number; `agreement=0` clears it."""
    await circle(sb)
    out = await sb.say("alice: /nudges settings agreement=3")
    assert "Notes point to agreement #3." in out
    await sb.say(SHARING, SOFT)
    (note,) = nudges_to(sb, "ben")
    assert "This circle's agreement #3 speaks to this (`/agreement show 3`)." in note
    out = await sb.say("alice: /nudges settings agreement=0")
    assert "agreement #" not in out.split("Updated:")[-1]


async def test_settings_say_what_each_sensitivity_means(sb: Sandbox) -> None:
    """Each level is described in words, not only by its name."""
    await circle(sb)
    for level, words in SENSITIVITY_WORDS.items():
        out = await sb.say(f"alice: /nudges settings sensitivity={level}")
        assert words in out


async def test_an_edit_is_read_again_and_never_nudged_twice(sb: Sandbox) -> None:
    """Editing a reply into fixing counts it; editing the tipping reply again sends nothing more."""
    await circle(sb)
    await sb.say(SHARING, "ben: That sounds hard.")
    assert nudges_to(sb, "ben") == []
    reply = message_id(sb, "ben", "That sounds hard.")
    await sb.say(f"ben ~{reply}: Have you tried a warm bath?")
    assert len(nudges_to(sb, "ben")) == 1
    await sb.say(f"ben ~{reply}: You need to see a doctor, seriously.")
    assert len(nudges_to(sb, "ben")) == 1


async def test_the_export_says_what_each_note_was_in_words(sb: Sandbox) -> None:
    """`privacy export` describes each note in words, never by internal codes like "modal"."""
    await circle(sb)
    await sb.say(SHARING, SECOND)
    await sb.say("cat: /privacy export")
    exported = sb.private_to("cat")[-1]
    assert "a reply to someone sharing read as fixing" in exported
    assert any(words in exported for words in PLAIN_WORDS.values())
    for code in ('"modal"', '"drift"', '"situation"', '"kinds"'):
        assert code not in exported


async def test_stats_are_numbers_for_moderators_only(sb: Sandbox) -> None:
    """Moderators see weekly counts per circle; no names and no words; members are refused."""
    await circle(sb)
    await sb.say(SHARING, SOFT)
    out = await sb.say("alice: /nudges stats")
    assert "• Tuesday · 2026-W10: 1" in out
    assert "cat" not in out.lower().split("nudges stats", 1)[1]
    assert NOT_MODERATOR in await sb.say("ben: /nudges stats")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "🌧️🌧️🌧️",
        "I keep thinking about it. " * 2000,
        "```\nyou should run this: rm -rf /\n```",
        "> you should leave him\nThat's what my aunt said and it hurt.",
        "Du solltest mit deinem Arzt sprechen.",
        "Deberías hablar con tu médico.",
        "\x00\x07\x1b[31m\x7f",
    ],
    ids=["empty", "emoji", "50k", "code", "quote", "german", "spanish", "control"],
)
async def test_odd_messages_are_handled_without_error_or_false_note(sb: Sandbox, text: str) -> None:
    """Empty, huge, emoji-only, code, quoted, other-language, invisible- and control-character
    messages cause no error and no note."""
    await circle(sb)
    await sb.say(SHARING)
    assert sb.app is not None
    chat = sb.chat
    assert chat is not None
    message = chat.post("ben", text, None)  # straight in: some of these can't be typed as a line
    await sb.app.receive(
        MessagePosted(
            chat.message_ref(message), MemberRef(Platform.LOCAL, "ben"), text, sb.clock.now()
        )
    )
    assert logged(sb) == []


async def test_zero_width_characters_cannot_hide_fixing(sb: Sandbox) -> None:
    """Invisible characters between the letters of "You should rest" don't hide it."""
    await circle(sb)
    await sb.say(SHARING)
    assert sb.app is not None
    assert sb.chat is not None
    text = "Y\u200bo\u200bu s\u200bhould rest more, honestly"
    message = sb.chat.post("ben", text, None)
    await sb.app.receive(
        MessagePosted(
            sb.chat.message_ref(message), MemberRef(Platform.LOCAL, "ben"), text, sb.clock.now()
        )
    )
    assert [row[0] for row in logged(sb)] == ["ben"]


async def test_no_message_text_reaches_the_database_or_the_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """After a whole conversation, no sentence of it is in the database file or the log output."""
    caplog.set_level(logging.DEBUG)
    sentences = [
        "I've been really low since the move and I can't seem to sleep at all",
        "Have you tried a warm lavender bath before bed",
        "You should try melatonin because it worked for my cousin",
        "You need to see a doctor about this right away please",
        "Honestly just quit that job and move back home",
    ]
    sb = Sandbox(tmp_path)
    await sb.open()
    try:
        await circle(sb)
        await sb.say("ana: /circle preference listening")
        speakers = ["ana", "ben", "cat", "ben", "dan"]
        await sb.say(*(f"{who}: {text}." for who, text in zip(speakers, sentences, strict=True)))
        last = message_id(sb, "dan", sentences[-1] + ".")
        await sb.say(f"dan ~{last}: Honestly just quit that job and move back home, edited.")
        await sb.say("cat: /nudges why")
        assert logged(sb), "the conversation should have earned a note"
        db_path = sb.app.db.path if sb.app else None
    finally:
        await sb.close()
    assert db_path is not None
    stored = b"".join(p.read_bytes() for p in db_path.parent.glob("circlekeeper.db*"))
    for sentence in sentences:
        for fragment in (sentence, sentence[:40], sentence[-30:]):
            assert fragment.encode() not in stored
            assert fragment not in caplog.text

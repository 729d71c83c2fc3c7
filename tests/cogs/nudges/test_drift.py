"""Thread drift, as a table of scripted conversations with the nudges they should earn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cogs.nudges.drift import Conversation, Reading, Sensitivity, Situation, Wish

T0 = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)

# Each message: (author, kind) where kind is one of
#   share   a message that is not fixing
#   fix     a reply read as fixing (a directive, a coping nudge ...)
#   ideas   the author asks for ideas   listen  the author asks to be listened to
#   suggest a problem-solving question  label   a label on someone's experience
SCRIPTS = {
    "one fixing reply to a sharer": (
        [("ana", "share"), ("ben", "fix")],
        Sensitivity.NORMAL,
        {},
        [("ben", Situation.DRIFT)],
    ),
    "attentive also speaks at the first": (
        [("ana", "share"), ("ben", "fix")],
        Sensitivity.ATTENTIVE,
        {},
        [("ben", Situation.DRIFT)],
    ),
    "gentle waits for a second": (
        [("ana", "share"), ("ben", "fix")],
        Sensitivity.GENTLE,
        {},
        [],
    ),
    "gentle nudges the second": (
        [("ana", "share"), ("ben", "fix"), ("cat", "fix")],
        Sensitivity.GENTLE,
        {},
        [("cat", Situation.DRIFT)],
    ),
    "gentle speaks at the first to someone who chose listening": (
        [("ana", "share"), ("ben", "fix")],
        Sensitivity.GENTLE,
        {"ana": Wish.LISTENING},
        [("ben", Situation.LISTENING)],
    ),
    "asking to be listened to in words counts like the preference": (
        [("ana", "listen"), ("ben", "fix")],
        Sensitivity.NORMAL,
        {},
        [("ben", Situation.LISTENING)],
    ),
    "a sharer who asked for ideas gets ideas in peace": (
        [("ana", "ideas"), ("ben", "fix"), ("cat", "fix"), ("dan", "suggest")],
        Sensitivity.ATTENTIVE,
        {},
        [],
    ),
    "a sharer open to ideas gets ideas in peace": (
        [("ana", "share"), ("ben", "fix"), ("cat", "fix")],
        Sensitivity.ATTENTIVE,
        {"ana": Wish.IDEAS},
        [],
    ),
    "self-talk is never nudged": (
        [("ana", "share"), ("ana", "fix"), ("ana", "fix")],
        Sensitivity.ATTENTIVE,
        {"ana": Wish.LISTENING},
        [],
    ),
    "fixing with nobody sharing": (
        [("ben", "fix")],
        Sensitivity.ATTENTIVE,
        {},
        [],
    ),
    "a problem-solving question gets the suggestion text": (
        [("ana", "share"), ("cat", "suggest")],
        Sensitivity.NORMAL,
        {},
        [("cat", Situation.SUGGESTION)],
    ),
    "a label gets the labelling text": (
        [("ana", "share"), ("cat", "label")],
        Sensitivity.NORMAL,
        {},
        [("cat", Situation.LABELLING)],
    ),
    "a later wish for listening outweighs an earlier ask for ideas": (
        [("ana", "ideas"), ("ana", "listen"), ("ben", "fix")],
        Sensitivity.NORMAL,
        {},
        [("ben", Situation.LISTENING)],
    ),
}
KINDS = {"fix": "coping", "suggest": "problem_solving", "label": "labelling"}


def reading(
    index: int, author: str, kind: str, reply_to: str | None = None, at: datetime | None = None
) -> Reading:
    return Reading(
        message_id=str(index),
        author=author,
        at=at or T0 + timedelta(minutes=index),
        advice=kind in KINDS,
        kind=KINDS.get(kind),
        asks_for_ideas=kind == "ideas",
        asks_for_listening=kind == "listen",
        reply_to=reply_to,
    )


def unsaid(_member: str) -> Wish:
    return Wish.UNSAID


def play(
    messages: list[tuple[str, str]], sensitivity: Sensitivity, wishes: dict[str, Wish]
) -> list[tuple[str, Situation]]:
    conversation = Conversation()
    nudges = []
    for index, (author, kind) in enumerate(messages):
        drift = conversation.add(
            reading(index, author, kind), sensitivity, lambda m: wishes.get(m, Wish.UNSAID)
        )
        if drift is not None:
            nudges.append((drift.member, drift.situation))
    return nudges


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_scripted_conversations_earn_the_expected_nudges(name: str) -> None:
    """Each scripted conversation earns exactly the nudges in the table."""
    messages, sensitivity, wishes, expected = SCRIPTS[name]
    assert play(messages, sensitivity, wishes) == expected


def test_a_drift_names_the_kind_of_the_tipping_reply() -> None:
    """The drift carries the kind of the reply that tipped it, for the note and `nudges why`."""
    conversation = Conversation()
    conversation.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    drift = conversation.add(reading(1, "ben", "label"), Sensitivity.NORMAL, unsaid)
    assert drift is not None
    assert (drift.kind, drift.sharer, drift.advice_count) == ("labelling", "ana", 1)


def test_one_drift_earns_one_nudge_then_the_count_starts_again() -> None:
    """Under gentle, after a nudge the next fixing reply alone does not nudge; a fresh pair does."""
    messages = [("ana", "share"), ("ben", "fix"), ("cat", "fix"), ("dan", "fix"), ("eve", "fix")]
    assert play(messages, Sensitivity.GENTLE, {}) == [
        ("cat", Situation.DRIFT),
        ("eve", Situation.DRIFT),
    ]


def test_an_edited_message_is_read_again_but_never_nudged_twice() -> None:
    """Editing the tipping message re-reads it without a second nudge."""
    conversation = Conversation()
    conversation.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    assert conversation.add(reading(1, "cat", "fix"), Sensitivity.NORMAL, unsaid) is not None
    assert conversation.add(reading(1, "cat", "label"), Sensitivity.NORMAL, unsaid) is None


def test_an_edit_that_removes_the_fixing_takes_it_out_of_the_count() -> None:
    """Under gentle, a reply edited into plain sharing no longer counts towards a drift."""
    conversation = Conversation()
    conversation.add(reading(0, "ana", "share"), Sensitivity.GENTLE, unsaid)
    conversation.add(reading(1, "ben", "fix"), Sensitivity.GENTLE, unsaid)
    conversation.add(reading(1, "ben", "share"), Sensitivity.GENTLE, unsaid)
    assert conversation.add(reading(2, "cat", "fix"), Sensitivity.GENTLE, unsaid) is None


def test_an_edited_message_keeps_the_sharer_it_answered() -> None:
    """An edit answers the same person as the message did, whoever spoke since."""
    conversation = Conversation()
    conversation.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    conversation.add(reading(1, "ben", "share"), Sensitivity.NORMAL, unsaid)
    conversation.add(reading(2, "dan", "share"), Sensitivity.NORMAL, unsaid)
    assert conversation.sharer_for("ben", None, "1") == "ana"
    assert conversation.sharer_for("ben", None) == "dan"


def test_a_reply_names_its_sharer_even_after_others_spoke() -> None:
    """A reply to Ana counts for Ana, even if Dan shared something since."""
    conversation = Conversation()
    conversation.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    conversation.add(reading(1, "dan", "share"), Sensitivity.NORMAL, unsaid)
    drift = conversation.add(reading(2, "ben", "fix", reply_to="ana"), Sensitivity.NORMAL, unsaid)
    assert drift is not None
    assert drift.sharer == "ana"


def test_a_reflection_is_not_mistaken_for_sharing() -> None:
    """Fixing after someone's "that sounds hard" still counts for the person who shared."""
    conversation = Conversation()
    conversation.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    echo = Reading("1", "ben", T0 + timedelta(minutes=1), advice=False, responding=True)
    conversation.add(echo, Sensitivity.NORMAL, unsaid)
    drift = conversation.add(reading(2, "cat", "fix"), Sensitivity.NORMAL, unsaid)
    assert drift is not None
    assert drift.sharer == "ana"


def test_fixing_far_apart_in_time_is_not_a_drift() -> None:
    """Under gentle, two fixing replies more than the window apart don't add up."""
    conversation = Conversation()
    conversation.add(reading(0, "ana", "share"), Sensitivity.GENTLE, unsaid)
    conversation.add(reading(1, "ben", "fix"), Sensitivity.GENTLE, unsaid)
    later = T0 + timedelta(hours=3)
    conversation.add(reading(2, "ana", "share", at=later), Sensitivity.GENTLE, unsaid)
    assert conversation.add(reading(3, "cat", "fix", at=later), Sensitivity.GENTLE, unsaid) is None


def test_the_wish_and_context_facts_of_a_sharer_come_from_the_window() -> None:
    """The cog asks the window what the sharer wanted and the numbers of their last message."""
    conversation = Conversation()
    first = Reading("0", "ana", T0, advice=False, asks_for_listening=True, facts=(7, 9))
    conversation.add(first, Sensitivity.NORMAL, unsaid)
    assert conversation.wish("ana", unsaid) is Wish.LISTENING
    assert conversation.wish("ana", lambda _m: Wish.IDEAS) is Wish.IDEAS  # a stated preference wins
    assert conversation.facts_of("ana") == (7, 9)
    assert conversation.facts_of("ben") is None
    assert conversation.facts_of(None) is None


def test_a_thread_made_on_a_sharing_in_the_room_begins_with_it() -> None:
    """Replies in a thread hanging on Ana's message in the room answer Ana (a Matrix thread
    root, a Discord thread made from a post)."""
    room, thread = Conversation(), Conversation()
    room.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    opening = room.reading("0")
    assert opening is not None
    thread.begin_with(opening)
    drift = thread.add(reading(1, "cat", "fix"), Sensitivity.NORMAL, unsaid)
    assert drift is not None
    assert (drift.member, drift.sharer) == ("cat", "ana")


def test_a_thread_made_on_an_ask_for_ideas_keeps_the_ask() -> None:
    """When the message the thread hangs on asked for ideas, fixing in the thread is welcome."""
    room, thread = Conversation(), Conversation()
    room.add(reading(0, "ana", "ideas"), Sensitivity.NORMAL, unsaid)
    opening = room.reading("0")
    assert opening is not None
    thread.begin_with(opening)
    assert thread.add(reading(1, "ben", "fix"), Sensitivity.NORMAL, unsaid) is None


def test_a_thread_begins_with_its_opening_only_once() -> None:
    """A thread that has a window already keeps it as it is."""
    thread = Conversation()
    thread.add(reading(5, "dan", "share"), Sensitivity.NORMAL, unsaid)
    thread.begin_with(reading(0, "ana", "share"))
    assert (len(thread), thread.reading("0")) == (1, None)

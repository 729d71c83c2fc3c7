"""Thread drift, as a table of scripted conversations with the nudges they should earn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cogs.nudges.drift import Conversation, Reading, Sensitivity, Situation, Wish

T0 = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)

# Each message: (author, kind, extra) where kind is one of
#   share   a message that is not advice
#   advice  a soft suggestion           strong  an outright directive
#   ideas   the author asks for ideas   listen  the author asks to be listened to
#   suggest a suggestion question       label   a label on someone's experience
SCRIPTS = {
    "two advice replies to a sharer": (
        [("ana", "share"), ("ben", "advice"), ("cat", "advice")],
        Sensitivity.NORMAL, {}, ("cat", Situation.DRIFT),
    ),
    "one advice reply is not a drift": (
        [("ana", "share"), ("ben", "advice")],
        Sensitivity.NORMAL, {}, None,
    ),
    "gentle waits for a third": (
        [("ana", "share"), ("ben", "advice"), ("cat", "advice")],
        Sensitivity.GENTLE, {}, None,
    ),
    "gentle nudges the third": (
        [("ana", "share"), ("ben", "advice"), ("cat", "advice"), ("dan", "advice")],
        Sensitivity.GENTLE, {}, ("dan", Situation.DRIFT),
    ),
    "one strong directive to someone who chose listening": (
        [("ana", "share"), ("ben", "strong")],
        Sensitivity.NORMAL, {"ana": Wish.LISTENING}, ("ben", Situation.LISTENING),
    ),
    "a soft suggestion to a listener waits under normal": (
        [("ana", "share"), ("ben", "advice")],
        Sensitivity.NORMAL, {"ana": Wish.LISTENING}, None,
    ),
    "attentive speaks up at the first advice to a listener": (
        [("ana", "share"), ("ben", "advice")],
        Sensitivity.ATTENTIVE, {"ana": Wish.LISTENING}, ("ben", Situation.LISTENING),
    ),
    "asking to be listened to in words counts like the preference": (
        [("ana", "listen"), ("ben", "strong")],
        Sensitivity.NORMAL, {}, ("ben", Situation.LISTENING),
    ),
    "a sharer who asked for ideas gets ideas in peace": (
        [("ana", "ideas"), ("ben", "strong"), ("cat", "advice"), ("dan", "advice")],
        Sensitivity.ATTENTIVE, {}, None,
    ),
    "a sharer open to ideas gets ideas in peace": (
        [("ana", "share"), ("ben", "strong"), ("cat", "advice")],
        Sensitivity.ATTENTIVE, {"ana": Wish.IDEAS}, None,
    ),
    "self-talk is never nudged": (
        [("ana", "share"), ("ana", "advice"), ("ana", "strong")],
        Sensitivity.ATTENTIVE, {"ana": Wish.LISTENING}, None,
    ),
    "advice with nobody sharing": (
        [("ben", "advice"), ("cat", "advice")],
        Sensitivity.ATTENTIVE, {}, None,
    ),
    "a suggestion question gets the suggestion text": (
        [("ana", "share"), ("ben", "advice"), ("cat", "suggest")],
        Sensitivity.NORMAL, {}, ("cat", Situation.SUGGESTION),
    ),
    "a label gets the labelling text": (
        [("ana", "share"), ("ben", "advice"), ("cat", "label")],
        Sensitivity.NORMAL, {}, ("cat", Situation.LABELLING),
    ),
    "a later wish for listening outweighs an earlier ask for ideas": (
        [("ana", "ideas"), ("ana", "listen"), ("ben", "strong")],
        Sensitivity.NORMAL, {}, ("ben", Situation.LISTENING),
    ),
}


def reading(index: int, author: str, kind: str, reply_to: str | None = None, at: datetime | None = None) -> Reading:
    advice = kind in ("advice", "strong", "suggest", "label")
    return Reading(
        message_id=str(index),
        author=author,
        at=at or T0 + timedelta(minutes=index),
        advice=advice,
        strong=kind == "strong",
        suggestion=kind == "suggest",
        labelling=kind == "label",
        asks_for_ideas=kind == "ideas",
        asks_for_listening=kind == "listen",
        reply_to=reply_to,
        cues=("a directive: 'you should'",) if advice else (),
    )


def play(messages: list[tuple[str, str]], sensitivity: Sensitivity, wishes: dict[str, Wish]) -> list[tuple[str, Situation]]:
    conversation = Conversation()
    nudges = []
    for index, (author, kind) in enumerate(messages):
        drift = conversation.add(reading(index, author, kind), sensitivity, lambda m: wishes.get(m, Wish.UNSAID))
        if drift is not None:
            nudges.append((drift.member, drift.situation))
    return nudges


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_scripted_conversations_earn_the_expected_nudges(name: str) -> None:
    """Each scripted conversation earns exactly the nudge in the table (or none)."""
    messages, sensitivity, wishes, expected = SCRIPTS[name]
    assert play(messages, sensitivity, wishes) == ([expected] if expected else [])


def test_one_drift_earns_one_nudge_then_the_count_starts_again() -> None:
    """After a nudge, a third advice reply alone does not nudge again; a fresh pair does."""
    messages = [("ana", "share"), ("ben", "advice"), ("cat", "advice"), ("dan", "advice"), ("eve", "advice")]
    assert play(messages, Sensitivity.NORMAL, {}) == [("cat", Situation.DRIFT), ("eve", Situation.DRIFT)]


def test_an_edited_message_is_read_again_but_never_nudged_twice() -> None:
    """Editing the tipping message re-reads it without a second nudge."""
    conversation = Conversation()
    unsaid = lambda _m: Wish.UNSAID  # noqa: E731 - a tiny constant wish
    conversation.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    conversation.add(reading(1, "ben", "advice"), Sensitivity.NORMAL, unsaid)
    assert conversation.add(reading(2, "cat", "advice"), Sensitivity.NORMAL, unsaid) is not None
    assert conversation.add(reading(2, "cat", "strong"), Sensitivity.NORMAL, unsaid) is None


def test_an_edit_that_removes_the_advice_takes_it_out_of_the_count() -> None:
    """A reply edited into plain sharing no longer counts towards a drift."""
    conversation = Conversation()
    unsaid = lambda _m: Wish.UNSAID  # noqa: E731
    conversation.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    conversation.add(reading(1, "ben", "advice"), Sensitivity.NORMAL, unsaid)
    conversation.add(reading(1, "ben", "share"), Sensitivity.NORMAL, unsaid)
    assert conversation.add(reading(2, "cat", "advice"), Sensitivity.NORMAL, unsaid) is None


def test_a_reply_names_its_sharer_even_after_others_spoke() -> None:
    """A reply to Ana counts for Ana, even if Dan shared something since."""
    conversation = Conversation()
    unsaid = lambda _m: Wish.UNSAID  # noqa: E731
    conversation.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    conversation.add(reading(1, "dan", "share"), Sensitivity.NORMAL, unsaid)
    conversation.add(reading(2, "ben", "advice", reply_to="ana"), Sensitivity.NORMAL, unsaid)
    drift = conversation.add(reading(3, "cat", "advice", reply_to="ana"), Sensitivity.NORMAL, unsaid)
    assert drift is not None
    assert drift.sharer == "ana"


def test_a_reflection_is_not_mistaken_for_sharing() -> None:
    """Advice after someone's "that sounds hard" still counts for the person who shared."""
    conversation = Conversation()
    unsaid = lambda _m: Wish.UNSAID  # noqa: E731
    conversation.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    echo = Reading("1", "ben", T0 + timedelta(minutes=1), advice=False, responding=True)
    conversation.add(echo, Sensitivity.NORMAL, unsaid)
    conversation.add(reading(2, "cat", "advice"), Sensitivity.NORMAL, unsaid)
    drift = conversation.add(reading(3, "dan", "advice"), Sensitivity.NORMAL, unsaid)
    assert drift is not None
    assert drift.sharer == "ana"


def test_advice_far_apart_in_time_is_not_a_drift() -> None:
    """Two advice replies more than the window apart don't add up."""
    conversation = Conversation()
    unsaid = lambda _m: Wish.UNSAID  # noqa: E731
    conversation.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    conversation.add(reading(1, "ben", "advice"), Sensitivity.NORMAL, unsaid)
    later = T0 + timedelta(hours=3)
    conversation.add(reading(2, "ana", "share", at=later), Sensitivity.NORMAL, unsaid)
    assert conversation.add(reading(3, "cat", "advice", at=later), Sensitivity.NORMAL, unsaid) is None


def test_a_thread_made_on_a_sharing_in_the_room_begins_with_it() -> None:
    """Replies in a thread hanging on Ana's message in the room answer Ana (a Matrix thread
    root, a Discord thread made from a post): two advice replies there are a drift."""
    unsaid = lambda _m: Wish.UNSAID  # noqa: E731
    room, thread = Conversation(), Conversation()
    room.add(reading(0, "ana", "share"), Sensitivity.NORMAL, unsaid)
    opening = room.reading("0")
    assert opening is not None
    thread.begin_with(opening)
    thread.add(reading(1, "ben", "advice"), Sensitivity.NORMAL, unsaid)
    drift = thread.add(reading(2, "cat", "advice"), Sensitivity.NORMAL, unsaid)
    assert drift is not None
    assert (drift.member, drift.sharer) == ("cat", "ana")


def test_a_thread_made_on_an_ask_for_ideas_keeps_the_ask() -> None:
    """When the message the thread hangs on asked for ideas, advice in the thread is welcome."""
    unsaid = lambda _m: Wish.UNSAID  # noqa: E731
    room, thread = Conversation(), Conversation()
    room.add(reading(0, "ana", "ideas"), Sensitivity.NORMAL, unsaid)
    opening = room.reading("0")
    assert opening is not None
    thread.begin_with(opening)
    thread.add(reading(1, "ben", "strong"), Sensitivity.NORMAL, unsaid)
    assert thread.add(reading(2, "cat", "advice"), Sensitivity.NORMAL, unsaid) is None


def test_a_thread_begins_with_its_opening_only_once() -> None:
    """A thread that has a window already keeps it as it is."""
    unsaid = lambda _m: Wish.UNSAID  # noqa: E731
    thread = Conversation()
    thread.add(reading(5, "dan", "share"), Sensitivity.NORMAL, unsaid)
    thread.begin_with(reading(0, "ana", "share"))
    assert (len(thread), thread.reading("0")) == (1, None)

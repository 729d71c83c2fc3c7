"""Acceptance through the whole path: the IPS seed's first and second exchanges, in a circle's
prompt thread in the sandbox, at the default sensitivity.

The seed (``shared/seeds/000_0445fe581ed9e5f2.txt``) shows Alison answering Marie twice: first
by fixing (a label, a push towards exercise, a push towards medication), then by connecting.
Its sentences are paraphrased here in our own words; none is copied.
"""

from __future__ import annotations

import pytest

from cogs.nudges.kinds import PLAIN_WORDS
from tests.sandbox import Sandbox, make_circle

MARIE = "marie ^: i honestly don't know what to say. everything is just bad right now and i'm not sure how much more of this i can take"
# Alison's three fixing replies in the first exchange, and the kinds they may be named as.
FIXING = {
    "label": (
        "sounds like your depression is creeping back and getting the better of you again",
        {"labelling"},
    ),
    "coping": (
        "have you been getting outside for walks? you know moving helps when the depression is like this",
        {"coping", "problem_solving", "labelling"},
    ),
    "treatment": (
        "maybe it's time you asked your doctor about switching your meds?",
        {"treatment"},
    ),
}
# Her connecting replies in the second exchange.
CONNECTING = (
    "you know, i think i rushed straight into trying to fix things just now, and i can't stand it when people do that to me. i'd really like to understand what you're going through. could we start again?",
    "i think i might know what you mean. can i try something out, if that's alright with you?",
    "i can't say what it's like for you, but for me it's as if i wake up one day and the people i thought loved me don't actually know me at all. it leaves me hollow and on my own. is it anything like that for you?",
    "you're right, i don't really. maybe i never will. i'd still like us to find a way to be together in this, i don't want to just leave. would it be ok if we sat here for a while? we don't need to say anything",
    "yes, i would",
    "because sometimes that's all i want from people too",
    "i think for me, people get so caught up in what i'm saying or not saying that they don't really hear me. i stay lonely and they end up feeling useless and stuck. i hope that makes some sense",
)


def notes_to(sb: Sandbox, member: str) -> list[str]:
    return [text for text in sb.private_to(member) if "nudges off" in text]


async def prompt_thread(sb: Sandbox) -> None:
    """A circle with Marie and Alison, and a reflection prompt opening its own thread."""
    await make_circle(sb, "marie", "alison")
    out = await sb.say("alice: /prompt now")
    assert "⤷ thread" in out


@pytest.mark.parametrize("name", list(FIXING))
async def test_each_fixing_reply_after_maries_sharing_earns_a_note_that_why_names(
    sb: Sandbox, name: str
) -> None:
    """Each of Alison's fixing replies, after Marie's sharing in a prompt thread, gets a private
    note at the default level, and `nudges why` names its kind in plain words."""
    reply, kinds = FIXING[name]
    await prompt_thread(sb)
    await sb.say(MARIE, f"alison ^: {reply}")
    (note,) = notes_to(sb, "alison")
    assert notes_to(sb, "marie") == []
    await sb.say("alison: /nudges why")
    explanation = sb.private_to("alison")[-1]
    assert any(PLAIN_WORDS[kind] in explanation for kind in kinds), explanation
    assert any(PLAIN_WORDS[kind] in note for kind in kinds), note
    assert reply[:30] not in explanation  # the kind in words, never her words


async def test_the_first_exchange_as_it_happens_earns_one_note_not_three(sb: Sandbox) -> None:
    """All three replies in a row: the first earns the note, and the rate limits keep the
    others quiet (one note per person per half hour)."""
    await prompt_thread(sb)
    await sb.say(MARIE, *(f"alison ^: {reply}" for reply, _ in FIXING.values()))
    assert len(notes_to(sb, "alison")) == 1


async def test_the_connecting_replies_of_the_second_exchange_earn_none(sb: Sandbox) -> None:
    """Alison's connecting replies, Marie answering in between, never earn a note."""
    await prompt_thread(sb)
    marie_answers = (
        "things are really bad. i just, i don't even know. it's like walking around with a hole in me",
        "yeah, go on",
        "no. that's not it for me at all. you don't get it",
        "you'd really do that?",
        "why though?",
        "i'd like to hear more about that",
    )
    lines = [MARIE]
    for number, reply in enumerate(CONNECTING):
        lines.append(f"alison ^: {reply}")
        if number < len(marie_answers):
            lines.append(f"marie ^: {marie_answers[number]}")
    await sb.say(*lines)
    assert notes_to(sb, "alison") == []
    assert notes_to(sb, "marie") == []


@pytest.mark.parametrize("reply", CONNECTING)
async def test_each_connecting_reply_alone_earns_none(sb: Sandbox, reply: str) -> None:
    """Each connecting reply, on its own right after Marie's sharing, earns no note."""
    await prompt_thread(sb)
    await sb.say(MARIE, f"alison ^: {reply}")
    assert notes_to(sb, "alison") == []

"""Agreements on every platform across the bot's downtime: votes changed while it was away are
reconciled, a proposal whose time passed closes on start-up, and an objection made meanwhile
opens its conversation once."""

from __future__ import annotations

from datetime import timedelta

from bot.chat import MessageRef, Platform
from tests.contract.driver import Driver, OpenWorld, Post, table
from tests.contract.test_circles import make_circle

CONSENT = "\N{WHITE HEAVY CHECK MARK}"
CONCERN = "\N{THINKING FACE}"
OBJECT = "\N{RAISED HAND}"
PROPOSAL_TEXT = "We keep what is shared in the circle within the circle."


async def propose(d: Driver, who: str, options: str = "") -> Post:
    """``who`` proposes PROPOSAL_TEXT; returns the post people vote on (its thread's root)."""
    line = f"agreement propose {PROPOSAL_TEXT} {options}".rstrip()
    await d.ask(who, line, expect="Your proposal is up")
    post = await d.bot_post("**Proposal 1**")
    assert post.thread is None
    return post


def held(d: Driver, *cast: str) -> dict[str, list[str]]:
    """The option reactions each of ``cast`` holds on proposal 1, oldest first (the last is the vote)."""
    names = {d.member(who).id: who for who in cast}
    out: dict[str, list[str]] = {}
    rows = table(
        d, "SELECT member_id, choice FROM agreement_reactions WHERE proposal_id = 1 ORDER BY id"
    )
    for member, choice in rows:
        out.setdefault(names.get(member, member), []).append(choice)
    return out


async def test_votes_changed_while_the_bot_was_away_are_reconciled_and_later_ones_count_live(
    world: OpenWorld,
) -> None:
    """Reactions added, taken back, or made by a non-member while the bot was down are reconciled; later ones count live."""
    d = await world("bob", "carol", "dan", "erin")
    cast = ("alice", "bob", "carol", "dan", "erin")
    await make_circle(d, "bob", "carol", "dan")
    post = await propose(d, "bob")
    await d.react("alice", post, CONSENT)
    await d.react("bob", post, CONSENT)
    await d.react("bob", post, CONCERN)
    assert held(d, *cast) == {"alice": ["consent"], "bob": ["consent", "concern"]}

    await d.down()  # meanwhile Bob takes back his concern, Carol has one, Erin (no member) objects
    await d.unreact("bob", post, CONCERN)
    await d.react("carol", post, CONCERN)
    await d.react("erin", post, OBJECT)
    await d.up()
    assert held(d, *cast) == {"alice": ["consent"], "bob": ["consent"], "carol": ["concern"]}

    await d.react("dan", post, CONSENT)  # the last member: it closes early, adopted
    outcome = await d.bot_post("**Proposal 1 is adopted.**", thread=post)
    assert "✅ consent 3 · 🤔 concern 1 · ✋ object 0 · 4 of 4 members voted." in outcome.text
    assert (await d.text_of(post)).startswith("**Closed on 2 March 2026: adopted.**")
    assert table(d, "SELECT result, counts, voters, members FROM agreement_proposals") == [
        ("adopted", '{"consent": 3, "concern": 1, "object": 0}', 4, 4)
    ]
    assert held(d, *cast) == {}  # closed: only the counts are kept


async def test_a_proposal_whose_time_passed_while_the_bot_was_away_closes_on_start_up(
    world: OpenWorld,
) -> None:
    """A proposal whose closing time passed while the bot was down closes on start-up, counting votes made meanwhile."""
    d = await world("bob", "carol")
    await make_circle(d, "bob", "carol")
    post = await propose(d, "bob", "closes=2h")
    await d.react("alice", post, CONSENT)

    await d.down()  # from 09:00 to 12:00; voting was to close at 11:00
    await d.pass_time(timedelta(hours=3))
    await d.react("bob", post, CONSENT)  # without it, 1 of 3 would miss the quorum
    await d.up()

    outcome = await d.bot_post("**Proposal 1 is adopted.**", thread=post)
    assert "✅ consent 2 · 🤔 concern 0 · ✋ object 0 · 2 of 3 members voted." in outcome.text
    assert table(d, "SELECT closed_at, result FROM agreement_proposals") == [
        ("2026-03-02T12:00:00.000000Z", "adopted")
    ]
    # Bob's consent counted, so nobody hears anything about it.
    assert table(d, "SELECT * FROM agreement_notes") == []
    assert await d.told_privately("bob") == []


async def test_an_objection_made_while_the_bot_was_away_opens_its_conversation_once(
    world: OpenWorld,
) -> None:
    """An objection made while the bot was down brings, once, the private invitation and the note in the thread."""
    d = await world("bob")
    await make_circle(d, "bob")
    post = await propose(d, "alice")

    await d.down()
    await d.react("bob", post, OBJECT)
    await d.up()

    invitation = "Thank you for saying you object to proposal 1 in Tuesday."
    await d.private("bob", invitation)
    note = await d.bot_post("An objection has come in.", thread=post)
    assert note.thread == post.id
    assert held(d, "bob") == {"bob": ["object"]}
    assert table(d, "SELECT member_id, kind FROM agreement_notes") == [
        (d.member("bob").id, "objection")
    ]

    await d.down()
    await d.up()
    told = await d.told_privately("bob")
    assert sum(invitation in text for text in told) == 1
    posts = await d.bot_posts(thread=post)
    assert sum("An objection has come in." in p.text for p in posts) == 1


BLOCK = "\N{OCTAGONAL SIGN}"
WHY = "I'd like us to agree first on how we tell someone we're leaving early."


async def test_a_block_is_named_as_a_block_and_its_reason_shows_without_a_name(
    world: OpenWorld,
) -> None:
    """A block brings a private thank-you that offers a reason; the reason, given with the
    command, shows in the proposal's thread without the blocker's name."""
    d = await world("bob", "carol")
    await make_circle(d, "bob", "carol")
    await d.ask("alice", "agreement settings process=proposal", expect="From now on")
    post = await propose(d, "bob")
    await d.react("carol", post, BLOCK)
    invite = await d.private("carol", "Thank you for placing a block on proposal 1")
    assert "agreement reason 1 <your reason>" in invite
    reply = await d.ask("carol", f"agreement reason 1 {WHY}", expect="Your reason is in the thread")
    assert "without your name" in reply.text
    shown = await d.bot_post("A reason shared with a block, without a name", thread=post)
    text = await d.text_of(shown)
    assert WHY in text
    assert d.name("carol") not in text
    assert table(d, "SELECT choice, named FROM agreement_reasons") == [("block", 0)]


async def test_a_reaction_on_a_secret_ballot_comes_off_with_a_private_note(
    world: OpenWorld,
) -> None:
    """On a secret ballot a vote reaction is no vote: the bot takes it off the post where the
    platform lets it, and tells its giver privately how to vote."""
    d = await world("bob", "carol")
    await make_circle(d, "bob", "carol")
    post = await propose(d, "bob", "ballot=secret")
    assert "with a secret ballot" in post.text
    await d.react("carol", post, OBJECT)
    note = await d.private("carol", "is decided by secret ballot")
    shown = await d.chat.reactions(MessageRef(d.room, post.id))
    # Taking someone's reaction off needs a permission the room may not give the bot (Manage
    # Messages on Discord, which the README's invite leaves out; the redact power level on
    # Matrix). Either way the note says truly what happened, and the reaction is no vote.
    if "I've taken your reaction off its post" in note:
        assert OBJECT not in shown.by_key
    else:
        assert "I couldn't take yours off; you may like to remove it yourself" in note
        assert OBJECT in shown.by_key
    if d.room.platform is Platform.LOCAL:
        assert OBJECT not in shown.by_key  # the sandbox lets the bot, as a moderator could
    assert table(d, "SELECT COUNT(*) FROM agreement_ballots") == [(0,)]
    assert table(d, "SELECT COUNT(*) FROM agreement_reactions") == [(0,)]

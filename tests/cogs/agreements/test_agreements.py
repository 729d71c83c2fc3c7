"""Group agreements, spoken through the sandbox: proposing, voting with reactions, objections,
new versions, closing, the pinned registry, settings and the starter set."""

from __future__ import annotations

from datetime import timedelta

from tests.cogs.agreements.support import (
    ABSTAIN,
    AGREE,
    BLOCK,
    CONCERN,
    CONSENT,
    DISAGREE,
    OBJECT,
    PROPOSAL_TEXT,
    held,
    message_text,
    post_of,
    registry_id,
    result,
    table,
    votes,
)
from tests.sandbox import Sandbox, make_circle


async def propose(sb: Sandbox, who: str = "bob", text: str = PROPOSAL_TEXT, extra: str = "") -> str:
    return await sb.say(f"{who}: /agreement propose {text} {extra}".rstrip())


# --- proposing -------------------------------------------------------------------------------


async def test_a_proposal_is_posted_with_its_options_closing_time_and_thread(sb: Sandbox) -> None:
    """The post names each option's meaning and the closing time in the circle's zone, carries
    the option reactions, and is the first message of its own thread."""
    await make_circle(sb, "bob", "carol", extra="time_zone=Europe/Berlin")
    out = await propose(sb, extra="closes=48h")
    assert "📜 **Proposal 1**" in out
    assert "Bob proposes this for Tuesday." in out
    assert f"> {PROPOSAL_TEXT}" in out
    assert "✅ **consent**: I can go along with this" in out
    assert "🤔 **concern**: I have a concern I'd like to talk about" in out
    assert "✋ **object**: I can't go along with this yet" in out
    # opened Monday 2 March 2026, 17:00 UTC; 48 hours later is 18:00 in Berlin (UTC+1 in March)
    assert "Voting closes Wednesday 4 March 2026, 18:00 (Europe/Berlin)" in out
    assert "It passes if nobody objects and at least 50% of us vote." in out
    assert "only bob sees: Your proposal is up, in its own thread (proposal 1)" in out
    post = sb.last_thread
    assert table(sb, "SELECT message_id, thread_id FROM agreement_proposals") == [(post, post)]
    assert sb.chat is not None
    assert set(sb.chat.messages[post].reactions) == {CONSENT, CONCERN, OBJECT}
    assert sb.chat.threads[post].startswith("Proposal 1 · We start and end on time")


async def test_the_default_closing_time_is_72_hours(sb: Sandbox) -> None:
    """Without closes=, voting stays open three days."""
    await make_circle(sb, "bob")
    await propose(sb)
    assert table(sb, "SELECT opened_at, closes_at FROM agreement_proposals") == [
        ("2026-03-02T17:00:00.000000Z", "2026-03-05T17:00:00.000000Z")
    ]


# --- voting ----------------------------------------------------------------------------------


async def test_it_closes_early_once_everyone_has_voted_and_joins_the_pinned_registry(
    sb: Sandbox,
) -> None:
    """When every member has voted and nobody objects, it closes at once, is adopted, and the
    registry is posted in the circle's room and pinned."""
    await make_circle(sb, "bob", "carol")
    await propose(sb)
    await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}")
    assert result(sb, 1) is None
    out = await sb.say(f"carol +^ {CONCERN}")
    assert "🌿 **Proposal 1 is adopted.**" in out
    assert "✅ consent 2 · 🤔 concern 1 · ✋ object 0 · 3 of 3 members voted." in out
    assert "It's agreement 1 in our registry now, and we'll look at it again on 31 May 2026." in out
    assert "**Closed on 2 March 2026: adopted.**" in message_text(sb, sb.last_thread)
    registry = registry_id(sb)
    assert registry is not None
    assert f"📌 #{registry} pinned" in out
    text = message_text(sb, registry)
    assert "**Our agreements · Tuesday**" in text
    assert "**1 · We start and end on time" in text
    assert (
        "version 1 · adopted 2 March 2026 · by consent (✅ 2 🤔 1 ✋ 0; 3 of 3 voted) · next review 31 May 2026"
        in text
    )
    assert sb.chat is not None
    assert sb.chat.messages[registry].thread_id is None
    assert table(sb, "SELECT id, version, decided_by FROM agreements") == [(1, 1, 1)]
    assert table(sb, "SELECT COUNT(*) FROM agreement_reactions") == [
        (0,)
    ]  # who chose what is not kept


async def test_the_registry_is_edited_in_place(sb: Sandbox) -> None:
    """A second adoption edits the same pinned post; nothing new is posted or pinned."""
    await make_circle(sb, "bob")
    await propose(sb)
    await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}")
    registry = registry_id(sb)
    await propose(sb, text="We ask before offering ideas.")
    out = await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}")
    assert registry_id(sb) == registry
    assert f"✎ #{registry} now reads" in out
    assert "pinned" not in out
    text = message_text(sb, str(registry))
    assert "**1 · We start and end on time" in text
    assert "**2 · We ask before offering ideas.**" in text


async def test_only_members_count_and_others_hear_why_once(sb: Sandbox) -> None:
    """A non-member's reaction isn't counted; they get one kind private note per proposal."""
    await make_circle(sb, "bob")
    await propose(sb)
    await sb.say(f"dan +^ {CONSENT}", f"dan -^ {CONSENT}", f"dan +^ {OBJECT}")
    notes = sb.private_to("dan")
    assert len(notes) == 1
    assert (
        "Votes there come from the members of Tuesday, so your reaction isn't counted" in notes[0]
    )
    assert "`/circle join Tuesday`" in notes[0]
    assert held(sb, 1) == {}


async def test_the_latest_reaction_wins_and_taking_it_back_withdraws_it(sb: Sandbox) -> None:
    """A second option moves the vote; taking back an older one changes nothing; taking back
    the current one falls back to what is still held, and the last one withdraws the vote."""
    await make_circle(sb, "bob", "carol")
    await propose(sb)
    await sb.say(f"bob +^ {CONSENT}", f"bob +^ {CONCERN}")
    assert votes(sb, 1) == {"bob": "concern"}
    await sb.say(f"bob +^ {OBJECT}", f"bob -^ {CONSENT}")
    assert held(sb, 1) == {"bob": ["concern", "object"]}
    await sb.say(f"bob -^ {OBJECT}")
    assert votes(sb, 1) == {"bob": "concern"}
    await sb.say(f"bob -^ {CONCERN}")
    assert votes(sb, 1) == {}


async def test_emoji_variants_count_as_the_same_option(sb: Sandbox) -> None:
    """A skin tone or a variation selector on a reaction is still that option."""
    await make_circle(sb, "bob", "carol")
    await propose(sb)
    await sb.say("bob +^ ✋🏽", "carol +^ ✅\ufe0f")
    assert votes(sb, 1) == {"bob": "object", "carol": "consent"}


async def test_other_reactions_and_other_messages_are_just_reactions(sb: Sandbox) -> None:
    """A heart on the proposal, or a ✅ on any other message, changes nothing and says nothing."""
    await make_circle(sb, "bob")
    await propose(sb)
    out = await sb.say("bob +^ ❤️", f"bob +2 {CONSENT}", f"dan +2 {OBJECT}")
    assert held(sb, 1) == {}
    assert sb.private_to("bob") == []
    assert sb.private_to("dan") == []
    assert "circlekeeper:" not in out


# --- objections and new versions ------------------------------------------------------------


async def test_an_objection_opens_a_conversation(sb: Sandbox) -> None:
    """The objector is invited privately, once; the thread hears once that an objection starts
    a conversation; and the proposal stays open even when everyone has voted."""
    await make_circle(sb, "bob", "carol")
    await propose(sb)
    out = await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}", f"carol +^ {OBJECT}")
    invite = sb.private_to("carol")
    assert len(invite) == 1
    assert "What would make it workable for you?" in invite[0]
    assert "or to Bob directly" in invite[0]
    assert "an objection is the start of a conversation, not the end of one" in out
    assert "Bob can post a new version with `/agreement amend 1 <new text>`" in out
    assert result(sb, 1) is None
    out = await sb.say(f"carol -^ {OBJECT}", f"carol +^ {OBJECT}")
    assert len(sb.private_to("carol")) == 1
    assert "start of a conversation" not in out
    out = await sb.say(
        f"carol +^ {CONCERN}"
    )  # moves on to a concern: everyone has voted, no objection
    assert "**Proposal 1 is adopted.**" in out


async def test_an_objection_that_stands_closes_the_proposal_unadopted(sb: Sandbox) -> None:
    """At the closing time an objection means not adopted, said kindly with what happens next."""
    await make_circle(sb, "bob", "carol")
    await propose(sb)
    await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}", f"carol +^ {OBJECT}")
    out = await sb.wait(timedelta(hours=72))
    assert "**Proposal 1 isn't adopted this time.**" in out
    assert "✅ consent 2 · 🤔 concern 0 · ✋ object 1 · 3 of 3 members voted." in out
    assert "There's still an objection, so we're not there yet." in out
    assert (
        "The conversation can carry on in this thread, and anyone can propose a revised version"
        in out
    )
    assert table(sb, "SELECT COUNT(*) FROM agreements") == [(0,)]
    assert registry_id(sb) is None


async def test_amending_posts_a_new_version_and_starts_the_votes_afresh(sb: Sandbox) -> None:
    """The proposer's new version goes into the thread with fresh reactions; the old post says
    it was replaced; votes reset; those who had voted hear privately; the clock restarts."""
    await make_circle(sb, "bob", "carol")
    await propose(sb, extra="closes=24h")
    first = sb.last_thread
    await sb.say(f"alice +^ {CONSENT}", f"carol +^ {OBJECT}")
    await sb.wait(timedelta(hours=10))
    out = await sb.say(
        "bob: /agreement amend 1 We start on time and end on time, and leaving early is always fine."
    )
    second = post_of(sb, 1)
    assert second != first
    assert f"#{second} [in #{first}" in out
    assert "✏️ **Proposal 1, version 2**" in out
    assert "Bob has changed the proposal, so the votes start afresh." in out
    assert "only bob sees: Version 2 of proposal 1 is up in its thread" in out
    assert "Reactions here no longer count" in message_text(sb, first)
    assert f"> {PROPOSAL_TEXT}" in message_text(sb, first)  # its words stay
    assert held(sb, 1) == {}
    assert sb.private_to("alice")[-1].startswith("Proposal 1 in Tuesday has a new version")
    assert any("has a new version" in note for note in sb.private_to("carol"))
    # amended 10 hours in: the 24-hour clock starts again
    assert table(sb, "SELECT version, closes_at FROM agreement_proposals") == [
        (2, "2026-03-04T03:00:00.000000Z")
    ]
    # reactions on the old post no longer count; on the new one they do
    await sb.say(f"alice +{first} {OBJECT}", f"alice +{second} {CONSENT}")
    assert votes(sb, 1) == {"alice": "consent"}
    out = await sb.say(f"bob +{second} {CONSENT}", f"carol +{second} {CONSENT}")
    assert "**Proposal 1 is adopted.**" in out
    assert table(sb, "SELECT text, version FROM agreements") == [
        ("We start on time and end on time, and leaving early is always fine.", 1)
    ]


# --- closing rules in the conversation -------------------------------------------------------


async def test_without_quorum_it_is_not_adopted_and_says_why(sb: Sandbox) -> None:
    """One vote of four doesn't reach half of us; the outcome says so and counts each option."""
    await make_circle(sb, "bob", "carol", "dan")
    await propose(sb)
    await sb.say(f"bob +^ {CONSENT}")
    out = await sb.wait(timedelta(hours=72))
    assert "**Proposal 1 isn't adopted this time.**" in out
    assert "✅ consent 1 · 🤔 concern 0 · ✋ object 0 · 1 of 4 members voted." in out
    assert (
        "A decision needs 50% of us to take part (2 of 4), and this time fewer of us had room for it. That's all right."
        in out
    )
    assert result(sb, 1) == "no_quorum"


async def test_with_quorum_it_is_adopted_at_the_closing_time(sb: Sandbox) -> None:
    """Two of four voting, nobody objecting: adopted when the time comes."""
    await make_circle(sb, "bob", "carol", "dan")
    await propose(sb)
    await sb.say(f"bob +^ {CONSENT}", f"carol +^ {CONCERN}")
    out = await sb.wait(timedelta(hours=71))
    assert "adopted" not in out
    out = await sb.wait(timedelta(hours=1))
    assert "**Proposal 1 is adopted.**" in out


async def test_the_proposal_process_uses_its_own_options_and_rules(sb: Sandbox) -> None:
    """With process=proposal: 👍 🤷 👎 🛑; a block stops it; otherwise agrees need the threshold."""
    await make_circle(sb, "bob", "carol", "dan")
    out = await sb.say("alice: /agreement settings process=proposal threshold=60")
    assert (
        "From now on, Tuesday decides its agreements like this: proposal vote · quorum 50% · threshold 60%"
        in out
    )
    out = await propose(sb)
    assert "We decide by proposal vote" in out
    assert "🛑 **block**: This doesn't sit right with me as it stands; let's talk it through" in out
    assert "live with" not in out
    assert "at least 60% of the votes for or against agree" in out
    out = await sb.say(
        f"alice +^ {AGREE}", f"bob +^ {BLOCK}", f"carol +^ {AGREE}", f"dan +^ {ABSTAIN}"
    )
    # a block is named and thanked as a block, in the thread and in private
    assert "A block has come in." in out
    assert "objection" not in out.lower()
    (invite,) = sb.private_to("bob")
    assert "Thank you for placing a block on proposal 1 in Tuesday." in invite
    assert "object" not in invite
    assert result(sb, 1) is None  # a block keeps it open for the conversation
    out = await sb.wait(timedelta(hours=72))
    assert "There's a block, so we're not there yet." in out
    assert "👍 agree 2 · 🤷 abstain 1 · 👎 disagree 0 · 🛑 block 1" in out
    await propose(sb, text="We meet every other week.")
    out = await sb.say(
        f"alice +^ {AGREE}", f"bob +^ {DISAGREE}", f"carol +^ {DISAGREE}", f"dan +^ {AGREE}"
    )
    assert "50% of the votes for or against agreed, and we decide at 60%." in out
    assert result(sb, 2) == "below_threshold"


async def test_changing_settings_leaves_open_proposals_as_they_began(sb: Sandbox) -> None:
    """A proposal keeps the process it opened with."""
    await make_circle(sb, "bob")
    await propose(sb)
    await sb.say("alice: /agreement settings process=proposal")
    out = await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}")
    assert "**Proposal 1 is adopted.**" in out


async def test_settings_show_the_circle_choices(sb: Sandbox) -> None:
    """Without options, settings shows what the circle decides with, defaults included."""
    await make_circle(sb)
    out = await sb.say("alice: /agreement settings")
    assert (
        "Process: consent · quorum 50% · threshold 67% (proposal vote only) · reminder 1 day before closing · review after 90 days · ballot open, with reactions."
        in out
    )


# --- reminders -------------------------------------------------------------------------------


async def test_a_reminder_goes_once_and_only_to_those_who_have_not_voted(sb: Sandbox) -> None:
    """24 hours before closing, members without a vote get one private reminder; voters none."""
    await make_circle(sb, "bob", "carol", "dan")
    await propose(sb)
    await sb.say(f"bob +^ {CONSENT}", f"carol +^ {OBJECT}")
    await sb.wait(timedelta(hours=47))
    assert sb.private_to("alice") == []
    await sb.wait(timedelta(hours=1))
    for member in ("alice", "dan"):
        reminders = [
            n for n in sb.private_to(member) if n.startswith("Proposal 1 in Tuesday closes")
        ]
        assert len(reminders) == 1
        assert "Proposal 1 in Tuesday closes Thursday 5 March 2026, 17:00 (UTC)" in reminders[0]
    assert not [
        n for n in sb.private_to("bob") + sb.private_to("carol") if "your voice is welcome" in n
    ]
    await sb.wait(timedelta(hours=12))
    assert len([n for n in sb.private_to("alice") if "your voice is welcome" in n]) == 1


# --- leaving and joining mid-vote -------------------------------------------------------------


async def test_a_member_who_leaves_mid_vote_has_their_vote_dropped(sb: Sandbox) -> None:
    """Leaving the circle drops the vote, and the circle's count no longer waits for them."""
    await make_circle(sb, "bob", "carol", "dan")
    await propose(sb)
    await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}", f"dan +^ {OBJECT}")
    await sb.say("dan: /circle leave")
    assert votes(sb, 1) == {"alice": "consent", "bob": "consent"}
    out = await sb.say(f"carol +^ {CONSENT}")
    assert "**Proposal 1 is adopted.**" in out
    assert "3 of 3 members voted" in out


async def test_leaving_can_complete_the_vote(sb: Sandbox) -> None:
    """When the only member who hadn't voted leaves, everyone left has voted: it closes."""
    await make_circle(sb, "bob", "carol")
    await propose(sb)
    await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}")
    out = await sb.say("carol: /circle leave")
    assert "**Proposal 1 is adopted.**" in out


async def test_someone_who_joins_mid_vote_may_vote_and_is_waited_for(sb: Sandbox) -> None:
    """A newcomer counts towards everyone-has-voted from joining, and their vote counts."""
    await make_circle(sb, "bob")
    await propose(sb)
    await sb.say(f"alice +^ {CONSENT}", "carol: /circle join")
    out = await sb.say(f"bob +^ {CONSENT}")
    assert "adopted" not in out
    out = await sb.say(f"carol +^ {CONCERN}")
    assert "**Proposal 1 is adopted.**" in out
    assert "3 of 3 members voted" in out


async def test_a_reaction_from_before_joining_counts_once_they_join(sb: Sandbox) -> None:
    """Someone who reacted, then joined, has that reaction counted from then on."""
    await make_circle(sb, "bob", "carol")
    await propose(sb)
    await sb.say(f"dan +^ {CONCERN}")
    assert held(sb, 1) == {}
    await sb.say("dan: /circle join")
    assert votes(sb, 1) == {"dan": "concern"}


# --- reviews, retiring and the registry --------------------------------------------------------


async def adopt(
    sb: Sandbox, who: tuple[str, ...] = ("alice", "bob"), text: str = PROPOSAL_TEXT
) -> None:
    await propose(sb, text=text)
    await sb.say(*(f"{person} +^ {CONSENT}" for person in who))


async def test_a_review_opens_on_the_review_date_and_keeping_it_moves_the_date_on(
    sb: Sandbox,
) -> None:
    """After 90 days a review opens by the same process; consenting keeps the agreement and
    sets the next review 90 days on."""
    await make_circle(sb, "bob")
    await adopt(sb)
    out = await sb.wait(timedelta(days=89))
    assert "review" not in out
    out = await sb.wait(timedelta(days=1))
    assert "🔁 **Proposal 2 · a review of agreement 1**" in out
    assert "Shall we keep it as it is?" in out
    assert "`/agreement amend 2 <new wording>`" in out
    assert "`/agreement retire 1`" in out
    assert "next review under way now" in message_text(sb, str(registry_id(sb)))
    out = await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}")
    assert "We keep agreement 1 as it is, and we'll look at it again on 29 August 2026." in out
    assert table(sb, "SELECT version, review_at FROM agreements") == [
        (1, "2026-08-29T17:00:00.000000Z")
    ]
    assert "next review 29 August 2026" in message_text(sb, str(registry_id(sb)))


async def test_a_review_can_become_a_new_wording(sb: Sandbox) -> None:
    """Amending a review proposes a new wording; adopting it makes version 2 in the registry."""
    await make_circle(sb, "bob")
    await adopt(sb)
    await sb.wait(timedelta(days=90))
    out = await sb.say(
        "bob: /agreement amend 2 We start on time, and anyone can step out whenever they need."
    )
    assert "a new wording for agreement 1" in out
    assert "Bob proposes this new wording for agreement 1." in out
    post = post_of(sb, 2)
    out = await sb.say(f"alice +{post} {CONSENT}", f"bob +{post} {CONSENT}")
    assert "Agreement 1 now reads as version 2" in out
    assert table(sb, "SELECT text, version, decided_by, proposed_by FROM agreements") == [
        ("We start on time, and anyone can step out whenever they need.", 2, 2, "bob")
    ]
    assert "version 2 · this version adopted 31 May 2026" in message_text(sb, str(registry_id(sb)))


async def test_a_review_that_does_not_pass_leaves_the_agreement_and_comes_back(sb: Sandbox) -> None:
    """If a review isn't agreed, the agreement stays as it is and is reviewed again later."""
    await make_circle(sb, "bob", "carol", "dan")
    await adopt(sb, ("alice", "bob", "carol", "dan"))
    await sb.wait(timedelta(days=90))
    out = await sb.wait(timedelta(hours=72))
    assert "Agreement 1 stays as it is" in out
    assert "It comes up for review again on 1 September 2026." in out
    assert table(sb, "SELECT retired_at IS NULL, review_at FROM agreements") == [
        (1, "2026-09-01T17:00:00.000000Z")
    ]


async def test_retiring_goes_through_a_proposal(sb: Sandbox) -> None:
    """Retiring opens a proposal; once agreed, the agreement leaves the registry."""
    await make_circle(sb, "bob")
    await adopt(sb)
    out = await sb.say("bob: /agreement retire 1")
    assert "🍂 **Proposal 2 · letting agreement 1 go**" in out
    assert "Bob proposes that we let agreement 1 go. It reads:" in out
    assert table(sb, "SELECT retired_at FROM agreements") == [(None,)]
    out = await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}")
    assert "Agreement 1 is retired, with thanks for what it gave us." in out
    assert table(sb, "SELECT retired_at IS NOT NULL, review_at FROM agreements") == [(1, None)]
    assert "No agreements yet." in message_text(sb, str(registry_id(sb)))
    out = await sb.wait(timedelta(days=100))
    assert "review" not in out


async def test_retiring_during_a_review_turns_the_review_into_a_retirement(sb: Sandbox) -> None:
    """Keep, change or retire: asking to retire while a review is open reshapes that review."""
    await make_circle(sb, "bob")
    await adopt(sb)
    await sb.wait(timedelta(days=90))
    out = await sb.say("bob: /agreement retire 1")
    assert "the review (proposal 2) now asks whether to let it go" in out
    assert table(sb, "SELECT kind, version FROM agreement_proposals WHERE id = 2") == [
        ("retire", 2)
    ]


async def test_a_member_can_open_a_review_early(sb: Sandbox) -> None:
    """Any of us can ask to revisit an agreement at any time."""
    await make_circle(sb, "bob")
    await adopt(sb)
    out = await sb.say("bob: /agreement review 1")
    assert "🔁 **Proposal 2 · a review of agreement 1**" in out
    out = await sb.say("bob: /agreement review 1")
    assert "There's already an open proposal about agreement 1: proposal 2." in out


async def test_list_and_show(sb: Sandbox) -> None:
    """`list` shows the agreements and what is open; `show` an agreement with its history, or a
    proposal."""
    await make_circle(sb, "bob", "carol")
    await adopt(sb, ("alice", "bob", "carol"))
    await propose(sb, text="We ask before offering ideas.")
    await sb.say(f"bob +^ {CONSENT}")
    out = await sb.say("carol: /agreement list")
    assert "• **1** · We start and end on time" in out
    assert "We decide by consent; quorum 50%." in out
    assert (
        "• 2 · We ask before offering ideas. · 1 of 3 voted so far · closes Thursday 5 March 2026, 17:00 (UTC)"
        in out
    )
    out = await sb.say("carol: /agreement show 1")
    assert "**Agreement 1 · We start and end on time" in out
    assert "(in force)" in out
    assert (
        "Version 1, adopted 2 March 2026 by consent (✅ 3 🤔 0 ✋ 0; 3 of 3 voted). Proposed by Bob."
        in out
    )
    assert "History: proposal 1 (proposed, adopted)" in out
    out = await sb.say("carol: /agreement show 2")
    assert "**Proposal 2** (version 1, open until Thursday 5 March 2026, 17:00 (UTC))" in out
    assert "1 of 3 members have voted so far." in out


# --- the starter set ----------------------------------------------------------------------------


async def test_starters_are_listed_and_proposed_one_vote_each(sb: Sandbox) -> None:
    """A facilitator sees the starter set, proposes chosen ones (each its own thread and vote),
    and `all` proposes the rest, skipping what is open."""
    await make_circle(sb, "bob")
    out = await sb.say("alice: /agreement starters")
    assert "`passing-is-fine`: Passing is always fine" in out
    assert "`what-is-shared-stays`: What's shared here stays here" in out
    out = await sb.say("alice: /agreement starters passing-is-fine, ask-before-ideas")
    assert (
        "I've proposed 2 of our starter agreements: “Passing is always fine”, “We ask before offering ideas”."
        in out
    )
    assert "📜 **Proposal 1 · Passing is always fine**" in out
    assert sb.chat is not None
    assert len(sb.chat.threads) == 2
    out = await sb.say("alice: /agreement starters")
    assert "`passing-is-fine`: Passing is always fine (open now)" in out
    out = await sb.say("alice: /agreement starters all")
    assert "I've proposed 8 of our starter agreements" in out
    assert (
        "“We ask before offering ideas”, “Passing is always fine”: already adopted or open here"
        in out
    )
    out = await sb.say("alice: /agreement starters all")
    assert "Every starter agreement is already adopted or open in Tuesday." in out
    assert table(sb, "SELECT COUNT(*), COUNT(DISTINCT starter_id) FROM agreement_proposals") == [
        (10, 10)
    ]


async def test_an_adopted_starter_keeps_its_title_in_the_registry(sb: Sandbox) -> None:
    """The registry names a starter agreement by its title."""
    await make_circle(sb, "bob")
    await sb.say("alice: /agreement starters passing-is-fine")
    await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}")
    assert "**1 · Passing is always fine**" in message_text(sb, str(registry_id(sb)))


async def test_settings_can_change_the_reminder_and_review(sb: Sandbox) -> None:
    """Reminder and review lengths are stored and shown as people wrote them."""
    await make_circle(sb)
    out = await sb.say("alice: /agreement settings reminder=90m review=12w quorum=75")
    assert (
        "quorum 75% · threshold 67% (proposal vote only) · reminder 1 hour 30 minutes before closing · review after 84 days"
        in out
    )
    assert table(
        sb, "SELECT process, quorum_percent, reminder_seconds, review_days FROM agreement_settings"
    ) == [(None, 75, 5400, 84)]


async def test_a_circle_that_lives_in_a_thread_holds_its_proposals_there(sb: Sandbox) -> None:
    """No new thread: the proposal, its outcome and the registry go into the circle's thread."""
    await sb.say("alice: /circle create Tuesday", "alice: /round start")
    await sb.say("alice ^: /circle create Wednesday", "alice: /round end circle=Tuesday")
    home = sb.last_thread
    out = await sb.say(f"alice ^: /agreement propose {PROPOSAL_TEXT}")
    assert f"[in #{home}" in out
    assert sb.chat is not None
    assert sb.last_thread == home
    post = post_of(sb, 1)
    out = await sb.say(f"alice +{post} {CONSENT}")
    assert "**Proposal 1 is adopted.**" in out
    registry = registry_id(sb)
    assert registry is not None
    assert sb.chat.messages[registry].thread_id == home

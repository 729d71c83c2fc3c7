"""How reactions become votes: the pure rules, with property tests over any order of events."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.agreements.ballots import (
    OPTIONS,
    Choice,
    Held,
    Holdings,
    Process,
    add,
    choice_for,
    count,
    is_vote_emoji,
    reconcile,
    remove,
    vote_of,
    votes,
)

CONSENT = [o.choice for o in OPTIONS[Process.CONSENT]]
MEMBERS = "abcde"

Event = tuple[str, Choice, bool]  # (member, option, added)


def apply(events: list[Event]) -> dict[str, Held]:
    holdings: dict[str, Held] = {}
    for member, choice, added in events:
        holdings = add(holdings, member, choice) if added else remove(holdings, member, choice)
    return holdings


def platform_events(
    toggles: list[tuple[str, Choice]],
) -> tuple[list[Event], dict[str, set[Choice]]]:
    """What a platform delivers when people toggle reactions: an add when the reaction is not
    there, a removal when it is. Returns the events and the final reaction state."""
    state: dict[str, set[Choice]] = {}
    events: list[Event] = []
    for member, choice in toggles:
        held = state.setdefault(member, set())
        added = choice not in held
        (held.add if added else held.discard)(choice)
        events.append((member, choice, added))
    return events, {m: h for m, h in state.items() if h}


toggles = st.lists(st.tuples(st.sampled_from(MEMBERS), st.sampled_from(CONSENT)), max_size=60)


@given(toggles)
def test_votes_always_agree_with_the_reactions_people_hold(steps: list[tuple[str, Choice]]) -> None:
    """After any events, a member's vote is one of the reactions they hold, the newest one they
    added, and they have a vote exactly when they hold a reaction."""
    events, final = platform_events(steps)
    holdings = apply(events)
    assert {m: set(h) for m, h in holdings.items()} == final
    for member, held in final.items():
        newest_add = next(
            c for m, c, added in reversed(events) if m == member and added and c in held
        )
        assert vote_of(holdings[member]) == newest_add


@st.composite
def interleaved(draw: st.DrawFn) -> tuple[list[Event], dict[str, Choice]]:
    """Each member toggles reactions and ends holding at most one; their histories are then
    interleaved in any order (one person's reactions don't wait for another's)."""
    histories: dict[str, list[Event]] = {}
    final: dict[str, Choice] = {}
    for member in MEMBERS:
        steps = draw(st.lists(st.sampled_from(CONSENT), max_size=8))
        events, state = platform_events([(member, c) for c in steps])
        held = sorted(state.get(member, set()))
        if held:
            keep = draw(st.sampled_from(held))
            events += [(member, c, False) for c in held if c != keep]
            final[member] = keep
        histories[member] = events
    labels = [m for m, events in histories.items() for _ in events]
    order = draw(st.permutations(labels))
    cursors = dict.fromkeys(MEMBERS, 0)
    merged: list[Event] = []
    for member in order:
        merged.append(histories[member][cursors[member]])
        cursors[member] += 1
    return merged, final


@given(interleaved())
def test_any_order_of_events_gives_the_tally_of_the_final_reaction_state(
    case: tuple[list[Event], dict[str, Choice]],
) -> None:
    """However adds and removals interleave, the tally equals counting the reactions that are
    there at the end."""
    events, final = case
    holdings = apply(events)
    assert count(Process.CONSENT, votes(holdings)) == count(Process.CONSENT, final)
    truth = Counter(final.values())
    assert {c: n for c, n in count(Process.CONSENT, votes(holdings)).items() if n} == dict(truth)


@given(toggles)
def test_reconciling_with_the_final_state_changes_nothing(steps: list[tuple[str, Choice]]) -> None:
    """Reading the platform after the events were all seen leaves every vote as it was."""
    events, final = platform_events(steps)
    holdings = apply(events)
    assert reconcile(holdings, final) == holdings


holdings_strategy = st.dictionaries(
    st.sampled_from(MEMBERS),
    st.lists(st.sampled_from(CONSENT), min_size=1, max_size=3, unique=True).map(tuple),
)
observed_strategy = st.dictionaries(st.sampled_from(MEMBERS), st.sets(st.sampled_from(CONSENT)))


@given(holdings_strategy, observed_strategy)
def test_reconciling_from_a_stale_state_follows_the_platform(
    stored: Holdings, observed: dict[str, set[Choice]]
) -> None:
    """After downtime, the held reactions are exactly what the platform shows; known ones keep
    their order, and new ones come after them."""
    result = reconcile(stored, observed)
    assert {m: set(h) for m, h in result.items()} == {m: h for m, h in observed.items() if h}
    for member, held in result.items():
        known = [c for c in stored.get(member, ()) if c in observed[member]]
        assert list(held[: len(known)]) == known


def test_a_second_option_moves_the_vote() -> None:
    """Adding another option moves a member's vote to it."""
    holdings = apply([("a", Choice.CONSENT, True), ("a", Choice.OBJECT, True)])
    assert vote_of(holdings["a"]) is Choice.OBJECT


def test_taking_back_the_current_option_falls_back_to_the_one_still_held() -> None:
    """Removing the current reaction moves the vote back to the newest reaction still there."""
    holdings = apply(
        [("a", Choice.CONSENT, True), ("a", Choice.OBJECT, True), ("a", Choice.OBJECT, False)]
    )
    assert vote_of(holdings["a"]) is Choice.CONSENT


def test_taking_back_an_older_option_changes_nothing() -> None:
    """Removing a reaction that isn't the current vote leaves the vote alone."""
    holdings = apply(
        [("a", Choice.CONSENT, True), ("a", Choice.OBJECT, True), ("a", Choice.CONSENT, False)]
    )
    assert holdings == {"a": (Choice.OBJECT,)}


def test_taking_back_the_only_reaction_withdraws_the_vote() -> None:
    """With no reaction left, the member has no vote."""
    assert apply([("a", Choice.CONCERN, True), ("a", Choice.CONCERN, False)]) == {}


def test_the_same_reaction_twice_is_one_reaction() -> None:
    """A reaction delivered twice (a platform replay) changes nothing the second time."""
    holdings = apply(
        [("a", Choice.OBJECT, True), ("a", Choice.CONSENT, True), ("a", Choice.OBJECT, True)]
    )
    assert vote_of(holdings["a"]) is Choice.CONSENT


def test_reactions_seen_only_after_downtime_put_the_weightiest_on_top() -> None:
    """When the order is unknown, an objection is never hidden behind a consent."""
    assert reconcile({}, {"a": {Choice.CONSENT, Choice.OBJECT}}) == {
        "a": (Choice.CONSENT, Choice.OBJECT)
    }
    assert reconcile({"a": (Choice.OBJECT,)}, {"a": {Choice.OBJECT, Choice.CONSENT}}) == {
        "a": (Choice.OBJECT, Choice.CONSENT)
    }


@pytest.mark.parametrize(
    ("process", "key", "expected"),
    [
        (Process.CONSENT, "\N{WHITE HEAVY CHECK MARK}", Choice.CONSENT),
        (Process.CONSENT, "\N{WHITE HEAVY CHECK MARK}\ufe0f", Choice.CONSENT),
        (Process.CONSENT, "\N{RAISED HAND}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}", Choice.OBJECT),
        (Process.CONSENT, "\N{THINKING FACE}", Choice.CONCERN),
        (Process.PROPOSAL, "\N{THUMBS UP SIGN}\N{EMOJI MODIFIER FITZPATRICK TYPE-6}", Choice.AGREE),
        (Process.PROPOSAL, "\N{SHRUG}\u200d\N{FEMALE SIGN}\ufe0f", Choice.ABSTAIN),
        (Process.PROPOSAL, "\N{OCTAGONAL SIGN}", Choice.BLOCK),
        (Process.PROPOSAL, "\N{WHITE HEAVY CHECK MARK}", None),
        (Process.CONSENT, "\N{HEAVY BLACK HEART}\ufe0f", None),
        (Process.CONSENT, "<:custom:1234>", None),
    ],
)
def test_emoji_variants_count_as_the_same_option(
    process: Process, key: str, expected: Choice | None
) -> None:
    """Variation selectors, skin tones and gendered forms are the same option; other keys are none."""
    assert choice_for(process, key) is expected


def test_vote_emoji_are_recognised_in_any_process() -> None:
    """Any process's option emoji is worth a look; a heart is not."""
    assert is_vote_emoji("\N{OCTAGONAL SIGN}")
    assert is_vote_emoji("\N{RAISED HAND}\N{EMOJI MODIFIER FITZPATRICK TYPE-1-2}")
    assert not is_vote_emoji("\N{HEAVY BLACK HEART}")


def test_each_process_has_distinct_emoji_and_one_stopping_option() -> None:
    """Options within a process have distinct emoji; the two processes share none."""
    consent = {o.emoji for o in OPTIONS[Process.CONSENT]}
    proposal = {o.emoji for o in OPTIONS[Process.PROPOSAL]}
    assert len(consent) == 3
    assert len(proposal) == 4
    assert not consent & proposal


def test_votes_only_count_members_when_asked() -> None:
    """Restricting to members leaves others' votes out."""
    holdings = {"a": (Choice.CONSENT,), "z": (Choice.OBJECT,)}
    assert votes(holdings, ["a", "b"]) == {"a": Choice.CONSENT}

"""When proposals pass: every closing rule, quorum and threshold rounding, early closing, and the
reminder's timing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.agreements.ballots import Choice, Process
from cogs.agreements.closing import (
    Result,
    Rules,
    Tally,
    closes_early,
    decide,
    quorum_needed,
    reminder_time,
    rounded_percent,
)

CONSENT = Rules(Process.CONSENT, 50, 67)
PROPOSAL = Rules(Process.PROPOSAL, 50, 67)


def tally(members: int, **counts: int) -> Tally:
    return Tally({Choice(k): v for k, v in counts.items()}, members)


@pytest.mark.parametrize(
    ("rules", "the_tally", "expected"),
    [
        pytest.param(CONSENT, tally(6, consent=3), Result.ADOPTED, id="consent-with-quorum"),
        pytest.param(
            CONSENT, tally(6, consent=2, concern=1), Result.ADOPTED, id="concerns-do-not-stop"
        ),
        pytest.param(
            CONSENT, tally(6, consent=5, object=1), Result.OBJECTION, id="one-objection-stops"
        ),
        pytest.param(CONSENT, tally(6, consent=2), Result.NO_QUORUM, id="consent-without-quorum"),
        pytest.param(CONSENT, tally(6), Result.NO_QUORUM, id="nobody-voted"),
        pytest.param(CONSENT, tally(0), Result.NO_QUORUM, id="nobody-in-the-circle"),
        pytest.param(
            PROPOSAL, tally(3, agree=2, disagree=1), Result.ADOPTED, id="two-thirds-meets-67"
        ),
        pytest.param(
            PROPOSAL,
            tally(8, agree=5, disagree=3),
            Result.BELOW_THRESHOLD,
            id="five-eighths-is-short",
        ),
        pytest.param(
            PROPOSAL,
            tally(6, agree=2, abstain=3, disagree=1),
            Result.ADOPTED,
            id="abstentions-leave-the-threshold",
        ),
        pytest.param(PROPOSAL, tally(6, abstain=4), Result.BELOW_THRESHOLD, id="all-abstain"),
        pytest.param(PROPOSAL, tally(6, agree=5, block=1), Result.BLOCKED, id="a-block-stops"),
        pytest.param(
            PROPOSAL, tally(10, agree=2), Result.NO_QUORUM, id="proposal-needs-quorum-too"
        ),
        pytest.param(
            Rules(Process.PROPOSAL, 50, 100),
            tally(4, agree=3, disagree=1),
            Result.BELOW_THRESHOLD,
            id="unanimity",
        ),
        pytest.param(
            Rules(Process.CONSENT, 100, 67),
            tally(4, consent=3),
            Result.NO_QUORUM,
            id="everyone-must-vote",
        ),
    ],
)
def test_closing_rules(rules: Rules, the_tally: Tally, expected: Result) -> None:
    """Consent: no objection and quorum. Proposal: no block, quorum, and agrees at the threshold."""
    assert decide(the_tally, rules) is expected


@pytest.mark.parametrize(
    ("members", "percent", "needed"),
    [
        (6, 50, 3),
        (3, 50, 2),
        (4, 50, 2),
        (1, 50, 1),
        (0, 50, 1),
        (7, 100, 7),
        (10, 1, 1),
        (3, 67, 2),
    ],
)
def test_the_quorum_is_the_fewest_voters_that_round_up_to_it(
    members: int, percent: int, needed: int
) -> None:
    """Quorum counts people: the fewest voters whose share, rounded to a whole percent, reaches it."""
    assert quorum_needed(members, percent) == needed


def test_percentages_round_like_people_read_them() -> None:
    """Two of three is 67%, one of eight is 13%, nothing of nothing is 0%."""
    assert rounded_percent(2, 3) == 67
    assert rounded_percent(1, 8) == 13
    assert rounded_percent(0, 0) == 0


@given(st.integers(1, 30), st.integers(0, 30), st.integers(0, 5), st.integers(1, 100))
def test_one_more_consent_never_undoes_an_adoption(
    members: int, consents: int, concerns: int, quorum: int
) -> None:
    """Under consent, an extra consent can only help a proposal."""
    rules = Rules(Process.CONSENT, quorum, 67)
    before = decide(tally(members, consent=consents, concern=concerns), rules)
    after = decide(tally(members, consent=consents + 1, concern=concerns), rules)
    assert not (before.passed and not after.passed)


def test_closing_early_needs_every_member_and_no_objection() -> None:
    """Everyone voted and nobody objects: close early. An objection keeps it open for talking."""
    assert closes_early(Process.CONSENT, {"a": Choice.CONSENT, "b": Choice.CONCERN}, 2)
    assert not closes_early(Process.CONSENT, {"a": Choice.CONSENT}, 2)
    assert not closes_early(Process.CONSENT, {"a": Choice.CONSENT, "b": Choice.OBJECT}, 2)
    assert not closes_early(Process.PROPOSAL, {"a": Choice.AGREE, "b": Choice.BLOCK}, 2)
    assert closes_early(Process.PROPOSAL, {"a": Choice.DISAGREE, "b": Choice.ABSTAIN}, 2)
    assert not closes_early(Process.CONSENT, {}, 0)


def test_the_reminder_goes_out_the_lead_time_before_closing_or_halfway() -> None:
    """24 hours before a 72-hour vote closes; halfway through a vote shorter than the lead."""
    opened = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert reminder_time(
        opened, opened + timedelta(hours=72), timedelta(hours=24)
    ) == opened + timedelta(hours=48)
    assert reminder_time(
        opened, opened + timedelta(hours=4), timedelta(hours=24)
    ) == opened + timedelta(hours=2)

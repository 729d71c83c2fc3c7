"""How a proposal reads: its post (what it is, who proposes it, its wording, what each
reaction means, when it closes) and the outcome its thread hears when it closes.

Pure functions, no I/O: the proposer's name comes in, the text goes out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from cogs.agreements.ballots import OPTIONS, Choice, Process
from cogs.agreements.closing import quorum_needed, rounded_percent
from cogs.agreements.model import Closing, Effect, Kind, Proposal
from cogs.agreements.render import counts_line, day, moment, quote
from cogs.agreements.texts import (
    AT_CLOSE,
    CLOSES_LINE,
    EFFECT_ADOPTED,
    EFFECT_KEPT,
    EFFECT_NEW_VERSION,
    EFFECT_RETIRED,
    HEAD_ADOPT,
    HEAD_NEW_VERSION,
    HEAD_RETIRE,
    HEAD_REVIEW,
    HEAD_REVISE,
    HOW_CONSENT,
    HOW_PROPOSAL,
    HOW_SECRET,
    LEAD_ADOPT,
    LEAD_CHANGED,
    LEAD_RETIRE,
    LEAD_REVIEW,
    LEAD_REVISE,
    LEGEND_LINE,
    NAMES_LINE,
    NEXT_ABOUT,
    NEXT_NEW,
    NOBODY,
    OUTCOME_INVITE,
    OUTCOME_NOT_PASSED,
    OUTCOME_PASSED,
    PROCESS_WORDS,
    REASON,
    RULE_CONSENT,
    RULE_PROPOSAL,
    SECRET_LEGEND_LINE,
    STOPS,
    TALK_LINE,
    TALK_SECRET,
    TURNOUT_LINE,
    VOTE_WHERE,
)

EFFECTS = {
    Effect.ADOPTED: EFFECT_ADOPTED,
    Effect.NEW_VERSION: EFFECT_NEW_VERSION,
    Effect.KEPT: EFFECT_KEPT,
    Effect.RETIRED: EFFECT_RETIRED,
    Effect.NONE: "",
}


def post_text(
    proposal: Proposal,
    *,
    circle: str,
    proposer: str,
    zone: ZoneInfo,
    prefix: str,
    closed: bool = False,
    turnout: tuple[int, int] | None = None,
) -> str:
    """The post members react to. A closed one keeps its words but no longer says when it
    closes or how to talk it over."""
    title = f" · {proposal.title}" if proposal.title else ""
    fmt: dict[str, Any] = {
        "id": proposal.id,
        "version": proposal.version,
        "title": title,
        "agreement": proposal.agreement_id,
        "proposer": proposer,
        "circle": circle,
        "prefix": prefix,
    }
    if proposal.kind is Kind.ADOPT:
        head = (HEAD_ADOPT if proposal.version == 1 else HEAD_NEW_VERSION).format(**fmt)
        lead = (LEAD_ADOPT if proposal.version == 1 else LEAD_CHANGED).format(**fmt)
    elif proposal.kind is Kind.REVIEW:
        head, lead = HEAD_REVIEW.format(**fmt), LEAD_REVIEW.format(**fmt)
    elif proposal.kind is Kind.REVISE:
        head = HEAD_REVISE.format(**fmt)
        lead = LEAD_REVISE.format(**fmt) + (
            " " + LEAD_CHANGED.format(**fmt) if proposal.version > 2 else ""
        )
    else:
        head, lead = HEAD_RETIRE.format(**fmt), LEAD_RETIRE.format(**fmt)
    rules = proposal.rules
    rule = (RULE_CONSENT if rules.process is Process.CONSENT else RULE_PROPOSAL).format(
        quorum=rules.quorum_percent, threshold=rules.threshold_percent
    )
    if proposal.ballot.secret:
        how = HOW_SECRET.format(
            process=PROCESS_WORDS[rules.process],
            prefix=prefix,
            id=proposal.id,
            where=VOTE_WHERE[typed_privately(prefix)],
            at_close=AT_CLOSE[proposal.ballot],
        )
        legend = SECRET_LEGEND_LINE
    else:
        how = HOW_CONSENT if rules.process is Process.CONSENT else HOW_PROPOSAL
        legend = LEGEND_LINE
    lines = [
        head,
        lead,
        quote(proposal.text),
        how,
        *(
            legend.format(emoji=o.emoji, label=o.label, meaning=o.meaning)
            for o in OPTIONS[rules.process]
        ),
    ]
    if not closed:
        lines.append(
            CLOSES_LINE.format(closes=moment(proposal.closes_at, zone), stops=STOPS[rules.process])
            + " "
            + rule
        )
        lines.append(TALK_SECRET if proposal.ballot.secret else TALK_LINE)
        if proposal.ballot.secret:
            voters, members = turnout or (0, 0)
            lines.append(TURNOUT_LINE.format(voters=voters, members=members))
    return "\n".join(lines)


def typed_privately(prefix: str) -> bool:
    """Whether a typed command stays private: slash commands (Discord's, the sandbox's) do;
    a prefixed line (Matrix's ``!ck``) is seen by the room unless sent in a direct chat."""
    return prefix.startswith("/")


def names_line(process: Process, names: Mapping[Choice, Sequence[str]]) -> str:
    """``✅ consent: Alice, Bob · ✋ object: nobody``, for a ballot with names shown at close."""
    parts = [
        f"{o.emoji} {o.label}: {', '.join(names.get(o.choice, ())) or NOBODY}"
        for o in OPTIONS[process]
    ]
    return NAMES_LINE.format(names=" · ".join(parts))


def outcome_text(closing: Closing, *, zone: ZoneInfo, prefix: str, names: str | None = None) -> str:
    """What the proposal's thread hears when it closes: the counts, and what that means."""
    proposal, tally, result = closing.proposal, closing.tally, closing.result
    agreement = closing.agreement
    review = day(agreement.review_at, zone) if agreement and agreement.review_at else ""
    counts = counts_line(proposal.process, tally.counts)
    if result.passed:
        return (
            OUTCOME_PASSED.format(
                id=proposal.id,
                counts=counts,
                voters=tally.voters,
                members=tally.members,
                effect=EFFECTS[closing.effect].format(
                    agreement=agreement.id if agreement else "",
                    review=review,
                    version=agreement.version if agreement else "",
                ),
            )
            + ("\n" + names if names else "")
            + "\n"
            + OUTCOME_INVITE.format(prefix=prefix, id=proposal.id)
        )
    agree, disagree = tally.of(Choice.AGREE), tally.of(Choice.DISAGREE)
    reason = REASON[result].format(
        needed=quorum_needed(tally.members, proposal.rules.quorum_percent),
        members=tally.members,
        quorum=proposal.rules.quorum_percent,
        voters=tally.voters,
        agreed=rounded_percent(agree, agree + disagree),
        threshold=proposal.rules.threshold_percent,
    )
    follow = (
        NEXT_NEW.format(prefix=prefix)
        if proposal.kind is Kind.ADOPT
        else NEXT_ABOUT.format(agreement=proposal.agreement_id, review=review)
    )
    return (
        OUTCOME_NOT_PASSED.format(
            id=proposal.id,
            counts=counts,
            voters=tally.voters,
            members=tally.members,
            reason=reason,
            next=follow,
        )
        + ("\n" + names if names else "")
        + "\n"
        + OUTCOME_INVITE.format(prefix=prefix, id=proposal.id)
    )

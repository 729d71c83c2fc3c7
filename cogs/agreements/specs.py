"""The agreement commands as people see them: names, help lines, options and who may run
each; their handlers are in ``commands.py``."""

from __future__ import annotations

from datetime import timedelta

from bot.commands.options import CIRCLE_NAMED
from bot.commands.spec import CommandSpec, Option, OptionKind, Permission
from cogs.agreements.ballots import Ballot, Choice

TEXT_LIMIT = 1000
WITHDRAW = "withdraw"
REASON_LIMIT = 1500
SHORTEST = timedelta(hours=1)
LONGEST = timedelta(days=30)

NUMBER = Option(
    "number",
    OptionKind.INTEGER,
    "The proposal's or agreement's number, like 7",
    required=True,
    min_value=1,
)
BALLOT = Option(
    "ballot",
    OptionKind.CHOICE,
    "open (reactions), secret, or named-at-close (secret until it closes)",
    choices=tuple(b.value for b in Ballot),
    keyword=True,
)
CLOSES = Option(
    "closes",
    OptionKind.DURATION,
    "How long voting stays open, like 48h (72h if left out)",
    keyword=True,
)

PROPOSE = CommandSpec(
    ("agreement", "propose"),
    "Propose an agreement to your circle; we decide together with reactions.",
    (
        Option(
            "text",
            OptionKind.TEXT,
            "The agreement, in our own words",
            required=True,
            max_length=TEXT_LIMIT,
        ),
        CLOSES,
        BALLOT,
        CIRCLE_NAMED,
    ),
)
AMEND = CommandSpec(
    ("agreement", "amend"),
    "Post a new version of your proposal; the votes start afresh.",
    (
        NUMBER,
        Option("text", OptionKind.TEXT, "The new wording", required=True, max_length=TEXT_LIMIT),
        CIRCLE_NAMED,
    ),
)
RETIRE = CommandSpec(
    ("agreement", "retire"),
    "Propose letting an agreement go; we decide together.",
    (NUMBER, CLOSES, CIRCLE_NAMED),
)
REVIEW = CommandSpec(
    ("agreement", "review"),
    "Open a review of an agreement now: keep it, change it or let it go.",
    (NUMBER, CLOSES, CIRCLE_NAMED),
)
EXTEND = CommandSpec(
    ("agreement", "extend"),
    "Give an open proposal more time before voting closes; the thread hears.",
    (
        NUMBER,
        Option(
            "by",
            OptionKind.DURATION,
            "How much more time, like 24h",
            required=True,
            min_value=3600,
            max_value=30 * 86400,
        ),
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
)
VOTE = CommandSpec(
    ("agreement", "vote"),
    "Vote privately on a secret ballot, or see your vote; only you see the reply.",
    (
        NUMBER,
        Option(
            "option",
            OptionKind.CHOICE,
            "Your choice (consent, concern, object; or agree, abstain, disagree, block), or withdraw",
            choices=(*(c.value for c in Choice), WITHDRAW),
        ),
    ),
    needs_space=False,
)
REASON = CommandSpec(
    ("agreement", "reason"),
    "Share a reason for your objection or block in the proposal's thread, if you'd like.",
    (
        NUMBER,
        Option(
            "text",
            OptionKind.TEXT,
            "Your reason, in your words",
            required=True,
            max_length=REASON_LIMIT,
        ),
        Option(
            "shown",
            OptionKind.CHOICE,
            "anonymous (the default) or named",
            choices=("anonymous", "named"),
            keyword=True,
        ),
        CIRCLE_NAMED,
    ),
)
OUTCOME = CommandSpec(
    ("agreement", "outcome"),
    "Write the outcome of a closed proposal in our own words; the registry keeps it.",
    (
        NUMBER,
        Option(
            "text",
            OptionKind.TEXT,
            "What we decided, and why",
            required=True,
            max_length=TEXT_LIMIT,
        ),
        CIRCLE_NAMED,
    ),
)
LIST = CommandSpec(
    ("agreement", "list"),
    "Show the circle's agreements and open proposals.",
    (CIRCLE_NAMED,),
    allow_archived=True,
)
SHOW = CommandSpec(
    ("agreement", "show"),
    "Show an agreement or a proposal in full; add history for every wording it has had.",
    (
        NUMBER,
        Option(
            "part",
            OptionKind.CHOICE,
            "history: every wording, with its dates and votes",
            choices=("history",),
        ),
        CIRCLE_NAMED,
    ),
    allow_archived=True,
)
SETTINGS = CommandSpec(
    ("agreement", "settings"),
    "See or choose how the circle decides: process, quorum, threshold, reminder, review.",
    (
        Option(
            "process",
            OptionKind.CHOICE,
            "consent, or proposal (agree, abstain, disagree, block)",
            choices=("consent", "proposal"),
            keyword=True,
        ),
        Option(
            "quorum",
            OptionKind.INTEGER,
            "The share of members who need to vote, in percent",
            min_value=1,
            max_value=100,
            keyword=True,
        ),
        Option(
            "threshold",
            OptionKind.INTEGER,
            "Proposal vote: the share of agrees needed, in percent",
            min_value=50,
            max_value=100,
            keyword=True,
        ),
        Option(
            "reminder",
            OptionKind.DURATION,
            "How long before closing non-voters get a reminder, like 24h",
            min_value=3600,
            max_value=14 * 86400,
            keyword=True,
        ),
        Option(
            "review",
            OptionKind.DURATION,
            "How long until an agreement comes up for review, like 90d",
            min_value=7 * 86400,
            max_value=730 * 86400,
            keyword=True,
        ),
        BALLOT,
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
)
STARTERS = CommandSpec(
    ("agreement", "starters"),
    "See our starter agreements, or propose some (or all) of them to the circle.",
    (
        Option("ids", OptionKind.TEXT, "Which to propose: their ids, or all", max_length=600),
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
)

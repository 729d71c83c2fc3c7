"""What the agreements say to people: proposals' posts and outcomes, private notes, replies
to commands and the registry's lines, in one place, in the voice of IPS.md."""

from __future__ import annotations

from cogs.agreements.ballots import Ballot, Process
from cogs.agreements.closing import Result
from cogs.agreements.model import Kind

HEAD_ADOPT = "\N{SCROLL} **Proposal {id}{title}**"
HEAD_NEW_VERSION = "\N{PENCIL}\N{VARIATION SELECTOR-16} **Proposal {id}, version {version}{title}**"
HEAD_REVIEW = "\N{CLOCKWISE RIGHTWARDS AND LEFTWARDS OPEN CIRCLE ARROWS} **Proposal {id} · a review of agreement {agreement}{title}**"
HEAD_REVISE = "\N{PENCIL}\N{VARIATION SELECTOR-16} **Proposal {id}, version {version} · a new wording for agreement {agreement}**"
HEAD_RETIRE = "\N{FALLEN LEAF} **Proposal {id} · letting agreement {agreement} go{title}**"
LEAD_ADOPT = "{proposer} proposes this for {circle}."
LEAD_CHANGED = "{proposer} has changed the proposal, so the votes start afresh."
LEAD_REVIEW = (
    "It's time to look at agreement {agreement} again. Shall we keep it as it is? "
    "To change its wording, anyone can post a new version with `{prefix}agreement amend {id} <new wording>`; "
    "to let it go, `{prefix}agreement retire {agreement}`."
)
LEAD_REVISE = "{proposer} proposes this new wording for agreement {agreement}."
LEAD_RETIRE = "{proposer} proposes that we let agreement {agreement} go. It reads:"
SOMEONE = "Someone in the circle"
HOW_CONSENT = "We decide by consent, with a reaction on this post:"
HOW_PROPOSAL = "We decide by proposal vote, with a reaction on this post:"
HOW_SECRET = (
    "We decide by {process}, with a secret ballot: each of us votes privately with "
    "`{prefix}agreement vote {id} <option>`{where}, and only you see your vote. The thread shows "
    "only how many of us have voted; {at_close}"
)
VOTE_WHERE = {True: "", False: " in a direct chat with me"}
AT_CLOSE = {
    Ballot.SECRET: "when it closes, we see the counts, never who chose what.",
    Ballot.NAMED_AT_CLOSE: "when it closes, we see the counts and, as the circle chose, who chose what.",
}
SECRET_LEGEND_LINE = "{emoji} `{label}`: {meaning}"
TURNOUT_LINE = "So far {voters} of {members} of us have voted."
LEGEND_LINE = "{emoji} **{label}**: {meaning}"
CLOSES_LINE = "Voting closes {closes}, or sooner once everyone has voted and nobody {stops}."
STOPS = {Process.CONSENT: "objects", Process.PROPOSAL: "blocks"}
RULE_CONSENT = "It passes if nobody objects and at least {quorum}% of us vote."
RULE_PROPOSAL = (
    "It passes if nobody blocks, at least {quorum}% of us vote, and at least {threshold}% of "
    "the votes for or against agree."
)
TALK_LINE = "Let's talk it over in this thread. You can change your reaction until it closes."
TALK_SECRET = "Let's talk it over in this thread. You can change your vote until it closes."
THREAD_TITLE = "Proposal {id} · {title}"
REPLACED_HEAD = "_This was version {version}, up from {started} until {ended}. Version {next} took its place: {link}. Reactions here no longer count; the words stay, so we can see how the proposal grew._"
REPLACED_HEAD_EARLIER = "_This was version {version}. Version {next} took its place: {link}. Reactions here no longer count._"
CLOSED_HEAD = "**Closed on {day}: {result}.** The outcome is in the thread."
RESULT_WORDS = {True: "adopted", False: "not adopted this time"}

OUTCOME_PASSED = "\N{HERB} **Proposal {id} is adopted.**\n{counts} · {voters} of {members} members voted.\n{effect}"
OUTCOME_NOT_PASSED = "**Proposal {id} isn't adopted this time.**\n{counts} · {voters} of {members} members voted.\n{reason} {next}"
EFFECT_ADOPTED = "It's agreement {agreement} in our registry now, and we'll look at it again on {review}. Thank you, everyone."
EFFECT_NEW_VERSION = "Agreement {agreement} now reads as version {version}, and we'll look at it again on {review}. Thank you, everyone."
EFFECT_KEPT = "We keep agreement {agreement} as it is, and we'll look at it again on {review}. Thank you, everyone."
EFFECT_RETIRED = (
    "Agreement {agreement} is retired, with thanks for what it gave us. It leaves the registry."
)
REASON = {
    Result.OBJECTION: "There's still an objection, so we're not there yet.",
    Result.BLOCKED: "There's a block, so we're not there yet.",
    Result.NO_QUORUM: "A decision needs {quorum}% of us to take part ({needed} of {members}), and this time fewer of us had room for it. That's all right.",
    Result.BELOW_THRESHOLD: "{agreed}% of the votes for or against agreed, and we decide at {threshold}%.",
}
NEXT_NEW = "The conversation can carry on in this thread, and anyone can propose a revised version with `{prefix}agreement propose <text>`."
NEXT_ABOUT = "Agreement {agreement} stays as it is, and the conversation can carry on in this thread. It comes up for review again on {review}."

OBJECTION_INVITE = (
    "Thank you for saying you object to proposal {id} in {circle}. An objection helps us find "
    "something that works for all of us. What would make it workable for you? You're welcome to "
    "say so in the proposal's thread, or to {proposer} directly.\n"
    "{reason_hint}"
)
BLOCK_INVITE = (
    "Thank you for placing a block on proposal {id} in {circle}. A block tells us something "
    "matters here, and we'd rather hear it now than go ahead without you. What would need to "
    "change for you? You're welcome to say so in the proposal's thread, or to {proposer} directly.\n"
    "{reason_hint}"
)
REASON_HINT = (
    "If you'd like to leave a reason, `{prefix}agreement reason {id} <your reason>` shares it in "
    "the thread without your name; add `shown=named` to share it with your name. A reason is "
    "always optional."
)
REASON_NAMED = "\N{SPEECH BALLOON} **{name}** shares a reason for their {stop}:\n{quote}"
REASON_ANONYMOUS = "\N{SPEECH BALLOON} A reason shared with {a_stop}, without a name:\n{quote}"
STOP_WORDS = {Process.CONSENT: "objection", Process.PROPOSAL: "block"}
A_STOP = {Process.CONSENT: "an objection", Process.PROPOSAL: "a block"}
REASON_SHARED = {
    True: "Thank you. Your reason is in the thread of proposal {id}, with your name.",
    False: "Thank you. Your reason is in the thread of proposal {id}, without your name.",
}
REASON_NEEDS_STOP = (
    "A reason goes with an objection or a block, and I don't see one from you on proposal {id} "
    "right now. If you'd like to say more, its thread is open to everyone."
)
OUTCOME_INVITE = (
    "Whoever proposed it, or a facilitator, is welcome to add the outcome in our own words: "
    "`{prefix}agreement outcome {id} <what we decided, and why>`."
)
OUTCOME_POSTED = "\N{MEMO} **The outcome of proposal {id}, in our own words:**\n{quote}"
OUTCOME_SAVED = "Thank you. The outcome of proposal {id} is in its thread{registry}."
OUTCOME_IN_REGISTRY = " and next to agreement {id} in our registry"
OUTCOME_STILL_OPEN = (
    "Proposal {id} is still open, so its outcome isn't known yet. Once it closes, its proposer or "
    "a facilitator can write it."
)
OUTCOME_NOT_YOURS = (
    "The outcome of proposal {id} is written by whoever proposed it, or by a facilitator. Its "
    "thread is open if you'd like to add your thoughts."
)
OUTCOME_LINE = "In our words: {outcome}"
OBJECTION_THREAD = (
    "An objection has come in. For us, an objection is the start of a conversation, not the end of "
    "one: what would make this proposal workable for everyone? {who} can post a new version with "
    "`{prefix}agreement amend {id} <new text>`."
)
BLOCK_THREAD = (
    "A block has come in. For us, a block is an invitation to slow down and talk, not a verdict: "
    "what would this proposal need so that all of us can go along with it? {who} can post a new "
    "version with `{prefix}agreement amend {id} <new text>`."
)
OUTSIDER_NOTE = (
    "Thank you for joining in on proposal {id}. Votes there come from the members of {circle}, so "
    "your reaction isn't counted. If you'd like a voice in {circle}, `{prefix}circle join {circle}` "
    "is the way in."
)
CLOSED_NOTE = (
    "Proposal {id} in {circle} closed on {day}, so reactions on it don't change anything now. If it's "
    "still on your mind, its thread is a good place to say so, and anyone can propose a new version "
    "with `{prefix}agreement propose <text>`."
)
REMINDER_SECRET = (
    "Proposal {id} in {circle} closes {closes}, and your voice is welcome. You can vote privately "
    "with `{prefix}agreement vote {id} <option>`{where}: {options}. Leaving it is fine too."
)
SECRET_REACTION_NOTE = {
    True: (
        "Proposal {id} in {circle} is decided by secret ballot, so I've taken your reaction off "
        "its post to keep your vote yours. To vote, `{prefix}agreement vote {id} <option>`{where} "
        "counts, and only you see it."
    ),
    False: (
        "Proposal {id} in {circle} is decided by secret ballot, so reactions on its post don't "
        "count. I couldn't take yours off; you may like to remove it yourself. To vote, "
        "`{prefix}agreement vote {id} <option>`{where} counts, and only you see it."
    ),
}
VOTE_CAST = (
    "Your vote on proposal {id} is **{label}** now, and only you can see it. You can change it "
    "until it closes {closes}: `{prefix}agreement vote {id} <option>`, or `withdraw`."
)
VOTE_WITHDRAWN = "Your vote on proposal {id} is withdrawn. You're welcome to vote again until it closes {closes}."
VOTE_SAME = "Your vote on proposal {id} is already **{label}**; nothing changed."
VOTE_NONE_YET = (
    "You haven't voted on proposal {id} yet. Its options are {options}: "
    "`{prefix}agreement vote {id} <option>`."
)
VOTE_IS = (
    "Your vote on proposal {id} is **{label}**, and only you can see it. You can change it until "
    "it closes {closes}."
)
SECRET_EXPORT_NOTE = (
    "On a secret ballot, your vote is kept only while it is open. When it closes, how each of us "
    "voted is erased and only the counts remain, so closed secret ballots have no vote of yours here."
)
VOTE_UNKNOWN = "I couldn't find an open proposal {id} of a circle you're in here. `{prefix}agreement list` in the circle's room shows what's open."
VOTE_OPTIONS = "Proposal {id} takes one of {options}, or `withdraw`."
VOTE_BY_REACTION = (
    "Proposal {id} is decided with reactions on its post, so a reaction there is the way to vote."
)
VOTE_IN_PRIVATE = (
    "To keep your vote yours, I didn't count that here. Would you send "
    "`{prefix}agreement vote {id} <option>` in a direct chat with me? It counts there, and only you see it."
)
NAMES_LINE = "As the circle chose, who chose what: {names}."
NOBODY = "nobody"
BALLOT_WORDS = {
    Ballot.OPEN: "open, with reactions",
    Ballot.SECRET: "secret",
    Ballot.NAMED_AT_CLOSE: "secret, with names shown at the close",
}
REMINDER = (
    "Proposal {id} in {circle} closes {closes}, and your voice is welcome. You can react on its "
    "post: {options}. Leaving it is fine too."
)
AMENDED_NOTE = (
    "Proposal {id} in {circle} has a new version, so the votes start afresh. If you'd like to vote on "
    "the new wording, it's in the proposal's thread."
)

PROPOSED = "Your proposal is up, in its own thread (proposal {id}). Thank you for bringing it."
NOT_A_MEMBER = "Proposals and votes come from the members of {circle}. If you'd like to take part, `{prefix}circle join {circle}` is the way in."
CLOSES_RANGE = "A proposal needs time for people to see it and respond, so it can close between 1 hour and 30 days from now, for example `closes=72h`."
UNKNOWN_PROPOSAL = "I couldn't find proposal {id} in {circle}. `{prefix}agreement list` shows what's open and what we've agreed."
ALREADY_CLOSED = "Proposal {id} closed on {day}, so it can't change now. A new proposal is always welcome: `{prefix}agreement propose <text>`."
NOT_YOURS = "Proposal {id} is {name}'s to change. You could share your idea in its thread, or propose your own version with `{prefix}agreement propose <text>`."
RETIRE_HAS_NO_WORDING = "Proposal {id} is about letting agreement {agreement} go, so there's no wording to change. Its thread is the place to talk it over."
SAME_TEXT = "That's the wording proposal {id} already has. What would you like to change?"
AMENDED = "Version {version} of proposal {id} is up in its thread, and the votes start afresh."
UNKNOWN_AGREEMENT = "I couldn't find agreement {id} in {circle}. `{prefix}agreement list` shows the agreements we have."
BUSY = "There's already an open proposal about agreement {id}: proposal {other}. Let's finish that conversation first."
RETIRE_OPENED = (
    "The proposal to let agreement {id} go is up, in its own thread (proposal {proposal})."
)
RETIRE_FROM_REVIEW = "Agreement {id} was under review, so the review (proposal {proposal}) now asks whether to let it go, and the votes start afresh."
REVIEW_OPENED = "The review of agreement {id} is up, in its own thread (proposal {proposal})."
SETTINGS_NOW = (
    "**How {circle} decides its agreements**\n"
    "Process: {process} · quorum {quorum}% · threshold {threshold}% (proposal vote only) · "
    "reminder {reminder} before closing · review after {review} days · ballot {ballot}.\n"
    "Facilitators can change these with `{prefix}agreement settings process=consent quorum=50 ...`. "
    "Open proposals keep the rules they started with."
)
SETTINGS_CHANGED = "From now on, {circle} decides its agreements like this: {process} · quorum {quorum}% · threshold {threshold}% (proposal vote only) · reminder {reminder} before closing · review after {review} days · ballot {ballot}. Open proposals keep the rules they started with."
PROCESS_WORDS = {Process.CONSENT: "consent", Process.PROPOSAL: "proposal vote"}
STARTERS_LIST = (
    "**Our starter agreements**, written to help a circle begin. Each can be proposed as it is, and "
    "then adopted, reshaped or dropped by the circle:\n{lines}\n"
    "`{prefix}agreement starters all` proposes the ones not yet adopted or open, each with its own "
    "thread and vote; or name some: `{prefix}agreement starters {example}`."
)
STARTER_LINE = "• `{id}`: {title}{state}"
STARTER_ADOPTED = " (agreed)"
STARTER_OPEN = " (open now)"
UNKNOWN_STARTER = "I don't know the starter “{id}”. `{prefix}agreement starters` lists them."
STARTERS_PROPOSED = (
    "I've proposed {count} of our starter agreements: {titles}. Each has its own thread and vote."
)
STARTERS_SKIPPED = "{titles}: already adopted or open here, so I left {them} as {they_are}."
NO_STARTERS_LEFT = "Every starter agreement is already adopted or open in {circle}."
STARTER_TAKEN = "“{title}” is already adopted or open in {circle}."
LIST_OPEN_HEAD = "**Open proposals**"
LIST_OPEN_LINE = "• {id} · {title} · {turnout} of {members} voted so far · closes {closes}"
LIST_HOW = "We decide by {process}; quorum {quorum}%."
SHOW_AGREEMENT = (
    "**Agreement {id} · {title}** ({state})\n{quote}\n"
    "Version {version}, adopted {changed} {vote}.{proposer}\n{review}\nHistory: {history}"
)
INFO_AGREEMENTS = "Our agreements ({count}): {items}. `{prefix}agreement list` shows them in full."
INFO_NO_AGREEMENTS = "No agreements yet; the circle writes its own, together."
STANDS = {
    Process.CONSENT: "An objection stands, so the proposal stays open for that conversation until it closes.",
    Process.PROPOSAL: "A block stands, so the proposal stays open for that conversation until it closes.",
}
EXTENDED_THREAD = (
    "Proposal {id} has a little more time: voting now closes {closes}. Votes already made still "
    "count, and can be changed until then."
)
EXTENDED = "Proposal {id} now closes {closes}, and the thread has heard."
EXTEND_RANGE = (
    "A proposal can stay open for at most 30 days from now, so it can be given between 1 hour "
    "and that much more time, for example `24h`."
)
SHOW_PROPOSAL = "**Proposal {id}{title}** ({state})\n{quote}\n{about}{proposer}"

HISTORY_PROPOSAL_HEAD = "**Every wording of proposal {id}{title}**"
HISTORY_AGREEMENT_HEAD = "**Every wording of agreement {id} · {title}**"
HISTORY_ABOUT = "_Proposal {id} ({kind}, {outcome})_"
HISTORY_VERSION = "**Version {version}** · up {started}{ended} · {vote}"
HISTORY_UNTIL = " to {ended}"
HISTORY_OPEN_VOTE = "open now, {voters} of {members} have voted so far"
HISTORY_REPLACED_VOTE = "when it was replaced: {counts} · {voters} of {members} voted"
HISTORY_CLOSED_VOTE = "{result}: {counts} · {voters} of {members} voted"
HISTORY_CHANGES = "What changed from version {before}:"
HISTORY_OTHER = "{version} of proposal {proposal}"
HISTORY_HINT = (
    "`{prefix}agreement show {id} history` shows every wording, with its dates and votes."
)

HISTORY_WORDS = {
    Kind.ADOPT: "proposed",
    Kind.REVIEW: "review",
    Kind.REVISE: "new wording",
    Kind.RETIRE: "retire",
}

# --- the web dashboard (cogs/agreements/dashboard.py): counts only, never who ----------------

DASH_OPEN = "Open proposals"
DASH_OPEN_NONE = "No proposals are open."
DASH_PROPOSAL = "#{id} · {title}"
DASH_UNTITLED = "untitled"
DASH_PROCESS = "Deciding by"
DASH_CLOSES = "Closes"
DASH_VOTED = "Voted so far"
DASH_VOTED_OF = "{voted} of {members} members"
DASH_COUNT = "{choice}"
DASH_REGISTRY = "The registry"
DASH_REGISTRY_NONE = "No agreements yet."
DASH_AGREEMENT = "#{id} · {title} (version {version})"
DASH_ADOPTED = "Agreed"
DASH_REVIEW = "Review"
DASH_NO_REVIEW = "none set"
DASH_RETIRED = "Retired"
DASH_VERSION = "Version {version}, {when}: {result}"
DASH_VERSION_OPEN = "Version {version}, still open"
DASH_REVIEWS_DUE = "Reviews due"
DASH_REVIEWS_NONE = "No reviews are due."
DASH_REVIEW_DUE = "#{id} · {title}: review was due {when}"

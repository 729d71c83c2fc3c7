"""Every sentence of support, in one place. The first line of `support now` is plain on
purpose; the rest is said the way a peer would say it: no diagnosis, no questionnaire, no
questions about how someone is, and nothing that tells anyone what they feel."""

from __future__ import annotations

# --- support now ---------------------------------------------------------------------------

EMERGENCY = "If you are in danger right now, please call your local emergency number."
NOW_HEAD = "Some places you can reach, with their hours:"
NOW_NONE = "This space hasn't listed any places to reach yet; a moderator can add them."
RESOURCE_LINE = "• **{name}**: {reach} ({hours})"
NOT_CHECKED = " _not yet checked by this space_"
NOW_NOTE = "Your own note, as you wrote it:\n> {note}"
NOW_NO_NOTE = (
    "If you'd like, `{prefix}support note write …` keeps a few words of your own for moments "
    "like this: what helps, what doesn't, who you'd like to hear from. Only you see it."
)
NOW_CALL = (
    "If you'd like someone from your circle to reach out, `{prefix}support call` asks the "
    "people facilitating it, privately. Nothing is posted in the circle."
)
NOW_NO_CIRCLE = (
    "When you're part of a circle, `{prefix}support call` can ask its facilitators to reach "
    "out to you privately."
)

# --- the note -------------------------------------------------------------------------------

NOTE_SAVED = (
    "I've kept your note. Only you see it; it reaches facilitators only if you call and say "
    "yes to sharing it. `{prefix}support note show` shows it, `{prefix}support note clear` "
    "erases it."
)
NOTE_SHOW = "Your note, written {day}:\n> {note}"
NOTE_NONE = (
    "You haven't written a note yet. `{prefix}support note write …` keeps a few words for a "
    "hard moment: what helps, what doesn't, who you'd like to hear from."
)
NOTE_CLEARED = "Your note is erased."
NOTE_ALREADY_CLEAR = "There was no note to erase; nothing changed."

# --- settings -------------------------------------------------------------------------------

REGION_SET = "I'll show you the places to reach for {region} from now on."
REGION_CLEARED = "I'll show you the places to reach for your circle's region again."
REGION_BAD = (
    "I know regions as two-letter codes like GB, DE or US, or INT for places that are open to "
    "everyone; nothing changed."
)
CIRCLE_REGION_SET = (
    "{circle} shows the places to reach for {region} now, unless a member chose their own."
)
SPACE_REGION_SET = "This space shows the places to reach for {region} now, unless a circle or a member chose another."
AWAY = (
    "You're marked away: calls go to others for now. `{prefix}support available` brings you "
    "back in."
)
AVAILABLE = "You're marked available: you may be asked privately when someone calls."
OFFERS_OFF = "I won't offer `{prefix}support now` after your messages any more. `{prefix}support offers on` changes that."
OFFERS_ON_AGAIN = (
    "I may offer `{prefix}support now` to you privately again, where your circle agreed to it."
)
OFFERS_ALREADY_OFF = "My offers were already off for you; nothing changed."
OFFERS_AGREEMENT = (
    "When one of us writes plainly about a hard moment of our own, the bot may send that "
    "person a private note with places to reach and a way to call one of us. Nobody else sees "
    "it, it comes at most once a day, and each of us can turn it off. It keeps no words, only "
    "when and in which circle."
)
CIRCLE_OFFERS_ON = (
    "{circle} has agreed to it: when a member's own message names a hard moment of theirs in "
    "plain words, I may offer them `{prefix}support now`, privately, at most once a day. Only "
    "the time and the circle are kept. `{prefix}support circle offers off` stops it."
)
CIRCLE_OFFERS_OFF = (
    "{circle} hasn't agreed to my private offers. If the circle would like them, it can "
    "decide together: `{prefix}agreement propose {agreement}`"
)
CIRCLE_OFFERS_STOPPED = "I won't make private offers in {circle} any more."

# --- calls ----------------------------------------------------------------------------------

CALL_NOT_MEMBER = (
    "Calls go to the facilitators of a circle you're part of, and you're not part of "
    "{circle}. `{prefix}support now` is open to everyone, at any time."
)
CALL_NO_CIRCLE = (
    "Calls go to the facilitators of a circle you're part of, and you're not part of one "
    "here yet. `{prefix}support now` is open to everyone, at any time."
)
CALL_WHICH = "Which of your circles would you like to call? {names}"
CALL_OPEN_ALREADY = (
    "Your call in {circle} is still open; I'm keeping at it. `{prefix}support withdraw` "
    "withdraws it."
)
CALL_TOO_MANY = (
    "You've made {count} calls today, which is as many as this space allows in a day, so "
    "that the people asked can answer each one. The places below are there too, and you can "
    "call again tomorrow."
)
CALL_ASKED = "I've asked {names} privately. I'll tell you as soon as someone has it."
CALL_ASKED_HOLDER = "I've asked {names}, who is facilitating {circle} now, privately. I'll tell you as soon as someone has it."
CALL_NOBODY = (
    "I couldn't reach anyone for {circle} just now: nobody is on duty there who can take "
    "private messages from me. I'm sorry. The places below are there too."
)
CALL_STILL_WAITING = "Nobody has answered yet. I've asked {names} too."
CALL_NOBODY_MORE = "Nobody has answered yet, and I've asked everyone I can."
CALL_ALL_ASKED = "That's everyone I can ask."
CALL_OPEN_UNTIL = "Your call stays open until {until}; `{prefix}support withdraw` withdraws it."
CALL_UNANSWERED = (
    "Nobody could take your call in {circle} in time, and I'm sorry. It is closed now. "
    "You're welcome to call again, and the places below are there too."
)
CALL_TAKEN = "{name} has your call and will reach out to you."
CALL_WITHDRAWN = "Your call is withdrawn. Nobody else will be asked."
CALL_NONE_OPEN = "You have no open call; nothing changed."

ASK = (
    "{name}, in {circle}, would like someone to reach out to them. {line}"
    "If you can, `{prefix}support take {call}` takes it (the first to say so has it). "
    "If you can't just now, there's nothing to do: I'll ask others."
)
ASK_LINE = "In their words: “{line}” "
TAKEN_BY_YOU = "Thank you: the call is yours. {name} would like to hear from you; please write to them directly."
TAKEN_NOTE = "They chose to share their note:\n> {note}"
TAKEN_BY_OTHER = "Thank you: {name} has already taken call {call}, so nothing more is needed."
TAKE_NOT_ASKED = "I can't find a call {call} you were asked about; nothing changed."
TAKE_CLOSED = "Call {call} isn't open any more; nothing more is needed."
CALL_WITHDRAWN_TO_ASKED = "Call {call} was withdrawn; nothing more is needed."
CALL_CLOSED_TO_ASKED = "Call {call} closed without an answer; nothing more is needed now."

# --- resources, for moderators ----------------------------------------------------------------

RESOURCES_HEAD = "**Places to reach in this space** ({source}):"
RESOURCES_SHIPPED = "the example list shipped with the bot, to be checked"
RESOURCES_OWN = "the space's own list"
RESOURCE_ENTRY = "{number}. {region} · **{name}**: {reach} ({hours}) · checked {verified}"
RESOURCE_ADDED = "Added as number {number}: {name} for {region}, checked today."
RESOURCE_REMOVED = "Number {number} is off the list."
RESOURCE_VERIFIED = "Number {number} is marked as checked today."
RESOURCE_SHAPE = (
    "I read a place as its name, how to reach it and its hours, split by `|`, like "
    "`{usage}` with `GB Samaritans | call 116 123 | day and night`. Nothing changed."
)
RESOURCE_UNKNOWN = "There's no number {number} on this space's list; nothing changed."
RESOURCE_REGION_BAD = (
    "The region should be a two-letter code like GB, or INT for everywhere; nothing changed."
)
STALE_REMINDER = (
    "A few of the places `{prefix}support now` shows in {space} were last checked more than six "
    "months ago:\n{entries}\nWhen you've had a look, `{prefix}support resource verify <number>` "
    "marks one as checked (or `{prefix}support resource remove <number>`)."
)
STALE_SHIPPED = (
    "`{prefix}support now` in {space} still shows the example list shipped with the bot, which "
    "has entries checked more than six months ago:\n{entries}\n`{prefix}support resources` "
    "shows it; `{prefix}support resource verify <number>` marks one as checked and makes the "
    "list the space's own."
)

# --- counts for moderators ------------------------------------------------------------------

STATS_HEAD = "**Calls in this space, by week** (counts only, never who):"
STATS_WEEK = "• {week}: calls {calls}, taken {taken}{speed}"
STATS_SPEED = ", median time to take {minutes} min"
STATS_NONE = "No calls in the last {weeks} weeks."

# --- offers ---------------------------------------------------------------------------------

OFFER = (
    "I noticed your message in {circle}. If it helps, `{prefix}support now` shows places you "
    "can reach, and `{prefix}support call` asks a facilitator to reach out, privately. "
    "`{prefix}support offers off` stops these notes."
)

# --- the web dashboard (cogs/support/dashboard.py) ------------------------------------------

DASH_SECTION = "Support calls"
DASH_CHART = "Support calls per week, and how many someone took"
DASH_CALLED = "calls made"
DASH_TAKEN = "taken by someone"

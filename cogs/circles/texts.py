"""What the circles kernel says to people: every sentence of circles, joining, the rota and
resting, in one place, in the voice of IPS.md."""

from __future__ import annotations

NAME_LIMIT = 40
DESCRIPTION_LIMIT = 500

CREATED = (
    "🌱 **{circle}** has a home here now.{description}\n"
    "{places} places · {openness} · times in {zone}.\n"
    "{holder} is facilitating to begin with. Anyone who'd like to join can say `{prefix}circle join {circle}`."
)
OPEN_TEXT = "open to anyone"
CLOSED_TEXT = "joining is by request"
DUPLICATE_NAME = (
    "There's already a circle called “{name}” in this space. Could you choose another name?"
)
PLACE_TAKEN = "This room is already home to {other}. A circle needs a room or thread of its own."
NAME_HAS_EQUALS = "Circle names can't contain “=”, because I'd mistake them for settings. Could you choose another?"
TOO_MANY_PLACES = "A circle here can have up to {max} places, so {asked} is more than I can hold."
TOO_FEW_PLACES = "A circle needs at least 2 places, so there's room for more than one voice."
NOTHING_TO_EDIT = (
    "What would you like to change? For example: `{prefix}circle edit {circle} capacity=10`."
)
EDITED = "Updated **{circle}**: {changes}."
OVER_CAPACITY = "{circle} has {count} members now, more than its {capacity} places. Everyone keeps their place; newcomers wait until one is free."
PREFERENCE_OFFER = "If you like, you can say how you'd like support here: `{prefix}circle preference listening{named}` or `{prefix}circle preference ideas{named}`. Only you and the circle's facilitators see it."
JOINED = "Welcome to **{circle}**, {name}. 🌿 `{prefix}circle info` tells you about the circle: when it meets, what we've agreed, who facilitates. {offer}"
ALREADY_MEMBER = "You're already part of {circle}."
FULL = "{circle} is full right now (all {capacity} places are taken). Would you like a place on the waitlist? `{prefix}circle wait {circle}` adds you, and I'll send you a private note when a place opens."
REQUESTED = "{circle} is a closed circle, so I've passed your request to its facilitators. I'll let you know privately when they've answered."
ALREADY_REQUESTED = "Your request to join {circle} is already with its facilitators."
REQUEST_FOR_FACILITATORS = "{name} would like to join **{circle}**. You can say `{prefix}circle approve {handle} {circle}` or `{prefix}circle decline {handle} {circle}` in the circle's space."
REQUEST_WAITING = (
    "Someone would like to join **{circle}**. Facilitators, `{prefix}circle requests` shows who."
)
WAITLISTED = "You're on the waitlist for {circle}, number {position}. I'll send you a private note when a place opens."
ALREADY_WAITING = "You're already on the waitlist for {circle}."
CLOSED_WAITLIST = (
    "{circle} is a closed circle, so the way in is a request: `{prefix}circle join {circle}`."
)
LEFT = "You've left {circle}. You're welcome back any time."
LEFT_WAITLIST = "You're off the waitlist for {circle}."
WITHDRAWN = "I've withdrawn your request to join {circle}."
NOT_IN = "You're not part of {circle}, so there's nothing to leave."
PROMOTED_PRIVATE = "A place opened in **{circle}**, and it's yours: you were next on the waitlist. Welcome! 🌿 `{prefix}circle info {circle}` tells you about the circle. {offer} If it no longer suits you, `{prefix}circle leave {circle}` passes the place to the next person."
PROMOTED_PUBLIC = "Welcome to **{circle}**, {name}: a place opened up. 🌿"
HOLDER_NOW = "{name} is facilitating {circle} now."
NO_HOLDER = "Nobody is on the facilitation rota for {circle} now. A moderator or a member can help find someone: `{prefix}circle rota add`."
APPROVED = "{name} is now part of {circle}."
APPROVED_PRIVATE = "Your request to join **{circle}** was welcomed. You're part of the circle now. 🌿 `{prefix}circle info {circle}` tells you about it. {offer}"
APPROVED_FULL = "{circle} is full, so {name} is on the waitlist and will get the next place."
APPROVED_FULL_PRIVATE = "Your request to join **{circle}** was welcomed. The circle is full just now, so you're on the waitlist; I'll write when a place opens."
DECLINED = "I've let {name} know privately."
DECLINED_PRIVATE = "Thank you for asking to join **{circle}**. The facilitators can't offer a place just now; that's about the circle's shape at the moment. If you'd like to talk it over, you're welcome to write to {facilitators}. `{prefix}circle list` shows the other circles in the space."
NOT_REQUESTED = "{name} hasn't asked to join {circle}."
NO_REQUESTS = "Nobody is waiting for an answer about {circle}."
REQUESTS = "People who'd like to join **{circle}**: {names}.\n`{prefix}circle approve @name` or `{prefix}circle decline @name`."
NO_CIRCLES = "There are no circles in this space yet. A moderator or facilitator can start one with `{prefix}circle create <name>`."
PREFERENCE_SET = "Noted: in {circle}, you'd like **{label}**. Only you and the circle's facilitators see it, and you can change it any time."
PREFERENCE_CLEARED = "Noted: no preference shown for you in {circle}."
NOT_A_MEMBER = "That's for members of {circle}. You can join with `{prefix}circle join {circle}`."
ROTA = "Facilitation in **{circle}**: {order}. {holder} is facilitating now."
ROTA_EMPTY = "Nobody is on the facilitation rota for {circle} yet."
ROTA_ADDED = "{name} joins the facilitation rota of {circle}: {order}."
ROTA_ALREADY = "{name} is already on the rota of {circle}."
ROTA_NEEDS_MEMBER = "Facilitators come from the circle, and {name} isn't part of {circle} yet."
ROTA_REMOVED = "{name} has stepped off the rota of {circle}."
ROTA_REMOVED_BY = "{name} is off the facilitation rota of {circle} now; {by} made the change."
ROTA_REMOVED_PRIVATE = "{by} has taken you off the facilitation rota of **{circle}**. If you'd like to talk it over, {by} is one person to ask, and the circle's thread is always there."
ROTA_NOT_ON = "{name} isn't on the rota of {circle}."
ROTA_LAST = "{name} is the only facilitator of {circle}. Could someone join the rota first, so the circle is never without one?"
PASSED_ON = "Facilitation of **{circle}** passes to {name}. Thank you, {previous}. 🌿"
PASSED_ON_BY = "{by} passed facilitation of **{circle}** on from {previous} to {name}. Thank you, {previous}. 🌿"
NOT_THE_HOLDER = "{holder} is facilitating {circle} just now, so passing it on is {holder}'s to do (or a moderator's). You could ask {holder} in the circle."
PASS_ALONE = "{name} is the only one on the rota of {circle}, so facilitation stays with them. `{prefix}circle rota add @name` adds someone."
ARCHIVED = "**{circle}** is resting now. Its members, rota and settings are kept, and a facilitator can reopen it with `{prefix}circle reopen {circle}`."
ALREADY_ARCHIVED = "{circle} is already resting."
REOPENED = "**{circle}** is open again. Welcome back, everyone. 🌱"
NOT_ARCHIVED = "{circle} is already open."
MEMBERS_COUNT = "{count} member{s}. Their names stay within the circle; `{prefix}circle info {circle}` tells you more, and `{prefix}circle join {circle}` is the way in."
INFO_PLACES = "{places} · {openness} · times in {zone}"
INFO_FACILITATORS = "Facilitators: {names}."
INFO_NO_FACILITATORS = "Nobody is on the facilitation rota just now."
INFO_MEMBER = "You're part of this circle{preference}."
INFO_MEMBER_PREFERENCE = "; you'd like **{label}** here"
INFO_JOIN_OPEN = "To join, say `{prefix}circle join {circle}`."
INFO_JOIN_FULL = "It's full just now; `{prefix}circle wait {circle}` takes a place on the waitlist."
INFO_JOIN_REQUEST = "Joining is by request: `{prefix}circle join {circle}` asks the facilitators."
INFO_RESTING = "It's resting just now; a facilitator can reopen it."


def places(count: int, capacity: int) -> str:
    """``3 of 12 places``; when a circle holds more people than places, say both plainly."""
    if count > capacity:
        return f"{count} members, {capacity} places"
    return f"{count} of {capacity} places"


def quoted(name: str) -> str:
    """A circle's name as it can be typed back in a command."""
    return f'"{name}"' if any(ch.isspace() for ch in name) else name


def openness(circle_archived: bool, is_open: bool) -> str:
    """How a circle takes newcomers, in a listing: resting, open, or by request."""
    if circle_archived:
        return "resting"
    return OPEN_TEXT if is_open else CLOSED_TEXT


# --- the web dashboard's circles page (facts beside each circle) ------------------------------

DASH_SECTION = "The circle"
DASH_MEMBERS = "Members"
DASH_PLACES = "{members} of {capacity} places"
DASH_JOINING = "Joining"
DASH_RESTING = "resting (archived); everything is kept"
DASH_WAITING = "Waiting for a place"
DASH_ASKING = "Asking to join"
DASH_ROTA = "Rota"
DASH_ROTA_EMPTY = "nobody yet"
DASH_HOLDING = "Facilitating now"
DASH_ZONE = "Time zone"
DASH_CLOSE = "Rest this circle"
DASH_REOPEN = "Open this circle again"
DASH_EDIT = "Change the circle"

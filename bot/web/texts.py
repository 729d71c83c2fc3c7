"""What the dashboard's circle pages say: headings, labels and the sentences around forms, in
the bot's voice (IPS.md). The facts about each circle come from the features, in their words."""

from __future__ import annotations

CIRCLES_INTRO_MODERATOR = (
    "As a moderator here, you’ll find every circle of this community on this page."
)
CIRCLES_INTRO_FACILITATOR = "You’ll find the circles you help hold on this page."
CIRCLES_NONE = "There are no circles here yet. Saying {prefix}circle create in a room starts one."
CIRCLE_NAME = "Circle"
TABS = {
    "overview": "Overview",
    "schedules": "Schedules",
    "prompts": "Prompts",
    "agreements": "Agreements",
    "audit": "Changes",
}
NOT_YOURS = (
    "This circle is looked after by others",
    "Its facilitators and the moderators here can see and change it. Your own circles are "
    "on the circles page.",
)
NO_SUCH_CIRCLE = (
    "There’s no circle here by that number",
    "It may have been a circle of another community. The circles page shows the ones you help hold.",
)
NOT_A_CHANGE = (
    "That isn’t something the dashboard changes",
    "The forms on the circle’s pages are the changes it can make. Going back and choosing one "
    "of them should work.",
)
DONE = "Done"
NOT_DONE = "That didn’t change anything"
ANNOUNCED = "I said so in the circle, as I would for the same command in chat:"
BACK = "Back to {page}"
SUBMIT = "Go ahead"
FILTER_HEAD = "Show prompts"
FILTER_TAG = "with the tag"
FILTER_WITHOUT = "without the tag"
FILTER_ANY = "any"
FILTER_NONE = "none"
FILTER_APPLY = "Show them"
FILTER_SHOWN = "{shown} of {total} prompts shown."
AUDIT_HEAD = "Changes"
AUDIT_INTRO = "Who changed which setting, when, and whether from chat or here."
AUDIT_NONE = "No settings have been changed yet."
AUDIT_WHEN = "When (UTC)"
AUDIT_WHO = "Who"
AUDIT_WHAT = "What"
AUDIT_DETAIL = "Details"
AUDIT_VIA = "From"
AUDIT_FORGOTTEN = "someone who asked to be forgotten"
AUDIT_VIA_WORDS = {"chat": "chat", "web": "the dashboard"}
NUDGES_HEAD = "Nudges and support"
CHANGE_ITEM = "Change {title}"
SUPPORT_INTRO = (
    "How often I’ve offered a nudge, week by week, across the circles you look after. "
    "Only numbers: never what anyone said, and never who."
)
SUPPORT_NONE = "Nothing to count in these weeks."
SUPPORT_TABLE = "The same numbers as a table"
SUPPORT_WEEK = "Week"
SUPPORT_TOTAL = "All"

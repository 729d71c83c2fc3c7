"""What the reflections say to people: prompts and reminders as they are posted, replies to
the schedule, meeting, prompt and deck commands, and the circle's own deck, in one place, in
the voice of IPS.md."""

from __future__ import annotations

PROMPT_POST = "💭 **{title}**\n{text}\n_A reflection for {circle}. Reply here if you'd like, lightly or deeply; passing is always fine._"
PROMPT_POST_UNTITLED = "💭 {text}\n_A reflection for {circle}. Reply here if you'd like, lightly or deeply; passing is always fine._"
REMINDER = "🕯️ **{circle}** meets in {lead}, {when} ({zone}). Come as you are."
NO_PROMPTS_NOTE = "I had a prompt due for {circle} (schedule #{id}), but {reason}, so none came this time. A facilitator can choose another deck with `{prefix}schedule add`."
DECK_GONE = "the “{deck}” deck isn't here any more"
DECK_EMPTY_NOW = "the “{deck}” deck has no prompts{theme} just now"

SCHEDULE_ADDED = "🗓️ Schedule #{id} for **{circle}**: a prompt from the “{deck}” deck{theme}, {form} ({zone}). The first one comes {first}.{hint}"
DEEP_HINT = " Some prompts in this deck go deeper; `without=deep` leaves them out of a timer."
SCHEDULE_EDITED = "🗓️ Schedule #{id} is changed: {what}. The next one comes {next}."
SCHEDULE_EDITED_NEVER = "🗓️ Schedule #{id} is changed: {what}. It has no time coming up."
NOTHING_TO_EDIT = "What would you like to change? For example `{prefix}schedule edit {id} daily 10:00`, or `{prefix}schedule edit {id} without=deep`."
NOT_FOR_PROMPTS = "Schedule #{id} is {kind}, so it has no deck or prompts to choose; its time can change with `{prefix}schedule edit {id} <when>`."
KIND_WORDS = {"meeting": "a meeting time", "rota": "an automatic hand-over"}
UNSKIPPED = "Schedule #{id} will come at {when} after all."
NOTHING_TO_UNSKIP = (
    "Schedule #{id} has no skipped time still to come, so there's nothing to take back."
)
MEETING_SET = "🗓️ **{circle}** meets {form} ({zone}), with a reminder {lead} before. The next meeting is {first}.{replaced}"
MEETING_REPLACED = " (This replaces the earlier meeting time.)"
MEETING_NONE = "No meeting time is set for {circle} yet. A facilitator can set one, like `{prefix}meeting set tuesdays 19:00 remind=1h`."
MEETING_SHOW = "**{circle}** meets {form} ({zone}). The next meeting is {next}; a reminder goes out {lead} before.{paused}"
MEETING_CLEARED = "The meeting time of {circle} is cleared, and its reminders with it."
ROTA_AUTO_SET = "🔁 Facilitation of **{circle}** will pass on by itself, {form} ({zone}). The first hand-over is {first}."
ROTA_AUTO_OFF = "Facilitation of {circle} passes on by hand again (`{prefix}circle rota pass`)."
INFO_MEETING = "Meets {form} ({zone}); the next meeting is {next}."
INFO_HAND_OVER = "Facilitation passes on by itself, {form} ({zone}); the next hand-over is {next}."
ROTA_AUTO_NONE = "Facilitation of {circle} isn't passing on by itself, so there's nothing to stop."
LIST_HEAD = "**Schedules for {circle}** (times in {zone})"
LIST_NONE = "{circle} has no schedules yet. A facilitator can add one, like `{prefix}schedule add mondays 19:00`."
MISSED_RULE = "If I'm away when a prompt or hand-over is due, I post it once when I'm back, as long as it's less than {grace} late; older ones are skipped. Meeting reminders only go out before the meeting starts."
GATING_RULE = "A prompt waits for a quiet moment (no messages for {quiet} and no check-in round open), for {wait} at most. Two prompts never land within {quiet} of each other."
PREVIEW_HEAD = "The next times for {what}, in {zone}:"
PREVIEW_SHIFTED = " (the clocks go forward that night, so {wall} comes as {local})"
PREVIEW_NONE = "{what} has no times coming up."
PAUSED = "Schedule #{id} rests until {day}. The first one after that is {next}."
RESUMED = "Schedule #{id} is running again. The next one is {next}."
NOT_PAUSED = "Schedule #{id} isn't paused, so it's already running."
SKIPPED = "Schedule #{id} will let {skipped} pass quietly. The one after is {next}."
REMOVED = "Schedule #{id} ({form}) is removed."
NOTHING_NEXT = "Schedule #{id} has no time coming up, so there's nothing to skip."

UNKNOWN_SCHEDULE = (
    "I couldn't find schedule #{id}. `{prefix}schedule list` shows the schedules of {circle}."
)
OTHER_CIRCLE_SCHEDULE = "Schedule #{id} belongs to another circle, so I can't change it from {circle}. You could run this in that circle's room, or name it with `circle=…`."
UNKNOWN_DECK = (
    "I don't know a deck called “{deck}”. `{prefix}prompt decks list` shows the decks I have."
)
EMPTY_DECK = "The “{deck}” deck has no prompts yet, so a schedule would have nothing to post. Members can suggest some with `{prefix}prompt suggest`."
EMPTY_CIRCLE_DECK = "The circle's own deck for {circle} has no prompts yet, so there'd be nothing to post. Members can suggest some with `{prefix}prompt suggest`, and facilitators approve them."
THEME_MATCHES_NOTHING = (
    "The “{deck}” deck has no prompts with the theme “{theme}”. Its themes are: {themes}."
)
NO_SUCH_TAG = "No prompt in the “{deck}” deck has the tag “{tag}”. {tags}"
DECK_TAGS = "Its tags are: {tags}."
DECK_NO_TAGS = "Its prompts have no tags."
BAD_TAGS = "I read tags as single lowercase words, like `deep` or `deep,light`; “{text}” isn't one I can read."
FILTER_LEAVES_NOTHING = "With {what}, the “{deck}” deck would have no prompts left to post. Could you choose a little more loosely?"
THEME_MATCHES_NOTHING_AT_ALL = (
    "The “{deck}” deck has no prompts with the theme “{theme}”; its prompts have no themes."
)
BAD_DATE = "I read the date as something like 2026-12-24; “{text}” isn't one I can read."
DATE_NOT_AHEAD = "A pause needs a date after today ({today} in {zone}), and {day} has already come."
NEVER_AGAIN = "“{form}” has no time coming up, so there would be nothing to post."

NEXT_PROMPT = "If nothing else is posted from the “{deck}” deck first, the next prompt{where} is:\n💭 **{title}**\n{text}"
NEXT_PROMPT_UNTITLED = (
    "If nothing else is posted from the “{deck}” deck first, the next prompt{where} is:\n💭 {text}"
)
NEXT_WHERE = " of schedule #{id} ({when})"
POSTED_NOW = "A prompt is up for {circle} in its own thread."

DECKS_HEAD = "**Prompt decks**"
DECK_LINE = "• `{id}`: {title} · {count} prompt{s}{themes}{where}"
CIRCLE_DECK_LINE = "• `circle`: prompts suggested in {circle} · {count} approved"
DECKS_FOOT = "Schedules choose one with `deck=…`; `ips` is used when none is named."
RELOADED = "I read the decks folder again: {summary}"
RELOADED_NONE = "no decks in it yet."
RELOADED_SOME = "{count} deck{s} ready ({names}; {prompts} prompt{ps})."
RELOADED_MISSING = "The decks folder (`reflections.deck_dir`) doesn't exist yet. Moderators can put TOML decks there (see prompts/README.md) and say `{prefix}prompt decks reload`."
RELOAD_PROBLEMS = "\nI left out what I couldn't use:\n{lines}"

MISSED_LOG = "schedule %d (%s) of circle %d: the run due at %s is %s late, beyond the %s grace period; skipped"

# --- the circle's own deck ------------------------------------------------------------------

UNTITLED_THREAD = "Reflection · {circle}"
SUGGESTED = "Thank you. Your prompt is with the facilitators of {circle} (suggestion #{id}). I'll let you know privately what they decide."
SUGGESTION_FOR_FACILITATORS = "{name} suggested a prompt for **{circle}** (#{id}):\n> {text}\n`{prefix}prompt approve {id}` adds it to the circle's own deck; `{prefix}prompt decline {id}` lets it go."
SUGGESTION_PROBLEM = "I couldn't take that one, because {problem}. Could you try again?"
DUPLICATE_SUGGESTION = "{circle} already has that prompt among its suggestions or its own deck. Thank you all the same."
ALREADY_IN_DECK = "That prompt is already in the “{deck}” deck, so {circle} can have it any time."
NOT_A_MEMBER = "Suggesting prompts is for the members of {circle}. You could join with `{prefix}circle join {circle}`."
NO_SUGGESTIONS = "No suggested prompts are waiting in {circle}."
SUGGESTIONS_HEAD = "**Prompts suggested for {circle}**"
SUGGESTIONS_FOOT = "`{prefix}prompt approve <id> [title]` adds one to the circle's own deck (a `theme=…` too, if you like); `{prefix}prompt decline <id>` lets it go."
UNKNOWN_SUGGESTION = "I couldn't find suggestion #{id}. `{prefix}prompt suggestions` shows the ones waiting in {circle}."
OTHER_CIRCLE_SUGGESTION = (
    "Suggestion #{id} was made for another circle, so its facilitators decide on it."
)
ALREADY_APPROVED = "Suggestion #{id} is already in the circle's own deck."
APPROVED = "“{title}” joins the circle's own deck for {circle} ({count} prompt{s} now). Schedules use it with `deck=circle`."
APPROVED_UNTITLED = "Suggestion #{id} joins the circle's own deck for {circle} ({count} prompt{s} now). Without a title, its thread will be called “{thread}”; `{prefix}prompt retitle {id} <title>` gives it one. Schedules use the deck with `deck=circle`."
RETITLED = "Suggestion #{id} is called “{title}” now."
UNTITLED_NOW = "Suggestion #{id} has no title now; its thread will be called “{thread}”."
REMOVED_PROMPT = "Suggestion #{id} has left the circle's own deck for {circle} ({count} prompt{s} now), and its words with it."
NOT_APPROVED_YET = "Suggestion #{id} isn't in the circle's own deck yet. `{prefix}prompt approve {id}` adds it; `{prefix}prompt decline {id}` lets it go."
BAD_TITLE = "A title is one line of up to {max} characters; could you make it a little shorter?"
SUGGESTIONS_IN_DECK = "**In the circle's own deck**"
APPROVED_PRIVATE = (
    "Your prompt for **{circle}** is in the circle's own deck now. Thank you for it. 🌿"
)
DECLINED = "Suggestion #{id} is let go, and I've told {name} privately."
DECLINED_PRIVATE = "The facilitators of **{circle}** won't add your prompt (“{text}”) this time. Thank you for offering it; I haven't kept it. If you'd like to talk about it, or shape one together, you're welcome to write to {facilitators}."

# --- finding a meeting time -----------------------------------------------------------------

SLOTS_TOO_FEW = "A poll offers at least {least} times to choose from, and I found {given}. Times look like `2027-03-10 19:00`, separated by commas."
SLOTS_TOO_MANY = "A poll offers at most {most} times, so it stays easy to answer; I found {given}. Could you choose a few fewer?"
SLOT_BAD = "I couldn't read “{text}” as a date and time. They look like `2027-03-10 19:00`."
SLOT_PAST = "{slot} ({zone}) has already come, so nobody could meet then. Could you offer a time still ahead?"
SLOT_REPEATED = "{slot} is offered twice; once is enough."
CLOSES_BAD = "I couldn't read “{text}” as a closing time. It can be a while from now, like `closes=2d`, or a date and time, like `closes=2027-03-08T18:00`."
CLOSES_PAST = "The poll would close {when} ({zone}), which has already come. A closing time like `closes=2d` gives people a while to answer."
CLOSES_AFTER_FIRST = "The poll would close {when} ({zone}), after the first time it offers ({first}). Could it close before then?"
ANSWER_COUNT = "The poll has {count} times, and I read {given} answers. One word for each time, in order, like `yes no if-need-be`; or numbered, like `2 yes`."
ANSWER_NUMBER = "The poll has times 1 to {count}, so there is no time {number}."
ANSWER_WORD = "I read answers as yes, if-need-be or no; “{word}” isn't one of them."
UNKNOWN_ZONE = "I don't know the time zone “{text}”. It is usually a region and a city, like Europe/Berlin or America/New_York."

POLL_ALREADY_OPEN = "{circle} already has a meeting poll open (#{id}), until {closes}. One at a time keeps it clear; it can be answered with `{prefix}meeting answer`."
POLL_OPENED = "🗓️ **Finding a meeting time for {circle}** (poll #{id}). Which of these could work for you?\n{slots}\n{how}\nAnswers are taken until {closes}. `{prefix}meeting times` shows these times in your own time zone."
POLL_HOW_OPEN = "Answer with one word per time, in order, like `{prefix}meeting answer yes no if-need-be`. Answers are open: everyone can see who can come."
POLL_HOW_SECRET = "Answer with one word per time, in order, like `{prefix}meeting answer yes no if-need-be`. Answers are private: only the counts are shown, and you can also answer me in a direct message with `poll={id}`."
POLL_SLOT_LINE = "**{position}.** {when}"
POLL_NONE = "{circle} has no meeting poll just now. A facilitator can start one with `{prefix}meeting poll 2027-03-10 19:00, 2027-03-11 18:00`."
POLL_WHICH = "Which meeting poll do you mean? Outside a circle's room, name it with `poll=…`; its number is in the poll's post."
POLL_UNKNOWN = "I couldn't find meeting poll #{id}."
POLL_NOT_YOURS = (
    "Meeting poll #{id} belongs to a circle you're not part of, so it isn't yours to answer."
)
POLL_CLOSED = "Meeting poll #{id} closed {when}, so answers can't change now."
NOT_A_POLL_MEMBER = (
    "Answering is for the members of {circle}. You could join with `{prefix}circle join {circle}`."
)
ANSWERED_PRIVATE = "Thank you. Your answers for {circle} (poll #{id}), in {zone}:\n{lines}\nYou can change them until {closes}."
ANSWERED_OPEN = "{name} answered the meeting poll for {circle} (#{id}): {summary}."
NOT_ANSWERED_YET = "not answered yet"
POLL_TRY_AGAIN = "A poll for {circle} was just opening or closing; could you try again in a moment?"
ANSWER_LINE = "**{position}.** {when}: {answer}"
TIMES_HEAD = "**Meeting poll #{id} for {circle}**, in your time zone ({zone}):"
TIMES_YOURS = " (you: {answer})"
TIMES_FOOT_OPEN = "Answers are taken until {closes}. `{prefix}meeting zone Europe/Berlin` sets the zone I show times in."
TIMES_FOOT_CLOSED = "The poll closed {closes}."
ZONE_SET = "I'll show you poll times in {zone} now. Right now it's {now} there."
ZONE_SHOW = "I show you poll times in {zone}. `{prefix}meeting zone off` goes back to each circle's own zone."
ZONE_NONE = "I show you poll times in each circle's own zone. `{prefix}meeting zone Europe/Berlin` sets one of your own."
ZONE_CLEARED = "I'll show you poll times in each circle's own zone again."

POLL_RESULT_HEAD = "🗓️ **The meeting poll for {circle} has closed** (#{id}). {answered}\n{lines}"
POLL_RESULT_ANSWERED = "{count} member{s} answered."
POLL_RESULT_NOBODY = "Nobody answered this time."
POLL_RESULT_LINE_OPEN = "**{position}.** {when}: yes {yes}{maybe}{no}"
POLL_RESULT_MAYBE = "; if need be {names}"
POLL_RESULT_NO = "; no {names}"
POLL_RESULT_LINE_SECRET = "**{position}.** {when}: {yes} yes, {maybe} if need be, {no} no"
POLL_RESULT_NAMES_NONE = "nobody"
POLL_RESULT_BEST = (
    "Most can come to {best}. A facilitator chooses with `{prefix}meeting pick <number>`."
)
POLL_RESULT_PICKED = "Time {position} was chosen as the meeting time."
POLL_RESULT_NO_BEST = (
    "No time stands out yet. A facilitator could offer others with `{prefix}meeting poll`."
)
POLL_TOLD = "The meeting poll you started for **{circle}** (#{id}) has closed. The result is in the circle's room; `{prefix}meeting pick <number>` makes one of its times the circle's meeting time."
POLL_NOTHING_TO_PICK = "{circle} has no closed meeting poll waiting for a choice."
POLL_STILL_OPEN = "Meeting poll #{id} is open until {closes}; the choice comes once it has closed."
POLL_ALREADY_PICKED = "Time {position} of meeting poll #{id} was chosen already. `{prefix}meeting set` changes the meeting time."
POLL_NO_SUCH_SLOT = "Meeting poll #{id} has times 1 to {count}, so there is no time {number}."
POLL_PICKED = "🗓️ **{circle}** meets {form} ({zone}) from now on, chosen from meeting poll #{id}. The first meeting is {first}, with a reminder {lead} before.{replaced}"
# --- the web dashboard (cogs/reflections/dashboard.py) ----------------------------------------

DASH_NEXT_MEETING = "Next meeting"
DASH_NEXT_PROMPTS = "Next prompts"
DASH_NONE_SET = "none set"
DASH_SCHEDULES = "Schedules"
DASH_SCHEDULES_NONE = "No schedules yet. The form below sets one up."
DASH_SCHEDULE_TITLE = "#{id} · {form}"
DASH_KIND = "What"
DASH_KIND_PROMPT = "a reflection prompt"
DASH_DECK = "Deck"
DASH_FILTER = "Choosing"
DASH_FILTER_ALL = "any prompt of the deck"
DASH_ZONE = "Time zone"
DASH_NEXT = "Next"
DASH_NEXT_NONE = "nothing coming"
DASH_RESTS_UNTIL = "Resting until"
DASH_RUNS_HEAD = "The next times, in {zone}:"
DASH_RUN = "{when}"
DASH_ADD = "Set up a new schedule"
DASH_EDIT = "Change it"
DASH_PAUSE = "Rest it until a date"
DASH_RESUME = "Start it again now"
DASH_SKIP = "Let the next one pass"
DASH_UNSKIP = "Take back a skip"
DASH_REMOVE = "Remove it"
DASH_DECKS = "Prompt decks"
DASH_DECK_FACTS = "{count} prompts"
DASH_DECK_TAGS = "Tags"
DASH_DECK_NO_TAGS = "none"
DASH_WAITING = "Suggested prompts waiting"
DASH_WAITING_NONE = "No suggestions are waiting."
DASH_SUGGESTION = "Suggestion #{id}"
DASH_APPROVE = "Add it to the circle's deck"
DASH_DECLINE = "Let it go"
DASH_OWN_DECK = "The circle's own deck"
DASH_OWN_DECK_NONE = "No prompts of the circle's own yet."
DASH_OWN_PROMPT = "#{id} · {title}"
DASH_UNTITLED = "no title"
DASH_RETITLE = "Give it a new title"
DASH_RETIRE = "Take it out of the deck"

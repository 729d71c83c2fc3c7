"""The router's refusals: each one a kind sentence for the person who ran the command."""

from __future__ import annotations

from bot.chat import Visibility

UNKNOWN_COMMAND = (
    "I don't know the command `{usage}`.{suggestion} `{prefix}help` lists what I can do."
)
DID_YOU_MEAN = " Did you mean `{usage}`?"
NEEDS_SPACE = "That one works inside a community's rooms rather than in a direct message."
NOT_MODERATOR = (
    "That one rests with the moderators here. If it matters to you, you could bring it to one of "
    "them and take it from there together."
)
GROUP_ALONE = "`{prefix}{group}` goes with one more word, one of these (`{prefix}help {group} <word>` tells more about one):"
NOT_FACILITATOR = (
    "That one is for the facilitators of {circle} (or a moderator). You could ask one of them."
)
NOT_FACILITATOR_ANYWHERE = (
    "Starting a circle is for moderators and facilitators. A moderator can set one up with you."
)
UNKNOWN_CIRCLE = "I couldn't find a circle called “{name}” here. `{prefix}circle list` shows the circles in this space."
NO_CIRCLE_HERE = "This room isn't home to a circle, so I'm not sure which one you mean. You can name it, like `{usage}`."
CIRCLE_ARCHIVED = "{circle} is resting (archived) right now. A facilitator can reopen it with `{prefix}circle reopen`."
MISSING_OPTION = "I need {what} for that: `{usage}`."
TOO_MANY_WORDS = "I wasn't sure what to do with “{extra}”. The shape is `{usage}`."
UNCLOSED_QUOTE = 'It looks like the quote before “{word}” was opened but not closed. A name with spaces goes between two quotes, like "Tuesday evening".'
NO_SUCH_OPTION = "`{command}` has no option called “{option}”. The shape is `{usage}`."
WHO_IS_THAT = "I couldn't tell who “{text}” is. Try mentioning them, like `@name`."
SOMETHING_BROKE = "Something went wrong on my side and I couldn't finish that. I've noted it for the people who look after me."


class CommandError(Exception):
    """A refusal for the person who ran the command: a kind sentence, nothing changed."""

    def __init__(self, message: str, visibility: Visibility = Visibility.PERSONAL) -> None:
        super().__init__(message)
        self.message = message
        self.visibility = visibility

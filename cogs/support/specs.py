"""The support feature's commands as people see them: names, help lines, options and who may
run each; the handlers that carry them are in ``cog.py``."""

from __future__ import annotations

from bot.commands.options import CIRCLE_NAMED
from bot.commands.spec import CommandSpec, Option, OptionKind, Permission

NOTE_MAX = 1500  # characters in a member's own note
LINE_MAX = 300  # characters in the line a caller adds for whoever takes the call

NOW = CommandSpec(
    ("support", "now"),
    "Where to turn in a hard moment, your own note, and the offer of a call. Only you see it.",
    needs_space=False,
)
NOTE_WRITE = CommandSpec(
    ("support", "note", "write"),
    "Keep a note for hard moments: what helps, what doesn't, who you'd like to hear from.",
    (Option("note", OptionKind.TEXT, "Your note, in your own words", True, max_length=NOTE_MAX),),
    needs_space=False,
)
NOTE_SHOW = CommandSpec(("support", "note", "show"), "See your own note.", needs_space=False)
NOTE_CLEAR = CommandSpec(("support", "note", "clear"), "Erase your own note.", needs_space=False)
REGION = CommandSpec(
    ("support", "region"),
    "Choose the region of the places I show you (like GB); leave it out for your circle's.",
    (Option("region", OptionKind.WORD, "Two letters like GB or DE, or INT", max_length=8),),
    needs_space=False,
)
CIRCLE_REGION = CommandSpec(
    ("support", "circle", "region"),
    "Choose the region of the places a circle's members are shown.",
    (
        Option("region", OptionKind.WORD, "Two letters like GB or DE, or INT", True, max_length=8),
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
)
SPACE_REGION = CommandSpec(
    ("support", "space", "region"),
    "Choose the region of the places shown in this space.",
    (Option("region", OptionKind.WORD, "Two letters like GB or DE, or INT", True, max_length=8),),
    permission=Permission.MODERATOR,
)
CALL = CommandSpec(
    ("support", "call"),
    "Ask your circle's facilitators, privately, for someone to reach out to you.",
    (
        Option(
            "line", OptionKind.TEXT, "A line of your own for them (optional)", max_length=LINE_MAX
        ),
        CIRCLE_NAMED,
        Option("share", OptionKind.BOOLEAN, "Share your note with whoever takes it", keyword=True),
    ),
)
WITHDRAW = CommandSpec(("support", "withdraw"), "Withdraw your open call.", needs_space=False)
TAKE = CommandSpec(
    ("support", "take"),
    "Take a call you were asked about: you'll reach out to them.",
    (Option("call", OptionKind.INTEGER, "The call's number", True, min_value=1),),
    needs_space=False,
)
AWAY = CommandSpec(
    ("support", "away"), "Facilitators: not asked for calls for now.", needs_space=False
)
AVAILABLE = CommandSpec(
    ("support", "available"), "Facilitators: asked for calls again.", needs_space=False
)
RESOURCES = CommandSpec(
    ("support", "resources"),
    "The places to reach this space keeps, with their numbers and when each was checked.",
    permission=Permission.MODERATOR,
)
RESOURCE_ADD = CommandSpec(
    ("support", "resource", "add"),
    "Add a place to reach: a region, then its name | how to reach it | its hours.",
    (
        Option("region", OptionKind.WORD, "Two letters like GB or DE, or INT", True, max_length=8),
        Option(
            "entry",
            OptionKind.TEXT,
            "Name | how to reach it | hours, split by |",
            True,
            max_length=480,
        ),
    ),
    permission=Permission.MODERATOR,
)
RESOURCE_REMOVE = CommandSpec(
    ("support", "resource", "remove"),
    "Take a place off this space's list.",
    (Option("number", OptionKind.INTEGER, "Its number in the list", True, min_value=1),),
    permission=Permission.MODERATOR,
)
RESOURCE_VERIFY = CommandSpec(
    ("support", "resource", "verify"),
    "Mark a place as checked today.",
    (Option("number", OptionKind.INTEGER, "Its number in the list", True, min_value=1),),
    permission=Permission.MODERATOR,
)
OFFERS = CommandSpec(
    ("support", "offers"),
    "Turn off (or on) my private offer of support now after your own messages.",
    (Option("state", OptionKind.CHOICE, "off or on", True, choices=("off", "on")),),
    needs_space=False,
)
CIRCLE_OFFERS = CommandSpec(
    ("support", "circle", "offers"),
    "See whether a circle agreed to my private offers, or stop them.",
    (CIRCLE_NAMED, Option("state", OptionKind.CHOICE, "off to stop them", choices=("off",))),
    permission=Permission.FACILITATOR,
)
STATS = CommandSpec(
    ("support", "stats"),
    "Calls per week and how soon they were taken (counts only, never who).",
    (
        Option(
            "weeks",
            OptionKind.INTEGER,
            "How many weeks back (default 8)",
            min_value=1,
            max_value=52,
        ),
    ),
    permission=Permission.MODERATOR,
)

"""Commands declared once: parsing text lines, checking options, and every refusal kind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.chat import MemberRef, Platform
from bot.commands import (
    MAX_HELP_LENGTH,
    Command,
    CommandError,
    CommandSpec,
    Option,
    OptionKind,
    format_duration,
    parse_duration,
    tokenize,
)
from bot.platforms.local import parse_member
from tests.sandbox import Sandbox

SPEC = CommandSpec(
    ("thing", "do"),
    "Do a thing.",
    (
        Option("name", OptionKind.NAME, "A name", required=True),
        Option("count", OptionKind.INTEGER, "How many", min_value=1, max_value=9),
        Option("note", OptionKind.TEXT, "The rest"),
        Option("when", OptionKind.DURATION, "How long", keyword=True, min_value=60),
        Option("who", OptionKind.MEMBER, "Who", keyword=True),
    ),
)


async def noop(_: object) -> None:
    return None


def test_tokenize_keeps_quoted_phrases_together() -> None:
    """Straight and curly quotes make one token; an apostrophe inside a word does not."""
    assert [t.text for t in tokenize('a "b c" “d e” don\'t')] == ["a", "b c", "d e", "don't"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("5m", 300),
        ("2h", 7200),
        ("1h30m", 5400),
        ("3d", 259200),
        ("1w", 604800),
        ("10 min", 600),
    ],
)
def test_durations_read_like_people_write_them(text: str, seconds: int) -> None:
    """Durations accept s, m, h, d, w and combinations."""
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "5", "m5", "five minutes", "-5m"])
def test_unreadable_durations_are_none(text: str) -> None:
    """Anything else is not a duration."""
    assert parse_duration(text) is None


def test_durations_are_shown_in_words() -> None:
    """Durations print as the two largest units."""
    assert format_duration(timedelta(seconds=5400)) == "1 hour 30 minutes"


async def test_positional_then_text_then_trailing_settings(sb: Sandbox) -> None:
    """Words fill options in order, the TEXT option takes the rest, trailing name=value are settings."""
    assert sb.app is not None
    raw = sb.app.router.parse_arguments(
        SPEC, "Tea 3 hello there when=2m who=@bob", parse_member, "/"
    )
    assert raw == {
        "name": "Tea",
        "count": "3",
        "note": "hello there",
        "when": "2m",
        "who": MemberRef(Platform.LOCAL, "bob"),
    }
    values = sb.app.router.convert(SPEC, raw, "/")
    assert values["count"] == 3
    assert values["when"] == timedelta(minutes=2)


@pytest.mark.parametrize(
    ("rest", "message"),
    [
        ("Tea 0", "The count can be between 1 and 9; 0 is outside that."),
        ("Tea x", "The count should be a whole number, like 8."),
        ("Tea 2 hi when=30s", "The when can be at least 1 minute; 30 seconds is outside that."),
        ("Tea 2 hi when=soon", "I read the when as a length of time"),
        ("Tea 2 hi who=@@", "I couldn't tell who “@@” is."),
        ('"Tea time 2', "It looks like the quote before “Tea” was opened but not closed."),
        ("", "I need the name for that: `/thing do <name> [count] [note] [when=…] [who=…]`."),
    ],
)
async def test_option_problems_are_explained(sb: Sandbox, rest: str, message: str) -> None:
    """Each kind of bad option gets its own clear sentence."""
    assert sb.app is not None
    router = sb.app.router

    def parse_and_convert() -> None:
        router.convert(SPEC, router.parse_arguments(SPEC, rest, parse_member, "/"), "/")

    with pytest.raises(CommandError) as refusal:
        parse_and_convert()
    assert message in refusal.value.message


async def test_an_unclosed_quote_changes_nothing(sb: Sandbox) -> None:
    """`create "Tuesday evening` is refused kindly instead of naming a circle `"Tuesday`;
    free text (a round's prompt) may still begin with a quote."""
    out = await sb.say('alice: /circle create "Tuesday evening')
    assert "It looks like the quote before “Tuesday” was opened but not closed." in out
    assert "There are no circles in this space yet" in await sb.say("alice: /circle list")
    await sb.say("alice: /circle create Tuesday")
    assert "> “as we are" in await sb.say("alice: /round start “as we are")


async def test_unknown_commands_suggest_the_closest(sb: Sandbox) -> None:
    """A typo gets a suggestion and a pointer to help."""
    out = await sb.say("bob: /circle jion")
    assert "I don't know the command `/circle jion`. Did you mean `/circle join [circle]`?" in out
    assert "`/help` lists what I can do." in out


async def test_help_lists_and_explains(sb: Sandbox) -> None:
    """`help` lists every group; `help <command>` explains its options."""
    out = await sb.say("bob: /help")
    assert "**circle**" in out
    assert "**round**" in out
    assert "`/circle create <name> [description] [capacity=…] [open=…] [time_zone=…]`" in out
    out = await sb.say("bob: /help circle preference")
    assert "**preference**: listening, ideas, or unset (listening, ideas, unset)" in out
    assert "I don't have a command called “nothing”" in await sb.say("bob: /help nothing")


def test_declarations_that_no_platform_could_render_are_rejected() -> None:
    """Bad words, overlong help, a TEXT option before a positional and repeated names are errors."""
    with pytest.raises(ValueError, match="lowercase command word"):
        CommandSpec(("Circle",), "x").validate()
    with pytest.raises(ValueError, match="help must be"):
        CommandSpec(("x",), "h" * (MAX_HELP_LENGTH + 1)).validate()
    with pytest.raises(ValueError, match="TEXT option"):
        CommandSpec(
            ("x",), "x", (Option("a", OptionKind.TEXT, "a"), Option("b", OptionKind.WORD, "b"))
        ).validate()
    with pytest.raises(ValueError, match="repeated"):
        CommandSpec(
            ("x",), "x", (Option("a", OptionKind.WORD, "a"), Option("a", OptionKind.WORD, "a"))
        ).validate()


async def test_overlapping_commands_are_rejected(sb: Sandbox) -> None:
    """A command can't also be a group (Discord could not show it)."""
    assert sb.app is not None
    with pytest.raises(ValueError, match="overlap"):
        sb.app.router.add(Command(CommandSpec(("circle",), "x"), noop))


async def test_every_declared_command_is_renderable(sb: Sandbox) -> None:
    """All the bot's commands pass validation and have help in Discord's length."""
    assert sb.app is not None
    for spec in sb.app.router.specs:
        spec.validate()


async def test_a_group_alone_lists_its_commands(sb: Sandbox) -> None:
    """`/circle` on its own shows what the circle commands are, instead of guessing one;
    `/circle rota` does the same one level down; nothing changes."""
    out = await sb.say("bob: /circle")
    assert "I don't know the command" not in out
    assert "`/circle` goes with one more word" in out
    assert "• `/circle join [circle]` — Join a circle, or ask to join a closed one." in out
    assert "• `/circle create <name>" in out
    assert "_(facilitators)_" in out
    assert "/round start" not in out
    out = await sb.say("bob: /circle rota")
    assert "`/circle rota` goes with one more word" in out
    assert "• `/circle rota pass [circle]`" in out
    assert "/circle join" not in out
    assert "There are no circles in this space yet" in await sb.say("bob: /circle list")


async def test_help_opens_with_first_steps_before_the_full_list(sb: Sandbox) -> None:
    """`/help` begins with a few first steps, then lists everything; each step names a real command."""
    assert sb.app is not None
    out = await sb.say("bob: /help")
    steps, _, rest = out.partition("Here's what I can help with.")
    assert "First steps" in steps
    assert "**circle**" in rest
    assert "**circle**" not in steps
    named = [word for word in steps.split("`") if word.startswith("/")]
    assert len(named) >= 4
    for command in named:
        spec, _, _ = sb.app.router.split_path(command.removeprefix("/"))
        assert spec is not None, command
    assert "First steps" not in await sb.say("bob: /help circle")


async def test_a_moderators_only_command_is_refused_as_an_invitation(sb: Sandbox) -> None:
    """A member who tries a moderators' command hears who looks after it and how to take it
    further together, not a closed door; nothing changes."""
    from bot.commands import NOT_MODERATOR

    out = await sb.say("bob: /prompt decks reload")
    assert NOT_MODERATOR in out
    assert "only bob sees" in out
    assert not NOT_MODERATOR.startswith("Only")
    assert "you could" in NOT_MODERATOR
    assert "together" in NOT_MODERATOR

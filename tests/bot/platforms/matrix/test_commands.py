"""Telling ``!ck`` commands from messages, naming people, and reading mention pills."""

from __future__ import annotations

import pytest

from bot.chat import MemberRef, Platform
from bot.platforms.matrix.commands import (
    CommandLine,
    MemberParser,
    MissingSpace,
    read_command,
    text_with_pills,
)
from bot.platforms.matrix.translate import strip_reply_fallback

GROUPS = {"circle", "round", "help", "privacy"}
ME = "@circlekeeper:example.org"
NAMES = {"@bob:example.org": "Bob", "@ann:example.org": "Ann Lee", "@ann2:example.org": "Annie"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!ck circle join", CommandLine("circle join")),
        ("  !CK   help  ", CommandLine("help")),
        ("!ck", CommandLine("help")),
        ("!ck   ", CommandLine("help")),
        ("!ckcircle list", MissingSpace("circle list")),
        ("!ckhelp", MissingSpace("help")),
        ("!cking about", None),
        ("hello !ck help", None),
        ("", None),
    ],
)
def test_command_lines_are_told_from_messages(text: str, expected: object) -> None:
    """The prefix then a space is a command; the prefix alone is help; glued words get a hint."""
    assert read_command(text, "!ck", GROUPS) == expected


@pytest.mark.parametrize(
    ("text", "user"),
    [
        ("@bob:example.org", "@bob:example.org"),
        ("https://matrix.to/#/@bob:example.org", "@bob:example.org"),
        ("https://matrix.to/#/%40bob%3Aexample.org", "@bob:example.org"),
        ("<https://matrix.to/#/@bob:example.org>", "@bob:example.org"),
        ("Bob", "@bob:example.org"),
        ("@Bob", "@bob:example.org"),
        ("ann lee", "@ann:example.org"),
        ("bob", "@bob:example.org"),
        ("ann2", "@ann2:example.org"),
    ],
)
def test_people_are_named_by_id_link_pill_or_display_name(text: str, user: str) -> None:
    """A user id, a matrix.to link, or a room member's display name (or localpart) names someone."""
    parse = MemberParser(ME, lambda: NAMES)
    assert parse(text) == MemberRef(Platform.MATRIX, user)


@pytest.mark.parametrize(
    "text", ["nobody", "@", "", "@circlekeeper:example.org", "https://example.org/#/@bob:x"]
)
def test_unknown_or_ambiguous_names_are_nobody(text: str) -> None:
    """Strangers, the bot itself and odd links name nobody (the router then asks kindly)."""
    parse = MemberParser(ME, lambda: NAMES)
    assert parse(text) is None


def test_mention_pills_turn_back_into_user_ids() -> None:
    """The HTML of a pill gives the user id the plain body leaves out."""
    html = '!ck circle approve <a href="https://matrix.to/#/@bob:example.org">Bob</a> Tuesday'
    assert (
        text_with_pills("!ck circle approve Bob Tuesday", html)
        == "!ck circle approve @bob:example.org Tuesday"
    )
    assert text_with_pills("plain", None) == "plain"
    assert text_with_pills("plain", "<b>no pills</b>") == "plain"


def test_reply_fallbacks_are_dropped_from_commands() -> None:
    """A reply's quoted fallback lines are not part of what was said."""
    body = "> <@bob:example.org> shall we?\n> second line\n\n!ck circle join"
    assert strip_reply_fallback(body) == "!ck circle join"
    assert strip_reply_fallback("> a quote someone wrote") == "> a quote someone wrote"

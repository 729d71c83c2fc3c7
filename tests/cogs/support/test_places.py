"""The places to reach: the shipped list and its checks, `check-config` on a space's own
file, the region chosen, moderators keeping the list, and the six-month reminder."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main
from cogs.support.places import (
    INTERNATIONAL,
    Resource,
    ResourceError,
    choose_region,
    for_region,
    next_look,
    parse,
    read_file,
)
from tests.sandbox import START, Sandbox, make_circle

GOOD = """
[[resource]]
region = "GB"
name = "Samaritans"
reach = "call 116 123"
hours = "day and night"
verified_on = 2026-01-10
"""


def test_the_shipped_list_is_an_example_to_be_checked() -> None:
    entries = read_file()
    assert any(e.region == INTERNATIONAL and "findahelpline.com" in e.reach for e in entries)
    assert all(not e.checked for e in entries)
    text = Path(__file__).resolve().parents[3] / "prompts" / "support" / "resources.toml"
    assert "TO BE CHECKED" in text.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"resource": [{"region": "gb"}]}, "region should be a two-letter code"),
        (
            {"resource": [{"region": "GB", "name": "x", "reach": "y", "hours": "z"}]},
            "missing 'verified_on'",
        ),
        (
            {
                "resource": [
                    {
                        "region": "GB",
                        "name": "x\u202e",
                        "reach": "y",
                        "hours": "z",
                        "verified_on": date(2026, 1, 1),
                    }
                ]
            },
            "direction-changing characters",
        ),
        (
            {
                "resource": [
                    {
                        "region": "GB",
                        "name": "x",
                        "reach": "y",
                        "hours": "z",
                        "verified_on": "2026-01-01",
                    }
                ]
            },
            "verified_on should be a date",
        ),
        ({"resource": [{"region": "GB", "nmae": "x"}]}, "unknown key 'nmae'"),
        ({}, "needs at least one [[resource]]"),
    ],
)
def test_a_bad_entry_is_named(raw: dict[str, object], problem: str) -> None:
    with pytest.raises(ResourceError) as caught:
        parse(raw, "list.toml")
    assert any(problem in line for line in caught.value.problems)


def test_check_config_reads_the_spaces_own_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = tmp_path / "places.toml"
    own.write_text(GOOD.replace('region = "GB"', 'region = "Britain"'), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[support]\nresources_file = "{own}"\n', encoding="utf-8")
    assert main(["check-config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "support.resources_file:" in err
    assert "resource 1: region should be a two-letter code" in err
    own.write_text(GOOD, encoding="utf-8")
    assert main(["check-config", str(config)]) == 0
    config.write_text('[support]\nregion = "Britain"\n', encoding="utf-8")
    assert main(["check-config", str(config)]) == 2
    assert "support.region:" in capsys.readouterr().err


def test_the_region_is_the_members_then_the_circles_then_the_spaces() -> None:
    assert choose_region("GB", "DE", "US") == "GB"
    assert choose_region(None, "DE", "US") == "DE"
    assert choose_region(None, None, None) == INTERNATIONAL
    entries = [
        Resource("INT", "Everywhere", "a", "b", date(2026, 1, 1)),
        Resource("GB", "Here", "a", "b", date(2026, 1, 1)),
        Resource("DE", "There", "a", "b", date(2026, 1, 1)),
    ]
    assert [e.name for e in for_region(entries, "GB")] == ["Here", "Everywhere"]
    assert [e.name for e in for_region(entries, "INT")] == ["Everywhere"]
    assert next_look(entries) == date(2026, 7, 3)


async def test_support_now_shows_the_chosen_regions_places(sb: Sandbox) -> None:
    await make_circle(sb, "bob")
    await sb.say("bob: /support now")
    assert "Samaritans" not in sb.private_to("bob")[-1]
    await sb.say("alice: /support space region US", "bob: /support now")
    assert "988" in sb.private_to("bob")[-1]
    await sb.say("alice: /support circle region DE", "bob: /support now")
    assert "TelefonSeelsorge" in sb.private_to("bob")[-1]
    assert "988" not in sb.private_to("bob")[-1]
    await sb.say("bob: /support region gb", "bob: /support now")
    assert "Samaritans" in sb.private_to("bob")[-1]
    assert "findahelpline.com" in sb.private_to("bob")[-1]  # everywhere's, after their own
    out = await sb.say("bob: /support region Narnia")
    assert "two-letter codes like GB" in out
    await sb.say("bob: /support now")
    assert "Samaritans" in sb.private_to("bob")[-1]  # nothing changed
    out = await sb.say("bob: /support space region FR")
    assert "moderator" in out


async def test_moderators_keep_the_spaces_list(sb: Sandbox) -> None:
    await make_circle(sb, "bob")
    out = await sb.say("bob: /support resource add GB Mine | call 1 | always")
    assert "moderator" in out
    out = await sb.say("alice: /support resources")
    assert "the example list shipped with the bot, to be checked" in out
    out = await sb.say("alice: /support resource add GB Local line | call 0100 | evenings")
    assert "Added as number 7: Local line for GB, checked today." in out
    out = await sb.say("alice: /support resource add Britain x | y | z")
    assert "two-letter code" in out
    out = await sb.say("alice: /support resource add GB x")
    assert "split by `|`" in out
    out = await sb.say("alice: /support resource add GB x\u202e | y | z")
    out = await sb.say("alice: /support resources")
    assert out.count("GB ·") == 2  # nothing added by the refusals
    await sb.say(
        "alice: /support resource remove 3", "bob: /support region GB", "bob: /support now"
    )
    now = sb.private_to("bob")[-1]
    assert "Local line" in now
    assert "Samaritans**" not in now
    assert "not yet checked" not in now  # the space's own list is the space's word
    out = await sb.say("alice: /support resource verify 99")
    assert "There's no number 99" in out


async def test_moderators_are_reminded_of_old_entries_once_and_after_a_restart(
    tmp_path: Path,
) -> None:
    sb = Sandbox(
        tmp_path, moderators=("alice", "mo"), start=START.replace(year=2027, month=5, day=1)
    )
    await sb.open()
    try:
        await make_circle(sb, "bob")
        await sb.restart()  # the reminder is re-armed from the database
        assert not [t for t in sb.private_to("mo") if "last checked more than six months" in t]
        await sb.wait(timedelta(days=2))
        reminders = [t for t in sb.private_to("mo") if "checked more than six months ago" in t]
        assert len(reminders) == 1
        assert "Find A Helpline" in reminders[0]
        await sb.restart()
        await sb.wait(timedelta(days=3))
        assert len([t for t in sb.private_to("mo") if "six months ago" in t]) == 1
        await sb.say("alice: /support resource verify 1")
        await sb.wait(timedelta(days=40))  # a month on, the others are still due a look
        again = [t for t in sb.private_to("mo") if "six months ago" in t]
        assert len(again) == 2
        assert "Find A Helpline" not in again[-1]
    finally:
        await sb.close()

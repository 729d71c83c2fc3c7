"""The private offer of `support now` after a member's own words, in a circle that agreed to
it by its own vote: only to the author, at most once a day, never after an opt-out, and
without keeping a word. Also the labelled set's frozen split and the measured figures."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from cogs.support.hard_words import names_a_hard_moment
from cogs.support.offer_corpus import measure, read
from cogs.support.texts import OFFERS_AGREEMENT
from tests.sandbox import Sandbox, make_circle

CORPUS = Path(__file__).resolve().parents[3] / "corpus" / "support"
CONSENT = "\N{WHITE HEAVY CHECK MARK}"
HARD = "I don't know how much more I can take"


def offers_to(sb: Sandbox, member: str) -> list[str]:
    return [t for t in sb.private_to(member) if t.startswith("I noticed your message in")]


async def agree_to_offers(sb: Sandbox) -> None:
    """Tuesday (alice, bob, carol) proposes the offers agreement and adopts it by consent."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"alice: /agreement propose {OFFERS_AGREEMENT}")
    out = await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}", f"carol +^ {CONSENT}")
    assert "is adopted" in out


async def test_no_offer_without_the_circles_agreement(sb: Sandbox) -> None:
    await make_circle(sb, "bob")
    await sb.say(f"bob: {HARD}")
    assert offers_to(sb, "bob") == []
    out = await sb.say("alice: /support circle offers")
    assert "hasn't agreed to my private offers" in out
    assert f"/agreement propose {OFFERS_AGREEMENT}" in out


async def test_an_agreed_circle_offers_once_a_day_to_the_author_only(sb: Sandbox) -> None:
    await agree_to_offers(sb)
    out = await sb.say("alice: /support circle offers")
    assert "Tuesday has agreed to it" in out
    before = len(sb.chat_or_fail().private)
    await sb.say(f"bob: {HARD}")
    assert len(offers_to(sb, "bob")) == 1
    assert "`/support now`" in offers_to(sb, "bob")[0]
    assert "`/support offers off`" in offers_to(sb, "bob")[0]
    assert len(sb.chat_or_fail().private) == before + 1  # nobody else hears of it
    await sb.say(f"bob: {HARD}", "bob: honestly I can't do this anymore")
    assert len(offers_to(sb, "bob")) == 1  # at most once a day
    await sb.restart()
    await sb.say(f"bob: {HARD}")
    assert len(offers_to(sb, "bob")) == 1  # the limit is kept in the database
    await sb.wait(timedelta(days=1, minutes=1))
    await sb.say(f"bob: {HARD}")
    assert len(offers_to(sb, "bob")) == 2


async def test_others_words_and_replies_bring_no_offer(sb: Sandbox) -> None:
    await agree_to_offers(sb)
    await sb.say("carol: my sister said she wants to die and I froze")
    await sb.say("carol: this traffic, I want to die lol")
    await sb.say(f"carol: > {HARD}\ncarol: I hear you, Bob.")
    assert offers_to(sb, "carol") == []
    await sb.say(f"dan: {HARD}")  # not a member of the circle
    assert offers_to(sb, "dan") == []


async def test_the_offer_honours_an_opt_out(sb: Sandbox) -> None:
    await agree_to_offers(sb)
    out = await sb.say("bob: /support offers off")
    assert "I won't offer `/support now` after your messages any more." in out
    out = await sb.say("bob: /support offers off")
    assert "already off" in out
    await sb.say(f"bob: {HARD}")
    assert offers_to(sb, "bob") == []
    await sb.say("bob: /support offers on", f"bob: {HARD}")
    assert len(offers_to(sb, "bob")) == 1


async def test_a_facilitator_can_stop_the_offers(sb: Sandbox) -> None:
    await agree_to_offers(sb)
    out = await sb.say("bob: /support circle offers off")
    assert "facilitat" in out  # bob isn't one: refused
    await sb.say("alice: /support circle offers off", f"bob: {HARD}")
    assert offers_to(sb, "bob") == []


async def test_no_words_are_kept_only_the_time_and_circle(sb: Sandbox) -> None:
    await agree_to_offers(sb)
    await sb.say(f"bob: {HARD}")
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        rows = conn.execute("SELECT * FROM support_offers").fetchall()
    assert rows == [(1, 1, "bob", "2026-03-02T17:00:00.000000Z")]
    path = Path(sb.app.db.path)
    blob = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert HARD.encode() not in blob
    assert b"much more I can take" not in blob
    await sb.say("bob: /privacy export")
    assert '"offers": [' in sb.private_to("bob")[-1]
    assert '"circle": "Tuesday"' in sb.private_to("bob")[-1]


def test_the_test_split_is_frozen() -> None:
    digest = hashlib.sha256((CORPUS / "test.txt").read_bytes()).hexdigest()
    assert digest == (CORPUS / "FROZEN_TEST.sha256").read_text(encoding="utf-8").strip()


@pytest.mark.parametrize("split", ["dev", "test"])
def test_recall_and_false_offers_on_our_labelled_set(split: str) -> None:
    """False offers stay rare first; recall is what comes with that (figures printed by
    bench/support_offers.py, and floors here so a change that loses ground fails)."""
    result = measure(read(CORPUS / f"{split}.txt"), names_a_hard_moment)
    assert result.offers >= 20
    assert result.others >= 20
    assert result.false_offer_rate <= 0.05
    assert result.recall >= 0.8


def test_a_malformed_corpus_line_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("offer | fine\nmaybe | not a label\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.txt:2"):
        read(bad)

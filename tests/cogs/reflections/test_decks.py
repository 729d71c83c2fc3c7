"""The deck loader: TOML text in, a checked Deck out, or every problem in a plain sentence."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from cogs.reflections.decks import DeckError, clashes, parse_deck, text_key, title_from
from cogs.reflections.library import DeckLibrary, builtin_decks, read_folder

GOOD = """\
[deck]
id = "garden"
title = "Things that grow"
description = "Prompts about tending things."

[[prompts]]
id = "garden-01"
theme = "moving-towards"
title = "Something you're tending"
text = "What's something you're tending at the moment, in a garden or anywhere else?"
tags = ["light"]

[[prompts]]
id = "garden-02"
theme = "connection"
title = "Growing together"
text = "Who has helped something grow in you, and how did they go about it?"
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(DeckError) as caught:
        parse_deck(text, "garden.toml")
    return caught.value.problems


def test_a_good_deck_loads_with_its_prompts_and_themes() -> None:
    """A well-formed deck becomes a Deck with its prompts, in order, and the themes it covers."""
    deck = parse_deck(GOOD, "garden.toml")
    assert deck.id == "garden"
    assert [p.id for p in deck.prompts] == ["garden-01", "garden-02"]
    assert deck.prompts[0].tags == ("light",)
    assert deck.themes == ("connection", "moving-towards")
    assert [p.id for p in deck.matching("connection")] == ["garden-02"]
    assert deck.matching(None) == deck.prompts


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (
            ("[deck]", "[dek]"),
            "garden.toml needs a [deck] table with an id, a title and a description.",
        ),
        (
            ('id = "garden"', 'id = "Garden Deck"'),
            "the deck id “Garden Deck” should be lowercase letters",
        ),
        (
            ('id = "garden"', 'id = "circle"'),
            "the deck id “circle” is kept for each circle's own deck",
        ),
        (
            ('theme = "moving-towards"', 'theme = "hope"'),
            "prompt 1 (garden-01): the theme “hope” isn't one I know",
        ),
        (
            ('title = "Growing together"', 'title = "Growing together?"'),
            "titles read better without end punctuation",
        ),
        (('id = "garden-02"', 'id = "garden-01"'), "the prompt id “garden-01” is used 2 times"),
        (
            ('text = "Who has', 'txt = "Who has'),
            "I don't know the key “txt” (did you mean “text”?)",
        ),
        (('tags = ["light"]', 'tags = ["Light Hearted"]'), "each tag should be one lowercase word"),
        (('text = "Who has helped', 'text = "@everyone, who has helped'), "it mentions @everyone"),
        (("[[prompts]]", "[[prompt]]"), "has no prompts yet"),
        (('title = "Things that grow"', "title = 3"), "“title” should be text in quotes"),
    ],
)
def test_problems_are_named_in_plain_sentences(change: tuple[str, str], sentence: str) -> None:
    """Each kind of mistake in a deck is reported as a sentence naming the file and the prompt."""
    old, new = change
    assert old in GOOD
    found = problems_of(GOOD.replace(old, new))
    assert any(sentence in p for p in found), found


def test_text_length_is_checked() -> None:
    """A prompt's text is 20 to 280 characters."""
    short = problems_of(
        GOOD.replace("Who has helped something grow in you, and how did they go about it?", "Who?")
    )
    assert any("at least 20 characters; this one has 4" in p for p in short)
    long_text = "Why " + "so " * 100 + "?"
    long = problems_of(
        GOOD.replace(
            "Who has helped something grow in you, and how did they go about it?", long_text
        )
    )
    assert any("at most 280 characters" in p for p in long)


def test_every_problem_is_reported_at_once() -> None:
    """Several mistakes give several sentences, so a moderator can fix them in one go."""
    found = problems_of(
        GOOD.replace('theme = "moving-towards"', 'theme = "hope"').replace("garden-02", "Garden 2")
    )
    assert len(found) == 2


def test_toml_that_does_not_parse_says_so() -> None:
    """Broken TOML is one sentence with the parser's own position."""
    assert problems_of("[deck\nid = 1")[0].startswith("garden.toml isn't valid TOML:")


def test_ids_clash_across_decks() -> None:
    """A deck id or prompt id already used by another deck is a problem of the later deck."""
    garden = parse_deck(GOOD, "garden.toml")
    again = parse_deck(GOOD.replace('id = "garden"', 'id = "garden-too"'), "garden-too.toml")
    assert clashes([again], [garden]) == [
        "garden-too.toml: the prompt id “garden-01” is already used by garden.toml; prompt ids are unique across all decks."
    ]
    assert clashes([garden], [garden])[0].startswith(
        "garden.toml: the deck id “garden” is already used"
    )


def test_the_shipped_decks_load_with_the_bots_own_loader() -> None:
    """Every deck in prompts/decks passes the loader the bot runs, with no clashes between them."""
    folder = resources.files("prompts").joinpath("decks")
    names = sorted(e.name for e in folder.iterdir() if e.name.endswith(".toml"))
    decks = builtin_decks()
    assert sorted(d.source for d in decks) == names
    assert {d.id for d in decks} >= {"ips", "check-ins"}
    assert sum(len(d.prompts) for d in decks) >= 80


def test_a_folder_loads_good_decks_and_explains_the_rest(tmp_path: Path) -> None:
    """In the decks folder, good decks load and each bad file gets its sentences; the rest still load."""
    (tmp_path / "garden.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken.toml").write_text("[deck\n", encoding="utf-8")
    (tmp_path / "clash.toml").write_text(
        GOOD.replace('id = "garden"', 'id = "ips"'), encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text("not a deck", encoding="utf-8")
    decks, problems, exists = read_folder(tmp_path, tuple(builtin_decks()))
    assert exists
    assert [d.id for d in decks] == ["garden"]
    assert problems[0].startswith("broken.toml isn't valid TOML")
    assert problems[1].startswith("clash.toml: the deck id “ips” is already used by")
    assert read_folder(tmp_path / "missing", ()) == ([], [], False)


def test_the_library_finds_decks_by_id_and_spots_known_texts(tmp_path: Path) -> None:
    """The library serves built-in and folder decks, and knows every prompt's text for repeats."""
    library = DeckLibrary(tmp_path)
    assert library.get("garden") is None
    (tmp_path / "garden.toml").write_text(GOOD, encoding="utf-8")
    report = library.reload()
    assert [d.id for d in report.loaded] == ["garden"]
    garden = library.get("garden")
    assert garden is not None
    assert (
        library.deck_with_text(
            text_key("WHO has helped something grow in you and how did they go about it")
        )
        == "garden"
    )


def test_text_keys_ignore_case_punctuation_and_spacing() -> None:
    """Two prompts that differ only in case, punctuation or spacing count as the same."""
    assert text_key("What’s  new,   today?") == text_key("what's new today")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "What is something small that made you smile this week?",
            "What is something small that made you smile this week",
        ),
        ("One word for today. Or two!", "One word for today"),
        (
            "Tell us about a place where you feel at home, and what makes it feel that way for you, in as many words as you like.",
            "Tell us about a place where you feel at home, and what…",
        ),
    ],
)
def test_titles_come_from_the_first_clause(text: str, title: str) -> None:
    """A suggestion's default title is its first sentence, cut at a word to fit a thread title."""
    assert title_from(text) == title

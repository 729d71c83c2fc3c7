"""Checks for names and text: clean what is harmless, refuse what could mislead."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.text import TextProblem, check_line, check_name, check_text, clip, name_key


def test_names_fold_spaces_and_keep_unicode_letters() -> None:
    """A name keeps accents and emoji, with runs of spaces folded to one."""
    assert check_name("  Café   du  lundi 🌱 ") == ("Café du lundi 🌱", None)


def test_names_refuse_what_others_could_not_type() -> None:
    """Zero-width, control, direction and line-break characters make a name unusable."""
    assert check_name("a\u200bb")[1] is TextProblem.INVISIBLE
    assert check_name("a\x00b")[1] is TextProblem.CONTROL
    assert check_name("a\u202eb")[1] is TextProblem.BIDI
    assert check_name("a\nb")[1] is TextProblem.MULTILINE
    assert check_name("")[1] is TextProblem.EMPTY
    assert check_name("x" * 41)[1] is TextProblem.TOO_LONG


def test_a_family_emoji_with_joiners_is_fine_in_a_name() -> None:
    """A zero-width joiner inside an emoji sequence is not a trick."""
    assert check_name("Parents 👩‍👧")[1] is None


def test_long_text_drops_invisible_spacing_but_refuses_disguise() -> None:
    """Text keeps line breaks, quietly drops zero-width spaces, and refuses bidi overrides."""
    assert check_text("one\r\ntwo\u200b") == ("one\ntwo", None)
    assert check_text("abc\u202edef")[1] is TextProblem.BIDI
    assert check_text("x" * 2001)[1] is TextProblem.TOO_LONG


def test_a_line_is_one_line() -> None:
    """A one-line phrase refuses line breaks."""
    assert check_line("one\ntwo")[1] is TextProblem.MULTILINE


def test_lone_surrogates_are_refused() -> None:
    """Text that cannot be encoded as UTF-8 is refused rather than stored."""
    assert check_text("a\ud800b")[1] is TextProblem.UNENCODABLE


@given(st.text())
def test_checks_never_raise(text: str) -> None:
    """Any string gets a result, never an exception."""
    for check in (check_name, check_line, check_text):
        cleaned, problem = check(text)
        assert isinstance(cleaned, str)
        assert problem is None or isinstance(problem, TextProblem)
        if problem is None:
            cleaned.encode("utf-8")


def test_names_compare_without_case_or_width() -> None:
    """Tuesday, TUESDAY and full-width Ｔｕｅｓｄａｙ are the same name."""
    assert name_key("Tuesday") == name_key("TUESDAY") == name_key("Ｔｕｅｓｄａｙ")


def test_clip_marks_the_cut() -> None:
    """Clipped text ends with an ellipsis and fits the length."""
    assert clip("abcdef", 4) == "abc…"
    assert clip("abc", 4) == "abc"

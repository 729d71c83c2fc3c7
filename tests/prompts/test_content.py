"""Content checks for everything under prompts/: reflection decks, nudges and agreements.

These texts are the bot's voice. The checks guard the schema and the voice rules described in
prompts/README.md, so a new deck or nudge can be added with confidence.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"

ID_PATTERN = re.compile(r"^[a-z0-9-]{1,40}$")
TAG_PATTERN = re.compile(r"^[a-z]+(?:-[a-z]+)*$")

THEMES = (
    "connection",
    "worldview",
    "mutuality",
    "moving-towards",
    "agreements",
    "check-in",
    "check-out",
)
MIN_PROMPTS_PER_THEME = 12
MIN_PROMPTS_TOTAL = 80

SITUATIONS = ("drift", "listening", "suggestion", "labelling", "group", "self_check")
PRIVATE_SITUATIONS = frozenset(SITUATIONS) - {"group"}
MIN_NUDGES_PER_SITUATION = 4
MIN_NUDGES_TOTAL = 24
PLACEHOLDERS = frozenset({"opt_out", "why", "noticed", "agreement"})
SAMPLE_VALUES = {
    "opt_out": "`/nudges off`",
    "why": "`/nudges why`",
    "noticed": "a couple of suggestions in a row",
    "agreement": "This circle's agreement #3 speaks to this (`/agreement show 3`). ",
}

MIN_AGREEMENTS = 8
MAX_AGREEMENTS = 10

TITLE_MAX = 60
DESCRIPTION_MAX = 200
PROMPT_TEXT_LENGTH = (20, 280)
NUDGE_TEXT_LENGTH = (80, 500)
AGREEMENT_TEXT_LENGTH = (60, 600)
TRAILING_PUNCTUATION = ".,;:!?\u2026"

# Words that make a peer circle sound like a clinic, or that assume a diagnosis or a crisis.
# Matched as whole words (the patterns are regular expressions), case-insensitively.
CLINICAL_WORDS = (
    r"symptoms?",
    r"disorders?",
    r"patients?",
    r"treatments?",
    r"diagnos\w*",
    r"therap\w*",
    r"mental(?:ly)? ill(?:ness|nesses)?",
    r"illness(?:es)?",
    r"disease\w*",
    r"clinic\w*",
    r"clients?",
    r"psychiatr\w*",
    r"psycho\w*",
    r"medicat\w*",
    r"meds",
    r"relapse\w*",
    r"recovery plans?",
    r"coping (?:skills?|strateg\w*|mechanisms?)",
    r"trigger warnings?",
    r"patholog\w*",
    r"prognos\w*",
    r"interventions?",
    r"cris[ie]s",
    r"trauma\w*",
    r"depress\w*",
    r"anxiety",
    r"bipolar",
    r"ptsd",
    r"adhd",
    r"compliance",
)
MASS_MENTIONS = ("@everyone", "@here", "@room")
ADVICE_MARKERS = (
    "you should",
    "you need to",
    "you must",
    "you ought to",
    "have you tried",
    "why don't you",
    "why not try",
    "make sure you",
    "if i were you",
    "try to",
)
# A nudge never blames, threatens or talks about taking anything down.
NUDGE_UNKIND_WORDS = (
    r"should",
    r"wrong",
    r"mistakes?",
    r"fault",
    r"bad",
    r"rules?",
    r"not allowed",
    r"violat\w*",
    r"warn\w*",
    r"delet\w*",
    r"remov\w*",
    r"hid(?:e|es|den|ing)",
    r"ban(?:s|ned)?",
    r"mut(?:e|ed|ing)",
    r"report\w*",
    r"punish\w*",
)
# A private nudge offers a way back in: one's own experience or a curious question.
NUDGE_INVITATIONS = ("?", "for me", "one way", "your own", "our own")
# Prompts ask something; the few that do not must open as a clear invitation.
PROMPT_INVITATION_OPENERS = (
    "tell us",
    "share",
    "one word",
    "two words",
    "three words",
    "a word",
    "if you'd like",
    "finish the sentence",
)


def _phrases(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


CLINICAL_RE = _phrases(CLINICAL_WORDS)
NUDGE_UNKIND_RE = _phrases(NUDGE_UNKIND_WORDS)


def _normalise(text: str) -> str:
    """Lower case, straight apostrophes and single spaces, for phrase matching."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")
    return " ".join(text.lower().split())


def _dedupe_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", _normalise(text)).split())


@functools.cache
def _documents() -> tuple[tuple[Path, dict[str, Any]], ...]:
    loaded = []
    for path in sorted(PROMPTS_DIR.rglob("*.toml")):
        try:
            loaded.append((path, tomllib.loads(path.read_text(encoding="utf-8"))))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            pytest.fail(f"{path.relative_to(PROMPTS_DIR)} does not parse: {exc}")
    return tuple(loaded)


def _where(path: Path, item: Any = None) -> str:
    name = str(path.relative_to(PROMPTS_DIR))
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return f"{name} [{item['id']}]"
    return name


def _tables(key: str) -> list[tuple[Path, Any]]:
    return [(path, item) for path, data in _documents() for item in data.get(key, [])]


def _decks() -> list[tuple[Path, Any]]:
    return [(path, data["deck"]) for path, data in _documents() if "deck" in data]


def _prompts() -> list[tuple[Path, Any]]:
    return _tables("prompts")


def _nudges() -> list[tuple[Path, Any]]:
    return _tables("nudges")


def _agreements() -> list[tuple[Path, Any]]:
    return _tables("agreements")


def _strings(item: Any) -> dict[str, str]:
    return {k: v for k, v in item.items() if isinstance(v, str)} if isinstance(item, dict) else {}


def _bodies() -> Iterator[tuple[str, str]]:
    """Every prompt, nudge and agreement text, with where it lives."""
    for key in ("prompts", "nudges", "agreements"):
        for path, item in _tables(key):
            text = _strings(item).get("text")
            if text is not None:
                yield _where(path, item), text


def _words_people_read() -> Iterator[tuple[str, str]]:
    """Every string a member may see: titles, descriptions, texts and tags."""
    for path, deck in _decks():
        for field in ("title", "description"):
            if field in _strings(deck):
                yield f"{_where(path)} deck.{field}", deck[field]
    for key in ("prompts", "nudges", "agreements"):
        for path, item in _tables(key):
            for field, value in _strings(item).items():
                if field not in ("id", "theme", "situation"):
                    yield f"{_where(path, item)} {field}", value
            tags = item.get("tags", []) if isinstance(item, dict) else []
            for tag in tags if isinstance(tags, list) else []:
                if isinstance(tag, str):
                    yield f"{_where(path, item)} tags", tag


def _schema_problems(
    where: str, item: Any, required: dict[str, type], optional: dict[str, type] | None = None
) -> list[str]:
    optional = optional or {}
    if not isinstance(item, dict):
        return [f"{where}: expected a table, found {type(item).__name__}"]
    problems = [f"{where}: missing key {key!r}" for key in required if key not in item]
    for key, value in item.items():
        expected = required.get(key, optional.get(key))
        if expected is None:
            problems.append(f"{where}: unknown key {key!r} (a typo?)")
        elif not isinstance(value, expected):
            problems.append(f"{where}: {key!r} should be {expected.__name__}")
    return problems


def _placeholders(text: str) -> list[tuple[str | None, str | None, str | None]]:
    return [(field, spec, conv) for _, field, spec, conv in string.Formatter().parse(text)]


def _report(problems: list[str]) -> str:
    return "\n".join(["", *problems])


def test_every_toml_file_has_one_known_shape() -> None:
    """Each TOML file under prompts/ parses and is a deck, the nudges, the agreements or the
    support resources (checked in tests/cogs/support)."""
    shapes = [{"deck", "prompts"}, {"nudges"}, {"agreements"}, {"resource"}]
    problems = [
        f"{_where(path)}: top-level keys {sorted(data)} match none of {shapes}"
        for path, data in _documents()
        if set(data) not in shapes
    ]
    assert _documents(), "no TOML files found under prompts/"
    assert not problems, _report(problems)


def test_decks_have_the_required_keys() -> None:
    """Every deck has an id, a title and a one-line description, and at least one prompt."""
    problems = []
    for path, deck in _decks():
        problems += _schema_problems(
            _where(path), deck, {"id": str, "title": str, "description": str}
        )
    for path, data in _documents():
        if "deck" in data and not (isinstance(data.get("prompts"), list) and data["prompts"]):
            problems.append(f"{_where(path)}: a deck needs at least one [[prompts]] entry")
    assert not problems, _report(problems)


def test_prompts_have_the_required_keys() -> None:
    """Every prompt has a string id, theme, title and text, and tags are a list of strings."""
    problems = []
    for path, prompt in _prompts():
        where = _where(path, prompt)
        problems += _schema_problems(
            where, prompt, {"id": str, "theme": str, "title": str, "text": str}, {"tags": list}
        )
        tags = prompt.get("tags", []) if isinstance(prompt, dict) else []
        if isinstance(tags, list):
            problems += [
                f"{where}: tag {tag!r} should be one lowercase word"
                for tag in tags
                if not (isinstance(tag, str) and TAG_PATTERN.match(tag))
            ]
            if len(set(map(str, tags))) != len(tags):
                problems.append(f"{where}: a tag is repeated")
    assert not problems, _report(problems)


def test_nudges_have_the_required_keys() -> None:
    """Every nudge has a string id, situation and text."""
    problems = []
    for path, nudge in _nudges():
        problems += _schema_problems(
            _where(path, nudge), nudge, {"id": str, "situation": str, "text": str}
        )
    assert not problems, _report(problems)


def test_agreements_have_the_required_keys() -> None:
    """Every agreement has a string id, title and text."""
    problems = []
    for path, agreement in _agreements():
        problems += _schema_problems(
            _where(path, agreement), agreement, {"id": str, "title": str, "text": str}
        )
    assert not problems, _report(problems)


@pytest.mark.parametrize("kind", ["deck", "prompts", "nudges", "agreements"])
def test_ids_are_well_formed_and_unique(kind: str) -> None:
    """Ids are lowercase letters, digits and hyphens (at most 40), unique across all files."""
    items = _decks() if kind == "deck" else _tables(kind)
    ids = [item["id"] for _, item in items if isinstance(item, dict) and "id" in item]
    problems = [
        f"{kind}: id {value!r} should match {ID_PATTERN.pattern}"
        for value in ids
        if not (isinstance(value, str) and ID_PATTERN.match(value))
    ]
    problems += [
        f"{kind}: id {value!r} is used {count} times"
        for value, count in Counter(map(str, ids)).items()
        if count > 1
    ]
    assert not problems, _report(problems)


def test_prompt_themes_are_known() -> None:
    """Every prompt's theme is one of the six themes."""
    problems = [
        f"{_where(path, prompt)}: theme {prompt.get('theme')!r} is not one of {THEMES}"
        for path, prompt in _prompts()
        if isinstance(prompt, dict) and prompt.get("theme") not in THEMES
    ]
    assert not problems, _report(problems)


@pytest.mark.parametrize("theme", THEMES)
def test_each_theme_has_enough_prompts(theme: str) -> None:
    """Each theme has enough prompts that a circle will not meet the same one too soon."""
    count = sum(1 for _, prompt in _prompts() if prompt.get("theme") == theme)
    assert count >= MIN_PROMPTS_PER_THEME, f"{theme}: {count} prompts, want {MIN_PROMPTS_PER_THEME}"


def test_there_are_enough_prompts_in_total() -> None:
    """All decks together hold enough prompts for months of meetings."""
    count = len(_prompts())
    assert count >= MIN_PROMPTS_TOTAL, f"{count} prompts, want at least {MIN_PROMPTS_TOTAL}"


def test_titles_are_short_and_unpunctuated() -> None:
    """Deck, prompt and agreement titles are short, trimmed and end without punctuation."""
    titled = [*_decks(), *_prompts(), *_agreements()]
    problems = []
    for path, item in titled:
        title = _strings(item).get("title")
        if title is None:
            continue
        where = _where(path, item)
        if not 1 <= len(title) <= TITLE_MAX:
            problems.append(f"{where}: title has {len(title)} characters, want 1..{TITLE_MAX}")
        if title[-1:] in TRAILING_PUNCTUATION:
            problems.append(f"{where}: title {title!r} ends with punctuation")
        if "\n" in title:
            problems.append(f"{where}: title spans lines")
    assert not problems, _report(problems)


def test_deck_descriptions_are_one_short_line() -> None:
    """A deck's description is one line of reasonable length."""
    problems = [
        f"{_where(path)}: description should be one line of at most {DESCRIPTION_MAX} characters"
        for path, deck in _decks()
        if isinstance(deck.get("description"), str)
        and ("\n" in deck["description"] or not 1 <= len(deck["description"]) <= DESCRIPTION_MAX)
    ]
    assert not problems, _report(problems)


@pytest.mark.parametrize(
    ("kind", "bounds"),
    [
        pytest.param("prompts", PROMPT_TEXT_LENGTH, id="prompts"),
        pytest.param("nudges", NUDGE_TEXT_LENGTH, id="nudges"),
        pytest.param("agreements", AGREEMENT_TEXT_LENGTH, id="agreements"),
    ],
)
def test_texts_are_within_length_bounds(kind: str, bounds: tuple[int, int]) -> None:
    """Texts are long enough to mean something and short enough to read mid-conversation."""
    low, high = bounds
    problems = [
        f"{_where(path, item)}: text has {len(item['text'])} characters, want {low}..{high}"
        for path, item in _tables(kind)
        if isinstance(_strings(item).get("text"), str) and not low <= len(item["text"]) <= high
    ]
    assert not problems, _report(problems)


def test_prompts_ask_or_invite() -> None:
    """Every prompt asks a question or opens as a clear invitation."""
    problems = [
        f"{_where(path, prompt)}: text neither asks a question nor opens as an invitation"
        for path, prompt in _prompts()
        if isinstance(text := _strings(prompt).get("text"), str)
        and "?" not in text
        and not _normalise(text).startswith(PROMPT_INVITATION_OPENERS)
    ]
    assert not problems, _report(problems)


def test_no_clinical_words() -> None:
    """No text a member reads uses clinical words or assumes a diagnosis or crisis."""
    problems = [
        f"{where}: {match.group(0)!r} sounds clinical"
        for where, value in _words_people_read()
        for match in CLINICAL_RE.finditer(value)
    ]
    assert not problems, _report(problems)


def test_no_mass_mentions() -> None:
    """No text could ping a whole server or room."""
    problems = [
        f"{where}: contains {mention}"
        for where, value in _words_people_read()
        for mention in MASS_MENTIONS
        if mention in value.lower()
    ]
    assert not problems, _report(problems)


def test_no_advice() -> None:
    """No text tells people what to do with their lives."""
    problems = [
        f"{where}: contains the advice marker {marker!r}"
        for where, value in _words_people_read()
        for marker in ADVICE_MARKERS
        if re.search(r"\b" + re.escape(marker) + r"\b", _normalise(value))
    ]
    assert not problems, _report(problems)


def test_no_stray_whitespace() -> None:
    """No file line ends in whitespace, and no value starts or ends with it."""
    problems = [
        f"{_where(path)} line {number}: trailing whitespace"
        for path, _ in _documents()
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)
        if line != line.rstrip()
    ]
    problems += [
        f"{where}: leading or trailing whitespace"
        for where, value in _words_people_read()
        if value != value.strip()
    ]
    assert not problems, _report(problems)


def test_no_duplicate_texts_or_titles() -> None:
    """No two texts, and no two prompt or agreement titles, are the same."""
    problems = []
    texts = Counter(_dedupe_key(text) for _, text in _bodies())
    problems += [f"text appears {n} times: {text!r}" for text, n in texts.items() if n > 1]
    for kind in ("prompts", "agreements"):
        titles = Counter(
            _dedupe_key(title)
            for _, item in _tables(kind)
            if isinstance(title := _strings(item).get("title"), str)
        )
        problems += [f"{kind} title appears {n} times: {t!r}" for t, n in titles.items() if n > 1]
    assert not problems, _report(problems)


def test_prompts_and_agreements_have_no_placeholders() -> None:
    """Prompts and agreements are plain text with no braces for a formatter to trip on."""
    problems = [
        f"{_where(path, item)}: text contains a brace"
        for kind in ("prompts", "agreements")
        for path, item in _tables(kind)
        if any(brace in _strings(item).get("text", "") for brace in "{}")
    ]
    assert not problems, _report(problems)


def test_nudge_situations_are_known() -> None:
    """Every nudge's situation is one of the six situations."""
    problems = [
        f"{_where(path, nudge)}: situation {nudge.get('situation')!r} is not one of {SITUATIONS}"
        for path, nudge in _nudges()
        if nudge.get("situation") not in SITUATIONS
    ]
    assert not problems, _report(problems)


@pytest.mark.parametrize("situation", SITUATIONS)
def test_each_situation_has_enough_nudges(situation: str) -> None:
    """Each situation has several wordings, so repeated notes do not read like a form letter."""
    count = sum(1 for _, nudge in _nudges() if nudge.get("situation") == situation)
    assert count >= MIN_NUDGES_PER_SITUATION, (
        f"{situation}: {count} nudges, want {MIN_NUDGES_PER_SITUATION}"
    )


def test_there_are_enough_nudges_in_total() -> None:
    """There are enough nudge wordings in total."""
    count = len(_nudges())
    assert count >= MIN_NUDGES_TOTAL, f"{count} nudges, want at least {MIN_NUDGES_TOTAL}"


def _placeholder_problems(where: str, text: str) -> list[str]:
    try:
        fields = _placeholders(text)
    except ValueError as exc:
        return [f"{where}: braces do not parse ({exc})"]
    problems = []
    for field, spec, conversion in fields:
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            problems.append(f"{where}: unknown placeholder {{{field}}}")
        elif spec or conversion:
            problems.append(f"{where}: placeholder {{{field}}} has a format spec or conversion")
    if problems:
        return problems
    filled = text.format(**SAMPLE_VALUES)
    if "{" in filled or "}" in filled:
        problems.append(f"{where}: braces are left after formatting")
    return problems


def test_nudge_placeholders_are_allowed_and_format() -> None:
    """Nudges use only {opt_out}, {why} and {noticed}, plainly, and str.format fills them."""
    problems = [
        problem
        for path, nudge in _nudges()
        for problem in _placeholder_problems(_where(path, nudge), _strings(nudge).get("text", ""))
    ]
    assert not problems, _report(problems)


def test_private_nudges_say_what_was_noticed_and_how_to_opt_out() -> None:
    """Every private nudge names what was noticed and says how to turn nudges off."""
    problems = []
    for path, nudge in _nudges():
        if nudge.get("situation") not in PRIVATE_SITUATIONS:
            continue
        text = _strings(nudge).get("text", "")
        for needed in ("{opt_out}", "{noticed}"):
            if needed not in text:
                problems.append(f"{_where(path, nudge)}: private nudge lacks {needed}")
    assert not problems, _report(problems)


def test_private_nudges_offer_a_way_back_in() -> None:
    """Every private nudge invites one's own experience or a curious question."""
    problems = [
        f"{_where(path, nudge)}: no invitation to share or to ask"
        for path, nudge in _nudges()
        if nudge.get("situation") in PRIVATE_SITUATIONS
        and not any(
            marker in _normalise(_strings(nudge).get("text", "")) for marker in NUDGE_INVITATIONS
        )
    ]
    assert not problems, _report(problems)


def test_group_nudges_point_at_no_one() -> None:
    """Group nudges carry no {noticed}, so nothing in them points at a person."""
    problems = [
        f"{_where(path, nudge)}: group nudge contains {{noticed}}"
        for path, nudge in _nudges()
        if nudge.get("situation") == "group" and "{noticed}" in _strings(nudge).get("text", "")
    ]
    assert not problems, _report(problems)


def test_nudges_never_blame_or_threaten() -> None:
    """Nudges never blame, lecture, or mention taking anything down."""
    problems = [
        f"{_where(path, nudge)}: {match.group(0)!r} can read as blame or threat"
        for path, nudge in _nudges()
        for match in NUDGE_UNKIND_RE.finditer(_strings(nudge).get("text", ""))
    ]
    assert not problems, _report(problems)


def test_there_is_a_starter_set_of_agreements() -> None:
    """The starter set offers a handful of agreements, enough to begin and few enough to read."""
    count = len(_agreements())
    assert MIN_AGREEMENTS <= count <= MAX_AGREEMENTS, (
        f"{count} agreements, want {MIN_AGREEMENTS}..{MAX_AGREEMENTS}"
    )


def test_agreements_speak_as_we() -> None:
    """Every agreement is written as something we agree, not a rule handed down."""
    problems = [
        f"{_where(path, agreement)}: text does not speak as 'we'"
        for path, agreement in _agreements()
        if not re.search(
            r"\b(?:we|we're|we'd|we'll|us|our)\b", _normalise(agreement.get("text", ""))
        )
    ]
    assert not problems, _report(problems)


def test_every_deck_loads_with_the_bots_own_loader() -> None:
    """The loader the bot runs at start accepts every deck here, with no ids shared between decks."""
    from cogs.reflections.decks import DeckError, clashes, parse_deck

    decks, problems = [], []
    for path, _ in _documents():
        if path.parent.name != "decks":
            continue
        try:
            decks.append(parse_deck(path.read_text(encoding="utf-8"), _where(path)))
        except DeckError as error:
            problems += error.problems
    problems += clashes(decks)
    assert decks, "no decks found under prompts/decks"
    assert not problems, _report(problems)


def test_the_advice_detector_finds_no_advice_in_any_of_our_texts() -> None:
    """Every prompt, starter agreement and nudge text passes the product's own advice detector.

    An agreement is read as what it is, talk about the circle itself: members meet it when the
    circle looks at its agreements, where "we don't pass stories on" is a norm, not advice."""
    from cogs.nudges.detector import AssessmentContext, assess

    about_the_circle = AssessmentContext(previous="What do our circle's agreements say?")
    texts: list[tuple[str, str, AssessmentContext | None]] = []
    for path in sorted((PROMPTS_DIR / "decks").glob("*.toml")):
        texts += [
            (p["id"], p["text"], None)
            for p in tomllib.loads(path.read_text(encoding="utf-8"))["prompts"]
        ]
    agreements = tomllib.loads((PROMPTS_DIR / "agreements.toml").read_text(encoding="utf-8"))[
        "agreements"
    ]
    texts += [(a["id"], a["text"], about_the_circle) for a in agreements]
    nudges = tomllib.loads((PROMPTS_DIR / "nudges.toml").read_text(encoding="utf-8"))["nudges"]
    texts += [
        (
            n["id"],
            n["text"].format(
                noticed="a suggestion", opt_out="`/nudges off`", why="`/nudges why`", agreement=""
            ),
            None,
        )
        for n in nudges
    ]
    flagged = [
        (ident, assess(text, context).cues)
        for ident, text, context in texts
        if assess(text, context).advice
    ]
    assert flagged == []


# --- the decks don't read as a formula ----------------------------------------------------------

SHAPE_LIMIT = 0.40  # no one shape of prompt makes up more than this share of all prompts
TWO_QUESTIONS_LIMIT = 0.30  # "Question? Another question?" read as a form on a daily timer
OPENING_LIMIT = 0.06  # no two-word opening ("Is there…", "What's something…") beyond this share
MIN_SHAPES = 5  # shapes with at least MIN_PER_SHAPE prompts each
MIN_PER_SHAPE = 5
CIRCLE_SHARE = 0.35  # prompts that speak of "we", "us" or the circle
MIN_EXCHANGE = 12  # prompts that turn members towards each other's answers
MIN_ABOUT_AGREEMENTS = 12
MIN_DEEP = 8
CIRCLE_WORDS = re.compile(r"\b(?:we|we're|we've|we'd|us|our|ours|each other|circle|group|here)\b")
EXCHANGE_MARKERS = (
    "someone here",
    "anyone here",
    "someone else",
    "each other",
    "the rest of us",
    "among us",
    "for them",
    "tell them",
    "above yours",
    "answering next",
    "answered it",
    "in their words",
    "one person in this circle",
    "someone in this circle",
    "someone said",
)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!\u2026])\s+", text.strip()) if s]


def prompt_shape(text: str) -> str:
    """The shape of a prompt, read from its sentences: an invitation with no question, one
    question, a choice (``A, B or C: which…?``), two or more questions in a row, a sentence
    that sets the scene and then a question, or a question and then an aside."""
    sentences = _sentences(text)
    asks = [s.endswith("?") for s in sentences]
    if not any(asks):
        return "invitation"
    if len(sentences) == 1:
        return "choice" if ":" in sentences[0] else "one question"
    if all(asks):
        return "question, question"
    if not asks[0]:
        return "setting, question"
    return "question, aside"


def _opening(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", _normalise(text))[:2])


def _prompt_texts() -> list[tuple[str, str]]:
    return [
        (_where(path, p), p["text"])
        for path, p in _prompts()
        if isinstance(_strings(p).get("text"), str)
    ]


def test_prompt_shapes_are_recognised() -> None:
    """The shape reader tells the shapes apart (so the counts below mean what they say)."""
    assert prompt_shape("What's one word for today?") == "one question"
    assert prompt_shape("Lighthouse or campfire: which is this circle for you?") == "choice"
    assert prompt_shape("What made you smile? Who was there?") == "question, question"
    assert prompt_shape("Agreements can retire. Which of ours could?") == "setting, question"
    assert prompt_shape("What did we do well? One thing is plenty.") == "question, aside"
    assert prompt_shape("Two words for today, and the story behind one.") == "invitation"


def test_no_one_shape_takes_over_the_decks() -> None:
    """The decks mix their shapes: no shape beyond 40% of the prompts, two questions in a row
    in at most 30%, and at least five shapes with five prompts or more."""
    shapes = Counter(prompt_shape(text) for _, text in _prompt_texts())
    total = sum(shapes.values())
    commonest, count = shapes.most_common(1)[0]
    assert count <= SHAPE_LIMIT * total, f"{commonest}: {count} of {total} prompts ({dict(shapes)})"
    assert shapes["question, question"] <= TWO_QUESTIONS_LIMIT * total, dict(shapes)
    assert sum(1 for n in shapes.values() if n >= MIN_PER_SHAPE) >= MIN_SHAPES, dict(shapes)


def test_openings_vary() -> None:
    """No two-word opening (“Is there…”, “What's something…”) starts more than 6% of the prompts."""
    openings = Counter(_opening(text) for _, text in _prompt_texts())
    total = sum(openings.values())
    problems = [
        f"“{o}…” opens {n} of {total} prompts"
        for o, n in openings.items()
        if n > OPENING_LIMIT * total
    ]
    assert not problems, _report(problems)


def test_prompts_speak_of_the_circle_and_of_each_other() -> None:
    """A good share of prompts speak of us and the circle, and some turn members towards each
    other's answers (“…is it like that for you?”)."""
    texts = [_normalise(text) for _, text in _prompt_texts()]
    ours = sum(1 for text in texts if CIRCLE_WORDS.search(text))
    assert ours >= CIRCLE_SHARE * len(texts), (
        f"{ours} of {len(texts)} prompts speak of us or the circle"
    )
    exchange = [text for text in texts if any(marker in text for marker in EXCHANGE_MARKERS)]
    assert len(exchange) >= MIN_EXCHANGE, (
        f"{len(exchange)} prompts invite an exchange between members"
    )


def test_the_circle_reflects_on_its_own_agreements() -> None:
    """There is a theme of prompts about the circle's own agreements."""
    about = [
        p
        for _, p in _prompts()
        if p.get("theme") == "agreements" and "agree" in _normalise(p["text"])
    ]
    assert len(about) >= MIN_ABOUT_AGREEMENTS, f"{len(about)} prompts reflect on our agreements"


def test_deep_prompts_are_tagged_so_a_timer_can_leave_them_out() -> None:
    """Enough prompts carry the `deep` tag for `without=deep` to mean something, and a deep
    prompt is never also tagged light or playful."""
    deep = [(path, p) for path, p in _prompts() if "deep" in p.get("tags", [])]
    assert len(deep) >= MIN_DEEP, f"{len(deep)} prompts are tagged deep"
    problems = [
        f"{_where(path, p)}: tagged deep and {tag}"
        for path, p in deep
        for tag in ("light", "playful")
        if tag in p.get("tags", [])
    ]
    assert not problems, _report(problems)


SEEDS = PROMPTS_DIR.parent.parent / "shared" / "seeds"
COPIED_RUN = 6  # words in a row shared with a source text


def test_no_text_repeats_a_run_of_words_from_the_source_texts() -> None:
    """Our texts are our own: none shares six words in a row with the IPS source texts (checked
    where those texts are at hand, next to the checkout)."""
    if not SEEDS.is_dir():
        pytest.skip("the IPS source texts are not next to this checkout")

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z']+", _normalise(text))

    source: set[tuple[str, ...]] = set()
    for path in SEEDS.iterdir():
        seen = words(path.read_text(encoding="utf-8", errors="ignore"))
        source |= {tuple(seen[i : i + COPIED_RUN]) for i in range(len(seen) - COPIED_RUN + 1)}
    problems = []
    for where, text in _bodies():
        ours = words(text)
        runs = [" ".join(ours[i : i + COPIED_RUN]) for i in range(len(ours) - COPIED_RUN + 1)]
        problems += [f"{where}: “{run}”" for run in runs if tuple(run.split()) in source]
    assert not problems, _report(problems)

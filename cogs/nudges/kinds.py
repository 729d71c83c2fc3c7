"""The kinds of reply the nudge knows, as written down in ``cogs/nudges/TAXONOMY.md``. Pure.

Seven *fixing* kinds are what a note can be about; the *connecting* kinds never earn one. The
names are stable: the corpus uses them, the model's kind head predicts them, and the nudge log
keeps them (names only, never words). `plain_words` is how a person reads them, in a note, in
``nudges why`` and in ``privacy export``.
"""

from __future__ import annotations

from collections.abc import Iterable

# In the order a mixed reply is labelled by: the most steering kind first.
FIXING = (
    "treatment",
    "coping",
    "directive",
    "problem_solving",
    "labelling",
    "minimising",
    "reassurance",
)
CONNECTING = (
    "reflection",
    "open_question",
    "own_experience",
    "permission",
    "solicited",
    "self_talk",
    "group_talk",
    "presence",
    "sharing",
)
KINDS = FIXING + CONNECTING

# How each fixing kind reads in a sentence such as "what I noticed was {words}".
PLAIN_WORDS = {
    "treatment": "a nudge towards professional help (a doctor, pills, a counsellor)",
    "coping": "a nudge towards a coping technique (a walk, sleep, breathing, a journal)",
    "directive": "a suggestion of what to do",
    "problem_solving": "a question with an answer already inside it (“have you tried…?”)",
    "labelling": "a name put on someone else's experience",
    "minimising": "a silver lining or an “at least”",
    "reassurance": "a reassurance that closes the subject (“you'll be fine”)",
}
UNKNOWN_WORDS = "wording that often comes with advice"

# Older nudge logs kept the rule families of the first detector; they still read in words.
_LEGACY = {
    "imperative": "directive",
    "modal": "directive",
    "suggestion": "directive",
    "hypothetical": "directive",
    "fix_it": "minimising",
    "suggestion_question": "problem_solving",
    "labelling": "labelling",
}

# The situations a note was sent in (`cogs.nudges.drift.Situation`), in words.
SITUATION_WORDS = {
    "drift": "a reply to someone sharing read as fixing",
    "listening": "a reply to someone who asked to be listened to read as fixing",
    "suggestion": "a reply to someone sharing read as a suggestion",
    "labelling": "a reply put a name on someone's experience",
}


def is_fixing(kind: str) -> bool:
    """Whether a kind is one a nudge may be about."""
    return kind in FIXING


def plain_words(kind: str) -> str:
    """A kind in words for people; unknown or old names still read sensibly."""
    return PLAIN_WORDS.get(kind) or PLAIN_WORDS.get(_LEGACY.get(kind, ""), UNKNOWN_WORDS)


def list_in_words(kinds: Iterable[str]) -> str:
    """Several kinds in words, each once, joined with semicolons."""
    words = list(dict.fromkeys(plain_words(kind) for kind in kinds))
    return "; ".join(words) or UNKNOWN_WORDS

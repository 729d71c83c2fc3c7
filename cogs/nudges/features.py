"""How one sentence, with its context, becomes hashed features for the advice model. Pure.

A sentence (lower-cased, plain apostrophes) gives:

- **words**: each token (``[a-z0-9]+`` with a contraction, or one emoji), and the character
  3-, 4- and 5-grams of the word with boundary marks (``<sh``, ``uld>``), so that "shoud",
  "shld" and "should" share evidence. A word's features are computed once and cached.
- **word pairs and triples** ending at each token, with a start mark, so that "have you tried",
  "at least you" or "you'll be fine" count as phrases.
- **shape**: how the sentence ends, and a length bucket. (Not where the sentence sits in the
  message: a reply's label belongs to the whole reply, and training would learn that later
  sentences are rarely the fixing one only because it cannot tell which one was.)
- **rules**: the families of the cues `cogs.nudges.cues` found (``cue=modal``,
  ``counter=self_talk``, ``hint=...``). The rules are evidence here, never a verdict.
- **context**: a few facts about the message answered (given, a question, about the circle
  itself, someone speaking of themselves), the same for each sentence of a reply.

Everything is hashed into ``2 ** HASH_BITS`` buckets (zlib's CRC-32, stable across runs, mixed
by Fibonacci hashing), so the model file holds numbers only and never a vocabulary.
The model is linear, so the scorer (`cogs.nudges.model`) can add up a cached word's weights
once instead of looking up its n-grams every time; `word_features` and `phrase_features`
are therefore kept apart.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

from cogs.nudges.advice_cues import LABEL_TOKENS
from cogs.nudges.cue_types import CueReport, word_set

HASH_BITS = 20
KIND_BITS = 16  # the kind head folds the same features into fewer buckets
MAX_TOKENS = 60
CHAR_GRAMS = (3, 4, 5)

_SHIFT = 32 - HASH_BITS
_GOLDEN = 0x9E3779B1
_MASK32 = 0xFFFFFFFF
_PAIR = 1_000_003
_START = zlib.crc32(b"<s>")

TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u2600-\u27bf\U0001f300-\U0001faff]")
# "sooooo" and "soooo" read alike; three or more of a letter become two.
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_ELONGATED_ANY = re.compile(r"([a-z])\1\1")  # the same test, found sooner


def _bucket(value: int) -> int:
    """Fibonacci hashing: spread a 32-bit value over the buckets by its high bits."""
    return ((value * _GOLDEN) & _MASK32) >> _SHIFT


def named(name: str) -> int:
    """The bucket of a named feature such as ``cue=modal``."""
    return _bucket(zlib.crc32(name.encode("utf-8")) ^ 0x5BD1E995)


def tokens_of(sentence: str) -> list[str]:
    """The model's tokens of a lower-cased sentence (words, contractions and emoji)."""
    return read_tokens(sentence)[0]


def read_tokens(sentence: str) -> tuple[list[str], frozenset[str]]:
    """The model's tokens, and the set of plain words the cue rules want
    (`cogs.nudges.cue_types.words_of`), from one pass over the sentence where possible."""
    found = TOKEN.findall(sentence)
    if sentence.isascii():
        words = frozenset(found)  # no emoji in an ASCII sentence: every token is a word
    else:
        words = frozenset(token for token in found if token.isascii())
    if _ELONGATED_ANY.search(sentence):
        found = TOKEN.findall(_ELONGATED.sub(r"\1\1", sentence))
    return found[:MAX_TOKENS], words


_WORD_HASH: dict[str, int] = {}
_WORD_FEATURES: dict[str, tuple[int, ...]] = {}
_CACHE_LIMIT = 200_000


def word_hash(word: str) -> int:
    """The CRC-32 of a token, cached (tokens repeat a lot)."""
    value = _WORD_HASH.get(word)
    if value is None:
        if len(_WORD_HASH) >= _CACHE_LIMIT:
            _WORD_HASH.clear()
        value = _WORD_HASH[word] = zlib.crc32(word.encode("utf-8"))
    return value


_PAIRED: dict[str, int] = {}
_START_PAIRED = (_START * _PAIR) & _MASK32
START_PAIRED = _START_PAIRED
_START_KEY = _START_PAIRED ^ _START


def _paired(word: str) -> int:
    """A token's hash times the pair constant, masked to 32 bits (for pairs and triples)."""
    if len(_PAIRED) >= _CACHE_LIMIT:
        _PAIRED.clear()
    value = _PAIRED[word] = (word_hash(word) * _PAIR) & _MASK32
    return value


def word_features(word: str) -> tuple[int, ...]:
    """A token's own bucket and its character n-gram buckets, cached."""
    cached = _WORD_FEATURES.get(word)
    if cached is not None:
        return cached
    features = [_bucket(word_hash(word))]
    if len(word) > 1 and word.isascii():
        marked = "<" + word + ">"
        for size in CHAR_GRAMS:
            for start in range(len(marked) - size + 1):
                gram = marked[start : start + size]
                features.append(_bucket(zlib.crc32(gram.encode("ascii")) ^ 0x2C1B3C6D))
    if len(_WORD_FEATURES) >= _CACHE_LIMIT:
        _WORD_FEATURES.clear()
    result = _WORD_FEATURES[word] = tuple(features)
    return result


_ENDINGS = {"?": named("end=?"), "!": named("end=!"), ".": named("end=.")}
_NO_ENDING = named("end=none")
_LENGTHS = tuple(named(f"len={bucket}") for bucket in range(5))
_NAMED_CACHE: dict[str, int] = {}
_CTX_GROUP = named("ctx=group")


def _cached_named(key: str) -> int:
    index = _NAMED_CACHE.get(key)
    if index is None:
        index = _NAMED_CACHE[key] = named(key)
    return index


def _length_bucket(count: int) -> int:
    if count <= 3:
        return 0
    if count <= 8:
        return 1
    if count <= 16:
        return 2
    if count <= 30:
        return 3
    return 4


_LABEL_FRAME = re.compile(
    r"(?:(?:honestly|tbh|ngl|hun|babe|omg|oh|ah|aw+|yeah|yea|well|hmm+|i mean|i think|i feel"
    r" like|i reckon|imo|to me|so|and|but|lol|sorry|aww+)[,.!]? +)*"
    r"(?:that'?s|thats|that is|it'?s|its|it is|this is|sounds like|sounds a lot like|sounds"
    r" a bit like|(?:that|this|it) sounds like|seems like|(?:that|this|it) seems like|classic"
    r"|textbook|typical|you'?re|ur|you are|u r|you have|u have|you've got|probably|prob|could"
    r" be|might be|defo|definitely|clearly|obviously|what you'?re describing is|what ur"
    r" describing is|it could be|maybe it'?s|maybe you'?re)\b"
)
_LEX_LABEL = named("lex=label")
_LEX_LABEL_FRAME = named("lex=label_frame")

_LENGTH_OF_COUNT = tuple(_LENGTHS[_length_bucket(count)] for count in range(32))

# Words that say a reply is about the circle itself ("you should make a proposal").
GROUP_TOKENS = word_set(
    """circle circles proposal proposals propose vote votes voting agreement agreements
    facilitator facilitators facilitate facilitating facilitation rota prompt prompts bot
    nudges thread session sessions round rounds schedule members"""
)
_ABOUT_GROUP = named("about=group")


_TRIPLE = 0x165667B1


def token_hashes(token: str) -> tuple[int, int, int]:
    """A token's CRC-32, that hash premultiplied for pairs and triples, and the hash as the
    last word of a triple (what `phrase_buckets` takes)."""
    value = _WORD_HASH.get(token) or word_hash(token)
    return value, _PAIRED.get(token) or _paired(token), value ^ _TRIPLE


def phrase_features(
    sentence: str, tokens: Sequence[str], report: CueReport, context: Sequence[int] = ()
) -> list[int]:
    """Everything but the words themselves: pairs, triples, shape, the rules' cues, the
    context, and the cues again paired with "this is about the circle" (in the reply or the
    message answered), where "you should" means something else."""
    # Only the low 32 bits of each product matter before the final mask, so the word hashes
    # are kept premultiplied and masked: the same buckets, with smaller numbers.
    hashes = [_WORD_HASH.get(token) or word_hash(token) for token in tokens]
    multiplied = [_START_PAIRED, *[_PAIRED.get(token) or _paired(token) for token in tokens]]
    triples = [value ^ _TRIPLE for value in hashes]
    features = phrase_buckets(sentence, tokens, hashes, multiplied, triples, report, context)
    features.extend(counter_bucket(cue.family) for cue in report.counter)
    return features


def phrase_buckets(
    sentence: str,
    tokens: Sequence[str],
    hashes: Sequence[int],
    multiplied: Sequence[int],
    triples: Sequence[int],
    report: CueReport,
    context: Sequence[int] = (),
) -> list[int]:
    """`phrase_features` but for the counter cues (`counter_bucket`, which come last there),
    from the tokens' hashes (`token_hashes`): ``hashes`` holds each token's CRC-32,
    ``multiplied`` the start mark's and then each token's premultiplied hash, ``triples``
    each token's hash as the last word of a triple.

    The hashing is written out inline: a function call per feature would double the cost.
    """
    # A pair's key is the previous token's premultiplied hash XOR this token's hash; a
    # triple's is the previous pair's key, premultiplied, XOR this token's hash.
    keys = [first ^ second for first, second in zip(multiplied, hashes, strict=False)]
    features = [(((key ^ 0x27D4EB2F) * _GOLDEN) & _MASK32) >> _SHIFT for key in keys]
    # Only the low 32 bits of ``key * _PAIR`` reach the bucket, so it needs no mask of its own.
    features += [
        ((((key * _PAIR) ^ third) * _GOLDEN) & _MASK32) >> _SHIFT
        for key, third in zip([_START_KEY, *keys], triples, strict=False)
    ]
    features.append(_ENDINGS.get(sentence.rstrip()[-1:], _NO_ENDING))
    features.append(_LENGTH_OF_COUNT[min(len(tokens), 31)])
    features.extend(context)
    about_group = _CTX_GROUP in context or not GROUP_TOKENS.isdisjoint(tokens) or "/" in sentence
    if about_group:
        features.append(_ABOUT_GROUP)
    if not LABEL_TOKENS.isdisjoint(tokens):
        features.append(_LEX_LABEL)
        if _LABEL_FRAME.match(sentence):
            features.append(_LEX_LABEL_FRAME)
    for cue in report.advice:
        features.append(_cached_named("cue=" + cue.family))
        opening = "opening" if sentence.count(" ", 0, cue.start) <= 2 else "later"
        features.append(_cached_named("cue_at=" + opening))
        if about_group:
            features.append(_cached_named("group&cue=" + cue.family))
    for hint in report.hints:
        features.append(_cached_named("hint=" + hint))
    return features


def counter_bucket(family: str) -> int:
    """The bucket of a counter cue's family (``counter=reflection``)."""
    return _cached_named("counter=" + family)


def sentence_features(
    sentence: str, tokens: Sequence[str], report: CueReport, context: Sequence[int] = ()
) -> list[int]:
    """All the feature buckets of one sentence, repeats kept (the model counts them)."""
    features: list[int] = []
    for token in tokens:
        features.extend(word_features(token))
    features.extend(phrase_features(sentence, tokens, report, context))
    return features


# --- context -------------------------------------------------------------------------------

_GROUP_WORDS = re.compile(
    r"\b(?:circle|circles|agreement|agreements|facilitat\w*|rota|prompt|prompts|vote|proposal"
    r"|propose|schedule|session|sessions|bot|thread|round|check-in|members?|we meet|our group)\b"
)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|my|me|myself|i'd|i'll)\b")
CONTEXT_NONE = (named("ctx=none"),)
_CTX_GIVEN = named("ctx=given")
_CTX_QUESTION = named("ctx=question")
_CTX_SELF = named("ctx=self")
_CTX_NOT_SELF = named("ctx=not_self")
_CONTEXT_LOOK = 1_000


def context_features(context: str | None) -> tuple[int, ...]:
    """The few facts about the message answered that the model weighs."""
    if not context:
        return CONTEXT_NONE
    lower = context[:_CONTEXT_LOOK].lower().replace("\u2019", "'")
    features = [_CTX_GIVEN]
    if "?" in lower:
        features.append(_CTX_QUESTION)
    if _GROUP_WORDS.search(lower):
        features.append(_CTX_GROUP)
    features.append(_CTX_SELF if _FIRST_PERSON.search(lower) else _CTX_NOT_SELF)
    return tuple(features)


def kind_bucket(index: int) -> int:
    """Fold a feature bucket into the kind head's smaller table."""
    return index >> (HASH_BITS - KIND_BITS)

"""The imperative: does a sentence (or its main clause) open with an advice-giving verb?

Pure, no I/O. "Try going for a walk", "Don't text him back", "If you can, take the day off"
are imperatives; "Sleep is hard for me" (a noun), "Let me know" (a request to the speaker),
"Look, I get it" (a discourse marker), "Don't know why I bother" (an elided "I") and
"Reach out to me anytime" (an offer) are not.
"""

from __future__ import annotations

import re

from cogs.nudges.counter_cues import OFFER_FINDER
from cogs.nudges.cue_types import Cue, quote, word_set

# Verbs that open an imperative when they start a sentence. Words that are also common
# nouns ("sleep", "work", "exercise") are guarded by `_NOUN_FOLLOWERS` below.
_IMPERATIVE_VERB_SET = word_set(
    "accept acknowledge add address admit allow answer apologise apologize apply appreciate ask "
    "avoid be believe block book breathe bring budget build buy call calm cancel celebrate "
    "challenge change check cheer cherish chill choose clean close come communicate confront "
    "connect consider consult contact cook count create cry cut declutter delete demand "
    "discuss distance ditch do document download drink drop dump ease eat email embrace "
    "encourage establish exercise explain explore express face file fill find focus forget "
    "forgive get give go google grab head hire hold hug ignore insist invest invite join "
    "journal keep lean learn leave let limit listen look lower make meditate mention "
    "message move mute note notice offer open organise organize overthink pace pack pay "
    "pick plan practice practise prepare prioritise prioritize pull push put quit raise "
    "reach read reconnect record reduce reflect relax remember remind remove repeat replace "
    "reply report request research reset respond rest reward ring run save schedule see seek "
    "sell set "
    "show shower sign sit skip sleep slow snap speak spend splash start stay stick stop "
    "stretch study surround swap switch take talk teach tell text think throw track train "
    "treat trust try turn unfollow unplug up use visit volunteer vent wait walk watch wear "
    "write"
)

# If one of these follows the opening verb, the verb was a noun ("sleep is hard for me",
# "talk therapy helped") or the start of a question ("do you ...").
_NOUN_FOLLOWERS = word_set(
    """
    is was are were 's isn't wasn't aren't weren't has had helps helped works worked did
    does didn't doesn't can can't could couldn't will won't would wouldn't might should
    shouldn't must may never seems seemed makes made gets feels felt keeps kept becomes
    became sucks sucked therapy therapist therapists group groups schedule schedules
    hygiene habits quality routine issues problems life stuff wise itself
    as i we it's there you he she they
    """
)
_PRONOUNS = word_set("i we you he she they it's there")

# Verb + next word pairs that are idioms, pleasantries or the start of a question.
_IDIOM_PAIRS = frozenset(
    {
        ("go", "figure"),
        ("thank", "god"),
        ("thank", "goodness"),
        ("come", "on"),
        ("get", "well"),
        ("get", "better"),
        ("take", "care"),
        ("stay", "safe"),
        ("stay", "strong"),
        ("stay", "well"),
        ("stay", "warm"),
        ("stay", "tuned"),
        ("sleep", "well"),
        ("sleep", "tight"),
        ("rest", "well"),
        ("rest", "easy"),
        ("have", "fun"),
        ("have", "a"),
        ("have", "an"),
        ("keep", "posted"),
        ("remember", "when"),
        ("remember", "that"),
        ("believe", "it"),
        ("think", "so"),
        ("think", "that"),
        ("think", "it's"),
        ("think", "i'd"),
        ("think", "i'll"),
    }
)

# "Go on" or "go ahead" on its own, or before "I'm listening", invites the speaker to carry on.
_GO_ON = frozenset({("go", "on"), ("go", "ahead"), ("carry", "on")})
_LISTENING_WORDS = word_set("i'm im i am listening here with you then please")


def _invites_more(rest: list[str]) -> bool:
    """Whether the words after "go on" only say that someone is listening (or nothing)."""
    return all(word in _LISTENING_WORDS for word in rest if word)


# Said to the speaker, a verb makes a request rather than advice ("let me know", "tell me").
_SPEAKER_OBJECTS = word_set("me myself us 's")

# Followed by a comma, these are discourse markers ("look, I get it", "listen, ...").
_DISCOURSE_VERBS = word_set("look listen see wait remember believe trust")

# Elided first person: "don't know why I bother" means "I don't know why I bother".
_ELIDED_AFTER_DONT = word_set(
    "know care think remember want understand mind blame like believe recall mean see need "
    "have feel get really even"
)
_ELIDED_OBJECTS = word_set(
    "what why how if whether where who that much to the a any anything it so like about"
) | {""}

# Verbs of an imperative that, with an offer ("reach out to me anytime"), invite contact.
_OFFER_VERBS = word_set("reach come call message text email talk vent write")

# Words that may precede the verb of an imperative ("so maybe just try ...", "please don't").
LEAD_WORDS = word_set(
    """
    so and but also plus then now just maybe perhaps honestly seriously definitely really please
    pls plz ok okay well oh first firstly second secondly third next finally lastly instead
    otherwise personally imo imho tbh hey yeah yes again anyway anyways basically simply only
    meanwhile obviously sometimes today tonight tomorrow asap edit update always
    """
)
# Multi-word leads, keyed by their first word: "first of all, ...", "at the very least ...".
LEAD_PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "in": (("the", "meantime"),),
    "for": (("now",), ("starters",)),
    "first": (("of", "all"),),
    "most": (("importantly",),),
    "above": (("all",),),
    "at": (("the", "very", "least"), ("least",)),
    "if": (("anything",),),
    "either": (("way",),),
    "of": (("course",),),
    "right": (("now",),),
}
_NEGATIONS = word_set("don't dont never")
_PUNCTUATION = "\"'()[]{}*_~.,;:!?-\u2013\u2014\u2022"
_SUBORDINATORS = word_set(
    """
    if when whenever next once before after until till while as whatever wherever however in
    for every each at during with without either fwiw on that having realistically ideally
    long short
    """
)
# A subordinate opening ("if you can, ...", "when it starts, ...", "easy fix: ...") before the
# main clause, which is then checked for an imperative too.
_SUBORDINATE = re.compile(
    r"\W*(?:if|when|whenever|next time|once|before|after|until|till|while|as soon as|whatever"
    r"|wherever|however|in the future|for the next|every time|each time|at night|in the morning"
    r"|during|with|without|either way|in any case|for what it's worth|fwiw|as for|as a"
    r"|as someone|as an|from experience|on that note|on the other hand|that said"
    r"|having said that|with that in mind|realistically|ideally|long term|short term"
    r"|\w+(?: \w+){0,3}(?=:))\b[^,;:?!]{0,80}[,;:\u2013\u2014]\s*"
)
_HAS_COLON_EARLY = re.compile(r"^[^:]{1,40}:")


def _skip_lead(words: list[str], index: int) -> int:
    """The index of the first word after lead words such as "so", "honestly", "first of all"."""
    while index < len(words):
        word = words[index]
        if not word or word.isdigit() or word in LEAD_WORDS:
            index += 1
            continue
        for continuation in LEAD_PHRASES.get(word, ()):
            end = index + 1 + len(continuation)
            if tuple(words[index + 1 : end]) == continuation:
                index = end
                break
        else:
            return index
    return index


def _imperative_in(sentence: str, clause_start: int) -> Cue | None:
    """An imperative cue if the clause at ``clause_start`` opens with an advice-giving verb."""
    clause = sentence[clause_start:] if clause_start else sentence
    # Most clauses open with a word that is neither a lead word nor a verb: then the answer is
    # None, and splitting the whole clause into words would be wasted work.
    opening = clause.split(None, 1)
    if not opening:
        return None
    word = opening[0].strip(_PUNCTUATION)
    if word and word not in _MAY_OPEN_IMPERATIVE and not word.isdigit():
        return None
    pieces = clause.split(None, 12)
    words = [piece.strip(_PUNCTUATION) for piece in pieces]
    first = _skip_lead(words, 0)
    just = "just" in words[:first]
    index = first
    negated = False
    while index < len(words):
        word = words[index]
        if word in _NEGATIONS:
            negated = True
        elif word == "do" and index + 1 < len(words) and words[index + 1] == "not":
            negated = True
            index += 1
        elif word == "just":
            just = True
        elif word not in LEAD_WORDS:
            break
        index += 1
    if index >= len(words):
        return None
    verb = words[index]
    if verb not in _IMPERATIVE_VERB_SET:
        return None
    piece = pieces[index]
    trailing = piece[len(piece.rstrip(_PUNCTUATION)) :]
    following = words[index + 1] if index + 1 < len(words) else ""
    if not _imperative_verb_stands(verb, following, trailing, negated=negated):
        return None
    if (
        first == 0
        and words[0] == "don't"
        and not just
        and verb in _ELIDED_AFTER_DONT
        and following in _ELIDED_OBJECTS
    ):
        return None  # "don't know why I bother": an elided "I"
    if verb in _OFFER_VERBS and OFFER_FINDER.search(sentence) is not None:
        return None  # "reach out to me anytime" offers contact
    if (verb, following) in _GO_ON and _invites_more(words[index + 2 :]):
        return None  # "yeah, go on" asks the speaker to carry on: an invitation, not advice
    offset = clause_start + sentence[clause_start:].find(piece)
    phrase = " ".join(words[first : index + 3])
    if just:
        text = "fix-it framing: " + quote("just " + phrase.removeprefix("just "))
        return Cue("fix_it", text, True, True, offset)
    return Cue("imperative", "an imperative: " + quote(phrase), True, True, offset)


# A first word after which an imperative may still follow (a lead word, a negation, "just",
# "do") or that is an imperative verb itself; any other first word rules one out.
_MAY_OPEN_IMPERATIVE = (
    _IMPERATIVE_VERB_SET | LEAD_WORDS | frozenset(LEAD_PHRASES) | _NEGATIONS | {"do", "just"}
)


def _imperative_verb_stands(verb: str, following: str, trailing: str, *, negated: bool) -> bool:
    """Whether ``verb``, read with the next word, is an imperative rather than a noun or idiom."""
    if trailing.startswith(",") and verb in _DISCOURSE_VERBS:
        return False  # "look, I get it"
    if following in _SPEAKER_OBJECTS or (verb, following) in _IDIOM_PAIRS:
        return False
    # A noun subject ("sleep is hard"), except after "don't": "don't sleep alone" is advice.
    if following in _NOUN_FOLLOWERS and not (negated and following not in _PRONOUNS):
        return False
    if verb == "do" and following in _PRONOUNS:
        return False  # "do you think ..." is a question
    return not (verb == "up" and following != "your")  # "up your dose", not "up until now"


def find_imperative(sentence: str) -> Cue | None:
    """Look for an imperative at the start of the sentence or of its main clause."""
    cue = _imperative_in(sentence, 0)
    if cue is not None:
        return cue
    first = sentence.split(None, 1)[:1]
    if not (first and first[0] in _SUBORDINATORS) and not _HAS_COLON_EARLY.match(sentence):
        return None
    # "Next time she does that, leave": the subordinate clause may follow lead words.
    subordinate = _SUBORDINATE.match(sentence)
    if subordinate is None:
        words = [piece.strip(_PUNCTUATION) for piece in sentence.split(None, 6)]
        lead = _skip_lead(words, 0)
        if lead == 0 or lead >= len(words):
            return None
        subordinate = _SUBORDINATE.match(sentence, sentence.find(words[lead]))
        if subordinate is None:
            return None
    return _imperative_in(sentence, subordinate.end())

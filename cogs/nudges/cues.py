"""Linguistic cues of advice-giving in one English sentence. Pure, no I/O.

`find_cues` takes one sentence, lower-cased with plain apostrophes (see
`cogs.nudges.sentences.normalise_apostrophes`), and reports three things:

- **advice cues**: forms that tell the other person what to do or what their experience is.
  Imperatives ("try ...", "don't ..."), second-person modals ("you should", "you need to"),
  suggestion questions ("have you tried", "why don't you"), suggestions ("it might help to",
  "if I were you", "I'd suggest"), fix-it framing ("just get over it", "look on the bright
  side") and labelling someone's experience for them ("that's your anxiety talking").
- **counter cues**: forms that look similar but are not advice to the reader. Self-talk ("I
  should rest"), reporting or quoting ("my doctor told me to ..."), own experience ("what
  helped me was ..."), questions about oneself, curious questions, reflections ("it sounds
  like you felt alone"), validation, pleasantries and farewells ("take care", "hang in there"),
  offers ("let me know if you want to talk") and idioms ("try as I might").
- **hints**: weaker signals that are only model features, such as "you have to" in the
  middle of a description ("the catch is you have to pay for it").

Decisions that are policy rather than grammar, written down once:

- Common farewells and pleasantries ("take care", "hang in there", "stay safe", "sending
  hugs", "have a good night") are *not* advice, although some are imperative in form.
- Requests aimed at the speaker ("let me know", "tell me more", "trust me") are not advice:
  they do not tell the other person how to live.
- Words reported from someone else ("she said I should quit") are not advice from the writer.
  An advice cue that starts after a reporting verb is dropped; one before it stays.
- "You shouldn't have to ..." is validation; "you must be exhausted" is a reflection;
  "you should be proud" is praise; "you should have ..." is hindsight.

A cue's ``strong`` flag marks an outright directive: an imperative, "you should / need to /
have to / must" and the like, "if I were you", or "all you need to do is". Suggestions,
suggestion questions and labels are advice but not strong.

Speed matters (the detector reads every message of a busy server), so each rule names the
words it needs, and its regular expression runs only when the sentence has them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words_of(sentence: str) -> frozenset[str]:
    """The set of words in a lower-cased sentence, contractions kept whole ("don't")."""
    return frozenset(WORD.findall(sentence))


class Cue(NamedTuple):
    """One thing seen in a sentence, with a short human-readable description.

    A named tuple rather than a frozen dataclass: several are made per sentence, and a
    frozen dataclass takes several times longer to build.
    """

    family: str  # stable name, also a model feature: "imperative", "modal", "self_talk" ...
    text: str  # e.g. "a directive: 'you should'"
    advice: bool  # True: points towards advice; False: counter-evidence
    strong: bool = False  # an outright directive
    start: int = 0  # where in the sentence it was seen; reporting cuts cues at this point


class CueReport(NamedTuple):
    """What `find_cues` saw in one sentence."""

    advice: tuple[Cue, ...]
    counter: tuple[Cue, ...]
    hints: tuple[str, ...] = ()

    @property
    def strong(self) -> bool:
        """Whether any advice cue is an outright directive."""
        return any(cue.strong for cue in self.advice)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class _Rule:
    family: str
    describe: str  # "{}" is replaced by the quoted phrase
    pattern: re.Pattern[str]
    needs: tuple[frozenset[str], ...]  # the sentence shares a word with each of these sets
    strong: bool = False
    # Text just before the match that turns it into something else ("if you need to talk").
    not_after: re.Pattern[str] | None = None
    # Text just before the match that makes it a description rather than advice to the
    # reader; the match then becomes a model hint instead of a cue.
    embedded_unless_after: re.Pattern[str] | None = None


def _rule(
    family: str,
    describe: str,
    pattern: str,
    needs: Iterable[str],
    *,
    strong: bool = False,
    not_after: re.Pattern[str] | None = None,
    embedded_unless_after: re.Pattern[str] | None = None,
) -> _Rule:
    # A leading \b would stop the engine from scanning ahead; `find_cues` checks it instead.
    return _Rule(
        family,
        describe,
        re.compile(pattern.removeprefix(r"\b")),
        tuple(_words(group) for group in needs),
        strong,
        not_after,
        embedded_unless_after,
    )


def _quote(phrase: str, words: int = 4) -> str:
    return "'" + " ".join(phrase.split()[:words]) + "'"


# --- the shared vocabulary -------------------------------------------------------------------

# Words that open a sentence without changing what it does ("so", "honestly", "please" ...).
_LEAD = (
    r"(?:(?:so|and|but|also|plus|then|now|just|maybe|perhaps|honestly|seriously|definitely"
    r"|really|please|pls|plz|ok|okay|well|oh|first|firstly|second|secondly|third|next|finally"
    r"|lastly|instead|otherwise|personally|imo|imho|tbh|hey|yeah|yes|again|anyway|anyways"
    r"|basically|simply|only|meanwhile|in the meantime|for now|for starters|first of all"
    r"|most importantly|above all|at the very least|if anything|either way|regardless"
    r"|obviously|of course|sometimes|today|tonight|tomorrow|right now|asap|edit|update)"
    r"\b[\s,:;.!\-\u2013\u2014]*)*"
)

_YOU = "you you'd you've you're"
_CONDITION_WORDS = (
    "depression anxiety ptsd cptsd c trauma adhd ocd bpd bipolar autism mania psychosis "
    "paranoia panic burnout codependency narcissism hormones brain chemical mental eating "
    "postpartum ppd seasonal mind illness disorder"
)
_CONDITIONS = (
    r"(?:depression|anxiety|ptsd|c-?ptsd|trauma|adhd|ocd|bpd|bipolar|autism|mania"
    r"|psychosis|paranoia|a panic attack|panic attacks|panic disorder|burnout|codependency"
    r"|narcissism|hormones|brain chemistry|a chemical imbalance|(?:a |your )?mental illness"
    r"|(?:an |your )?eating disorder|postpartum(?: depression)?|ppd|seasonal depression"
    r"|(?:the |your )(?:depression|anxiety|trauma|brain|mind|illness|disorder|hormones))"
)
_LABEL_ALWAYS_WORDS = (
    "overthinking overreacting over reacting thinking being paranoid denial catastrophizing "
    "catastrophising projecting codependent narcissistic delusional hysterical manic bipolar "
    "oversensitive sensitive hypochondriac addict alcoholic"
)
_LABEL_ALWAYS = (
    r"(?:overthinking|overreacting|over-?reacting|over-?thinking|being (?:way |so |really"
    r" |a bit |too |very )*(?:dramatic|paranoid|irrational|silly|ridiculous|selfish|hysterical"
    r"|sensitive|oversensitive|negative|a baby)|paranoid|in denial|catastrophi[sz]ing|projecting"
    r"|codependent|narcissistic|delusional|hysterical|manic|bipolar|oversensitive|too sensitive"
    r"|so sensitive|a hypochondriac|an addict|an alcoholic)"
)
_LABEL_QUALIFIED = (
    r"(?:depressed|anxious|tired|hungry|stressed|sad|angry|jealous|lonely|bored|hormonal"
    r"|scared|afraid|insecure|lazy|overwhelmed|burnt out|burned out|exhausted|traumati[sz]ed"
    r"|grieving|projecting|overtired|autistic|adhd|ocd|sensitive)"
)
_QUALIFIERS = "just clearly obviously probably definitely totally simply only"
_MODAL_ADVERBS = (
    r"(?:\s+(?:really|definitely|probably|seriously|honestly|absolutely|totally|just|still"
    r"|also|only|first|both|all|then|now|simply|truly|certainly|at least|guys|kinda|maybe))*"
)

# "If you need to talk, ..." offers; "do you think you should ...?" asks.
_CONDITIONAL_BEFORE = re.compile(
    r"(?:\b(?:if|when|unless|in case|whenever|how|what|why|where|whether|do|did|can|could"
    r"|would|will|are|were)|\byou (?:think|feel|feel like|believe))\s+$"
)
# "I know it's the depression talking" labels oneself; "I don't think you're overreacting"
# reassures.
_SELF_OR_DENIED_BEFORE = re.compile(
    r"\b(?:i know|i think|i guess|i hope|i'm sure|not saying|don't think|doesn't mean"
    r"|didn't say|never said|not that|do|if|when|i felt|i feel|i felt like|i feel like)\s+$"
)
# A second-person modal or "you can" counts as advice to the reader where it opens a clause
# ("honestly, you should ...", "I think you need to ..."). Elsewhere it usually describes how
# things are ("the catch is you have to pay for it") and only becomes a model hint.
_CLAUSE_OPENING_BEFORE = re.compile(
    r"(?:^|[,;:(\-\u2013\u2014\"!?.]|\b(?:and|but|so|then|think|thinking|maybe|perhaps"
    r"|honestly|seriously|definitely|really|that|also|now|or|otherwise|though|tbh|imo|imho"
    r"|personally|believe|feel|suggest|guess|still|first|obviously|probably|certainly"
    r"|absolutely|please|just|bottom line|agree|sure|because|cause|cuz|hey|ok|okay|yes|yeah"
    r"|no|instead|definitely|anyway|sometimes|today|tonight|now|again|man|dude|girl|friend"
    r"|hun|op|seriously|lol|right))\s*$"
)
_HABITUAL = re.compile(r"\b(?:when i|whenever i|every time i|used to|back then|at the time)\b")

# --- advice cues found anywhere in the sentence -------------------------------------------

_ADVICE_RULES: tuple[_Rule, ...] = (
    _rule(
        "modal",
        "a directive: {}",
        r"\b(?P<q>you" + _MODAL_ADVERBS + r"\s+(?:should(?:n't| not)?))\b"
        # hindsight, validation, praise and expectation are not directives
        r"(?!\s+(?:never |not |really |)have to\b)(?!\s+have\b)(?!'ve\b)"
        r"(?!\s+(?:be|feel) (?:\w+ )?proud)(?!\s+be (?:able|fine|ok|okay|good|alright|allowed"
        r"|entitled|getting|receiving|hearing)\b)",
        ("should shouldn't", _YOU),
        strong=True,
        not_after=_CONDITIONAL_BEFORE,
        embedded_unless_after=_CLAUSE_OPENING_BEFORE,
    ),
    _rule(
        "modal",
        "a directive: {}",
        r"\b(?P<q>you" + _MODAL_ADVERBS + r"\s+(?:ought(?:n't)? to|oughta|needs? to|have to"
        r"|gotta|got to|have got to|had better|better not|better(?! believe)))"
        r"\b(?!\s+(?:admit|laugh|wonder|love|understand|be kidding)\b)",
        ("ought oughta need needs have gotta got better", _YOU),
        strong=True,
        not_after=_CONDITIONAL_BEFORE,
        embedded_unless_after=_CLAUSE_OPENING_BEFORE,
    ),
    _rule(
        "modal",
        "a directive: {}",
        # "you must be exhausted" infers a feeling: a reflection, not a directive
        r"\b(?P<q>you" + _MODAL_ADVERBS + r"\s+(?:must(?:n't| not)?))\b"
        r"(?!\s+(?:be|have|'ve|feel|know|think|mean)\b)",
        ("must mustn't", _YOU),
        strong=True,
        not_after=_CONDITIONAL_BEFORE,
        embedded_unless_after=_CLAUSE_OPENING_BEFORE,
    ),
    _rule(
        "modal",
        "a directive: {}",
        r"\b(?P<q>you(?:'ve| have) got to|you'd better|you'd best)\b",
        ("you've you'd have",),
        strong=True,
        not_after=_CONDITIONAL_BEFORE,
    ),
    _rule(
        "suggestion",
        "a suggestion: {}",
        r"\b(?P<q>you (?:could|can|might|may)(?:\s+(?:always|also|maybe|perhaps|just|even"
        r"|definitely|probably|still|then|totally|easily|at least))*\s+(?:try|consider"
        r"|look into|look at|look for|think about|ask|reach out|call|contact|get|check|find"
        r"|join|start|stop|use|write|go|take|set|make|download|book|schedule|keep|see if"
        r"|see about|see a|speak|talk to (?!me\b|us\b)|talk with (?!me\b|us\b)"
        r"|tell (?:him|her|them|your|the)|want to|wanna|benefit|find it|put|give|invest|switch"
        r"|move|spend|leave|limit|cut|avoid|focus|practi[cs]e|journal|meditate|exercise|email"
        r"|text)\b)",
        ("could can might may", "you"),
        not_after=_CONDITIONAL_BEFORE,
        embedded_unless_after=_CLAUSE_OPENING_BEFORE,
    ),
    _rule(
        "suggestion",
        "a suggestion: {}",
        r"\b(?P<q>it(?:'s| is|'d| would| will| may| might| could| can| should)?(?: really| also"
        r"| definitely| probably| maybe| possibly| perhaps| honestly)?"
        r" (?:helps?|be (?:helpful|useful|worth|good|a good idea|beneficial|smart|wise|better"
        r"|best|worthwhile)|be worth it)(?: to| if you| for you to| \w+ing\b))",
        (
            "help helps helpful useful worth good idea beneficial smart wise better best worthwhile",
            "it it's it'd",
        ),
    ),
    _rule(
        "suggestion",
        "a suggestion: {}",
        r"\b(?P<q>it(?:'s| is| would be| might be| may be| could be)? (?:worth (?:a try|a shot"
        r"|trying|\w+ing\b)|a good idea to|important (?:that you|to|for you)|a good idea if you"
        r"|best to|better to|wise to|smart to|crucial to|essential to|vital to|key to))",
        ("worth idea important best better wise smart crucial essential vital key", "it it's"),
    ),
    _rule(
        "suggestion",
        "a recommendation: {}",
        r"\b(?P<q>i(?:'d| would)?(?: really| definitely| highly| strongly| honestly| also"
        r"| personally| probably| just| totally| absolutely)* (?:suggest|recommend|advise"
        r"|encourage|urge))\b(?!\s+(?:it|that)\s+to\s+(?:me|myself))",
        ("suggest recommend advise encourage urge",),
        not_after=re.compile(r"\b(?:would|do|did|should)\s+$"),
    ),
    _rule(
        "suggestion",
        "a recommendation: {}",
        r"\b(?P<q>my (?:advice|suggestion|recommendation|tip)(?: to you| for you)?(?: would be"
        r"| is)?(?: to\b| that\b| just\b|:)|a good idea (?:would be|is) to|one (?:thing|option"
        r"|idea|way) (?:you (?:could|can|might)|to try|would be)|you(?:'d| would) be (?:better"
        r" off|wise|smart))",
        ("advice suggestion recommendation tip idea one better wise smart",),
    ),
    _rule(
        "suggestion",
        "a suggestion: {}",
        r"\b(?P<q>if i (?:were|was) you|in your (?:shoes|position|place)|if it (?:were|was) me"
        r"|were i you|if i were in your)\b(?![^.!?]*\b(?:would have|would've|'d have)\b)",
        ("were was shoes position place",),
        strong=True,
    ),
    _rule(
        "suggestion",
        "a suggestion: {}",
        r"\b(?P<q>the (?:best|only|first|right|smart|simplest|easiest|main|most important|one)"
        r" (?:thing|step|move|option|way|choice)(?: (?:you can do|you could do|to do|for you"
        r"|here|i can suggest))? (?:is|would be|'s) (?:to |just |(?!that|it|when|if|what|how"
        r"|he|she|they|we|i|you|not|a|the)\w+\b)|the (?:trick|key|solution|answer|fix|cure"
        r"|remedy|secret)(?: here)? (?:is|would be|'s) (?:to\b|simple|easy|just|obvious))",
        ("thing step move option way choice trick key solution answer fix cure remedy secret",),
    ),
    _rule(
        "hypothetical",
        "a suggestion: {}",
        # "I'd tell him" offered as what the reader could do. Habitual past ("when I was low
        # I'd call my sister") is own experience and is dropped by `_HABITUAL`.
        r"\b(?P<q>i(?:'d| would)(?: (?:probably|definitely|honestly|just|personally|seriously"
        r"|also|still|really|totally|absolutely|first|then))* (?:tell|talk to|ask|leave|quit"
        r"|call|try|start|stop|speak to|let|contact|report|block|ignore|consider|set|write"
        r"|look into|see a|go to (?:a|the|your)|get (?:a|some|help|out|rid)|move out|sit down"
        r"|have a (?:talk|chat|word)|make sure))\b",
        ("i'd would",),
    ),
    _rule(
        "fix_it",
        "fix-it framing: {}",
        r"\b(?P<q>what you (?:need|have|want|ought|should)(?: to do)? is|all you (?:need|have|got"
        r"|gotta)(?: to do)? (?:is|to do))\b",
        ("what all", "you"),
        strong=True,
    ),
    _rule(
        "fix_it",
        "fix-it framing: {}",
        r"\b(?P<q>get over it|snap out of it|look on the bright side|think positive(?:ly)?"
        r"|positive thinking|cheer up|chin up|man up|toughen up|get a grip|pull yourself together"
        r"|(?:it|things) could (?:always )?be worse|everything happens for a reason"
        r"|count your blessings|stop feeling sorry for yourself|problem solved"
        r"|(?:easy|simple|quick) (?:fix|solution)|at least you (?:have|'ve got|got|still have"
        r"|still))\b",
        (
            "over snap bright positive positively cheer chin man toughen grip together worse "
            "reason blessings sorry solved fix solution least",
        ),
    ),
    _rule(
        "suggestion_question",
        "a suggestion question: {}",
        r"(?:^|[,;.!?]\s*)(?:so |and |but |also |just |hmm,? |ok,? |well,? |honestly,? )*"
        r"(?P<q>(?:have|has) you (?:ever |already |maybe |also |even |yet |not )*(?:tried"
        r"|considered|thought about(?! (?:what|how|why|whether|where|who|if|when)\b)|thought of"
        r"(?! (?:what|how|why)\b)|looked into|talked to|talked with|spoken to|spoken with"
        r"|spoke to|asked|reached out|gone to|been to (?:a|the|your|see) (?:doctor|therapist|gp"
        r"|counsel+or|psychiatrist)|checked|seen a|contacted|told|researched|googled|explored"
        r"|sought))",
        ("have has", "you"),
    ),
    _rule(
        "suggestion_question",
        "a suggestion question: {}",
        r"\b(?P<q>why (?:don't|do not|dont|wouldn't|won't) you|why can't you just"
        r"|why not(?= \w)|what if you (?:just |maybe |instead |simply |also |)(?:tried|told"
        r"|talked|asked|went|took|let|gave|started|stopped|wrote|made|called|looked|found|got"
        r"|said|spoke|reached|set|put|left|moved|quit|changed|focused|spent|saw|joined|kept|did"
        r"|were to)|did you (?:ever |already )?(?:try|consider|think about \w+ing)"
        r"|(?:couldn't|can't|cant|wouldn't) you (?:just|simply|try|ask|tell|talk|go|get|leave"
        r"|find|move|take)|wouldn't it be (?:easier|better|simpler|good|best|smarter|nice)"
        r"|would it (?:help|hurt|be (?:worth|a good idea|better|possible|easier))"
        r"|would you (?:consider|think about|be open to|be willing to)"
        r"|is there (?:any|a) way you (?:could|can|might)"
        r"|do you think (?:it would help|you could|you might|it might help|it'd help|it could"
        r" help)|(?:could|can) you (?:try|maybe|perhaps|just|possibly|not|ask|talk to|get|take"
        r"|go|call|look into|find|start|stop|consider|set|move|put|reach out|see (?:a|if)"
        r"|switch|leave|limit)\b)",
        ("you why wouldn't would",),
    ),
    _rule(
        "suggestion_question",
        "a suggestion question: {}",
        r"(?:^|[,;.!?]\s*)(?:so |and |but |also |hmm,? |well,? |ok,? )*(?P<q>(?:how|what) about"
        r" (?:\w+ing\b|you (?:just |maybe )?(?:try|talk|ask|get|go|take|call|tell|write|start"
        r"|stop|find|make|give)\b|a |an |some ))",
        ("about", "how what"),
    ),
    _rule(
        "labelling",
        "labelling their experience: {}",
        r"\b(?P<q>(?:that|this|it)(?:'s| is)(?: (?:just|only|probably|clearly|obviously"
        r"|definitely|totally|simply|all|not you,? it's))*"
        r" (?:your |the |classic |textbook |typical )"
        + _CONDITIONS
        + r"(?: talking| speaking| lying| again| making you)?)\b(?! (?:is|was|has|can|sounds))",
        (_CONDITION_WORDS, "that this it that's it's"),
        not_after=_SELF_OR_DENIED_BEFORE,
    ),
    _rule(
        "labelling",
        "labelling their experience: {}",
        r"\b(?P<q>(?:it )?(?:sounds|seems|looks) like (?:classic |textbook |typical |a case of "
        r"|you (?:have|'ve got|got|might have|may have|probably have|suffer from) "
        r"|you(?:'re| are) (?:just |clearly |probably )?)(?:" + _CONDITIONS + r"|depressed"
        r"|bipolar|manic|codependent|narcissistic|autistic|traumati[sz]ed|burnt out|burned out))\b"
        r"(?! (?:is|was|has|have|had|been|makes|made|gets|got|can|keeps|kept|really|must|feels"
        r"|'s)\b)",
        (
            "sounds seems looks",
            _CONDITION_WORDS + " depressed bipolar manic codependent "
            "narcissistic autistic traumatized traumatised burnt burned",
        ),
        not_after=_SELF_OR_DENIED_BEFORE,
    ),
    _rule(
        "labelling",
        "labelling their experience: {}",
        r"\b(?P<q>what you(?:'re| are) (?:describing|feeling|going through|experiencing) (?:is|are"
        r"|sounds like) (?:just |only |probably |clearly |a |an |classic |textbook |typical )*"
        r"(?:" + _CONDITIONS + r"|symptoms?|a symptom|a sign|signs))\b",
        ("describing feeling going experiencing",),
    ),
    _rule(
        "labelling",
        "labelling their experience: {}",
        r"\b(?P<q>you (?:clearly |obviously |probably |definitely |totally |might |may |just )*"
        r"(?:have|'ve got|got|suffer from) (?:a |an |some |classic |textbook )?"
        + _CONDITIONS
        + r")\b",
        (_CONDITION_WORDS, _YOU),
        not_after=_SELF_OR_DENIED_BEFORE,
    ),
    _rule(
        "labelling",
        "labelling their experience: {}",
        r"\b(?P<q>you(?:'re| are)(?: (?:just|clearly|obviously|probably|definitely|totally|so"
        r"|way|too|such|really|simply|only))* " + _LABEL_ALWAYS + r")\b",
        (_LABEL_ALWAYS_WORDS, "you're you are"),
        not_after=_SELF_OR_DENIED_BEFORE,
    ),
    _rule(
        "labelling",
        "labelling their experience: {}",
        r"\b(?P<q>you(?:'re| are)(?: (?:just|clearly|obviously|probably|definitely|totally"
        r"|simply|only))+ (?:a bit |so |really |too |very )?" + _LABEL_QUALIFIED + r")\b",
        (_QUALIFIERS, "you're you are"),
        not_after=_SELF_OR_DENIED_BEFORE,
    ),
    _rule(
        "labelling",
        "labelling their experience: {}",
        r"\b(?P<q>you(?:'re| are) not (?:really )?\w+(?: \w+)?, you(?:'re| are))\b",
        ("not", "you're you are"),
    ),
)

# --- counter cues -----------------------------------------------------------------------------


class _Finder:
    """A pattern searched fast, whose matches must start at a word boundary.

    A leading ``\b`` stops the regular-expression engine from scanning ahead for the first
    characters of the pattern, which makes a search several times slower. So ``anywhere`` is
    written without it and the boundary is checked here; ``opening`` is matched at the start
    of the sentence only.
    """

    __slots__ = ("anywhere", "opening")

    def __init__(self, anywhere: str | None = None, opening: str | None = None) -> None:
        self.anywhere = re.compile(anywhere) if anywhere else None
        self.opening = re.compile(opening) if opening else None

    def search(self, text: str) -> int | None:
        """Where the first match starts, or None."""
        if self.opening is not None and self.opening.match(text):
            return 0
        if self.anywhere is None:
            return None
        return search_at_word(self.anywhere, text)


def search_at_word(pattern: re.Pattern[str], text: str, position: int = 0) -> int | None:
    """Where the first match of ``pattern`` at a word boundary starts, or None."""
    match = pattern.search(text, position)
    while match is not None:
        start = match.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "'"):
            return start
        match = pattern.search(text, start + 1)
    return None


_REPORTER = (
    r"(?:he|she|they|someone|somebody|everyone|everybody|people|nobody|no one|others"
    r"|my \w+(?: \w+)?|his \w+|her \w+|their \w+|our \w+|your \w+"
    r"|the (?:doctor|doc|nurse|therapist|counsel+or|psychiatrist|psychologist|gp|leaflet"
    r"|website|internet|book|article|label|pharmacist|teacher|school|guy|lady|man|woman"
    r"|instructions|pamphlet|specialist|consultant|dentist|midwife|vet|boss|manager)"
    r"|a (?:friend|doctor|nurse|therapist|counsel+or|coworker|co-worker|colleague|neighbou?r"
    r"|stranger|relative)|mum|mom|dad|mother|father)"
)
_REPORTING_VERBS = (
    r"(?:said|says|say|told|tells|tell|telling|suggested|suggests|suggesting|recommended"
    r"|recommends|recommending|advised|advises|advising|insisted|insists|saying|wants|wanted"
    r"|thinks|thought|reckons|reckoned|asked|asks|asking|claims|claimed|yelled|shouted"
    r"|texted|wrote|writes|posted|warned|warns|ordered|instructed|put me on|prescribed"
    r"|goes|went like|was like)\b"
)
# Reporting is found by its verb first (a short list, quick to scan for), then the words
# before the verb are checked for a reporter: "my doctor (always) told", "I was told".
_REPORTING_VERB = re.compile(
    r"(?:said|says|say|told|tells|tell|telling|suggest|recommend|advis|insist|saying|want"
    r"|think|thought|reckon|ask|claim|yelled|shouted|texted|wr[io]te|posted|warn|ordered"
    r"|instructed|put me on|prescribed|goes|went like|was like|remind|according to"
    r"|note to self|taught|advice|suggestion|recommendation)"
)
_REPORTER_BEFORE = re.compile(
    r"(?:^|\W)" + _REPORTER + r"(?: (?:always|once|just|then|even|also|literally|basically"
    r"|really|actually|kept|keeps|keep|would|had|has|have|never|constantly|usually|often|still"
    r"|all|both|finally|only|eventually|was|were|is|are|'s|'re))* $"
)
_REPORTING_AT_VERB = re.compile(_REPORTING_VERBS)
# Reporting with no reporter before the verb: "according to", "note to self", "I keep telling
# myself to ...", "the advice I got was ...".
_SELF_REPORT_AT_VERB = re.compile(
    r"(?:according to|note to self|(?:told|tell|telling|tells|remind|reminded|reminding|reminds"
    r"|said to|say to|saying to|ask|asked|asking) (?:myself|ourselves)"
    r"|(?:advice|suggestion|recommendation)s? (?:i|we) (?:got|get|was given|received|hear))\b"
)
_PASSIVE_BEFORE = re.compile(
    r"(?:^|\W)(?:i|we)(?:'ve| have| had|'d)? (?:was|were|been|am|'m|are|get|got|keep getting"
    r"|kept getting|always get|always got)(?: \w+)? $"
)
_PASSIVE_VERBS = frozenset({"told", "advised", "asked", "instructed", "taught", "warned"})


def _find_reporting(sentence: str) -> int | None:
    """Where reported speech begins ("my doctor told me to ...", "I was told"), or None."""
    for match in _REPORTING_VERB.finditer(sentence):
        start = match.start()
        if start and (sentence[start - 1].isalnum() or sentence[start - 1] == "'"):
            continue
        if _SELF_REPORT_AT_VERB.match(sentence, start):
            return start
        verb = _REPORTING_AT_VERB.match(sentence, start)
        if verb is None:
            continue
        before = sentence[max(0, start - 40) : start]
        reporter = _REPORTER_BEFORE.search(before)
        if reporter is not None:
            return start - len(before) + reporter.start()
        if verb.group().rstrip() in _PASSIVE_VERBS and _PASSIVE_BEFORE.search(before):
            return start
    return None


_SELF_TALK = _Finder(
    r"(?:i|we)(?:'ve| have)?(?: (?:really|probably|definitely|seriously|just|honestly|still"
    r"|also|totally|kinda|actually|maybe))* (?:should|shouldn't|need to|needs to|have to"
    r"|has to|must|ought to|gotta|got to|'ve got to|will|am going to|'m going to|'m gonna"
    r"|am gonna|want to|wanna|wish|hope|could|can|might|'d like to|would like to|'m trying"
    r"|am trying|'m planning|am planning|plan to|intend to|keep (?:telling|reminding|trying))\b"
    r"|(?:i|we)'ll\b"
)

_OWN_EXPERIENCE = _Finder(
    r"(?:what (?:helped|helps|worked|works|got me through)(?: for)? me|for me\b"
    r"|in my (?:experience|case|opinion)|my experience|(?:helped|helps|worked|works"
    r"|did wonders|changed my life|changed everything)(?: for)? me\b"
    r"|i (?:found|find|found out) (?:that|it|myself)|personally,? i\b|me too\b"
    r"|i (?:tried|started|stopped|used to|learned|learnt|went|took|had|was|did|got|ended up"
    r"|quit|decided|began|switched|realised|realized|noticed|remember|made|felt|spent|moved"
    r"|left|joined|cried|told|saw|lost|kept|needed|wanted|couldn't|didn't|wasn't|haven't|hadn't"
    r"|never)\b|i've (?:found|been|had|tried|learned|learnt|started|stopped|done|seen|got"
    r"|gotten|never|always|struggled)\b|when i (?:was|had|felt|did|got|started|lived|went)"
    r"|(?:back|at the time) when|we (?:tried|started|did|went|had|used to|found)\b"
    r"|my (?:son|daughter|kid|kids|child|husband|wife|partner|boyfriend|girlfriend|family|mum"
    r"|mom|dad|brother|sister) (?:and i|used to|was|is|has|had|did))"
)

_SELF_QUESTION = _Finder(
    r"(?:do|does|would|did) (?:you|anyone|anybody|someone) (?:think|reckon|feel|believe)"
    r" (?:that )?(?:i|we|it'?s|this|that)\b",
    r"(?:so |but |and |also |then |hmm,? |ok,? |well,? )*(?:(?:should|shall|do|can|could"
    r"|would|am|must|did|have|will) (?:i|we)\b|(?:what|how|where|when|why|who|which)(?: \w+)?"
    r" (?:should|do|can|could|would|shall|must|am|did|will) (?:i|we)\b|(?:has|have|does|did|is"
    r"|do|can|could) (?:anyone|anybody|someone|somebody|any of you|you guys|y'all)\b"
    r"|any (?:ideas|advice|tips|suggestions|thoughts|recommendations)\b)",
)

# An open question: a question word or auxiliary first, a question mark last.
_OPEN_QUESTION = re.compile(
    r"(?:so |but |and |also |hmm,? |ok,? |well,? |i'm curious,? |i wonder,? |can i ask,? )*"
    r"(?:what|how|when|where|who|which|why|is|are|was|were|do|does|did|have|has|had|would"
    r"|could|can|will|any|anything)\b"
)
_INVITATION = re.compile(
    r"(?:can|could|would) you (?:tell me|say|share|talk|describe)\b"
    r"|(?:would|do) you (?:like|want|prefer|rather)\b|i(?:'m| am) (?:curious|wondering)\b"
)
_CURIOUS_NEEDS = _words("tell say share talk describe like want prefer rather curious wondering")


def _is_curious_question(sentence: str, words: frozenset[str]) -> bool:
    """Whether the sentence asks about the other person without suggesting anything."""
    if sentence.rstrip().endswith("?") and _OPEN_QUESTION.match(sentence):
        return True
    return (
        not _CURIOUS_NEEDS.isdisjoint(words) and search_at_word(_INVITATION, sentence) is not None
    )


_REFLECTION = _Finder(
    r"i (?:can )?hear (?:you|that|how|what)\b|i can (?:see|imagine|tell) (?:how|that|why"
    r"|what)\b|(?:that|it) must (?:be|have been|feel)\b|you must (?:be|have|feel|'ve)\b",
    r"(?:(?:so|and|but|it|that|this|honestly|wow|oh|it seems|it sounds like),? )*(?:(?:sounds"
    r"|seems|feels|looks) (?:like|as if|as though|so|really|incredibly|very|pretty|awful|hard"
    r"|tough|difficult|painful|scary|exhausting|lonely|overwhelming|rough|heavy)"
    r"|you(?:'re| are| were|'ve been| have been| felt| feel| were feeling| are feeling"
    r"|'re feeling| seem| sound) (?:really |so |very |pretty |quite |a bit |kind of |kinda )*"
    r"(?:alone|invisible|unheard|stuck|lost|trapped|tired|exhausted|overwhelmed|hurt|scared"
    r"|angry|sad|frustrated|through|dealing|carrying|going|juggling|facing|coping|handling"
    r"|struggling|feeling|worried|anxious|torn|unsure|confused))",
)

_VALIDATION = _Finder(
    r"(?:you(?:'re| are) not alone|(?:it'?s|that'?s|it is|that is) (?:completely |totally"
    r" |so |perfectly |really |very )?(?:okay|ok|alright|normal|understandable|valid|natural"
    r"|human|fine|allowed)|your (?:feelings|reaction|feeling)s? (?:is |are )?(?:completely"
    r" |totally |so |perfectly )?(?:valid|understandable|normal|okay)|makes (?:so much"
    r" |total |complete |perfect )?sense|you did (?:the best|your best|nothing wrong|well"
    r"|great|good|amazing|so well)|you don't deserve|should(?:n't| not| never) have to"
    r"|proud of you|glad you|not your fault|anyone would|of course you"
    r"|you deserve (?:better|to be|so much|good|kindness|support)|thank(?:s| you) for"
    r" (?:sharing|telling|trusting|being)|took (?:courage|guts|strength))\b"
)

# Pleasantries and farewells are only such when they make up (nearly) the whole sentence.
_PLEASANTRY = re.compile(
    r"^(?:ok(?:ay)?,? |well,? |and |anyway,? |so |but |please |oh,? |again,? |just )*"
    r"(?:take care(?: of yourself| of you)?|take it easy|hang in there|sending (?:\w+ )*"
    r"(?:hugs?|love|strength|vibes|thoughts|light|hope|prayers|care)|(?:big |warm )?hugs?"
    r"|(?:so )?much love|lots of love|love (?:and|&) (?:light|hugs)|feel better(?: soon)?"
    r"|get well(?: soon)?|good luck(?: \w+)?|best of luck|all the best|best wishes|thanks?(?: you)?"
    r"(?: (?:so|very) much)?(?: for (?:\w+ ?){1,4})?|thank you(?: (?:so|very) much)?"
    r"|stay (?:safe|strong|well|warm|tuned|cool)|be (?:well|safe|kind to yourself)"
    r"|have (?:a|an) (?:good|great|nice|lovely|wonderful|safe|happy|fun|amazing|awesome"
    r"|restful|peaceful|better|good|gentle|calm|quiet|easy)(?: \w+){1,2}|have fun|welcome(?: back)?"
    r"|congrat(?:s|ulations)|cheers|sleep (?:well|tight)|rest (?:well|easy|up)"
    r"|see you(?: \w+)?|talk (?:soon|later|to you soon)|bless (?:you|your heart)|god bless"
    r"|(?:good )?night(?: all| everyone)?|good (?:morning|evening|night)"
    r"|wishing you (?:\w+ ?){1,4}|(?:you've|you have) got this|you can do (?:it|this)"
    r"|you(?:'re| are) (?:not alone|doing great|doing your best|so strong|amazing|loved))"
    r"(?:[\s,!.]+(?:friend|friends|everyone|everybody|all|you|love|mate|buddy|hun|x+|o+"
    r"|tonight|today|tomorrow|soon|out there|ok(?:ay)?|my friend|dear|lovely|again|too"
    r"|from me|<3|(?:that |it )?means (?:a lot|so much|the world)(?: to me)?|\W))*[\s!.,:)(]*$"
)

_OFFER = re.compile(
    r"(?:let (?:me|us) know|feel free|don't hesitate|do not hesitate|(?:dm|message|pm|text"
    r"|call|ping|email) me\b|reach out (?:to me|to us|anytime|any time|whenever|if)|my dms"
    r"|(?:talk|vent|write) to (?:me|us)|i(?:'m| am) (?:here|around|always here)|here for you"
    r"|happy to (?:talk|listen|chat)|if you (?:ever )?(?:want|need) to (?:talk|vent|chat))\b"
)

_IDIOM = _Finder(
    None,
    r"\W*(?:try as (?:i|we|you|he|she|they) (?:might|may)|go figure|mind you|say what you"
    r" (?:will|want|like)|guess what|imagine (?:my|that|if|how|being|what|the)|let's|let us"
    r"|don't get me wrong|don't worry(?: about me|,? i| it's)|thank (?:god|goodness"
    r"|heavens)|believe (?:me|it or not)|trust me|go (?:team|you)|long story short"
    r"|mind (?:the|my) |look who|speak of the devil|take (?:that|it from me)|fancy that"
    r"|tell me about it|you know what|you bet|you never know|don't (?:even )?get me started)",
)

_OFFER_FINDER = _Finder(_OFFER.pattern)

_COUNTER_RULES: tuple[tuple[str, str, _Finder, frozenset[str]], ...] = (
    (
        "self_talk",
        "self-talk",
        _SELF_TALK,
        _words("i we i've i'll i'm i'd"),
    ),
    (
        "own_experience",
        "own experience",
        _OWN_EXPERIENCE,
        _words("me my i i've i'd we when"),
    ),
    (
        "self_question",
        "a question about oneself",
        _SELF_QUESTION,
        _words("i we anyone anybody someone somebody any y'all guys"),
    ),
    (
        "reflection",
        "a reflection",
        _REFLECTION,
        _words("sounds seems feels looks hear imagine see tell must you you're you've"),
    ),
    (
        "validation",
        "validation",
        _VALIDATION,
        _words(
            "alone okay ok alright normal understandable valid natural human fine allowed "
            "sense did deserve have proud glad fault anyone course thank thanks took"
        ),
    ),
    (
        "offer",
        "an offer of support",
        _OFFER_FINDER,
        _words("know free hesitate me us here dms happy talk vent chat"),
    ),
    (
        "idiom",
        "an idiom",
        _IDIOM,
        _words(
            "try go mind say guess imagine let's let don't thank believe trust long look speak "
            "take fancy tell you"
        ),
    ),
)
_REPORTING_NEEDS = _words(
    "said says say told tells tell telling suggested suggests suggesting recommended recommends "
    "recommending advised advises advising insisted insists saying wants wanted thinks thought "
    "reckons reckoned asked asks asking claims claimed yelled shouted texted wrote writes posted "
    "warned warns ordered instructed put prescribed goes went was taught remind reminded "
    "reminding reminds myself ourselves according note advice suggestion recommendation"
)

# --- the imperative --------------------------------------------------------------------------

# Verbs that open an imperative when they start a sentence. Words that are also common
# nouns ("sleep", "work", "exercise") are guarded by `_NOUN_FOLLOWERS` below.
_IMPERATIVE_VERB_SET = _words(
    "accept acknowledge add address admit allow apologise apologize apply appreciate ask "
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
    "report request research reset rest reward ring run save schedule see seek sell set "
    "show shower sign sit skip sleep slow snap speak spend splash start stay stick stop "
    "stretch study surround swap switch take talk teach tell text think throw track train "
    "treat trust try turn unfollow unplug up use visit volunteer vent wait walk watch wear "
    "write"
)

# If one of these follows the opening verb, the verb was a noun ("sleep is hard for me",
# "talk therapy helped") or the start of a question ("do you ...").
_NOUN_FOLLOWERS = _words(
    """
    is was are were 's isn't wasn't aren't weren't has had helps helped works worked did
    does didn't doesn't can can't could couldn't will won't would wouldn't might should
    shouldn't must may never seems seemed makes made gets feels felt keeps kept becomes
    became sucks sucked therapy therapist therapists group groups schedule schedules
    hygiene habits quality routine issues problems life stuff wise itself
    as i we it's there you he she they
    """
)
_PRONOUNS = _words("i we you he she they it's there")

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

# Said to the speaker, a verb makes a request rather than advice ("let me know", "tell me").
_SPEAKER_OBJECTS = _words("me myself us 's")

# Followed by a comma, these are discourse markers ("look, I get it", "listen, ...").
_DISCOURSE_VERBS = _words("look listen see wait remember believe trust")

# Elided first person: "don't know why I bother" means "I don't know why I bother".
_ELIDED_AFTER_DONT = _words(
    "know care think remember want understand mind blame like believe recall mean see need "
    "have feel get really even"
)
_ELIDED_OBJECTS = _words(
    "what why how if whether where who that much to the a any anything it so like about"
) | {""}

# Verbs of an imperative that, with an offer ("reach out to me anytime"), invite contact.
_OFFER_VERBS = _words("reach come call message text email talk vent write")

# Words that may precede the verb of an imperative ("so maybe just try ...", "please don't").
_LEAD_WORDS = _words(
    """
    so and but also plus then now just maybe perhaps honestly seriously definitely really please
    pls plz ok okay well oh first firstly second secondly third next finally lastly instead
    otherwise personally imo imho tbh hey yeah yes again anyway anyways basically simply only
    meanwhile obviously sometimes today tonight tomorrow asap edit update always
    """
)
# Multi-word leads, keyed by their first word: "first of all, ...", "at the very least ...".
_LEAD_PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
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
_NEGATIONS = _words("don't dont never")
_PUNCTUATION = "\"'()[]{}*_~.,;:!?-\u2013\u2014\u2022"
_SUBORDINATORS = _words(
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
        if not word or word.isdigit() or word in _LEAD_WORDS:
            index += 1
            continue
        for continuation in _LEAD_PHRASES.get(word, ()):
            end = index + 1 + len(continuation)
            if tuple(words[index + 1 : end]) == continuation:
                index = end
                break
        else:
            return index
    return index


def _imperative_in(sentence: str, clause_start: int) -> Cue | None:
    """An imperative cue if the clause at ``clause_start`` opens with an advice-giving verb."""
    pieces = sentence[clause_start:].split(None, 12)
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
        elif word not in _LEAD_WORDS:
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
    if verb in _OFFER_VERBS and _OFFER_FINDER.search(sentence) is not None:
        return None  # "reach out to me anytime" offers contact
    offset = clause_start + sentence[clause_start:].find(piece)
    phrase = " ".join(words[first : index + 2])
    if just:
        text = "fix-it framing: " + _quote("just " + phrase.removeprefix("just "))
        return Cue("fix_it", text, True, True, offset)
    return Cue("imperative", "an imperative: " + _quote(phrase, 3), True, True, offset)


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


def _find_imperative(sentence: str) -> Cue | None:
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


# --- the entry point -------------------------------------------------------------------------


def _index_rules(rules: tuple[_Rule, ...]) -> dict[str, tuple[int, ...]]:
    """Map each word of a rule's first needed set to the rules that need it.

    Rules list their rarest needed words first ("should" before "you"), so that few rules
    become candidates for a sentence.
    """
    index: dict[str, list[int]] = {}
    for number, rule in enumerate(rules):
        for word in rule.needs[0]:
            index.setdefault(word, []).append(number)
    return {word: tuple(numbers) for word, numbers in index.items()}


_ADVICE_RULE_INDEX = _index_rules(_ADVICE_RULES)
_ADVICE_TRIGGERS = frozenset(_ADVICE_RULE_INDEX)


def _candidate_rules(words: frozenset[str]) -> list[_Rule]:
    """The advice rules whose needed words all occur in the sentence, in rule order."""
    numbers: set[int] = set()
    for word in words & _ADVICE_TRIGGERS:
        numbers.update(_ADVICE_RULE_INDEX[word])
    candidates = []
    for number in sorted(numbers):
        rule = _ADVICE_RULES[number]
        for group in rule.needs[1:]:
            if group.isdisjoint(words):
                break
        else:
            candidates.append(rule)
    return candidates


def _before(sentence: str, position: int) -> str:
    """The text just before ``position``, enough for the context checks."""
    return sentence[max(0, position - 40) : position]


def find_cues(sentence: str, words: frozenset[str] | None = None) -> CueReport:
    """Find advice cues, counter cues and hints in one lower-cased sentence.

    ``words`` is `words_of(sentence)`, passed in when the caller already has it.
    """
    if words is None:
        words = words_of(sentence)
    if _PLEASANTRY.match(sentence):
        return CueReport((), (Cue("pleasantry", "a pleasantry or farewell", False),))

    advice: list[Cue] = []
    hints: list[str] = []
    imperative = _find_imperative(sentence)
    if imperative is not None:
        advice.append(imperative)
    for rule in _candidate_rules(words):
        for match in rule.pattern.finditer(sentence):
            start = match.start("q")
            if start and (sentence[start - 1].isalnum() or sentence[start - 1] == "'"):
                continue
            before = _before(sentence, start)
            if rule.not_after is not None and rule.not_after.search(before):
                continue
            if rule.embedded_unless_after is not None and not rule.embedded_unless_after.search(
                before
            ):
                hints.append(rule.family + "_embedded")
                continue
            text = rule.describe.format(_quote(match.group("q")))
            advice.append(Cue(rule.family, text, True, rule.strong, start))
            break
    if advice and _HABITUAL.search(sentence):
        advice = [cue for cue in advice if cue.family != "hypothetical"]

    counter: list[Cue] = []
    if not _REPORTING_NEEDS.isdisjoint(words):
        cut = _find_reporting(sentence)
        if cut is not None:
            counter.append(Cue("reporting", "reporting someone's words", False, start=cut))
            advice = [cue for cue in advice if cue.start < cut]
    for family, text, pattern, needs in _COUNTER_RULES:
        if not needs.isdisjoint(words):
            found = pattern.search(sentence)
            if found is not None:
                counter.append(Cue(family, text, False, start=found))
    if not advice and _is_curious_question(sentence, words):
        counter.append(Cue("curious_question", "an open question", False))
    if len(advice) > 1:
        advice = _dedupe(advice)
    return CueReport(tuple(advice), tuple(counter), tuple(hints))


def _dedupe(cues: list[Cue]) -> list[Cue]:
    """Keep the first cue of each description, in sentence order."""
    seen: set[str] = set()
    kept: list[Cue] = []
    for cue in sorted(cues, key=lambda cue: cue.start):
        if cue.text not in seen:
            seen.add(cue.text)
            kept.append(cue)
    return kept

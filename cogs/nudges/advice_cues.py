"""The phrase rules for advice: modals, suggestions, suggestion questions, fix-it, labelling.

Pure, no I/O. `find_phrases` runs every rule whose needed words occur in the sentence. The
imperative has its own module (`cogs.nudges.imperatives`); the policy behind all the rules
is written down in `cogs.nudges.cues`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cogs.nudges.cue_types import Cue, quote, word_set


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
    # A leading \b would stop the engine from scanning ahead; `find_phrases` checks it.
    return _Rule(
        family,
        describe,
        re.compile(pattern.removeprefix(r"\b")),
        tuple(word_set(group) for group in needs),
        strong,
        not_after,
        embedded_unless_after,
    )


# Names for someone's experience: conditions, diagnoses, interpretations of a motive. An open
# class that the cue rules cannot list in full and the corpus cannot cover item by item, so
# the model gets the class as a feature: one of these words (``lex=label``), and one of them
# in a sentence that opens like a verdict ("that's ...", "sounds like ...", "you're ...":
# ``lex=label_frame``). Feelings in the sharer's own words ("lonely", "sad") are not here:
# naming a feeling tentatively is a reflection.
LABEL_TOKENS = word_set(
    """depression depressed depressive ptsd cptsd trauma traumatised traumatized adhd ocd bpd
    bipolar autism autistic mania manic psychosis psychotic paranoia paranoid burnout burnt
    codependency codependent narcissism narcissist narcissistic perfectionism perfectionist
    imposter impostor syndrome anhedonia dissociation dissociating dissociative abandonment
    attachment avoidant enabler enabling addiction addicted addict alcoholic stonewalling
    gaslighting projecting projection denial insecurity insecurities hormones hormonal pms
    pmdd postnatal postpartum seasonal fatigue breakdown midlife esteem pleaser disorder
    dysfunction overload overstimulated overthinking overreacting catastrophising
    catastrophizing rumination ruminating avoidance repressed repressing suppressing
    unresolved subconscious subconsciously conditioning conditioned symptom symptoms
    illness hangry generational jealousy neurodivergent
    agoraphobia phobia hypochondria hypochondriac"""
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

# --- the rules, in the order their cues are listed -------------------------------------------

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
        r"|text|bring|raise|mention|plan|wait|rest|sleep|read|seek|apply|work on|slow down"
        r"|pause|skip|drop|quit|sign up|track|reduce|request|let (?:them|him|her|your))\b)",
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
        r"|best|worthwhile)|be worth it)(?: to| if you| for you to| \w+ing\b))"
        # "it might help to know that many of us feel this" reassures; it asks nothing of anyone
        r"(?! (?:know|hear|remember|realise|realize) that\b)",
        (
            "help helps helpful useful worth good idea beneficial smart wise better best worthwhile",
            "it it's it'd",
        ),
    ),
    _rule(
        "suggestion",
        "a suggestion: {}",
        r"\b(?P<q>it(?:'s| is| would be| might be| may be| could be)?(?: probably| really| always"
        r"| usually| honestly| definitely| maybe| also| often)? (?:worth (?:a try|a shot"
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
        # "I'm not sure what I'd do in your place" owns not knowing; it advises nothing
        not_after=re.compile(r"\b(?:what|how) (?:i'd|i would) (?:do|feel|say|handle it)\s+$"),
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
        r"|you(?:'re| are) (?:just |clearly |probably )?)?(?:" + _CONDITIONS + r"|depressed"
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


def find_phrases(sentence: str, words: frozenset[str]) -> tuple[list[Cue], list[str]]:
    """Advice cues found by the phrase rules, and hints for the ones embedded in a clause."""
    advice: list[Cue] = []
    hints: list[str] = []
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
            text = rule.describe.format(quote(match.group("q")))
            advice.append(Cue(rule.family, text, True, rule.strong, start))
            break
    if advice and _HABITUAL.search(sentence):
        advice = [cue for cue in advice if cue.family != "hypothetical"]
    return advice, hints

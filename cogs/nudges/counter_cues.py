"""Counter cues: forms that look like advice but are not advice to the reader.

Pure, no I/O. Self-talk, reporting or quoting someone else, own experience, questions about
oneself, open questions, reflections, validation, pleasantries and farewells, offers of
support and idioms. The policy is written down in `cogs.nudges.cues`.
"""

from __future__ import annotations

import re

from cogs.nudges.cue_types import Cue, WordFinder, search_at_word, word_set

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


_SELF_TALK = WordFinder(
    r"(?:i|we)(?:'ve| have)?(?: (?:really|probably|definitely|seriously|just|honestly|still"
    r"|also|totally|kinda|actually|maybe))* (?:should|shouldn't|need to|needs to|have to"
    r"|has to|must|ought to|gotta|got to|'ve got to|will|am going to|'m going to|'m gonna"
    r"|am gonna|want to|wanna|wish|hope|could|can|might|'d like to|would like to|'m trying"
    r"|am trying|'m planning|am planning|plan to|intend to|keep (?:telling|reminding|trying))\b"
    r"|(?:i|we)'ll\b"
)

_OWN_EXPERIENCE = WordFinder(
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

_SELF_QUESTION = WordFinder(
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
_CURIOUS_NEEDS = word_set("tell say share talk describe like want prefer rather curious wondering")


def is_curious_question(sentence: str, words: frozenset[str]) -> bool:
    """Whether the sentence asks about the other person without suggesting anything."""
    if sentence.rstrip().endswith("?") and _OPEN_QUESTION.match(sentence):
        return True
    return (
        not _CURIOUS_NEEDS.isdisjoint(words) and search_at_word(_INVITATION, sentence) is not None
    )


_REFLECTION = WordFinder(
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

_VALIDATION = WordFinder(
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
    # reassurance, though shaped like an imperative: it asks nothing of anyone
    r"|don't (?:you )?worry(?: about (?:it|that|us|me))?|don't (?:be )?(?:so |too )?hard on yourself"
    r"|don't blame yourself|be (?:gentle|easy) (?:with|on) yourself"
    r"|you(?:'re| are) (?:not alone|doing great|doing your best|so strong|amazing|loved))"
    # What may follow: vocatives and time words, between any punctuation or emoji. Each
    # repetition needs a word, so a long run of "!!!" cannot be split in many ways.
    r"(?:[\W_]+(?:friend|friends|everyone|everybody|all|you|love|mate|buddy|hun|x+|o+"
    r"|tonight|today|tomorrow|soon|out there|ok(?:ay)?|my friend|dear|lovely|again|too"
    r"|from me|<3|(?:that |it )?means (?:a lot|so much|the world)(?: to me)?)\b)*[\W_]*$"
)

_OFFER = re.compile(
    r"(?:let (?:me|us) know|feel free|don't hesitate|do not hesitate|(?:dm|message|pm|text"
    r"|call|ping|email) me\b|reach out (?:to me|to us|anytime|any time|whenever|if)|my dms"
    r"|(?:talk|vent|write) to (?:me|us)|i(?:'m| am) (?:here|around|always here)|here for you"
    r"|happy to (?:talk|listen|chat)|if you (?:ever )?(?:want|need) to (?:talk|vent|chat))\b"
)

_IDIOM = WordFinder(
    None,
    r"\W*(?:try as (?:i|we|you|he|she|they) (?:might|may)|go figure|mind you|say what you"
    r" (?:will|want|like)|guess what|imagine (?:my|that|if|how|being|what|the)|let's|let us"
    r"|don't get me wrong|don't worry(?: about me|,? i| it's)|thank (?:god|goodness"
    r"|heavens)|believe (?:me|it or not)|trust me|go (?:team|you)|long story short"
    r"|mind (?:the|my) |look who|speak of the devil|take (?:that|it from me)|fancy that"
    r"|tell me about it|you know what|you bet|you never know|don't (?:even )?get me started)",
)

OFFER_FINDER = WordFinder(_OFFER.pattern)

_COUNTER_RULES: tuple[tuple[str, str, WordFinder, frozenset[str]], ...] = (
    (
        "self_talk",
        "self-talk",
        _SELF_TALK,
        word_set("i we i've i'll i'm i'd"),
    ),
    (
        "own_experience",
        "own experience",
        _OWN_EXPERIENCE,
        word_set("me my i i've i'd we when"),
    ),
    (
        "self_question",
        "a question about oneself",
        _SELF_QUESTION,
        word_set("i we anyone anybody someone somebody any y'all guys"),
    ),
    (
        "reflection",
        "a reflection",
        _REFLECTION,
        word_set("sounds seems feels looks hear imagine see tell must you you're you've"),
    ),
    (
        "validation",
        "validation",
        _VALIDATION,
        word_set(
            "alone okay ok alright normal understandable valid natural human fine allowed "
            "sense did deserve have proud glad fault anyone course thank thanks took"
        ),
    ),
    (
        "offer",
        "an offer of support",
        OFFER_FINDER,
        word_set("know free hesitate me us here dms happy talk vent chat"),
    ),
    (
        "idiom",
        "an idiom",
        _IDIOM,
        word_set(
            "try go mind say guess imagine let's let don't thank believe trust long look speak "
            "take fancy tell you"
        ),
    ),
)
COUNTER_RULE_FAMILIES = tuple(family for family, _text, _pattern, _needs in _COUNTER_RULES)
_REPORTING_NEEDS = word_set(
    "said says say told tells tell telling suggested suggests suggesting recommended recommends "
    "recommending advised advises advising insisted insists saying wants wanted thinks thought "
    "reckons reckoned asked asks asking claims claimed yelled shouted texted wrote writes posted "
    "warned warns ordered instructed put prescribed goes went was taught remind reminded "
    "reminding reminds myself ourselves according note advice suggestion recommendation"
)


def is_pleasantry(sentence: str) -> bool:
    """Whether the whole sentence is a pleasantry or farewell ("take care, friend")."""
    return _PLEASANTRY.match(sentence) is not None


def find_reporting_start(sentence: str, words: frozenset[str]) -> int | None:
    """Where reported speech begins, when the sentence has a reporting word at all."""
    if _REPORTING_NEEDS.isdisjoint(words):
        return None
    return _find_reporting(sentence)


def find_counter_cues(sentence: str, words: frozenset[str]) -> list[Cue]:
    """The counter cues other than reporting and open questions, in rule order."""
    counter: list[Cue] = []
    for family, text, pattern, needs in _COUNTER_RULES:
        if not needs.isdisjoint(words):
            found = pattern.search(sentence)
            if found is not None:
                counter.append(Cue(family, text, False, start=found))
    return counter

"""Is a sentence English? The detector's rules and model only know English.

The check is deliberately cheap and lenient. A sentence counts as not English when most of
its letters are outside the Latin script, or when it has words and more of them are common
function words of another European language than of English. Text in another language
then gets a low score instead of a guess: a wrong nudge is worse than a missed one.
Short sentences with no telling words ("ok", "lol", emoji) count as English; they have no
advice cues anyway.
"""

from __future__ import annotations

import re


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent English words, chosen so that almost any English sentence has one.
ENGLISH_WORDS = _word_set(
    """
    a about after all also am an and any are as at be because been before but by can
    could did do does don't for from get go had has have he her him his how i i'm if in
    into is it it's just know like make maybe me more my need no not now of on one or our
    out really she should so some take tell than that that's the their them then there
    they think this to too try up us very want was we well were what when which who why
    will with would you you're your yourself
    """
)

# Frequent function words of other languages written in Latin script, left out where they
# are also English words ("a", "do", "die" ...), so that they only ever count against English.
FOREIGN_WORDS = (
    _word_set(
        """
    el la los las del al que y en por para con una uno pero como más muy está estoy eres
    tú tu tus usted deberías debes tienes puedes hay yo mi mis es lo le les se su sus
    le les des du et est une je vous tu il elle nous pas ce cette qui avec pour dans sur
    sont mais très tes ton ta devrais dois peux suis
    der das und ist nicht ich du sie wir ihr mit auf den dem ein eine einen zu sich auch
    es bist sollst solltest musst kannst mir mich dich dir aber oder wenn noch sehr
    het een van ik je jij niet zijn wat maar ook bent moet moet kun
    il lo gli che di è sono per con non mi ti si ma anche molto devi dovresti puoi sei
    não você é um uma eu os as com mas muito tem deve pode está
    och att det som är jag inte på för med har av men
    """
    )
    - ENGLISH_WORDS
)


_ABOVE_LATIN = re.compile("[^\\x00-\u024f]+")


def latin_share(text: str) -> float:
    """The share of letters in ``text`` that are Latin script (ASCII or Latin-1/Extended)."""
    # Only letters above Latin Extended can lower the share; most text has none (curly quotes
    # and dashes are up there too, but they are not letters), and then it is 1.0 uncounted.
    if not any(char.isalpha() for char in "".join(_ABOVE_LATIN.findall(text))):
        return 1.0
    letters = 0
    latin = 0
    for char in text:
        if char.isalpha():
            letters += 1
            if char <= "\u024f":
                latin += 1
    return 1.0 if letters == 0 else latin / letters


def looks_english(text: str, words: frozenset[str]) -> bool:
    """Whether ``text`` (with the set of its lower-case ``words``) reads as English."""
    if not text.isascii() and latin_share(text) < 0.5:
        return False
    foreign = len(words & FOREIGN_WORDS)
    return foreign == 0 or foreign <= len(words & ENGLISH_WORDS)

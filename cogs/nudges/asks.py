"""What the person sharing asks for, in their own words: ideas, or to be listened to. Pure.

"Any advice?" or "what would you do?" welcomes ideas; "I just need to vent" or "not looking
for advice" asks for listening. The drift rules use both; the detector uses the first to say
whether advice was solicited.
"""

from __future__ import annotations

import re

from cogs.nudges.sentences import normalise_apostrophes

# Enough of a message to find a request in; a request comes early or late, rarely in a
# 100 kB middle.
_LOOK = 2000

_ASKS_FOR_IDEAS = re.compile(
    r"\b(?:any (?:advice|ideas|tips|suggestions|thoughts|recommendations)|what (?:should|can"
    r"|could|would) (?:i|we) do|what would you do|how (?:do|can|should) i|(?:open to|looking"
    r" for|need|want|welcome) (?:some )?(?:advice|ideas|suggestions|tips)|ideas welcome"
    r"|advice welcome|(?:should|shall) i\b|has anyone (?:tried|had|found|got)|does anyone"
    r" (?:have|know)|(?:ideas|suggestions|tips|advice) (?:please|welcome|appreciated)"
    r"|(?:any|got|have|need|want|love) (?:some |any )?(?:tips|ideas|suggestions|strategies)"
    r"|what (?:worked|helped|helps|works|would help) (?:for )?(?:you|others)"
    r"|what do you (?:all |guys |lot )?do (?:when|on|about|if)|how do you (?:all |guys |lot )?"
    r"(?:deal|cope|handle|manage|get through)|what should (?:i|we) (?:know|expect|try)"
    r"|(?:open to|asking for) (?:anything|ideas|suggestions|tips|(?:real|actual) \w+)"
    r"|(?:like|love|appreciate) (?:some |any )?(?:ideas|suggestions|tips|advice))",
)

_ASKS_FOR_LISTENING = re.compile(
    r"\b(?:(?:just |only )?(?:need|want|needed|wanted) to (?:vent|rant|get (?:this|it) off my"
    r" chest|be heard|say it|let it out|talk)|not (?:looking for|asking for|after|wanting)"
    r" (?:any )?(?:advice|solutions|fixes|ideas|suggestions)|(?:no|without) (?:advice|fixing"
    r"|solutions) (?:please|needed|wanted)|please (?:just )?listen|just listen|(?:just )?(?:need"
    r"|want) (?:someone|somebody|people) to listen|don't (?:need|want) (?:advice|solutions"
    r"|fixing)|(?:don't|do not|dont) (?:really )?(?:want|need) (?:any )?(?:ideas|advice|suggestions|tips)"
    r"|not (?:really )?(?:looking for|wanting) (?:any )?(?:ideas|tips|suggestions))",
)


def _lowered(text: str) -> str:
    return normalise_apostrophes(
        text[:_LOOK] + " " + text[-_LOOK:] if len(text) > 2 * _LOOK else text
    ).lower()


def asks_for_ideas(text: str) -> bool:
    """Does this message ask for ideas ("any advice?", "what would you do?")?

    A message that asks to be listened to does not, even when it names ideas ("not looking
    for advice", "I don't want ideas right now").
    """
    lowered = _lowered(text)
    return (
        _ASKS_FOR_IDEAS.search(lowered) is not None and _ASKS_FOR_LISTENING.search(lowered) is None
    )


def asks_for_listening(text: str) -> bool:
    """Does this message ask to be listened to ("I just need to vent")?"""
    return _ASKS_FOR_LISTENING.search(_lowered(text)) is not None

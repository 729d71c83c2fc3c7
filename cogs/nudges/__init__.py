"""Nudges: notice when a thread drifts into advice-giving, and invite it back gently.

The pure parts live in plain synchronous modules:

- `cogs.nudges.detector`: ``assess(text, context)`` says whether a message gives advice.
- `cogs.nudges.cues`: the linguistic rules behind it; `cogs.nudges.model`: its small model.
- `cogs.nudges.sentences` and `cogs.nudges.language`: how a message is read.
- `cogs.nudges.classify`: the JSON Lines contract used by ``circlekeeper classify``.

Privacy: none of these keep any message text. The shipped model file holds numbers only.
"""

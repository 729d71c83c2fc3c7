"""The talking piece: who holds it, who has had a turn, and how a round ends. Pure rules.

A round is an order of people and one outcome per turn. The piece passes forward only; people
who join the circle late go to the end, and people who leave are skipped. Nothing anyone says
is part of a round.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace


class Outcome(enum.StrEnum):
    SHARED = "shared"
    PASSED = "passed"
    MOVED_ON = "moved_on"  # the facilitator moved the piece on
    LEFT = "left"  # left the circle before or during their turn


class RoundError(Exception):
    """Why a move is not possible right now."""


class NotInRound(RoundError):
    pass


class NotYourTurn(RoundError):
    def __init__(self, holder: str | None) -> None:
        super().__init__(holder)
        self.holder = holder


class RoundOver(RoundError):
    pass


@dataclass(frozen=True, slots=True)
class Turn:
    member_id: str
    outcome: Outcome | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    shared: tuple[str, ...]
    passed: tuple[str, ...]
    moved_on: tuple[str, ...]
    left: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Round:
    turns: tuple[Turn, ...]
    current: int = 0

    @classmethod
    def begin(cls, order: Sequence[str]) -> Round:
        seen: list[str] = []
        for member in order:
            if member not in seen:
                seen.append(member)
        return cls(tuple(Turn(m) for m in seen), 0)._settled()

    # reading

    @property
    def finished(self) -> bool:
        return self.current >= len(self.turns)

    @property
    def holder(self) -> str | None:
        return None if self.finished else self.turns[self.current].member_id

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(t.member_id for t in self.turns)

    def upcoming(self) -> tuple[str, ...]:
        """Who is still to have the piece after the holder, in order."""
        return tuple(t.member_id for t in self.turns[self.current + 1 :] if t.outcome is None)

    def position_of(self, member_id: str) -> int | None:
        for index, turn in enumerate(self.turns):
            if turn.member_id == member_id:
                return index
        return None

    def summary(self) -> Summary:
        def having(outcome: Outcome) -> tuple[str, ...]:
            return tuple(t.member_id for t in self.turns if t.outcome is outcome)

        return Summary(
            having(Outcome.SHARED),
            having(Outcome.PASSED),
            having(Outcome.MOVED_ON),
            having(Outcome.LEFT),
        )

    # moves

    def end_turn(self, member_id: str, outcome: Outcome) -> Round:
        """The holder says they are done, or passes."""
        if outcome not in (Outcome.SHARED, Outcome.PASSED):
            raise ValueError(outcome)
        if self.finished:
            raise RoundOver()
        if self.position_of(member_id) is None:
            raise NotInRound()
        if self.holder != member_id:
            raise NotYourTurn(self.holder)
        return self._with(self.current, outcome)._advanced()

    def move_on(self) -> Round:
        """The facilitator moves the piece to the next person."""
        if self.finished:
            raise RoundOver()
        return self._with(self.current, Outcome.MOVED_ON)._advanced()

    def add_late(self, member_id: str) -> Round:
        """Someone joined the circle mid-round: they go to the end of the order."""
        if self.position_of(member_id) is not None or self.finished:
            return self
        return replace(self, turns=(*self.turns, Turn(member_id)))

    def remove(self, member_id: str) -> Round:
        """Someone left the circle: their turn is skipped (the piece moves on if it was theirs)."""
        index = self.position_of(member_id)
        if index is None or self.turns[index].outcome is not None:
            return self
        changed = self._with(index, Outcome.LEFT)
        return changed._advanced() if index == self.current else changed

    def forget(self, member_id: str) -> Round:
        """Erase someone from the round entirely (they asked to be forgotten)."""
        index = self.position_of(member_id)
        if index is None:
            return self
        turns = self.turns[:index] + self.turns[index + 1 :]
        current = self.current - 1 if index < self.current else self.current
        return Round(turns, current)._settled()

    # internals

    def _with(self, index: int, outcome: Outcome) -> Round:
        turns = list(self.turns)
        turns[index] = Turn(turns[index].member_id, outcome)
        return replace(self, turns=tuple(turns))

    def _advanced(self) -> Round:
        return replace(self, current=self.current + 1)._settled()

    def _settled(self) -> Round:
        """Skip forward past turns that already have an outcome."""
        index = self.current
        while index < len(self.turns) and self.turns[index].outcome is not None:
            index += 1
        return replace(self, current=index)

"""The Matrix platform (matrix-nio): rooms, threads, reactions, ``!ck`` commands, encryption."""

from bot.platforms.matrix.adapter import MatrixAdapter

__all__ = ["MatrixAdapter"]

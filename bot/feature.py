"""What a feature package declares about itself, so that the composition root can assemble it
without knowing its settings, its schema or its cogs.

A feature package (``cogs/<name>/__init__.py``) ends with one declaration::

    FEATURE = Feature(
        name="agreements",                    # its config section, migrations and timers
        settings=AgreementsSettings,          # the [agreements] section, a frozen dataclass
        migrations=resources.files("cogs.agreements.migrations"),  # NNNN_what.sql files
        build=build,                          # (context, circles) -> its cogs
    )

and ``bot/app.py`` lists it, in the order features hear events. The kernel (circles) is
declared the same way as a ``Kernel``: its ``build`` returns what it offers the features.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from typing import Any, Generic, TypeVar

from bot.cog import Cog, Services
from bot.scheduling import Timers
from bot.storage.migrations import Owner

S = TypeVar("S")  # a feature's settings (its config section)
K = TypeVar("K")  # what the kernel offers features


@dataclass(frozen=True, slots=True)
class Context(Generic[S]):
    """What the composition root hands a feature's ``build``: the shared services, the
    feature's own settings, and its own timers (namespaced by its name)."""

    services: Services
    settings: S
    timers: Timers


@dataclass(frozen=True, slots=True)
class Declared(Generic[S]):
    """What every part declares: a name, a settings class, and its own migrations."""

    name: str
    settings: type[S]
    migrations: Traversable | None

    @property
    def owner(self) -> Owner | None:
        """Its migrations, versioned under its own name (None when it keeps no tables)."""
        return Owner(self.name, self.migrations) if self.migrations is not None else None

    def context(self, services: Services, settings: S) -> Context[S]:
        return Context(services, settings, services.scheduler.namespace(self.name))


@dataclass(frozen=True, slots=True)
class Kernel(Declared[S], Generic[S, K]):
    """The part every feature meets through: ``build`` returns what it offers them."""

    build: Callable[[Context[S]], K]


@dataclass(frozen=True, slots=True)
class Feature(Declared[S], Generic[S, K]):
    """A feature: ``build`` makes its cogs from its context and the kernel's offer."""

    build: Callable[[Context[S], K], Sequence[Cog]]


@dataclass(frozen=True, slots=True)
class NoSettings:
    """For a part without a config section of its own."""


def sections(parts: Sequence[Declared[Any]]) -> dict[str, type[Any]]:
    """The config sections these parts read, by name (for ``load_config``)."""
    return {part.name: part.settings for part in parts if part.settings is not NoSettings}

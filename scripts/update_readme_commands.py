"""Regenerate the README's command reference from the declarations (see tests/test_cli.py)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.app import declared_specs
from bot.help import reference_markdown

README = Path(__file__).parents[1] / "README.md"


def main() -> None:
    generated = reference_markdown(asyncio.run(declared_specs()))
    text = README.read_text(encoding="utf-8")
    updated = re.sub(
        r"<!-- commands:start -->\n.*?<!-- commands:end -->",
        lambda _: f"<!-- commands:start -->\n{generated}<!-- commands:end -->",
        text,
        flags=re.DOTALL,
    )
    README.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()

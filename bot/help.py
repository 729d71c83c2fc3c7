"""``help``, and the command reference generated from the same declarations."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from bot.chat import Visibility
from bot.commands import CommandRouter, Invocation
from bot.commands.spec import Command, CommandSpec, Option, OptionKind, Permission

HELP = CommandSpec(
    ("help",),
    "List what I can do, or explain one command.",
    (Option("topic", OptionKind.TEXT, "A command or group, like: circle join", max_length=60),),
    needs_space=False,
)
INTRO = "Here's what I can help with. `{prefix}help <command>` tells more about one."
FIRST_STEPS = """\
**First steps**
• `{prefix}circle list` shows the circles here, and `{prefix}circle join` takes a place in the one whose room you're in.
• `{prefix}circle preference listening` (or `ideas`) lets your circle know how you'd like support.
• In a check-in round, `{prefix}round done` or `{prefix}round pass` hands the talking piece on; passing is always fine.
• `{prefix}agreement list` shows what your circle has agreed so far.
• `{prefix}privacy show` tells you what I keep about you.
"""
UNKNOWN_TOPIC = "I don't have a command called “{topic}”. `{prefix}help` lists them all."


def help_command(router: CommandRouter) -> Command:
    async def run(inv: Invocation) -> None:
        topic = (inv.text("topic") or "").lower().split()
        specs = router.specs
        if topic:
            exact = router.spec(topic)
            if exact is not None:
                await inv.reply(describe(exact, inv.prefix), Visibility.PERSONAL)
                return
            specs = [s for s in specs if list(s.path[: len(topic)]) == topic]
            if not specs:
                await inv.reply(
                    UNKNOWN_TOPIC.format(topic=" ".join(topic), prefix=inv.prefix),
                    Visibility.PERSONAL,
                )
                return
        text = overview(specs, inv.prefix)
        if not topic:
            text = FIRST_STEPS.format(prefix=inv.prefix) + "\n" + text
        await inv.reply(text, Visibility.PERSONAL)

    return Command(HELP, run)


def _who(spec: CommandSpec) -> str:
    return "" if spec.permission is Permission.MEMBER else f" _({spec.permission.label})_"


def overview(specs: Sequence[CommandSpec], prefix: str) -> str:
    lines = [INTRO.format(prefix=prefix)]
    for group, members in groupby(sorted(specs, key=lambda s: s.path), key=lambda s: s.path[0]):
        lines.append(f"\n**{group}**")
        lines += [s.line(prefix) for s in members]
    return "\n".join(lines)


def describe(spec: CommandSpec, prefix: str) -> str:
    lines = [f"`{spec.usage(prefix)}`", spec.help + _who(spec)]
    for option in spec.options:
        detail = f" ({', '.join(option.choices)})" if option.choices else ""
        need = "" if option.required else ", optional"
        lines.append(f"• **{option.name}**{need}: {option.help}{detail}")
    return "\n".join(lines)


def reference_markdown(specs: Sequence[CommandSpec]) -> str:
    """The README's command reference: one table per group, generated, never hand-edited."""
    out = [
        "Commands are the same everywhere; only the way to type them differs: "
        "`/circle join` in the sandbox and on Discord (slash commands), `!ck circle join` on Matrix.",
        "Options in `<angle brackets>` are needed, `[square brackets]` are optional, and "
        "`[name=…]` options are set by name on Matrix and in the sandbox. A `[circle]` left out means "
        "the circle that lives in the room you're typing in. Moderators may do everything facilitators may.",
    ]
    for group, members in groupby(sorted(specs, key=lambda s: s.path), key=lambda s: s.path[0]):
        out.append(f"\n#### {group}\n")
        out.append("| command | what it does | who |")
        out.append("|---|---|---|")
        for spec in members:
            out.append(f"| `{spec.usage('/')}` | {spec.help} | {spec.permission.label} |")
    return "\n".join(out) + "\n"

"""The ``circlekeeper`` command line: run, demo, check-config, doctor, backup, store, commands,
matrix-login."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import logging
import os
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.config import (
    ENV_MATRIX_PASSWORD,
    MAX_SHARD_COUNT,
    ROLES,
    Config,
    ConfigError,
    Secrets,
    find_config,
    load_config,
    sharding_problems,
)
from bot.ownership import parse_shards
from bot.storage.migrations import SchemaTooNew

EXIT_CONFIG = 2
CONFIG_HELP = "config file (default: $CIRCLEKEEPER_CONFIG or ./config.toml)"

log = logging.getLogger("circlekeeper")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="circlekeeper",
        description="A bot for peer-run support circles on Discord and Matrix: circles, reflection "
        "prompts, agreements by consent, and private notes when a thread drifts into advice.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=summary, description=description)

    run = command(
        "run",
        "run the bot (the local sandbox when no platform is configured)",
        "Run the bot on the platforms switched on in the config. With none, open the console "
        "sandbox: one room where you type as anyone, kept in the data folder between runs.",
    )
    run.add_argument("--config", help=CONFIG_HELP)
    run.add_argument(
        "--shards",
        metavar="IDS",
        help="the Discord shards this process runs, such as 0-3 or 0,2,4-5 (discord.shards)",
    )
    run.add_argument(
        "--shard-count",
        type=_shard_count,
        metavar="N",
        help="how many Discord shards there are in all, across processes (discord.shard_count)",
    )
    run.add_argument(
        "--roles",
        metavar="ROLES",
        help="the platforms this process serves, such as discord or discord,matrix (roles)",
    )

    command(
        "demo",
        "play a scripted sandbox session and print the transcript",
        "Play a short scripted sandbox session (a circle, a round, a prompt, a vote, a nudge) on a "
        "throwaway database and print what happened.",
    )

    check = command(
        "check-config",
        "check a config file and explain any problems",
        "Read a config file the way `run` would and explain each problem on its own line: the "
        "file, the key and what is wrong. Exits 2 when there is a problem.",
    )
    check.add_argument("path", nargs="?", help="config file (the same as --config)")
    check.add_argument("--config", dest="config", help=CONFIG_HELP)

    doctor = command(
        "doctor",
        "ask Discord what the bot may do, and list what is missing",
        "Connect to Discord with the configured token and list, per server, the permissions the "
        "bot's role lacks and what stops working without them. Changes nothing; exits 1 when "
        "something is missing.",
    )
    doctor.add_argument("--config", help=CONFIG_HELP)

    backup = command(
        "backup",
        "write a consistent copy of the database, even while the bot runs",
        "Copy the database with SQLite's online backup, so the copy is consistent even while "
        "the bot is running.",
    )
    backup.add_argument("path", help="where to write the copy")
    backup.add_argument("--config", help=CONFIG_HELP)

    store = command(
        "store",
        "move the bot's store between SQLite and PostgreSQL",
        "Work on the store as a whole. `store copy --from URL --to URL` copies every table, "
        "checking row counts and a checksum per table; it refuses a target that already holds "
        "rows unless told --force.",
    )
    store_commands = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    copy = store_commands.add_parser(
        "copy",
        help="copy a whole store into another (SQLite to PostgreSQL, or back)",
        description="Copy every table from one store to another, in the order the foreign keys "
        "need, with a progress bar; then check each table's row count and checksum. A live "
        "SQLite store is copied from a consistent snapshot, so the bot may keep running; stop "
        "the bots before copying out of PostgreSQL. URLs: sqlite:///relative.db, "
        "sqlite:////absolute.db, a plain path, or postgresql://user@host/database.",
    )
    copy.add_argument("--from", dest="source", required=True, metavar="URL", help="copy from")
    copy.add_argument("--to", dest="target", required=True, metavar="URL", help="copy into")
    copy.add_argument(
        "--force",
        "--into-nonempty",
        dest="force",
        action="store_true",
        help="replace the rows a target already holds (otherwise such a target is refused)",
    )
    copy.add_argument("--quiet", action="store_true", help="no progress bar")

    classify = command(
        "classify",
        "read JSON Lines messages and say, line by line, which give advice",
        "Read {id, text, context?} JSON Lines and write {id, advice, score, cues} per line.",
    )
    classify.add_argument("file", nargs="?", default="-", help="JSON Lines input, or - for stdin")
    classify.add_argument("--threshold", type=_score, help="score needed for advice (default 0.5)")

    commands = command(
        "commands",
        "list the bot's commands",
        "List every command the bot understands, the same on every platform, with who may use it.",
    )
    commands.add_argument(
        "--markdown", action="store_true", help="as the README's command reference"
    )

    login = command(
        "matrix-login",
        "log the bot's Matrix account in once with its password, and keep the session",
        "Log the bot's Matrix account in with its password (asked for, or from "
        "CIRCLEKEEPER_MATRIX_PASSWORD) and keep the session in the data folder, so `run` needs "
        "no password afterwards.",
    )
    login.add_argument("--config", help=CONFIG_HELP)
    login.add_argument(
        "--print-token",
        action="store_true",
        help="print the access token (for CIRCLEKEEPER_MATRIX_ACCESS_TOKEN) instead of keeping it",
    )
    return parser


def version() -> str:
    try:
        return metadata.version("circlekeeper")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown (not installed)"


def _score(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def _shard_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_SHARD_COUNT:
        raise argparse.ArgumentTypeError(
            f"{value} is out of range (it can be 1 to {MAX_SHARD_COUNT})"
        )
    return value


def with_run_flags(config: Config, args: argparse.Namespace) -> Config:
    """The config with ``run``'s flags laid over it, checked the way the file is."""
    problems: list[str] = []
    discord = config.discord
    if args.shards is not None:
        try:
            parse_shards(args.shards)
        except ValueError as error:
            problems.append(f"--shards: {args.shards!r}: {error} (for example 0-3 or 0,2,4-5)")
        discord = dataclasses.replace(discord, shards=args.shards)
    if args.shard_count is not None:
        discord = dataclasses.replace(discord, shard_count=args.shard_count)
    roles = config.roles
    if args.roles is not None:
        roles = tuple(r.strip() for r in args.roles.split(",") if r.strip())
        unknown = [r for r in roles if r not in ROLES]
        if unknown or not roles:
            problems.append(
                f"--roles: {(unknown or [args.roles])[0]!r} is not a role; "
                f"the roles are {', '.join(ROLES)}"
            )
    if not problems:
        problems += [
            f"--shards/--shard-count: {line}"
            for line in sharding_problems(discord.shards, discord.shard_count)
        ]
    if problems:
        raise ConfigError(problems)
    return dataclasses.replace(config, discord=discord, roles=roles)


def _load(path: str | None) -> Config:
    return _read(find_config(path))


def _read(path: Path | None) -> Config:
    """The config, with the sections the features declare."""
    from bot.app import feature_sections

    return load_config(path, feature_sections())


def _setup_logging(config: Config, *, to_file: bool) -> None:
    from bot.logs import setup_logging

    setup_logging(config.log_level, to_file=config.data_path if to_file else None)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import serve

    config = with_run_flags(_load(args.config), args)
    sandbox = not (config.matrix.enabled or config.discord.enabled)
    _setup_logging(config, to_file=sandbox)
    secrets = Secrets.from_env()
    problems = missing_secrets(config, secrets)
    if problems:
        raise ConfigError(problems)
    started = time.perf_counter()

    def ready(_: object) -> None:
        log.info("ready in %.2f s", time.perf_counter() - started)

    return asyncio.run(serve(config, secrets, on_ready=ready))


def missing_secrets(config: Config, secrets: Secrets) -> list[str]:
    label = str(config.source) if config.source else "config"
    problems = []
    if config.matrix.enabled and not (
        secrets.matrix_access_token or secrets.matrix_password or _has_matrix_session(config)
    ):
        problems.append(
            f"{label}: matrix.enabled: set CIRCLEKEEPER_MATRIX_ACCESS_TOKEN (or CIRCLEKEEPER_MATRIX_PASSWORD) in the environment, or run `circlekeeper matrix-login` once"
        )
    if config.discord.enabled and not secrets.discord_token:
        problems.append(
            f"{label}: discord.enabled: set CIRCLEKEEPER_DISCORD_TOKEN in the environment"
        )
    return problems


def _has_matrix_session(config: Config) -> bool:
    from bot.platforms.matrix.login import session_path

    return bool(session_path(config.data_path).is_file())


def cmd_matrix_login(args: argparse.Namespace) -> int:
    from bot.platforms.matrix.login import LoginProblem, login_once

    config = _load(args.config)
    label = str(config.source) if config.source else "config"
    problems = [
        f"{label}: matrix.{key}: needed to log in (for example {example})"
        for key, example in (
            ("homeserver", "'https://matrix.example.org'"),
            ("user_id", "'@circlekeeper:example.org'"),
        )
        if not getattr(config.matrix, key)
    ]
    if problems:
        raise ConfigError(problems)
    password = os.environ.get(ENV_MATRIX_PASSWORD) or getpass.getpass(
        f"Password for {config.matrix.user_id}: "
    )
    if not password:
        print("No password given, so nothing was done.", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        session, kept = asyncio.run(
            login_once(config.matrix, password, config.data_path, keep=not args.print_token)
        )
    except LoginProblem as problem:
        print(str(problem), file=sys.stderr)
        return 1
    except OSError as error:
        print(f"matrix: couldn't reach {config.matrix.homeserver}: {error}", file=sys.stderr)
        return 1
    if kept is None:
        print(session.access_token)
        print(
            f"Logged in as {session.user_id} (device {session.device_id}). Put the token above in "
            "CIRCLEKEEPER_MATRIX_ACCESS_TOKEN; keep it as secret as a password.",
            file=sys.stderr,
        )
    else:
        print(
            f"Logged in as {session.user_id} (device {session.device_id}). The session is kept in "
            f"{kept}, so `circlekeeper run` needs no password from now on."
        )
    return 0


def cmd_demo(_: argparse.Namespace) -> int:
    from bot.demo import play

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    return asyncio.run(play(sys.stdout))


def cmd_check_config(args: argparse.Namespace) -> int:
    if args.path and args.config and Path(args.path) != Path(args.config):
        print(
            f"circlekeeper check-config: I was given two files ({args.path} and {args.config}); "
            "please name just one.",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    path = find_config(args.config or args.path)
    config = _read(path)
    problems = missing_secrets(config, Secrets.from_env())
    if problems:
        raise ConfigError(problems)
    where = str(path) if path else "the built-in defaults (no config file found)"
    platforms = [
        name
        for name, on in (("matrix", config.matrix.enabled), ("discord", config.discord.enabled))
        if on
    ]
    print(
        f"{where}: looks good. Platforms: {', '.join(platforms) or 'none, so the local sandbox'}."
    )
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.platforms.discord.doctor import run_doctor

    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    code: int = asyncio.run(run_doctor(_load(args.config), Secrets.from_env(), sys.stdout))
    return code


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.storage.database import POSTGRES_SCHEMES, backup, sqlite_path

    config = _load(args.config)
    if config.storage_url.startswith(POSTGRES_SCHEMES):
        print(
            "This bot keeps its data in PostgreSQL; back it up with PostgreSQL's own pg_dump, "
            "or copy it into a SQLite file with `circlekeeper store copy`.",
            file=sys.stderr,
        )
        return 1
    source = sqlite_path(config.storage_url)
    if not source.exists():
        print(
            f"There's no database at {source} yet, so there is nothing to back up.", file=sys.stderr
        )
        return 1
    target = Path(args.path)
    backup(source, target)
    print(f"Backed up {source} to {target}.")
    return 0


def cmd_store(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from bot.app import owners
    from bot.storage.copy import CopyRefused, copy_store, redact

    bars: dict[str, Any] = {}  # the tqdm bar of each table

    def progress(table: str, rows: int, total: int) -> None:
        if args.quiet:
            return
        bar = bars.get(table)
        if bar is None:
            bar = bars[table] = tqdm(total=total, desc=table, unit="rows", leave=True)
        bar.update(rows)
        if bar.n >= total:
            bar.close()

    source, target = redact(args.source), redact(args.target)
    try:
        report = asyncio.run(
            copy_store(args.source, args.target, owners(), force=args.force, progress=progress)
        )
    except CopyRefused as refusal:
        print(f"Nothing was copied from {source} to {target}: {refusal}.", file=sys.stderr)
        return 1
    finally:
        for bar in bars.values():
            bar.close()
    print(
        f"Copied {report.rows} rows in {len(report.tables)} tables from {source} to {target}; "
        "every table's row count and checksum match."
    )
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from cogs.nudges.classify import run_path

    try:
        return run_path(args.file, args.threshold)
    except OSError as error:
        print(f"circlekeeper classify: can't read {args.file}: {error.strerror}", file=sys.stderr)
        return EXIT_CONFIG


def cmd_commands(args: argparse.Namespace) -> int:
    from bot.app import declared_specs
    from bot.help import overview, reference_markdown

    specs = asyncio.run(declared_specs())
    print(reference_markdown(specs) if args.markdown else overview(specs, "/"), end="")
    return 0


HANDLERS = {
    "run": cmd_run,
    "demo": cmd_demo,
    "check-config": cmd_check_config,
    "doctor": cmd_doctor,
    "backup": cmd_backup,
    "store": cmd_store,
    "commands": cmd_commands,
    "classify": cmd_classify,
    "matrix-login": cmd_matrix_login,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    try:
        return HANDLERS[args.command](args)
    except ConfigError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return EXIT_CONFIG
    except SchemaTooNew as error:
        print(f"circlekeeper: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

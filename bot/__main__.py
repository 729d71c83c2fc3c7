"""The ``circlekeeper`` command line: run, demo, check-config, doctor, backup, commands, matrix-login."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bot.config import (
    ENV_MATRIX_PASSWORD,
    Config,
    ConfigError,
    Secrets,
    find_config,
    load_config,
)
from bot.storage.migrations import SchemaTooNew

EXIT_CONFIG = 2

log = logging.getLogger("circlekeeper")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="circlekeeper",
        description="A gentle bot for peer-run support circles on Discord and Matrix.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (the local sandbox when no platform is configured)")
    run.add_argument("--config", help="config file (default: $CIRCLEKEEPER_CONFIG or ./config.toml)")

    sub.add_parser("demo", help="play a scripted sandbox session and print the transcript")

    check = sub.add_parser("check-config", help="check a config file and explain any problems")
    check.add_argument("path", nargs="?", help="config file (default: as for run)")

    doctor = sub.add_parser("doctor", help="ask Discord what the bot may do, and list what is missing")
    doctor.add_argument("--config", help="config file (default: as for run)")

    backup = sub.add_parser("backup", help="write a consistent copy of the database, even while the bot runs")
    backup.add_argument("path", help="where to write the copy")
    backup.add_argument("--config", help="config file (default: as for run)")

    classify = sub.add_parser(
        "classify",
        help="read JSON Lines messages and say, line by line, which give advice",
        description="Read {id, text, context?} JSON Lines and write {id, advice, score, cues} per line.",
    )
    classify.add_argument("file", nargs="?", default="-", help="JSON Lines input, or - for stdin")
    classify.add_argument("--threshold", type=_score, help="score needed for advice (default 0.5)")

    commands = sub.add_parser("commands", help="list the bot's commands")
    commands.add_argument("--markdown", action="store_true", help="as the README's command reference")

    login = sub.add_parser(
        "matrix-login",
        help="log the bot's Matrix account in once with its password, and keep the session",
    )
    login.add_argument("--config", help="config file (default: as for run)")
    login.add_argument(
        "--print-token",
        action="store_true",
        help="print the access token (for CIRCLEKEEPER_MATRIX_ACCESS_TOKEN) instead of keeping it",
    )
    return parser


def _score(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def _load(path: str | None) -> Config:
    return load_config(find_config(path))


def _setup_logging(config: Config, *, to_file: bool) -> None:
    level = getattr(logging, config.log_level.upper(), logging.INFO)
    handlers: list[logging.Handler]
    if to_file:
        config.data_path.mkdir(parents=True, exist_ok=True)
        handlers = [logging.FileHandler(config.data_path / "circlekeeper.log", encoding="utf-8")]
    else:
        handlers = [logging.StreamHandler(sys.stderr)]
    logging.basicConfig(
        level=level, handlers=handlers, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )


def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import serve

    config = _load(args.config)
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
        problems.append(f"{label}: discord.enabled: set CIRCLEKEEPER_DISCORD_TOKEN in the environment")
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
        for key, example in (("homeserver", "'https://matrix.example.org'"), ("user_id", "'@circlekeeper:example.org'"))
        if not getattr(config.matrix, key)
    ]
    if problems:
        raise ConfigError(problems)
    password = os.environ.get(ENV_MATRIX_PASSWORD) or getpass.getpass(f"Password for {config.matrix.user_id}: ")
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
    path = find_config(args.path)
    config = load_config(path)
    problems = missing_secrets(config, Secrets.from_env())
    if problems:
        raise ConfigError(problems)
    where = str(path) if path else "the built-in defaults (no config file found)"
    platforms = [name for name, on in (("matrix", config.matrix.enabled), ("discord", config.discord.enabled)) if on]
    print(f"{where}: looks good. Platforms: {', '.join(platforms) or 'none, so the local sandbox'}.")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.platforms.discord.doctor import run_doctor

    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    code: int = asyncio.run(run_doctor(_load(args.config), Secrets.from_env(), sys.stdout))
    return code


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.storage.database import backup

    config = _load(args.config)
    source = config.database_path
    if not source.exists():
        print(f"There's no database at {source} yet, so there is nothing to back up.", file=sys.stderr)
        return 1
    target = Path(args.path)
    backup(source, target)
    print(f"Backed up {source} to {target}.")
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

"""python -m bot [run|doctor|package|migrate|privacy|backup|restore|config-table]: start the bot or run an admin command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_dotenv_file, load_settings
from bot.kernel.logsetup import setup_logging


def _settings(lang: str) -> Settings:
    """The settings from the environment (and .env); configuration errors are printed and exit with status 2."""
    load_dotenv_file()
    try:
        return load_settings()
    except ConfigError as exc:
        for line in exc.lines(lang):
            print(line, file=sys.stderr)
        raise SystemExit(2) from None


def _config_table(write: str) -> int:
    """Print the configuration reference table, or rewrite it in place in the given Markdown file."""
    from bot.configspec import markdown_table, render_tables

    if not write:
        print(markdown_table())
        return 0
    path = Path(write)
    path.write_text(render_tables(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


def _run(settings: Settings, lang: str) -> int:
    """Check the settings, then run the bot until it is stopped."""
    from bot.startup import running_line, start_problems, start_warnings

    problems = start_problems(settings)  # before logging is set up: the problem lines are the whole output
    if problems:
        for problem in problems:
            print(problem.text(lang), file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.log_format)
    for warning in start_warnings(settings, lang):
        _say(settings, logging.WARNING, warning)
    from aiohttp import web

    from bot.app import create_app
    from bot.ops.lifecycle import HARD_EXIT

    app = create_app(settings)
    app[HARD_EXIT] = True  # SIGTERM: the process ends within SHUTDOWN_GRACE_SECONDS (and a little cleanup)
    line = running_line(settings, lang)
    web.run_app(app, host=settings.host, port=settings.port, shutdown_timeout=settings.shutdown_grace_seconds,
                print=lambda *_: _say(settings, logging.INFO, line))
    return 0


def _say(settings: Settings, level: int, text: str) -> None:
    """A start-up line: plain on the terminal, or a log record when LOG_FORMAT=json (every output line stays JSON)."""
    if settings.log_format == "json":
        logging.getLogger("bot").log(level, text)
    else:
        print(text, file=sys.stderr if level >= logging.WARNING else sys.stdout, flush=True)


def _parser() -> argparse.ArgumentParser:
    """The command line: `run` (default), the operator commands, and the language of their output."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="faggruppe-bot")
    parser.add_argument("--lang", choices=["nb", "en"], default=None,
                        help="language of the output (default: Norwegian, English for an en_* locale)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the bot (default)")
    doctor = sub.add_parser("doctor", help="check the whole deployment: registration, address, database, scheduler, Graph")
    doctor.add_argument("--online", action="store_true", help="also get tokens from Entra ID and make one Graph call")
    sub.add_parser("migrate", help="apply the database migrations and exit (the bot also does this at start)")
    pkg = sub.add_parser("package", help="build build/faggruppe-bot.zip for Teams")
    pkg.add_argument("--out", default="build/faggruppe-bot.zip")
    priv = sub.add_parser("privacy", help="export or erase one user's data")
    priv.add_argument("action", choices=["export", "erase"])
    priv.add_argument("user")
    priv.add_argument("--out", default="")
    table = sub.add_parser("config-table", help="print README's configuration table, generated from bot/configspec.py")
    table.add_argument("--write", default="", metavar="README.md", help="regenerate the tables in this file instead")
    for name, text in (("backup", "copy the SQLite database to PATH (safe while the bot runs)"),
                       ("restore", "replace the SQLite database with the backup at PATH (stop the bot first)")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("path")
        cmd.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = _parser().parse_args(argv)
    if args.command == "config-table":
        return _config_table(args.write)
    from bot.startup import cli_language

    lang = cli_language(args.lang)
    if args.command == "doctor":
        return _doctor(lang, args.online)
    settings = _settings(lang)
    if args.command in (None, "run"):
        return _run(settings, lang)
    setup_logging(settings.log_level, settings.log_format)
    return _operate(settings, args)


def _doctor(lang: str, online: bool) -> int:
    """The doctor reports a broken configuration instead of stopping at it."""
    from bot.ops.doctor import main_doctor

    load_dotenv_file()
    try:
        loaded: Settings | ConfigError = load_settings()
    except ConfigError as exc:
        loaded = exc
    return main_doctor(loaded, lang, online)


def _operate(settings: Settings, args: argparse.Namespace) -> int:
    """The operator commands that need valid settings: package, migrate, backup, restore, privacy."""
    if args.command == "package":
        from bot.ops.package import build_package

        return build_package(settings, args.out)
    if args.command == "migrate":
        return asyncio.run(_migrate(settings))
    if args.command in ("backup", "restore"):
        from bot.ops.backup import run_backup, run_restore

        return (run_backup if args.command == "backup" else run_restore)(settings, args.path, args.force)
    if args.command == "privacy":
        from bot.ops.privacy_cli import run_privacy

        return asyncio.run(run_privacy(settings, args.action, args.user, args.out))
    return 1


async def _migrate(settings: Settings) -> int:
    """Bring the database schema up to date (Alembic), then exit."""
    from bot.storage.db import Database

    db = Database(settings.database_url)
    try:
        await db.migrate()
    finally:
        await db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

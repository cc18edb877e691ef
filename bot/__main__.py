"""python -m bot [run|package|doctor|migrate|privacy|backup|restore ...]: start the bot or run an admin command."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import ConfigError, load_dotenv_file, load_settings
from bot.logsetup import setup_logging


def _settings():
    load_dotenv_file()
    try:
        return load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="faggruppe-bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the bot (default)")
    sub.add_parser("doctor", help="check the configuration and Microsoft Graph access")
    sub.add_parser("migrate", help="apply the database migrations and exit (the bot also does this at start)")
    pkg = sub.add_parser("package", help="build build/faggruppe-bot.zip for Teams")
    pkg.add_argument("--out", default="build/faggruppe-bot.zip")
    priv = sub.add_parser("privacy", help="export or erase one user's data")
    priv.add_argument("action", choices=["export", "erase"])
    priv.add_argument("user")
    priv.add_argument("--out", default="")
    for name, text in (("backup", "copy the SQLite database to PATH (safe while the bot runs)"),
                       ("restore", "replace the SQLite database with the backup at PATH (stop the bot first)")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("path")
        cmd.add_argument("--force", action="store_true", help="overwrite an existing file")
    args = parser.parse_args(argv)
    settings = _settings()
    setup_logging(settings.log_level, settings.log_format)
    if args.command in (None, "run"):
        from aiohttp import web

        from bot.app import create_app
        from bot.lifecycle import HARD_EXIT

        app = create_app(settings)
        app[HARD_EXIT] = True  # SIGTERM: the process ends within SHUTDOWN_GRACE_SECONDS (and a little cleanup)
        web.run_app(app, host=settings.host, port=settings.port, print=None,
                    shutdown_timeout=settings.shutdown_grace_seconds)
        return 0
    if args.command == "doctor":
        from bot.graph.doctor import run_doctor

        return asyncio.run(run_doctor(settings))
    if args.command == "package":
        from bot.package import build_package

        return build_package(settings, args.out)
    if args.command == "migrate":
        from bot.storage.db import Database

        async def migrate() -> int:
            db = Database(settings.database_url)
            try:
                await db.migrate()
            finally:
                await db.close()
            return 0

        return asyncio.run(migrate())
    if args.command in ("backup", "restore"):
        from bot.backup import run_backup, run_restore

        return (run_backup if args.command == "backup" else run_restore)(settings, args.path, args.force)
    if args.command == "privacy":
        from bot.privacy_cli import run_privacy

        return asyncio.run(run_privacy(settings, args.action, args.user, args.out))
    return 1


if __name__ == "__main__":
    raise SystemExit(main())

"""`python -m bot doctor [--online]`: check the whole deployment, one line per finding, in one language.

[OK] works, [MERK]/[NOTE] is worth knowing (optional features off, things done at the next start), [FEIL]/[ERROR]
would stop the bot or break a feature; only errors make the exit code non-zero. This is also where the details live
that /healthz does not disclose publicly (organiser mailbox, auth mode, configuration problems, backlog).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from bot import __version__
from bot.config import ConfigError, Problem, Settings, graph_mode
from bot.configparse import is_loopback, url_host
from bot.configspec import SPEC
from bot.messages import t

LABELS = {"nb": {"ok": "[OK]   ", "note": "[MERK] ", "error": "[FEIL] "},
          "en": {"ok": "[OK]   ", "note": "[NOTE] ", "error": "[ERROR]"}}
WATCHED_PREFIXES = ("MICROSOFT_APP", "GRAPH_", "BOT_", "AZURE_AUTHORITY")


class Report:
    """Prints findings as they come and counts them."""

    def __init__(self, lang: str, out: TextIO) -> None:
        self.lang, self.out = lang, out
        self.counts = {"ok": 0, "note": 0, "error": 0}

    def line(self, level: str, text: str) -> None:
        """Print one report line with its level's label and count it."""
        self.counts[level] += 1
        print(f"{LABELS[self.lang][level]} {text}", file=self.out)

    def ok(self, key: str, **params: object) -> None:
        self.line("ok", t(key, self.lang, **params))

    def note(self, key: str, **params: object) -> None:
        self.line("note", t(key, self.lang, **params))

    def error(self, key: str, **params: object) -> None:
        self.line("error", t(key, self.lang, **params))

    def problem(self, problem: Problem) -> None:
        self.line("error", problem.text(self.lang))

    def section(self, key: str) -> None:
        print(t(key, self.lang), file=self.out)

    def finish(self) -> int:
        """Print the summary; the exit status is 1 when any check failed."""
        print(t("doctor.summary", self.lang, errors=self.counts["error"], notes=self.counts["note"]), file=self.out)
        return 1 if self.counts["error"] else 0


def _yes(value: object, lang: str) -> str:
    """"set" or "not set" in the report's language (a secret's value is never printed)."""
    return t("doctor.set" if value else "doctor.unset", lang)


def check_registration(settings: Settings, r: Report) -> None:
    """Bot Framework registration, inbound authentication and the tenants allowed."""
    from bot.hosts import SDK_PACKAGES, sdk_version
    from bot.startup import policy_problems

    r.section("doctor.section_bot")
    r.ok("doctor.bot_host", host=settings.bot_host, sdk=SDK_PACKAGES[settings.bot_host],
         version=sdk_version(settings.bot_host) or t("doctor.unset", r.lang))
    problems = policy_problems(settings)
    if settings.app_id:
        r.ok("doctor.bot_registration", app_id=settings.app_id, type=settings.app_type,
             tenant=settings.app_tenant_id or "–", secret=_yes(settings.app_password, r.lang))
        cloud = ("doctor.cloud_custom" if settings.openid_metadata_url else
                 "doctor.cloud_gov" if settings.channel_service else "doctor.cloud_public")
        r.ok("doctor.bot_auth_on", cloud=t(cloud, r.lang))
    elif settings.allow_unauthenticated and not is_loopback(settings.host):
        r.note("doctor.bot_auth_off_allowed", host=settings.host)
    else:
        r.note("doctor.bot_auth_off", host=settings.host)
    for problem in problems:
        if problem.key != "start.certificate":  # reported under Graph
            r.problem(problem)
    if settings.allowed_tenants:
        r.ok("doctor.tenants", tenants=", ".join(settings.allowed_tenants))
    elif not settings.app_id:
        r.note("doctor.tenants_all")


def check_address(settings: Settings, r: Report) -> None:
    """Where the bot listens and the public address its links use."""
    from bot.startup import local_url, public_url_problem

    r.section("doctor.section_address")
    r.ok("doctor.listen", url=local_url(settings))
    bad = public_url_problem(settings)
    if bad:
        r.problem(bad)
    elif settings.public_base_url.startswith("https://") and not is_loopback(url_host(settings.public_base_url)):
        r.ok("doctor.public_url", url=settings.public_base_url)
    else:
        r.note("doctor.public_url_local", url=settings.public_base_url)


async def check_database(settings: Settings, r: Report) -> None:
    """Reachable, migrated, scheduler job store and leadership, outbox backlog."""
    from bot.ops.dbcheck import inspect_database

    r.section("doctor.section_database")
    state = await inspect_database(settings.database_url)
    if not state.reachable:
        r.error("start.database", where=state.where, error=state.error)
        return
    if not state.exists:
        r.note("doctor.db_new", where=state.where)
    elif state.unknown:
        r.error("start.database_newer", where=state.where, revision=", ".join(state.unknown))
    elif state.migrated:
        r.ok("doctor.db_ok", where=state.where, dialect=state.dialect, revision=", ".join(state.current))
    else:
        r.note("doctor.db_behind", where=state.where, current=", ".join(state.current) or "–", heads=", ".join(state.heads))
    if state.backlog is not None:
        r.ok("doctor.outbox", count=state.backlog)
    if not settings.scheduler_enabled:
        r.note("doctor.sched_off")
    elif state.jobs is None:
        r.note("doctor.sched_new")
    else:
        r.ok("doctor.sched_ok", jobs=state.jobs)
    if settings.scheduler_enabled and state.leader is not None:
        (r.ok if state.leader else r.note)("doctor.sched_leader" if state.leader else "doctor.sched_no_leader")


async def check_graph(settings: Settings, r: Report, online: bool) -> None:
    """Microsoft Graph: off is a note; on shows the mailbox and auth mode, and with --online calls Graph."""
    from bot.startup import policy_problems

    r.section("doctor.section_graph")
    if not settings.graph_enabled:
        r.note("doctor.graph_off")
        return
    r.ok("doctor.graph_config", organizer=settings.graph_organizer, mode=graph_mode(settings),
         base=settings.graph_base_url, authority=settings.graph_authority_host or "https://login.microsoftonline.com")
    bad = [p for p in policy_problems(settings) if p.key == "start.certificate"]
    for problem in bad:
        r.problem(problem)
    if bad:
        return
    if not online:
        r.note("doctor.graph_offline")
        return
    from bot.calendar.graph_doctor import check_graph_online

    await check_graph_online(settings, r)


async def check_bot_token(settings: Settings, r: Report) -> None:
    """--online: the bot's own token from Entra ID (proves app id, secret and tenant belong together)."""
    from bot.calendar.graph_doctor import reason
    from bot.hosts import bot_token

    if not settings.app_id:
        return
    try:
        await bot_token(settings)
        r.ok("doctor.bot_token")
    except Exception as exc:
        r.error("doctor.bot_no_token", reason=reason(exc))


def check_unknown(env: Mapping[str, str], r: Report) -> None:
    """Variables that look like ours but are not (a typo leaves a setting at its default)."""
    known = {var.name for var in SPEC}
    for name in sorted(env):
        if name.startswith(WATCHED_PREFIXES) and name not in known:
            r.note("doctor.unknown_variable", name=name)


async def run_doctor(settings: Settings, *, lang: str = "nb", online: bool = False, out: TextIO | None = None,
                     env: Mapping[str, str] | None = None) -> int:
    """Check everything and print one line per finding; 1 when something is an error, else 0."""
    r = Report(lang, out or sys.stdout)
    print(t("doctor.title", lang, version=__version__), file=r.out)
    check_registration(settings, r)
    if online:
        await check_bot_token(settings, r)
    check_address(settings, r)
    await check_database(settings, r)
    await check_graph(settings, r, online)
    check_unknown(os.environ if env is None else env, r)
    return r.finish()


def report_config_error(exc: ConfigError, lang: str, out: TextIO | None = None) -> int:
    """The doctor's answer when the settings do not even load: each problem as an error line."""
    r = Report(lang, out or sys.stdout)
    print(t("doctor.title", lang, version=__version__), file=r.out)
    for problem in exc.problems:
        r.problem(problem)
    return r.finish()


def main_doctor(settings_or_error: Settings | ConfigError, lang: str, online: bool) -> int:
    """Entry point for __main__ (library log lines are silenced: the report is the output, in one language)."""
    logging.disable(logging.CRITICAL)
    if isinstance(settings_or_error, ConfigError):
        return report_config_error(settings_or_error, lang)
    return asyncio.run(run_doctor(settings_or_error, lang=lang, online=online))

"""The audit log in sentences: "Lise Leder satte frist for BP2 i Ny skole til tirsdag 8. desember"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.gates.model import PHASES
from bot.services import Services
from bot.storage.audit import AuditRecord
from cards.when import day, moment

T = Callable[..., str]
# Actors that are not people: the bot itself (configuration sync, self-service erasure) and the operator's CLI.
SYSTEM_ACTORS = frozenset({"system", "admin-cli"})
# Every action the bot writes has a sentence (tests/test_audit_log.py checks the call sites in bot/ against this).
ACTIONS = frozenset({
    "broadcast.send", "broadcast.schedule", "broadcast.cancel", "broadcast.discard", "broadcast.export", "gate.deadline.set",
    "gate.deadline.remove", "gate.decision.approved", "gate.decision.postponed", "project.phase", "project.create",
    "privacy.erase", "audit.export", "role.config", "role.change", "faggruppe.register", "needs.edit_other",
    "needs.withdraw_other", "needs.export", "needs.campaign.start", "poll.close", "documents.draft",
})


def _int(value: Any) -> int | None:
    """The integer at the end of `value` (after the last colon), or None."""
    try:
        return int(str(value).rsplit(":", 1)[-1])
    except (TypeError, ValueError):
        return None


def _project_id(e: AuditRecord) -> int | None:
    """The project an audit entry concerns, when it names one."""
    d = e.details
    if "project_id" in d:
        return _int(d["project_id"])
    if e.action == "needs.campaign.start":
        return _int(d.get("project"))
    if e.action in ("project.phase", "needs.export", "documents.draft", "project.create"):
        return _int(e.target)
    return None


def _date(t: T, value: Any) -> str:
    """An ISO date as readable text, or '?'."""
    try:
        return day(t, date.fromisoformat(str(value)[:10]), year=True)
    except ValueError:
        return "?"


def _phase(t: T, value: Any) -> str:
    """The name of a phase, or '?'."""
    return t(f"gates.phase.{value}") if value in PHASES else "?"


async def sentences(services: Services, t: T, entries: list[AuditRecord], tz: ZoneInfo) -> list[tuple[datetime, str]]:
    """(when, sentence) per entry; names from the people table, user text escaped by the catalogue."""
    ids = {e.actor_id for e in entries} | {e.target for e in entries if e.action.startswith("role.")}
    people = await services.people.many(sorted(ids - SYSTEM_ACTORS))
    project_ids = {p for p in (_project_id(e) for e in entries) if p is not None}
    projects = {pid: p.name for pid in project_ids if (p := await services.projects.get(pid)) is not None}

    def who(person_id: str) -> str:
        """The name of an actor (the system, a known person, or 'someone')."""
        if person_id in SYSTEM_ACTORS:
            return t("audit.system")
        person = people.get(person_id)
        return person.name if person is not None and person.name else t("audit.someone")

    out = []
    for e in entries:
        params = _params(t, e, who, projects, tz)
        key = f"audit.action.{e.action}" if e.action in ACTIONS else "audit.action.unknown"
        if key == "audit.action.unknown":
            params["id"] = e.action[:40]
        out.append((e.at, t(key, **params)))
    return out


def _params(t: T, e: AuditRecord, who: Callable[[str], str], projects: dict[int, str], tz: ZoneInfo) -> dict[str, object]:
    """The catalogue parameters of one entry's sentence."""
    d = e.details
    pid = _project_id(e)
    params: dict[str, object] = {
        "name": who(e.actor_id), "id": _int(e.target) or "",
        "project": projects.get(pid, t("audit.unknown_project")) if pid is not None else d.get("name", ""),
        "bp": f"BP{d.get('bp', '?')}", "faggruppe": str(d.get("faggruppe", "")),
    }
    if e.action == "project.create" and d.get("name"):
        params["project"] = str(d["name"]) if pid not in projects else projects[pid]
    if e.action in ("broadcast.send", "privacy.erase", "needs.export", "needs.campaign.start"):
        n = {"broadcast.send": "chats", "privacy.erase": "rows", "needs.export": "entries"}.get(e.action)
        params["n"] = d.get(n, 0) if n else len(d.get("faggrupper") or [])
    if "deadline" in d:
        params["date"] = _date(t, d["deadline"])
    if e.action == "broadcast.schedule":
        params["when"] = _moment(t, d.get("send_at"), tz)
    if e.action == "project.phase":
        params.update(was=_phase(t, d.get("old")), phase=_phase(t, d.get("new")))
    if e.action.startswith("role."):
        params.update(person=who(e.target), value=t(f"audit.role.{d.get('role')}"))
    return params


def _moment(t: T, value: Any, tz: ZoneInfo) -> str:
    """An ISO date-time as readable local time, or '?'."""
    try:
        return moment(t, datetime.fromisoformat(str(value)), tz)
    except ValueError:
        return "?"

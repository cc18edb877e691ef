"""Export, erase and retention across all providers."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import xlsxwriter

from bot import modules
from bot.privacy.core import inactive_people
from bot.privacy.pseudonyms import pseudonym, pseudonym_key
from bot.privacy.sweep import identify, sweep
from bot.services import Services
from bot.storage.provider import PrivacyProvider

log = logging.getLogger(__name__)


def providers() -> list[PrivacyProvider]:
    """Every PRIVACY provider defined in a store module (bot.modules.STORES)."""
    found = [p for m in modules.load(modules.STORES) if isinstance(p := getattr(m, "PRIVACY", None), PrivacyProvider)]
    return sorted(found, key=lambda p: p.name)


async def export_user(services: Services, person_id: str) -> dict[str, Any]:
    """Everything stored about one person, by feature and table."""
    data: dict[str, Any] = {"person_id": person_id, "exported_at": services.clock.now().isoformat(), "data": {}}
    for p in providers():
        data["data"][p.name] = await p.export(services.db, person_id)
    return data


def to_json(data: dict[str, Any]) -> bytes:
    """Pretty JSON, UTF-8."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()


def workbook(sheets: Iterable[tuple[str, list[str], Iterable[Sequence[Any]]]]) -> bytes:
    """An XLSX file of (name, header, rows) sheets (xlsxwriter): text stays text, times are naive, headers frozen."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False, "remove_timezone": True,
                                   "default_date_format": "yyyy-mm-dd hh:mm:ss"})
    bold = wb.add_format({"bold": True})
    for name, header, rows in sheets:
        ws = wb.add_worksheet(name[:31])
        ws.write_row(0, 0, header, bold)
        n = 0
        for n, row in enumerate(rows, 1):
            ws.write_row(n, 0, [_cell(v) for v in row])
        if n:
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, n, max(0, len(header) - 1))
    wb.close()
    return out.getvalue()


def to_xlsx(data: dict[str, Any]) -> bytes:
    """One sheet per table, readable headers."""
    sheets: list[tuple[str, list[str], Iterable[Sequence[Any]]]] = [
        ("Oversikt", ["Person", data["person_id"]], [["Eksportert", data["exported_at"]]])]
    for feature, tables in data["data"].items():
        for table, rows in tables.items():
            headers = sorted({k for r in rows for k in r})
            sheets.append((f"{feature}-{table}", headers or ["(ingen data)"], [[r.get(h) for h in headers] for r in rows]))
    return workbook(sheets)


async def audit_xlsx(services: Services, limit: int = 100_000) -> bytes:
    """The audit log as a workbook."""
    entries = await services.audit.recent(limit)
    return workbook([("Logg", ["Tid (UTC)", "Hvem", "Handling", "Mål", "Detaljer"],
                      ([e.at.replace(tzinfo=None), e.actor_id, e.action, e.target, str(e.details)] for e in entries))])


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell (JSON for dicts and lists, text for the rest)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value if value is None or isinstance(value, (str, int, float, date)) else str(value)


async def erase_user(services: Services, person_id: str) -> dict[str, int]:
    """Anonymise the person's contributions and delete their profile; returns rows touched per feature."""
    return await erase_people(services, [person_id])


async def erase_people(services: Services, person_ids: list[str]) -> dict[str, int]:
    """Erase several people: each feature's own erasure, then one sweep of every declared column."""
    key = await pseudonym_key(services)
    people = [await identify(services.db, pid, pseudonym(pid, key)) for pid in dict.fromkeys(person_ids)]
    counts: dict[str, int] = {}
    for person in people:
        for p in providers():
            counts[p.name] = counts.get(p.name, 0) + await p.erase(services.db, person.person_id, person.alias)
    counts["sweep"] = await sweep(services.db, people)
    log.info("personal data erased", extra={"people": len(people), "rows": sum(counts.values())})
    return counts


async def run_retention(services: Services, now: datetime | None = None) -> dict[str, int]:
    """Erase people not seen for RETENTION_PEOPLE_DAYS (first, while their chats are still known), then apply every
    provider's retention rule."""
    when = now or services.clock.now()
    gone = await inactive_people(services.db, when - timedelta(days=services.settings.retention_people_days))
    if gone:
        await erase_people(services, gone)
    counts = {"people": len(gone)}
    for p in providers():
        if p.retention is not None:
            counts[p.name] = await p.retention(services.db, when, services.settings)
    await services.downloads.purge(when)
    log.info("retention run", extra={"rows": sum(counts.values())})
    return counts

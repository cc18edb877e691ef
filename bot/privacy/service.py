"""Export, erase and retention across all providers."""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from openpyxl import Workbook

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


def to_xlsx(data: dict[str, Any]) -> bytes:
    """One sheet per table, readable headers."""
    wb = Workbook()
    first = wb.active
    first.title = "Oversikt"
    first.append(["Person", data["person_id"]])
    first.append(["Eksportert", data["exported_at"]])
    for feature, tables in data["data"].items():
        for table, rows in tables.items():
            ws = wb.create_sheet(f"{feature}-{table}"[:31])
            if not rows:
                ws.append(["(ingen data)"])
                continue
            headers = sorted({k for r in rows for k in r})
            ws.append(headers)
            for r in rows:
                ws.append([_cell(r.get(h)) for h in headers])
            ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


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

"""`python -m bot privacy export|erase USER`: the administrator's tools for GDPR requests."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.kernel.clock import SystemClock
from bot.privacy.service import erase_user, export_user, to_json, to_xlsx
from bot.storage.db import Database
from bot.wiring import build_services


async def run_privacy(settings: Settings, action: str, user: str, out: str = "") -> int:
    """Export or erase one user's data (by AAD object id, UPN or channel user id)."""
    db = Database(settings.database_url)
    try:
        await db.migrate()
        services = build_services(settings, db, SystemClock())
        person = await services.people.find(user)
        person_id = person.id if person else user
        if action == "export":
            data = await export_user(services, person_id)
            base = Path(out or f"privacy-export-{person_id[:12]}")
            base.parent.mkdir(parents=True, exist_ok=True)
            base.with_suffix(".json").write_bytes(to_json(data))
            base.with_suffix(".xlsx").write_bytes(to_xlsx(data))
            print(f"Wrote {base.with_suffix('.json')} and {base.with_suffix('.xlsx')}")
            return 0
        counts = await erase_user(services, person_id)
        await services.audit.record("admin-cli", "privacy.erase", "", rows=sum(counts.values()))
        print(f"Erased/anonymised {sum(counts.values())} rows: {counts}")
        return 0
    except Exception as exc:
        print(f"privacy {action} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        await db.close()

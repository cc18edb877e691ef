"""Personal data in the needs and benefits register: submitters, editors, campaign leaders."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.config import Settings
from bot.privacy.provider import PrivacyProvider, Rows, delete_older, row_dict
from bot.storage.db import Database
from bot.storage.needs import InputCampaign, NeedEntry, NeedEntryHistory


async def _export(db: Database, person_id: str) -> dict[str, Rows]:
    async with db.session() as s:
        entries = await s.scalars(select(NeedEntry).where(NeedEntry.submitter_id == person_id))
        history = await s.scalars(select(NeedEntryHistory).where(NeedEntryHistory.actor_id == person_id))
        campaigns = await s.scalars(select(InputCampaign).where(InputCampaign.leader_id == person_id))
        return {
            "entries": [row_dict(r) for r in entries],
            "entry_history": [row_dict(r) for r in history],
            "campaigns_started": [row_dict(r) for r in campaigns],
        }


async def _erase(db: Database, person_id: str, alias: str) -> int:
    """Entries stay in the register (their numbers feed the summaries); who sent them does not."""
    n = 0
    async with db.write() as s:
        for stmt in (
            update(NeedEntry).where(NeedEntry.submitter_id == person_id).values(submitter_id=alias, submitter_name=""),
            update(NeedEntryHistory).where(NeedEntryHistory.actor_id == person_id).values(actor_id=alias),
            update(InputCampaign).where(InputCampaign.leader_id == person_id).values(leader_id=alias),
        ):
            n += (await s.execute(stmt)).rowcount or 0
    return n


async def _retention(db: Database, now: datetime, settings: Settings) -> int:
    """Entries not changed for RETENTION_INPUTS_DAYS are deleted with their history."""
    cutoff = now - timedelta(days=settings.retention_inputs_days)
    return await delete_older(db, NeedEntry, NeedEntry.updated_at, cutoff, NeedEntryHistory.entry_id)


PRIVACY = PrivacyProvider("needs", _export, _erase, _retention)

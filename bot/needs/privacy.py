"""Personal data in the needs and benefits register: submitters, editors, campaign leaders."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from bot.config import Settings
from bot.needs.store import InputCampaign, NeedEntry, NeedEntryHistory
from bot.storage.db import Database
from bot.storage.inventory import Retention, TableData
from bot.storage.provider import PrivacyProvider, Rows, changed_rows, delete_older, export_rows


async def _export(db: Database, person_id: str) -> dict[str, Rows]:
    """A person's needs entries, their history edits and the campaigns they lead (data access request)."""
    return await export_rows(
        db,
        entries=select(NeedEntry).where(NeedEntry.submitter_id == person_id),
        entry_history=select(NeedEntryHistory).where(NeedEntryHistory.actor_id == person_id),
        campaigns_started=select(InputCampaign).where(InputCampaign.leader_id == person_id),
    )


async def _erase(db: Database, person_id: str, alias: str) -> int:
    """Entries stay in the register (their numbers feed the summaries); who sent them does not."""
    return await changed_rows(
        db,
        update(NeedEntry).where(NeedEntry.submitter_id == person_id).values(submitter_id=alias, submitter_name=""),
        update(NeedEntryHistory).where(NeedEntryHistory.actor_id == person_id).values(actor_id=alias),
        update(InputCampaign).where(InputCampaign.leader_id == person_id).values(leader_id=alias),
    )


async def _retention(db: Database, now: datetime, settings: Settings) -> int:
    """Entries not changed for RETENTION_INPUTS_DAYS are deleted with their history; input rounds that old too."""
    cutoff = now - timedelta(days=settings.retention_inputs_days)
    n = await delete_older(db, NeedEntry, NeedEntry.updated_at, cutoff, NeedEntryHistory.entry_id)
    async with db.write() as s:
        n += (await s.execute(delete(InputCampaign).where(InputCampaign.created_at < cutoff))).rowcount or 0
    return n


PRIVACY = PrivacyProvider("needs", _export, _erase, _retention)


INPUTS = Retention("slettes {value} dager etter siste endring", "retention_inputs_days")
PERSONAL_DATA = {
    "need_entries": TableData(
        about="Innspill om behov og gevinster (registeret prosjektet bygger på)", person_id="submitter_id",
        person_name="submitter_name", free_text="title fields",
        none="id kind project_id faggruppe municipalities status created_at updated_at", retention=INPUTS,
        erasure="innspillet beholdes (tallene inngår i oppsummeringene); innsender anonymiseres, navnet fjernes fra "
                "teksten"),
    "need_entry_history": TableData(
        about="Endringshistorikk for innspill", person_id="actor_id", free_text="changes", none="id entry_id at action",
        retention=Retention("slettes sammen med innspillet"), erasure="anonymiseres"),
    "input_campaigns": TableData(
        about="Innspillsrunder prosjektledere har startet", person_id="leader_id", free_text="message",
        chat_id="origin_conversation_id", none="id project_id faggrupper deadline created_at",
        retention=Retention("slettes {value} dager etter at runden ble startet", "retention_inputs_days"),
        erasure="anonymiseres", subjects=("ledere",)),
}

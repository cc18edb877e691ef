"""Personal data in broadcasts: authors and read acknowledgements."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.broadcasts.store import BroadcastAck, BroadcastRow
from bot.config import Settings
from bot.storage.db import Database
from bot.storage.inventory import Retention, TableData
from bot.storage.provider import PrivacyProvider, Rows, changed_rows, delete_older, export_rows


async def _export(db: Database, person_id: str) -> dict[str, Rows]:
    """The broadcasts a person wrote and their read acknowledgements (data access request)."""
    return await export_rows(db, broadcasts_written=select(BroadcastRow).where(BroadcastRow.author_id == person_id),
                             read_acknowledgements=select(BroadcastAck).where(BroadcastAck.person_id == person_id))


async def _erase(db: Database, person_id: str, alias: str) -> int:
    """Acknowledgements keep counting (under a pseudonym); authorship loses the name."""
    return await changed_rows(
        db,
        update(BroadcastAck).where(BroadcastAck.person_id == person_id).values(person_id=alias),
        update(BroadcastRow).where(BroadcastRow.author_id == person_id).values(author_id=alias, author_name=""),
    )


async def _retention(db: Database, now: datetime, settings: Settings) -> int:
    """Broadcasts (and their acknowledgements) are kept as long as the audit log."""
    cutoff = now - timedelta(days=settings.retention_audit_days)
    return await delete_older(db, BroadcastRow, BroadcastRow.created_at, cutoff, BroadcastAck.broadcast_id)


PRIVACY = PrivacyProvider("broadcasts", _export, _erase, _retention)


AUDIT = Retention("slettes {value} dager etter at kunngjøringen ble skrevet", "retention_audit_days")
PERSONAL_DATA = {
    "broadcasts": TableData(
        about="Kunngjøringer fra prosjektledere", person_id="author_id", person_name="author_name",
        free_text="title message targets",
        chat_id="report_conversation_id",
        none="id send_at ack link image_url state locale report_activity_id created_at started_at "
             "finished_at",
        retention=AUDIT, erasure="forfatteren anonymiseres", subjects=("ledere",)),
    "broadcast_acks": TableData(
        about="Lesekvitteringer («Lest») på kunngjøringer", person_id="person_id", chat_id="conversation_id",
        none="id broadcast_id faggruppe at", retention=Retention("slettes med kunngjøringen"),
        erasure="kvitteringen telles fortsatt, under pseudonym"),
}

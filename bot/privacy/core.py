"""Personal data in the foundation tables: profile, memberships, personal chat, audit entries, downloads."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.storage.db import Database
from bot.storage.inventory import Retention, TableData
from bot.storage.models import AuditEntry, Conversation, Download, Faggruppe, Membership, OutboxItem, Person, Project
from bot.storage.provider import PrivacyProvider, Rows, row_dict

OUTBOX_KEEP_DAYS = 30  # settled deliveries; the period is declared to users in PERSONAL_DATA["outbox"] below


async def _export(db: Database, person_id: str) -> dict[str, Rows]:
    """A person's own rows in the core tables (data access request)."""
    async with db.session() as s:
        people = await s.scalars(select(Person).where(Person.id == person_id))
        members = await s.scalars(select(Membership).where(Membership.person_id == person_id))
        convs = await s.scalars(select(Conversation).where(Conversation.person_id == person_id))
        audit = await s.scalars(
            select(AuditEntry).where(or_(AuditEntry.actor_id == person_id, AuditEntry.target == person_id))
        )
        projects = await s.scalars(select(Project).where(Project.owner_id == person_id))
        groups = await s.scalars(select(Faggruppe).where(Faggruppe.added_by == person_id))
        granted = await s.execute(select(Person.id, Person.role, Person.role_granted_at)
                                  .where(Person.role_granted_by == person_id))
        return {
            "people": [row_dict(r) for r in people],
            "memberships": [row_dict(r) for r in members],
            "personal_chats": [row_dict(r, skip=("reference",)) for r in convs],
            "audit_log": [row_dict(r) for r in audit],
            "projects_owned": [row_dict(r) for r in projects],
            "faggrupper_added": [row_dict(r) for r in groups],
            "roles_granted": [{"person_id": pid, "role": role, "at": at.isoformat() if at else None}
                              for pid, role, at in granted.all()],
        }


async def _erase(db: Database, person_id: str, alias: str) -> int:
    """Delete the person, their memberships and personal conversations; pseudonymise their audit entries."""
    n = 0
    async with db.write() as s:
        personal = list(await s.scalars(select(Conversation.id).where(Conversation.person_id == person_id)))
        for stmt in (
            delete(Person).where(Person.id == person_id),
            delete(Membership).where(Membership.person_id == person_id),
            delete(Download).where(Download.owner_id == person_id),
            update(AuditEntry).where(AuditEntry.actor_id == person_id).values(actor_id=alias),
            update(AuditEntry).where(AuditEntry.target == person_id).values(target=alias),
            update(Project).where(Project.owner_id == person_id).values(owner_id=alias),
            update(Faggruppe).where(Faggruppe.added_by == person_id).values(added_by=alias),
            update(Person).where(Person.role_granted_by == person_id).values(role_granted_by=alias),
        ):
            n += (await s.execute(stmt)).rowcount or 0
        if personal:  # messages queued to the person's own chat go with it
            n += (await s.execute(delete(OutboxItem).where(OutboxItem.conversation_id.in_(personal)))).rowcount or 0
            n += (await s.execute(delete(Conversation).where(Conversation.id.in_(personal)))).rowcount or 0
        n += await _forget_speaker(s, person_id)
    return n


async def _forget_speaker(s: AsyncSession, person_id: str) -> int:
    """A group chat's stored reference names whoever last wrote there; proactive sends do not need it."""
    n = 0
    for row in await s.scalars(select(Conversation).where(Conversation.kind != "personal")):
        user = (row.reference or {}).get("user") or {}
        if person_id in (user.get("id"), user.get("aadObjectId")):
            row.reference = {k: v for k, v in row.reference.items() if k != "user"}
            n += 1
    return n


async def _retention(db: Database, now: datetime, settings: Settings) -> int:
    """Delete audit entries, settled outbox items and inactive people past their retention periods."""
    people_cutoff = now - timedelta(days=settings.retention_people_days)
    async with db.write() as s:
        results = [await s.execute(stmt) for stmt in (
            delete(AuditEntry).where(AuditEntry.at < now - timedelta(days=settings.retention_audit_days)),
            delete(OutboxItem).where(
                OutboxItem.state.in_(["sent", "failed", "cancelled"]),
                OutboxItem.created_at < now - timedelta(days=OUTBOX_KEEP_DAYS),
            ),
            delete(Membership).where(Membership.last_seen_at < people_cutoff),
            # A chat the bot is still in is kept however quiet it is: reminders and broadcasts are sent there.
            delete(Conversation).where(Conversation.active.is_(False), Conversation.last_seen_at < people_cutoff),
        )]
        return sum(r.rowcount or 0 for r in results)


async def inactive_people(db: Database, cutoff: datetime) -> list[str]:
    """People not seen since cutoff (neither their profile nor any chat membership was refreshed)."""
    seen = select(func.max(Membership.last_seen_at)).where(Membership.person_id == Person.id).scalar_subquery()
    q = select(Person.id).where(Person.updated_at < cutoff, or_(seen.is_(None), seen < cutoff))
    async with db.session() as s:
        return list(await s.scalars(q))


PRIVACY = PrivacyProvider("core", _export, _erase, _retention)


PERSONAL_DATA = {
    "people": TableData(
        about="Personer boten har sett: navn, ID-er, UPN og rolle (med hvem som ga rollen i chat, og når)",
        person_id="id aad_object_id channel_user_id role_granted_by", person_name="name", email="upn",
        owner="id aad_object_id channel_user_id",
        none="tenant_id role role_source role_granted_at created_at updated_at",
        retention=Retention("slettes {value} dager etter at personen sist brukte boten (bidrag anonymiseres)",
                            "retention_people_days"),
        erasure="slettes", subjects=("medlemmer", "ledere")),
    "memberships": TableData(
        about="Hvem som er sett i hvilken chat", person_id="person_id", chat_id="conversation_id", none="last_seen_at",
        retention=Retention("slettes {value} dager etter at personen sist ble sett i chatten", "retention_people_days"),
        erasure="slettes"),
    "conversations": TableData(
        about="Chatter og kanaler boten er i, med samtalereferansen (den siste som skrev til boten der)",
        person_id="person_id", chat_id="id", free_text="name reference",
        none="kind tenant_id team_id service_url faggruppe active inactive_reason installed_at last_seen_at",
        retention=Retention("så lenge boten er i chatten; chatter boten er fjernet fra slettes {value} dager etter siste "
                            "bruk; den personlige chatten slettes når personen slettes", "retention_people_days"),
        erasure="personlig chat slettes; personen fjernes fra samtalereferanser i gruppechatter"),
    "faggrupper": TableData(
        about="Faggrupper prosjektledere har lagt til", person_id="added_by", none="name created_at",
        retention=Retention("så lenge faggruppen finnes"), erasure="den som la til anonymiseres", subjects=("ledere",)),
    "projects": TableData(
        about="Prosjekter (Prosjektveiviseren) med eier", person_id="owner_id", free_text="description",
        none="id name faggrupper phase created_at updated_at",
        retention=Retention("så lenge prosjektet finnes (prosjektdokumentasjon)"), erasure="eieren anonymiseres",
        subjects=("ledere",)),
    "audit_log": TableData(
        about="Revisjonslogg over prosjektlederhandlinger", person_id="actor_id target", free_text="details",
        none="id at action", retention=Retention("slettes etter {value} dager", "retention_audit_days"),
        erasure="anonymiseres", subjects=("ledere", "medlemmer")),
    "outbox": TableData(
        about="Utgående meldinger (påminnelser, kunngjøringer) til de er levert", chat_id="conversation_id",
        free_text="key payload", none="id group_key state attempts not_before claimed_at claimed_by last_error activity_id "
             "created_at sent_at",
        retention=Retention("slettes {value} dager etter levering", fixed=OUTBOX_KEEP_DAYS),
        erasure="meldinger til personens personlige chat slettes; navn og ID-er i andre meldinger fjernes"),
    "downloads": TableData(
        about="Filer til nedlasting (eksporter, mine data, kalenderfiler)", person_id="owner_id", file="content",
        none="token_hash filename content_type created_at expires_at used_at",
        retention=Retention("lenken virker i {value} minutter, lenker til eksporter bare én gang; filen slettes ved "
                            "første bruk eller når lenken utløper", "download_ttl_minutes"),
        erasure="alle filer som ikke er lastet ned ennå slettes", subjects=("medlemmer", "ledere")),
}

"""People: identities, names and roles."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_, select, update

from bot.kernel.people import SOURCE_CHAT, Person, Role, config_role_change, configured_leader
from bot.storage.db import Database, insert_for
from bot.storage.models import Person as PersonRow
from bot.storage.models import utcnow


def _person(row: PersonRow) -> Person:
    """The domain Person of a stored row."""
    return Person(
        id=row.id, name=row.name, role=Role(row.role), upn=row.upn, aad_object_id=row.aad_object_id,
        channel_user_id=row.channel_user_id, tenant_id=row.tenant_id, role_source=row.role_source,
    )


class PeopleRepo:
    """Stores people and their roles."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert(
        self, *, person_id: str, name: str, aad_object_id: str = "", channel_user_id: str = "", tenant_id: str = "",
        upn: str = "",
    ) -> Person:
        """Insert or refresh a person's identity and name (roles change only through the methods below)."""
        now = utcnow()
        values = dict(
            id=person_id, name=name, aad_object_id=aad_object_id, channel_user_id=channel_user_id,
            tenant_id=tenant_id, upn=upn.lower(), role=Role.MEMBER.value, created_at=now, updated_at=now,
        )
        # The role is in the insert only: a known person's role is never reset by being seen again. An empty value
        # (a turn that lacks it) keeps what is stored. UPNs are kept lower-case: they are compared without case.
        changes: dict[str, object] = {"updated_at": now}
        if name:
            changes["name"] = name
        if channel_user_id:
            changes["channel_user_id"] = channel_user_id
        if upn:
            changes["upn"] = upn.lower()
        ins = insert_for(self.db.dialect)(PersonRow).values(**values)
        async with self.db.write() as s:
            await s.execute(ins.on_conflict_do_update(index_elements=["id"], set_=changes))
            # populate_existing: read what the upsert wrote, not a copy this session may hold.
            row = await s.get(PersonRow, person_id, populate_existing=True)
            assert row is not None
            return _person(row)

    async def get(self, person_id: str) -> Person | None:
        """One person, or None."""
        async with self.db.session() as s:
            row = await s.get(PersonRow, person_id)
            return _person(row) if row else None

    async def find(self, identifier: str) -> Person | None:
        """A person by id, AAD object id, channel user id or UPN."""
        ident = identifier.strip()
        q = select(PersonRow).where(
            or_(
                PersonRow.id == ident, PersonRow.aad_object_id == ident, PersonRow.channel_user_id == ident,
                func.lower(PersonRow.upn) == ident.lower(),
            )
        )
        async with self.db.session() as s:
            row = (await s.scalars(q.limit(1))).first()
            return _person(row) if row else None

    async def many(self, ids: list[str]) -> dict[str, Person]:
        """People by id."""
        if not ids:
            return {}
        async with self.db.session() as s:
            rows = await s.scalars(select(PersonRow).where(PersonRow.id.in_(ids)))
            return {r.id: _person(r) for r in rows}

    async def set_role(self, person_id: str, role: Role, *, granted_by: str = "", at: datetime | None = None) -> None:
        """Grant or remove a role in chat: stored with who did it and when; kept until changed in chat again."""
        async with self.db.write() as s:
            await s.execute(update(PersonRow).where(PersonRow.id == person_id).values(
                role=role.value, role_source=SOURCE_CHAT if role != Role.MEMBER else "", role_granted_by=granted_by,
                role_granted_at=at or utcnow(), updated_at=utcnow()))

    async def apply_config(self, person: Person, leaders: Iterable[str]) -> Person:
        """Bring one person's role in line with BOT_LEADERS (writes only when it changes)."""
        change = config_role_change(person, configured_leader(person.identifiers, leaders))
        if change is None:
            return person
        role, source = change
        async with self.db.write() as s:
            # A role given or taken in chat wins over the configuration (the condition, not the read, decides).
            await s.execute(update(PersonRow).where(PersonRow.id == person.id, PersonRow.role_source != SOURCE_CHAT)
                            .values(role=role.value, role_source=source, updated_at=utcnow()))
            row = await s.get(PersonRow, person.id, populate_existing=True)
            return _person(row) if row else person

    async def sync_config(self, leaders: Iterable[str]) -> list[tuple[Person, Person]]:
        """At start: every known person's role in line with BOT_LEADERS; returns (before, after) of those changed."""
        wanted = tuple(leaders)
        async with self.db.session() as s:
            rows = await s.scalars(select(PersonRow).where(or_(
                PersonRow.role != Role.MEMBER.value, PersonRow.role_source != "",
                PersonRow.id.in_(wanted), PersonRow.aad_object_id.in_(wanted), func.lower(PersonRow.upn).in_(wanted))))
            people = [_person(r) for r in rows]
        changed = []
        for before in people:
            after = await self.apply_config(before, wanted)
            if after != before:
                changed.append((before, after))
        return changed

    async def leaders(self) -> list[Person]:
        """All project leaders."""
        async with self.db.session() as s:
            rows = await s.scalars(select(PersonRow).where(PersonRow.role == Role.LEADER.value).order_by(PersonRow.name))
            return [_person(r) for r in rows]

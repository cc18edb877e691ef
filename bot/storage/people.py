"""People: identities, names and roles."""

from __future__ import annotations

from sqlalchemy import func, or_, select, update

from bot.domain.people import Person, Role
from bot.storage.db import Database, insert_for
from bot.storage.models import Person as PersonRow
from bot.storage.models import utcnow


def _person(row: PersonRow) -> Person:
    return Person(
        id=row.id, name=row.name, role=Role(row.role), upn=row.upn, aad_object_id=row.aad_object_id,
        channel_user_id=row.channel_user_id, tenant_id=row.tenant_id,
    )


class PeopleRepo:
    """Stores people and their roles."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert(
        self, *, person_id: str, name: str, aad_object_id: str = "", channel_user_id: str = "", tenant_id: str = "",
        upn: str = "", role: Role | None = None,
    ) -> Person:
        """Insert or refresh a person; role is only changed when given."""
        now = utcnow()
        values = dict(
            id=person_id, name=name, aad_object_id=aad_object_id, channel_user_id=channel_user_id,
            tenant_id=tenant_id, upn=upn.lower(), role=(role or Role.MEMBER).value, created_at=now, updated_at=now,
        )
        changes: dict[str, object] = {"updated_at": now}
        if name:
            changes["name"] = name
        if channel_user_id:
            changes["channel_user_id"] = channel_user_id
        if upn:
            changes["upn"] = upn.lower()
        if role is not None:
            changes["role"] = role.value
        ins = insert_for(self.db.dialect)(PersonRow).values(**values)
        async with self.db.write() as s:
            await s.execute(ins.on_conflict_do_update(index_elements=["id"], set_=changes))
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

    async def set_role(self, person_id: str, role: Role) -> None:
        """Change a person's role."""
        async with self.db.write() as s:
            await s.execute(update(PersonRow).where(PersonRow.id == person_id).values(role=role.value, updated_at=utcnow()))

    async def leaders(self) -> list[Person]:
        """All project leaders."""
        async with self.db.session() as s:
            rows = await s.scalars(select(PersonRow).where(PersonRow.role == Role.LEADER.value).order_by(PersonRow.name))
            return [_person(r) for r in rows]

"""Gate deadlines and decisions, one row per project and BP."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from bot.gates.model import APPROVED, OPEN, POSTPONED, Gate
from bot.storage.db import Database, insert_for
from bot.storage.inventory import Retention, TableData
from bot.storage.models import Base, utcnow
from bot.storage.provider import PrivacyProvider, Rows, changed_rows, export_rows


class GateRow(Base):
    """A BP of a project: its deadline, what is due, who is involved, and the decision."""

    __tablename__ = "gates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(Integer, ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    bp: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    deadline_time: Mapped[str] = mapped_column(String(5), default="")
    faggrupper: Mapped[list[Any]] = mapped_column(JSON, default=list)
    documents: Mapped[list[Any]] = mapped_column(JSON, default=list)
    offsets: Mapped[list[Any]] = mapped_column(JSON, default=list)  # seconds
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    decision: Mapped[str] = mapped_column(String(20), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    set_by: Mapped[str] = mapped_column(String(200), default="")
    set_in: Mapped[str] = mapped_column(String(400), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("project_id", "bp", name="uq_gates_project_bp"),)


def _gate(r: GateRow) -> Gate:
    """The domain Gate of a stored row."""
    return Gate(
        id=r.id, project_id=r.project_id, bp=r.bp, deadline=r.deadline,
        deadline_time=time.fromisoformat(r.deadline_time) if r.deadline_time else None,
        faggrupper=tuple(r.faggrupper or ()), documents=tuple(r.documents or ()),
        offsets=tuple(timedelta(seconds=int(s)) for s in r.offsets or ()), status=r.status, decision=r.decision,
        comment=r.comment, decided_by=r.decided_by, decided_at=r.decided_at, set_by=r.set_by, set_in=r.set_in,
    )


class GateRepo:
    """Reads and writes gates."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, gate_id: int) -> Gate | None:
        """One gate by id."""
        async with self.db.session() as s:
            row = await s.get(GateRow, gate_id)
            return _gate(row) if row else None

    async def at(self, project_id: int, bp: int) -> Gate | None:
        """The gate of a project at a BP, if any was set."""
        async with self.db.session() as s:
            row = (await s.scalars(select(GateRow).where(GateRow.project_id == project_id, GateRow.bp == bp))).first()
            return _gate(row) if row else None

    async def for_project(self, project_id: int) -> dict[int, Gate]:
        """The gates of a project by BP."""
        async with self.db.session() as s:
            rows = await s.scalars(select(GateRow).where(GateRow.project_id == project_id))
            return {r.bp: _gate(r) for r in rows}

    async def set_deadline(self, project_id: int, bp: int, *, deadline: date, deadline_time: time | None,
                           faggrupper: tuple[str, ...], documents: tuple[str, ...], offsets: tuple[timedelta, ...],
                           set_by: str, set_in: str) -> Gate:
        """Create or change the deadline of a BP (a postponed gate is open again)."""
        now = utcnow()
        values = dict(
            deadline=deadline, deadline_time=deadline_time.strftime("%H:%M") if deadline_time else "",
            faggrupper=list(faggrupper), documents=list(documents),
            offsets=[int(o.total_seconds()) for o in offsets], set_by=set_by, set_in=set_in, updated_at=now,
        )
        ins = insert_for(self.db.dialect)(GateRow).values(project_id=project_id, bp=bp, status=OPEN, created_at=now,
                                                            **values)
        async with self.db.write() as s:
            await s.execute(ins.on_conflict_do_update(index_elements=["project_id", "bp"], set_=values))
            await s.execute(update(GateRow).where(GateRow.project_id == project_id, GateRow.bp == bp,
                                                  GateRow.status == POSTPONED).values(status=OPEN))
            row = (await s.scalars(select(GateRow).where(GateRow.project_id == project_id, GateRow.bp == bp)
                                   .execution_options(populate_existing=True))).one()
            return _gate(row)

    async def clear_deadline(self, gate_id: int) -> None:
        """Remove the deadline (what is due and the decision stay)."""
        async with self.db.write() as s:
            await s.execute(update(GateRow).where(GateRow.id == gate_id).values(deadline=None, deadline_time="",
                                                                                 updated_at=utcnow()))

    async def decide(self, gate_id: int, decision: str, comment: str, decided_by: str, at: datetime) -> bool:
        """Record a decision; False when the gate was already approved (a double click)."""
        async with self.db.write() as s:
            res = await s.execute(
                update(GateRow).where(GateRow.id == gate_id, GateRow.status != APPROVED)
                .values(status=decision, decision=decision, comment=comment, decided_by=decided_by, decided_at=at,
                        updated_at=utcnow())
            )
            return (res.rowcount or 0) == 1


async def _export(db: Database, person_id: str) -> dict[str, Rows]:
    """The gates a person set or decided (data access request)."""
    return await export_rows(db, gates=select(GateRow).where(or_(GateRow.set_by == person_id,
                                                                 GateRow.decided_by == person_id)))


async def _erase(db: Database, person_id: str, alias: str) -> int:
    """Replace the person's id with their alias where they set or decided a gate."""
    return await changed_rows(db, *(update(GateRow).where(getattr(GateRow, col) == person_id).values({col: alias})
                                    for col in ("set_by", "decided_by")))


# Deadlines and decisions are project governance records: kept with the project, no retention of their own.
PRIVACY = PrivacyProvider("gates", _export, _erase)


PERSONAL_DATA = {
    "gates": TableData(
        about="Beslutningspunkter (BP1–BP5): frister, hvem som satte dem og hvem som besluttet", person_id="set_by decided_by",
        free_text="comment", chat_id="set_in",
        none="id project_id bp deadline deadline_time faggrupper documents offsets status decision decided_at "
             "created_at updated_at",
        retention=Retention("så lenge prosjektet finnes (beslutningsdokumentasjon)"), erasure="anonymiseres",
        subjects=("ledere",)),
}

"""Projects (shared by needs/benefits and phase gates)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.kernel.errors import InvalidInput
from bot.kernel.projects import ProjectInfo
from bot.storage.db import Database
from bot.storage.models import Project, utcnow

MAX_ID = 2**31 - 1  # PostgreSQL integer


def _info(r: Project) -> ProjectInfo:
    """The ProjectInfo of a stored row."""
    return ProjectInfo(r.id, r.name, r.description, r.owner_id, tuple(r.faggrupper or ()), r.phase, r.created_at)


class ProjectRepo:
    """Creates, finds and lists projects."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, name: str, description: str, owner_id: str, faggrupper: list[str], phase: str = "ide") -> ProjectInfo:
        """Create a project; names are unique (case-insensitive)."""
        if await self.by_name(name):
            raise InvalidInput({"name": "project.name_taken"})
        try:
            async with self.db.write() as s:
                row = Project(name=name, description=description, owner_id=owner_id, faggrupper=faggrupper, phase=phase)
                s.add(row)
                await s.flush()
                return _info(row)
        except IntegrityError:
            raise InvalidInput({"name": "project.name_taken"}) from None

    async def get(self, project_id: int) -> ProjectInfo | None:
        """One project by id; an id outside the database's integer range (forged card data) finds nothing."""
        if not 0 < project_id <= MAX_ID:
            return None  # the driver would raise OverflowError (SQLite) or DataError (PostgreSQL) instead
        async with self.db.session() as s:
            row = await s.get(Project, project_id)
            return _info(row) if row else None

    async def by_name(self, name: str) -> ProjectInfo | None:
        """One project by name (case-insensitive, exact)."""
        async with self.db.session() as s:
            row = (await s.scalars(select(Project).where(func.lower(Project.name) == name.strip().lower()))).first()
            return _info(row) if row else None

    async def find(self, text: str) -> ProjectInfo | None:
        """A project by exact name, or the only one whose name contains the text."""
        exact = await self.by_name(text)
        if exact:
            return exact
        like = [p for p in await self.all() if text.strip().lower() in p.name.lower()]
        return like[0] if len(like) == 1 else None

    async def all(self) -> list[ProjectInfo]:
        """All projects, newest first."""
        async with self.db.session() as s:
            return [_info(r) for r in await s.scalars(select(Project).order_by(Project.id.desc()))]

    async def set_phase(self, project_id: int, phase: str) -> None:
        """Move a project to a phase."""
        async with self.db.write() as s:
            await s.execute(update(Project).where(Project.id == project_id).values(phase=phase, updated_at=utcnow()))

    async def update(self, project_id: int, **values: object) -> None:
        """Change a project's name, description or faggrupper."""
        async with self.db.write() as s:
            await s.execute(update(Project).where(Project.id == project_id).values(**values, updated_at=utcnow()))

"""The composition root: the services every handler and job gets, built in one place from the settings."""

from __future__ import annotations

from bot.config import Settings
from bot.delivery.outbox import OutboxRepo
from bot.kernel.clock import Clock
from bot.needs.store import CampaignRepo, NeedsRepo
from bot.services import Services
from bot.storage.audit import AuditRepo
from bot.storage.conversations import ConversationRepo
from bot.storage.db import Database
from bot.storage.downloads import DownloadRepo
from bot.storage.people import PeopleRepo
from bot.storage.projects import ProjectRepo


def build_services(settings: Settings, db: Database, clock: Clock) -> Services:
    """Repositories over one database."""
    return Services(
        settings=settings, db=db, clock=clock, conversations=ConversationRepo(db), people=PeopleRepo(db),
        audit=AuditRepo(db, clock), projects=ProjectRepo(db), downloads=DownloadRepo(db, clock), outbox=OutboxRepo(db, clock),
        needs=NeedsRepo(db), campaigns=CampaignRepo(db),
    )

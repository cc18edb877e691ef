"""The services a handler or job may use, bound once at start-up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot.calendar.port import Bookings, Calendar
from bot.config import Settings
from bot.delivery.outbox import NewDelivery, OutboxRepo
from bot.kernel.clock import Clock
from bot.kernel.status import InputStatus
from bot.people.conversations import ConversationRepo
from bot.people.store import PeopleRepo
from bot.projects.store import ProjectRepo
from bot.storage.audit import AuditRepo
from bot.storage.db import Database
from bot.storage.downloads import DownloadRepo

if TYPE_CHECKING:
    from bot.chat.messenger import Messenger
    from bot.scheduling.scheduler import Scheduler


class Delivery(Protocol):
    """Queues proactive messages; each key is delivered at most once and retried until it is."""

    async def enqueue(self, items: list[NewDelivery]) -> int: ...

    async def send_now(self, conversation_id: str, activity: dict[str, Any], update_activity_id: str | None = None) -> str:
        """Send one message at once (never stored in the outbox: private links must not be)."""
        ...


@dataclass
class Services:
    """Everything bound at start-up; handlers and jobs get it, never globals."""

    settings: Settings
    db: Database
    clock: Clock
    conversations: ConversationRepo
    people: PeopleRepo
    audit: AuditRepo
    projects: ProjectRepo
    downloads: DownloadRepo
    outbox: OutboxRepo
    calendar: Calendar | None = None
    calendar_status: str = "off"
    scheduler: Scheduler | None = None
    delivery: Delivery | None = None
    bookings: Bookings | None = None
    # Set by the needs/benefits feature: project id -> input status (used by gate reminders and summaries).
    input_status: Callable[[int], Awaitable[InputStatus]] | None = None
    # Set by the host: proactive messages and the member roster (bot.chat.messenger).
    messenger: Messenger | None = None
    # Set by the chat dispatcher: drop a person from the per-process caches (after a role change or erasure).
    forget_person: Callable[[str], None] = field(default=lambda _person_id: None)
    extras: dict[str, Any] = field(default_factory=dict)

    async def download_link(self, content: bytes, filename: str, content_type: str, owner_id: str = "") -> tuple[str, Any]:
        """Store a file and return (url, expiry time). With an owner the file is personal: its link works once and is
        only ever shown to the owner (bot.chat.private); without one it is shared with the chat it is posted in."""
        ttl = timedelta(minutes=self.settings.download_ttl_minutes)
        token = await self.downloads.issue(content, filename, content_type, ttl, owner_id)
        return f"{self.settings.public_base_url}/downloads/{token}", self.clock.now() + ttl


def build_services(settings: Settings, db: Database, clock: Clock) -> Services:
    """Repositories over one database."""
    return Services(
        settings=settings, db=db, clock=clock, conversations=ConversationRepo(db), people=PeopleRepo(db),
        audit=AuditRepo(db, clock), projects=ProjectRepo(db), downloads=DownloadRepo(db, clock), outbox=OutboxRepo(db, clock),
    )

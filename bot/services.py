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
from bot.storage.audit import AuditRepo
from bot.storage.conversations import ConversationRepo
from bot.storage.db import Database
from bot.storage.downloads import DownloadRepo
from bot.storage.people import PeopleRepo
from bot.storage.projects import ProjectRepo

if TYPE_CHECKING:  # feature types only: the features are built above this layer, in bot.wiring
    import asyncio

    from bot.broadcasts.service import Broadcaster
    from bot.chat.messenger import Messenger
    from bot.needs.store import CampaignRepo, NeedsRepo
    from bot.polls.service import PollOps
    from bot.scheduling.scheduler import Scheduler


class Delivery(Protocol):
    """Queues proactive messages; each key is delivered at most once and retried until it is."""

    async def enqueue(self, items: list[NewDelivery]) -> int:
        """Queue deliveries; the number queued."""

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
    needs: NeedsRepo
    campaigns: CampaignRepo
    calendar: Calendar | None = None
    calendar_status: str = "off"
    scheduler: Scheduler | None = None
    delivery: Delivery | None = None
    bookings: Bookings | None = None
    # Set by the needs/benefits feature: project id -> input status (used by gate reminders and summaries).
    input_status: Callable[[int], Awaitable[InputStatus]] | None = None
    broadcaster: Broadcaster | None = None  # bound by the broadcasts feature's start-up (it needs the delivery engine)
    pseudonym_key: bytes | None = None  # read (or made) once per process by bot.privacy.pseudonyms.pseudonym_key
    # Called with an erased person's alias after erasure (e.g. polls re-render cards that showed their name).
    after_erase: list[Callable[[str], Awaitable[None]]] = field(default_factory=list)
    # Set by the host: proactive messages and the member roster (bot.chat.messenger).
    messenger: Messenger | None = None
    # Set by the chat dispatcher: drop a person from the per-process caches (after a role change or erasure).
    forget_person: Callable[[str], None] = field(default=lambda _person_id: None)
    polls: PollOps | None = None  # the poll operations (bot.polls.service.ops makes them once per process)
    # Work started after an answer was sent (e.g. calendar bookings); kept so the tasks are not garbage-collected.
    background: set[asyncio.Task[None]] = field(default_factory=set)

    async def download_link(self, content: bytes, filename: str, content_type: str, owner_id: str = "") -> tuple[str, Any]:
        """Store a file and return (url, expiry time). With an owner the file is personal: its link works once and is
        only ever shown to the owner (bot.chat.private); without one it is shared with the chat it is posted in."""
        ttl = timedelta(minutes=self.settings.download_ttl_minutes)
        token = await self.downloads.issue(content, filename, content_type, ttl, owner_id)
        return f"{self.settings.public_base_url}/downloads/{token}", self.clock.now() + ttl

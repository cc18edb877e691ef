"""Composing, sending, scheduling and cancelling a broadcast: the one path the chat cards and the leaders' tab share."""

from __future__ import annotations

from typing import Any

from bot.broadcasts.jobs import job_id
from bot.broadcasts.model import Draft, FormInput, State, TargetMode, validate
from bot.broadcasts.service import broadcaster
from bot.broadcasts.store import Broadcast
from bot.kernel.errors import Conflict, InvalidInput
from bot.kernel.people import Person, require_leader
from bot.services import Services

SCHEDULED, STARTED = "scheduled", "started"


async def check_draft(services: Services, form: FormInput) -> tuple[Draft, list[Any]]:
    """The validated draft and the chats it would reach; InvalidInput (field -> catalogue key) otherwise."""
    faggrupper = await services.conversations.faggrupper(services.settings.faggrupper)
    projects = {p.id: (p.name, p.faggrupper) for p in await services.projects.all()}
    draft = validate(form, now=services.clock.now(), tz=services.settings.tz, faggrupper=faggrupper, projects=projects)
    names = None if draft.targets.mode == TargetMode.ALL else list(draft.targets.names)
    chats = await services.conversations.faggruppe_chats(names)
    if not chats:
        raise InvalidInput({"targets": "broadcasts.error.no_chats"})
    return draft, chats


async def save_draft(services: Services, actor: Person, form: FormInput, *, broadcast_id: int | None, report_to: str,
                     locale: str) -> tuple[Broadcast, Draft, list[Any]]:
    """Validate and save (or update) a leader's draft; Conflict when it is no longer a draft."""
    require_leader(actor)
    draft, chats = await check_draft(services, form)
    b = await broadcaster(services).repo.save_draft(draft, author_id=actor.id, author_name=actor.name, locale=locale,
                                                    conversation_id=report_to, broadcast_id=broadcast_id)
    if b is None:
        raise Conflict("broadcasts.error.not_draft")
    return b, draft, chats


async def send_or_schedule(services: Services, actor: Person, b: Broadcast) -> str:
    """Send a draft now, or schedule it when it has a future send time (audited); returns SCHEDULED or STARTED."""
    require_leader(actor)
    if b.state != State.DRAFT:
        raise Conflict("broadcasts.error.not_draft")
    repo = broadcaster(services).repo
    # A send time already past is sent now; so is any draft when this process has no scheduler.
    if b.send_at and b.send_at > services.clock.now() and services.scheduler is not None:
        # The conditional state change comes first: of two clicks (or the chat and the tab) one schedules the job.
        if not await repo.transition(b.id, [State.DRAFT], State.SCHEDULED):
            raise Conflict("broadcasts.error.not_draft")
        services.scheduler.add("broadcast.send", job_id(b.id), b.send_at, (b.id,))
        await services.audit.record(actor.id, "broadcast.schedule", str(b.id), send_at=b.send_at.isoformat())
        return SCHEDULED
    if not await broadcaster(services).start(b.id, [State.DRAFT]):
        raise Conflict("broadcasts.error.not_draft")
    return STARTED


async def cancel_scheduled(services: Services, actor: Person, b: Broadcast) -> None:
    """Cancel a scheduled broadcast (its job removed, audited); Conflict unless it is scheduled."""
    require_leader(actor)
    # Cancelled in the database first: a job that fires meanwhile starts only a broadcast still `scheduled`, so
    # whichever comes first wins and the other is a no-op (or Conflict here).
    if not await broadcaster(services).repo.transition(b.id, [State.SCHEDULED], State.CANCELLED):
        raise Conflict("broadcasts.error.not_scheduled")
    if services.scheduler is not None:
        services.scheduler.remove(job_id(b.id))
    await services.audit.record(actor.id, "broadcast.cancel", str(b.id))

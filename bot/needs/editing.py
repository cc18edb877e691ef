"""Changing a stored need or benefit: the one path the chat form and the leaders' tab share (rights, validation, audit)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.kernel.errors import NotFound
from bot.kernel.people import Person
from bot.needs.model import Entry, FieldErrors, require_can_edit
from bot.needs.service import needs_repo
from bot.needs.validation import parse_content, parse_meta
from bot.services import Services


@dataclass(frozen=True)
class EditResult:
    """The saved entry and its changes, or the field errors (nothing saved)."""

    entry: Entry | None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    errors: FieldErrors = field(default_factory=dict)
    project_name: str = ""


async def entry_for_change(services: Services, entry_id: int, actor: Person) -> Entry:
    """The entry when it exists and the actor may change it (NotFound, NotAllowed otherwise)."""
    entry = await needs_repo(services).get(entry_id)
    if entry is None:
        raise NotFound()
    require_can_edit(entry, actor)
    return entry


async def edit_entry(services: Services, existing: Entry, actor: Person, data: Mapping[str, Any]) -> EditResult:
    """Validate the form values as the card form does and save them; an edit of someone else's entry is audited."""
    projects = await services.projects.all()
    groups = await services.conversations.faggrupper(services.settings.faggrupper)
    # A faggruppe removed from the list since stays valid for its old entries: an edit need not move the entry.
    if existing.faggruppe not in groups:
        groups.append(existing.faggruppe)
    meta, meta_errors = parse_meta(data, [p.id for p in projects], groups)
    content, errors = parse_content(existing.kind, data, services.settings.municipalities)
    if meta is None or content is None:
        return EditResult(None, errors={**errors, **meta_errors})
    entry, changes = await needs_repo(services).update(existing.id, content, project_id=meta.project_id,
                                                       faggruppe=meta.faggruppe, actor_id=actor.id,
                                                       now=services.clock.now())
    if existing.submitter_id != actor.id:
        await services.audit.record(actor.id, "needs.edit_other", str(entry.id), fields=sorted(changes))
    return EditResult(entry, changes, project_name=next(p.name for p in projects if p.id == meta.project_id))


async def withdraw_entry(services: Services, existing: Entry, actor: Person) -> Entry:
    """Withdraw an entry (kept for history); withdrawing someone else's is audited."""
    done = await needs_repo(services).withdraw(existing.id, actor_id=actor.id, now=services.clock.now())
    if existing.submitter_id != actor.id:
        await services.audit.record(actor.id, "needs.withdraw_other", str(existing.id))
    return done

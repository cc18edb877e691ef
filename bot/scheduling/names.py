"""Stable job names: what the job store keeps instead of a function's module path, so code can move freely.

APScheduler pickles a job's function as 'module:function'. A job stored that way is stranded when the function
moves, and reminders in a running deployment would silently never fire. Every job is therefore stored as a call to
the stable entry points in bot.scheduling.scheduler (`run_once`, `run_named`) with a name from JOBS as argument.
Moving a job function changes one line here; a name once stored must never be removed (rename = add an alias).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apscheduler.util import ref_to_obj

# name -> 'module:function' of the job function (module-level; its arguments are ids, never objects).
JOBS: dict[str, str] = {
    "poll.remind": "bot.polls.jobs:remind",
    "poll.close": "bot.polls.jobs:close_poll",
    "gate.reminder": "bot.gates.jobs:send_reminder",
    "gate.overdue": "bot.gates.jobs:send_overdue",
    "campaign.reminder": "bot.needs.jobs:send_campaign_reminder",
    "campaign.report": "bot.needs.jobs:send_campaign_report",
    "broadcast.send": "bot.broadcasts.jobs:send_broadcast",
    "booking.retry": "bot.calendar.jobs:retry_booking",
    "privacy.retention": "bot.privacy.jobs:retention",
}
# Function references stored by release 1.1.0 and earlier (before names): the migration 0011 rewrites them, and a
# job an older instance adds during a rolling upgrade still resolves through this table.
LEGACY: dict[str, str] = {f"bot.scheduling.{module}_jobs:{function}": name for module, function, name in (
    ("poll", "remind", "poll.remind"), ("poll", "close_poll", "poll.close"),
    ("gate", "send_reminder", "gate.reminder"), ("gate", "send_overdue", "gate.overdue"),
    ("campaign", "send_campaign_reminder", "campaign.reminder"), ("campaign", "send_campaign_report", "campaign.report"),
    ("broadcast", "send_broadcast", "broadcast.send"), ("booking", "retry_booking", "booking.retry"),
    ("privacy", "retention", "privacy.retention"),
)}


def canonical(name_or_ref: str) -> str:
    """The job name for a name or a legacy function reference; raises KeyError for anything else."""
    name = LEGACY.get(name_or_ref, name_or_ref)
    if name not in JOBS:
        raise KeyError(f"unknown job {name_or_ref!r}")
    return name


def resolve(name_or_ref: str) -> Callable[..., Any]:
    """The job function for a name (or a legacy reference)."""
    return ref_to_obj(JOBS[canonical(name_or_ref)])

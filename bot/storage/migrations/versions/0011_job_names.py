"""Stored scheduler jobs refer to stable job names instead of function paths (release 1.1.0 -> 1.2.0)

Release 1.1.0 stored one-off jobs as run_once('bot.scheduling.gate_jobs:send_reminder', ...) and the daily
retention job as the function 'bot.scheduling.privacy_jobs:retention'; 1.2.0 moved those functions into feature
folders. This rewrites every stored job to a name from bot.scheduling.names, keeping its id, trigger, next run time
and arguments, so pending reminders, poll deadlines, scheduled broadcasts and retries fire as planned.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import pickle

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLE = "apscheduler_jobs"
RUN_ONCE = "bot.scheduling.scheduler:run_once"
RUN_NAMED = "bot.scheduling.scheduler:run_named"
# Frozen copy of bot.scheduling.names.LEGACY as of this revision (a migration never imports changing code).
LEGACY = {
    "bot.scheduling.poll_jobs:remind": "poll.remind",
    "bot.scheduling.poll_jobs:close_poll": "poll.close",
    "bot.scheduling.gate_jobs:send_reminder": "gate.reminder",
    "bot.scheduling.gate_jobs:send_overdue": "gate.overdue",
    "bot.scheduling.campaign_jobs:send_campaign_reminder": "campaign.reminder",
    "bot.scheduling.campaign_jobs:send_campaign_report": "campaign.report",
    "bot.scheduling.broadcast_jobs:send_broadcast": "broadcast.send",
    "bot.scheduling.booking_jobs:retry_booking": "booking.retry",
    "bot.scheduling.privacy_jobs:retention": "privacy.retention",
}


def renamed(state: dict) -> bool:
    """Rewrite one job's pickled state in place; True when it changed."""
    args = list(state.get("args") or ())
    if state.get("func") == RUN_ONCE and args and args[0] in LEGACY:
        state["args"] = (LEGACY[args[0]], *args[1:])
        return True
    if state.get("func") in LEGACY:
        state["args"] = (LEGACY[state["func"]], *args)
        state["func"] = RUN_NAMED
        return True
    return False


def upgrade() -> None:
    conn = op.get_bind()
    if not sa.inspect(conn).has_table(TABLE):
        return  # a new database: the scheduler creates its table at start
    jobs = sa.table(TABLE, sa.column("id", sa.String), sa.column("job_state", sa.LargeBinary))
    for job_id, blob in conn.execute(sa.select(jobs.c.id, jobs.c.job_state)).all():
        state = pickle.loads(blob)  # noqa: S301 - the bot's own job store, written by APScheduler
        if renamed(state):
            conn.execute(jobs.update().where(jobs.c.id == job_id).values(job_state=pickle.dumps(state, pickle.HIGHEST_PROTOCOL)))


def downgrade() -> None:
    conn = op.get_bind()
    if not sa.inspect(conn).has_table(TABLE):
        return
    back = {name: ref for ref, name in LEGACY.items()}
    jobs = sa.table(TABLE, sa.column("id", sa.String), sa.column("job_state", sa.LargeBinary))
    for job_id, blob in conn.execute(sa.select(jobs.c.id, jobs.c.job_state)).all():
        state = pickle.loads(blob)  # noqa: S301
        args = list(state.get("args") or ())
        if state.get("func") == RUN_ONCE and args and args[0] in back:
            state["args"] = (back[args[0]], *args[1:])
        elif state.get("func") == RUN_NAMED and args and args[0] in back:
            state["func"], state["args"] = back[args[0]], tuple(args[1:])
        else:
            continue
        conn.execute(jobs.update().where(jobs.c.id == job_id).values(job_state=pickle.dumps(state, pickle.HIGHEST_PROTOCOL)))

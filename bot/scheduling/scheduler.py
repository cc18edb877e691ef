"""APScheduler 3.11 with a SQLAlchemy job store in the app's database, run by one instance at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from bot.storage.db import MIGRATION_LOCK_ID, sync_url

log = logging.getLogger(__name__)
LEADER_LOCK_ID = 715_002_002
POLL_SECONDS = 1.0
RUN_ONCE = "bot.scheduling.scheduler:run_once"


class Scheduler:
    """Persistent jobs; only the instance holding the leader lock runs them, all may add them."""

    def __init__(self, database_url: str, timezone: str, *, misfire_grace_seconds: int = 6 * 3600,
                 retry_seconds: int = 60) -> None:
        self.grace = misfire_grace_seconds
        self.retry_seconds = retry_seconds
        self.url = sync_url(database_url)
        self.is_postgres = self.url.startswith("postgresql")
        self._engine: Engine = create_engine(self.url, pool_pre_ping=True, hide_parameters=True)
        self._store = SQLAlchemyJobStore(engine=self._engine, tablename="apscheduler_jobs")
        self._aps = AsyncIOScheduler(
            jobstores={"default": self._store},
            executors={"default": AsyncIOExecutor()},
            job_defaults={"coalesce": True, "misfire_grace_time": misfire_grace_seconds, "max_instances": 1},
            timezone=timezone,
        )
        self.identity = f"{socket.gethostname()}:{os.getpid()}"
        self.is_leader = False
        self._lock_conn: Connection | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """True when the scheduler has started (leader or standby)."""
        return self._aps.running

    async def start(self) -> None:
        """Start paused; become leader now (SQLite) or when the PostgreSQL lock is free."""
        await asyncio.to_thread(self._create_table)
        self._aps.start(paused=True)
        self._task = asyncio.create_task(self._lead(), name="scheduler-leadership")

    def _create_table(self) -> None:
        """Create the job table under the migration lock: instances starting together would race on CREATE TABLE."""
        with self._engine.begin() as conn:
            if self.is_postgres:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_ID})
            self._store.jobs_t.create(conn, checkfirst=True)

    async def _lead(self) -> None:
        while True:
            try:
                if not self.is_leader and await asyncio.to_thread(self._try_lock):
                    self.is_leader = True
                    self._aps.resume()
                    log.info("scheduler leadership acquired")
                if self.is_leader:
                    if self.is_postgres and not await asyncio.to_thread(self._still_locked):
                        self.is_leader = False
                        self._aps.pause()
                        log.warning("scheduler leadership lost")
                    else:
                        # Jobs added by other instances are only seen when the store is read again.
                        self._aps.wakeup()
            except Exception:
                log.warning("scheduler leadership check failed", exc_info=True)
                self._drop_lock()
                if self.is_leader:
                    self.is_leader = False
                    self._aps.pause()
            await asyncio.sleep(POLL_SECONDS)

    def _try_lock(self) -> bool:
        if not self.is_postgres:
            return True
        if self._lock_conn is None:
            self._lock_conn = self._engine.connect()
        got = self._lock_conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_ID}).scalar()
        self._lock_conn.commit()
        if not got:
            self._drop_lock()
        return bool(got)

    def _still_locked(self) -> bool:
        if self._lock_conn is None:
            return False
        self._lock_conn.execute(text("SELECT 1"))
        self._lock_conn.commit()
        return True

    def _drop_lock(self) -> None:
        if self._lock_conn is not None:
            with contextlib.suppress(Exception):
                self._lock_conn.close()
            self._lock_conn = None

    def add(self, func: str | Callable[..., Any], job_id: str, run_at: datetime, args: tuple[Any, ...] = (),
            **kwargs: Any) -> None:
        """Schedule a module-level function (by 'module:function' reference) once, replacing a job of the same id.

        The job stays in the store until it has finished (APScheduler drops a one-off job as soon as it starts):
        it repeats every `retry_seconds` until `run_once` removes it, so a process killed mid-job runs it again
        after a restart. Jobs are idempotent (their messages are outbox rows with idempotency keys).
        """
        ref = func if isinstance(func, str) else f"{func.__module__}:{func.__qualname__}"
        spec = one_off(ref, job_id, run_at, args, kwargs.pop("misfire_grace_time", self.grace), self.retry_seconds)
        if spec is None:
            self.remove(job_id)  # too late to run at all (what a misfired one-off job would do)
            return
        self._aps.add_job(**spec, replace_existing=True, **kwargs)

    def finished(self, job_id: str, stamp: str) -> None:
        """Remove a one-off job after its run, unless it was replaced meanwhile (a new run time)."""
        job = self._aps.get_job(job_id)
        if job is not None and job.func_ref == RUN_ONCE and len(job.args) > 2 and job.args[2] == stamp:
            self.remove(job_id)

    def add_interval(self, func: str, job_id: str, **trigger: Any) -> None:
        """A recurring job (cron-like maintenance)."""
        self._aps.add_job(func, "interval", id=job_id, replace_existing=True, **trigger)

    def add_cron(self, func: str, job_id: str, **trigger: Any) -> None:
        """A job on a cron schedule in the bot's time zone."""
        self._aps.add_job(func, "cron", id=job_id, replace_existing=True, **trigger)

    def remove(self, job_id: str) -> bool:
        """Remove a job; False when it did not exist."""
        try:
            self._aps.remove_job(job_id)
            return True
        except JobLookupError:
            return False

    def remove_prefix(self, prefix: str) -> int:
        """Remove every job whose id starts with prefix."""
        n = 0
        for job in self._aps.get_jobs():
            if job.id.startswith(prefix):
                n += self.remove(job.id)
        return n

    def job_ids(self, prefix: str = "") -> list[str]:
        """Ids of stored jobs."""
        return [j.id for j in self._aps.get_jobs() if j.id.startswith(prefix)]

    def next_run(self, job_id: str) -> datetime | None:
        """When a job runs next."""
        job = self._aps.get_job(job_id)
        return job.next_run_time if job else None

    async def shutdown(self) -> None:
        """Stop running jobs and release leadership; the job store keeps every job."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._aps.running:
            self._aps.shutdown(wait=False)
        await asyncio.to_thread(self._drop_lock)
        self.is_leader = False
        self._engine.dispose()


def one_off(ref: str, job_id: str, run_at: datetime, args: tuple[Any, ...] | list[Any], grace: int | None,
            retry_seconds: int) -> dict[str, Any] | None:
    """`add_job` arguments for a one-off job kept until it has finished; None when it is already past its grace time."""
    start = max(run_at, datetime.now(UTC))  # APScheduler runs on the real clock; a past start would wait an interval
    end = None if grace is None else run_at + timedelta(seconds=grace)
    if end is not None and end < start:
        return None
    trigger = IntervalTrigger(seconds=retry_seconds, start_date=start, end_date=end, timezone=UTC)
    return {"func": RUN_ONCE, "trigger": trigger, "id": job_id, "args": [ref, job_id, start.isoformat(), *args],
            "misfire_grace_time": grace}


async def run_once(ref: str, job_id: str, stamp: str, *args: Any) -> Any:
    """Run a one-off job added with `Scheduler.add`, then remove it (a failure is not retried, as before)."""
    from apscheduler.util import ref_to_obj

    result = ref_to_obj(ref)(*args)
    try:
        if asyncio.iscoroutine(result):
            result = await result
    except Exception:
        _finished(job_id, stamp)
        raise
    _finished(job_id, stamp)  # not on cancellation (shutdown): the job stays and runs again after the restart
    return result


def _finished(job_id: str, stamp: str) -> None:
    from bot.scheduling import runtime

    with contextlib.suppress(Exception):
        sched = runtime.services().scheduler
        if sched is not None:
            sched.finished(job_id, stamp)

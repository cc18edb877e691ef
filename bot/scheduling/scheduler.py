"""APScheduler 3.11 with a SQLAlchemy job store in the app's database, run by one instance at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED
from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from bot.kernel.observers import NULL, Observer
from bot.scheduling import names
from bot.storage.db import MIGRATION_LOCK_ID, sync_url

log = logging.getLogger(__name__)
LEADER_LOCK_ID = 715_002_002
POLL_SECONDS = 1.0
RUN_ONCE = "bot.scheduling.scheduler:run_once"  # stable: stored in every one-off job (never move or rename)
RUN_NAMED = "bot.scheduling.scheduler:run_named"  # stable: stored in every recurring job


class ObservedExecutor(AsyncIOExecutor):
    """APScheduler's asyncio executor, telling an observer each job's lateness and outcome (by function, not job id)."""

    def __init__(self) -> None:
        super().__init__()
        self.observer: Observer = NULL
        self._refs: dict[str, str] = {}

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        """Remember the job's stable name and report how late it started."""
        once = job.func_ref == RUN_ONCE and len(job.args) > 2
        ref = job.args[0] if once or job.func_ref == RUN_NAMED else job.func_ref
        self._refs[job.id] = ref
        with contextlib.suppress(Exception):
            # A one-off job was due at its stamp, however often it has been repeated since (after a kill, say).
            due = datetime.fromisoformat(job.args[2]) if once else min(run_times)
            self.observer.job_started(ref, (datetime.now(UTC) - due).total_seconds())
        super()._do_submit_job(job, run_times)

    def _run_job_success(self, job_id: str, events: list[Any]) -> None:
        ref = self._refs.pop(job_id, "")
        for event in events:
            outcome = {EVENT_JOB_ERROR: "error", EVENT_JOB_MISSED: "missed"}.get(event.code, "ok")
            with contextlib.suppress(Exception):
                self.observer.job_finished(ref, outcome)
        super()._run_job_success(job_id, events)

    def _run_job_error(self, job_id: str, exc: BaseException, traceback: Any = None) -> None:
        ref = self._refs.pop(job_id, "")
        if not isinstance(exc, asyncio.CancelledError):  # cancelled = shutdown, runs again
            with contextlib.suppress(Exception):
                self.observer.job_finished(ref, "error")
        super()._run_job_error(job_id, exc, traceback)


class Scheduler:
    """Persistent jobs; only the instance holding the leader lock runs them, all may add them."""

    def __init__(self, database_url: str, timezone: str, *, misfire_grace_seconds: int = 6 * 3600,
                 retry_seconds: int = 60) -> None:
        self.grace = misfire_grace_seconds
        self.retry_seconds = retry_seconds
        self.url = sync_url(database_url)
        self.is_postgres = self.url.startswith("postgresql")
        self._engine: Engine = create_engine(self.url, pool_pre_ping=True, hide_parameters=True)
        self.executor = ObservedExecutor()
        self._store = SQLAlchemyJobStore(engine=self._engine, tablename="apscheduler_jobs")
        self._aps = AsyncIOScheduler(
            jobstores={"default": self._store},
            executors={"default": self.executor},
            job_defaults={"coalesce": True, "misfire_grace_time": misfire_grace_seconds, "max_instances": 1},
            timezone=timezone,
        )
        self.identity = f"{socket.gethostname()}:{os.getpid()}"
        self.is_leader = False
        self._lock_conn: Connection | None = None
        # Its own thread: the default pool also runs the Bot Connector's sends (blocking HTTP), and a busy pool would
        # delay a standby's take-over by as long as the sends ahead of it take.
        self._lock_thread = ThreadPoolExecutor(1, thread_name_prefix="scheduler-lock")
        self._task: asyncio.Task[None] | None = None
        self._on_lead: list[Callable[[], None]] = []

    @property
    def pool(self) -> Any:
        """The job store's connection pool (for metrics)."""
        return self._engine.pool

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
                if not self.is_leader and await self._locking(self._try_lock):
                    self.is_leader = True
                    self._aps.resume()
                    log.info("scheduler leadership acquired")
                    for hook in self._on_lead:
                        hook()
                if self.is_leader:
                    if self.is_postgres and not await self._locking(self._still_locked):
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

    def on_leadership(self, hook: Callable[[], None]) -> None:
        """Call hook each time this instance becomes leader (the delivery engine starts claiming at once)."""
        self._on_lead.append(hook)

    async def _locking(self, fn: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._lock_thread, fn)

    def _try_lock(self) -> bool:
        """Take the PostgreSQL leader lock without waiting; SQLite (one process) always leads."""
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
        """Check that the lock's connection is alive (a session lock ends with its connection)."""
        if self._lock_conn is None:
            return False
        self._lock_conn.execute(text("SELECT 1"))
        self._lock_conn.commit()
        return True

    def _drop_lock(self) -> None:
        """Give the lock up: its session is ended (closing alone would keep it, and the lock, in the pool)."""
        if self._lock_conn is not None:
            with contextlib.suppress(Exception):
                self._lock_conn.invalidate()
            with contextlib.suppress(Exception):
                self._lock_conn.close()
            self._lock_conn = None

    def add(self, name: str, job_id: str, run_at: datetime, args: tuple[Any, ...] = (), **kwargs: Any) -> None:
        """Schedule a job (by its name in bot.scheduling.names) once, replacing a job of the same id.

        The job stays in the store until it has finished (APScheduler drops a one-off job as soon as it starts):
        it repeats every `retry_seconds` until `run_once` removes it, so a process killed mid-job runs it again
        after a restart. Jobs are idempotent (their messages are outbox rows with idempotency keys).
        """
        grace = kwargs.pop("misfire_grace_time", self.grace)
        spec = one_off(names.canonical(name), job_id, run_at, args, grace, self.retry_seconds)
        if spec is None:
            self.remove(job_id)  # too late to run at all (what a misfired one-off job would do)
            return
        self._aps.add_job(**spec, replace_existing=True, **kwargs)

    def finished(self, job_id: str, stamp: str) -> None:
        """Remove a one-off job after its run, unless it was replaced meanwhile (a new run time)."""
        job = self._aps.get_job(job_id)
        if job is not None and job.func_ref == RUN_ONCE and len(job.args) > 2 and job.args[2] == stamp:
            self.remove(job_id)

    def add_cron(self, name: str, job_id: str, **trigger: Any) -> None:
        """A job (by its name in bot.scheduling.names) on a cron schedule in the bot's time zone."""
        self._aps.add_job(RUN_NAMED, "cron", args=[names.canonical(name)], id=job_id, replace_existing=True, **trigger)

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

    async def resign(self) -> None:
        """Stop running jobs here and release the leader lock now (shutdown begins): another instance takes over at
        its next check. Jobs can still be added (they go to the shared store); jobs under way finish or run again."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._aps.running:
            self._aps.pause()
        await self._locking(self._drop_lock)
        if self.is_leader:
            log.info("scheduler leadership released")
        self.is_leader = False

    async def shutdown(self) -> None:
        """Stop running jobs and release leadership; the job store keeps every job."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._aps.running:
            self._aps.shutdown(wait=False)
        await self._locking(self._drop_lock)
        self.is_leader = False
        self._lock_thread.shutdown(wait=False)
        self._engine.dispose()


def one_off(name: str, job_id: str, run_at: datetime, args: tuple[Any, ...] | list[Any], grace: int | None,
            retry_seconds: int) -> dict[str, Any] | None:
    """`add_job` arguments for a one-off job kept until it has finished; None when it is already past its grace time."""
    start = max(run_at, datetime.now(UTC))  # APScheduler runs on the real clock; a past start would wait an interval
    end = None if grace is None else run_at + timedelta(seconds=grace)
    if end is not None and end < start:
        return None
    trigger = IntervalTrigger(seconds=retry_seconds, start_date=start, end_date=end, timezone=UTC)
    # next_run_time: the interval trigger alone would first fire one interval after a start that is already
    # (microseconds) past when the job is stored, so a job due now ran `retry_seconds` late.
    return {"func": RUN_ONCE, "trigger": trigger, "id": job_id, "args": [name, job_id, start.isoformat(), *args],
            "misfire_grace_time": grace, "next_run_time": start}


async def run_named(name: str, *args: Any) -> Any:
    """Run a recurring job by its name."""
    result = names.resolve(name)(*args)
    return (await result) if asyncio.iscoroutine(result) else result


async def run_once(name: str, job_id: str, stamp: str, *args: Any) -> Any:
    """Run a one-off job added with `Scheduler.add`, then remove it (a failure is not retried, as before)."""
    result = names.resolve(name)(*args)
    try:
        if asyncio.iscoroutine(result):
            result = await result
    except Exception:
        _finished(job_id, stamp)
        raise
    _finished(job_id, stamp)  # not on cancellation (shutdown): the job stays and runs again after the restart
    return result


def _finished(job_id: str, stamp: str) -> None:
    """Remove the one-off job that just ran, through this process's scheduler (errors ignored: the job itself succeeded)."""
    from bot.scheduling import runtime

    with contextlib.suppress(Exception):
        sched = runtime.services().scheduler
        if sched is not None:
            sched.finished(job_id, stamp)

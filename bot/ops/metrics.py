"""Every Prometheus metric of the bot, in one registry per app (tests run several apps in one process)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot import __version__
from bot.scheduling import names

log = logging.getLogger(__name__)
PREFIX = "faggruppe_"
OTHER = "other"  # the label value of anything outside a bounded set (unknown verbs, foreign job functions)
ACTIVITY_KINDS = ("message", "invoke", "conversationUpdate", "installationUpdate")
TARGETS = ("connector", "graph")
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0)
LATENESS_BUCKETS = (0.5, 1.0, 2.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0, 6 * 3600.0)


def job_name(ref: str) -> str:
    """A job's label: its stable name ('poll.remind', bot.scheduling.names); bounded by the code."""
    try:
        return names.canonical(ref)
    except KeyError:
        return OTHER


class Metrics:
    """The bot's metrics and the calls that record them; gauges read from the database are filled at scrape time."""

    def __init__(self) -> None:
        """Register every metric in a registry of its own (not the global default one)."""
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry

        def counter(name: str, doc: str, labels: Iterable[str] = ()) -> Counter:
            """A counter in this registry, named with the prefix."""
            return Counter(PREFIX + name, doc, list(labels), registry=r)

        def gauge(name: str, doc: str, labels: Iterable[str] = ()) -> Gauge:
            """A gauge in this registry, named with the prefix."""
            return Gauge(PREFIX + name, doc, list(labels), registry=r)

        self.build_info = gauge("build_info", "The running version (always 1).", ["version"])
        self.build_info.labels(__version__).set(1)
        self.activity_seconds = Histogram(
            PREFIX + "activity_duration_seconds", "Time to answer one activity on /api/messages, by activity kind and "
            "command word or card verb (verbs the router does not know are 'other').", ["kind", "action"],
            buckets=LATENCY_BUCKETS, registry=r)
        self.turn_errors = counter("turn_errors_total", "Turns that failed: unhandled errors, replies the connector refused, "
                                   "5xx answers.", ["reason"])
        self.outbox_items = gauge("outbox_items", "Outbox deliveries not yet settled, by state (pending includes not yet "
                                  "due; due is pending and due now).", ["state"])
        self.outbox_oldest_age = gauge("outbox_oldest_age_seconds", "Seconds the oldest due, unsent delivery has been due "
                                       "(0 when none is waiting).")
        self.deliveries = counter("deliveries_total", "Outbox delivery attempts by outcome (sent, retry, failed).",
                                  ["outcome"])
        self.delivery_inflight = gauge("delivery_inflight", "Sends this instance has under way.")
        self.throttled = counter("throttled_total", "429 answers, by target (connector = Bot Connector, graph = "
                                 "Microsoft Graph).", ["target"])
        self.retries = counter("retries_total", "Requests repeated after a failure, by target.", ["target"])
        self.job_lateness = Histogram(
            PREFIX + "job_lateness_seconds", "Seconds between a job's scheduled time and its start (reminders included).",
            ["job"], buckets=LATENESS_BUCKETS, registry=r)
        self.job_runs = counter("job_runs_total", "Scheduled job runs that finished, by job function.", ["job"])
        self.job_failures = counter("job_failures_total", "Scheduled job runs that raised, by job function.", ["job"])
        self.job_missed = counter("job_missed_total", "Scheduled runs skipped as past their grace time.", ["job"])
        self.graph_seconds = Histogram(
            PREFIX + "graph_request_duration_seconds", "Time of one Graph operation, retries included, by operation.",
            ["op"], buckets=LATENCY_BUCKETS, registry=r)
        self.graph_errors = counter("graph_errors_total", "Graph operations that failed, by operation and error kind "
                                    "(unavailable, permission, not_found, invalid).", ["op", "kind"])
        self.db_up = gauge("database_up", "1 when the database answered the scrape's queries.")
        self.db_pool = gauge("db_pool_connections", "Database pool connections by pool (app, scheduler) and state "
                             "(in_use, idle).", ["pool", "state"])
        self.db_pool_capacity = gauge("db_pool_capacity", "Connections a pool may open (size plus overflow).", ["pool"])
        self.scheduler_leader = gauge("scheduler_leader", "1 on the instance that runs the scheduled jobs.")
        for target in TARGETS:  # present from the start, so rate() and alerts see a zero before the first event
            self.throttled.labels(target)
            self.retries.labels(target)
        for outcome in ("sent", "retry", "failed"):
            self.deliveries.labels(outcome)

    # -- recording ---------------------------------------------------------------------------------
    def activity(self, kind: str, action: str, seconds: float) -> None:
        """One activity answered (labels already bounded by the caller)."""
        self.activity_seconds.labels(kind, action).observe(seconds)

    def turn_error(self, reason: str) -> None:
        """A turn failed."""
        self.turn_errors.labels(reason).inc()

    def delivery(self, outcome: str) -> None:
        """One outbox delivery attempt settled."""
        self.deliveries.labels(outcome if outcome in ("sent", "retry", "failed") else OTHER).inc()

    def throttle(self, target: str) -> None:
        """A 429 from a target."""
        self.throttled.labels(target).inc()

    def retry(self, target: str) -> None:
        """A request to a target is repeated."""
        self.retries.labels(target).inc()

    def job_started(self, ref: str, lateness: float) -> None:
        """A scheduled job started `lateness` seconds after its scheduled time."""
        self.job_lateness.labels(job_name(ref)).observe(max(0.0, lateness))

    def job_finished(self, ref: str, outcome: str) -> None:
        """A scheduled job ended: 'ok', 'error' or 'missed'."""
        name = job_name(ref)
        {"ok": self.job_runs, "error": self.job_failures, "missed": self.job_missed}.get(outcome, self.job_runs) \
            .labels(name).inc()

    def graph_call(self, op: str, seconds: float, error_kind: str | None) -> None:
        """One Graph operation finished (error_kind None on success)."""
        self.graph_seconds.labels(op).observe(seconds)
        if error_kind is not None:
            self.graph_errors.labels(op, error_kind).inc()

    def graph_attempt(self, status: int, retried: bool) -> None:
        """One HTTP exchange with Graph (each retry is one)."""
        if status == 429:
            self.throttle("graph")
        if retried:
            self.retry("graph")

    # -- scrape ------------------------------------------------------------------------------------
    async def collect(self, services: Any) -> None:
        """Fill the gauges that are read at scrape time (outbox from the database, pools, leadership)."""
        if services is None:
            return
        try:
            stats = await services.outbox.stats(services.clock.now())
            self.db_up.set(1)
        except Exception:
            log.warning("metrics: outbox query failed", exc_info=True)
            self.db_up.set(0)
        else:
            for state in ("pending", "due", "sending"):
                self.outbox_items.labels(state).set(stats.counts.get(state, 0))
            self.outbox_oldest_age.set(stats.oldest_due_age)
        self._pool("app", getattr(services.db.engine, "pool", None))
        sched = services.scheduler
        self.scheduler_leader.set(1 if sched is not None and sched.is_leader else 0)
        if sched is not None:
            self._pool("scheduler", sched.pool)
        engine = services.delivery
        self.delivery_inflight.set(getattr(engine, "inflight", 0))

    def _pool(self, name: str, pool: Any) -> None:
        """Pool figures where the pool keeps them (SQLAlchemy's QueuePool family)."""
        try:
            in_use, idle, size = int(pool.checkedout()), int(pool.checkedin()), int(pool.size())
        except Exception:
            return  # pools without counters (NullPool, StaticPool)
        self.db_pool.labels(name, "in_use").set(in_use)
        self.db_pool.labels(name, "idle").set(idle)
        self.db_pool_capacity.labels(name).set(size + max(0, int(getattr(pool, "_max_overflow", 0))))

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)

    def names(self) -> set[str]:
        """Every metric name as it appears on /metrics (histogram and counter suffixes included)."""
        suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created")}
        out: set[str] = set()
        for family in self.registry.collect():  # labelled series without samples yet are named by their type
            out.add(family.name)
            out.update(family.name + suffix for suffix in suffixes.get(family.type, ()))
        return out


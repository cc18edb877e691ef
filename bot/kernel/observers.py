"""What the engine, the scheduler and the Graph client report to (bot.ops.metrics.Metrics, or nothing)."""

from __future__ import annotations

from typing import Protocol


class Observer(Protocol):
    """Events worth counting; implemented by bot.ops.metrics.Metrics.

    delivery: a delivery attempt ended with `outcome`. throttle, retry: a call to `target` was throttled, is
    retried. job_started, job_finished: a scheduled job started `lateness` seconds after its planned time, ended
    with `outcome`. graph_call: one Graph operation took `seconds` (`error_kind` None when it succeeded).
    graph_attempt: one HTTP attempt to Graph answered `status` (`retried`: it repeated an earlier attempt).
    """

    def delivery(self, outcome: str) -> None: ...

    def throttle(self, target: str) -> None: ...

    def retry(self, target: str) -> None: ...

    def job_started(self, ref: str, lateness: float) -> None: ...

    def job_finished(self, ref: str, outcome: str) -> None: ...

    def graph_call(self, op: str, seconds: float, error_kind: str | None) -> None: ...

    def graph_attempt(self, status: int, retried: bool) -> None: ...


class NullObserver:
    """Counts nothing (the default until the app wires its metrics in)."""

    def delivery(self, outcome: str) -> None:
        """Nothing."""

    def throttle(self, target: str) -> None:
        """Nothing."""

    def retry(self, target: str) -> None:
        """Nothing."""

    def job_started(self, ref: str, lateness: float) -> None:
        """Nothing."""

    def job_finished(self, ref: str, outcome: str) -> None:
        """Nothing."""

    def graph_call(self, op: str, seconds: float, error_kind: str | None) -> None:
        """Nothing."""

    def graph_attempt(self, status: int, retried: bool) -> None:
        """Nothing."""


NULL = NullObserver()

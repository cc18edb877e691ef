"""What the engine, the scheduler and the Graph client report to (bot.ops.metrics.Metrics, or nothing)."""

from __future__ import annotations

from typing import Protocol


class Observer(Protocol):
    """Events worth counting; implemented by bot.ops.metrics.Metrics."""

    def delivery(self, outcome: str) -> None:
        """A delivery attempt ended with `outcome`."""

    def throttle(self, target: str) -> None:
        """A call to `target` was throttled."""

    def retry(self, target: str) -> None:
        """A call to `target` is being retried."""

    def job_started(self, ref: str, lateness: float) -> None:
        """A scheduled job started `lateness` seconds after its planned time."""

    def job_finished(self, ref: str, outcome: str) -> None:
        """A scheduled job ended with `outcome`."""

    def graph_call(self, op: str, seconds: float, error_kind: str | None) -> None:
        """A Graph operation took `seconds` and failed with `error_kind` (None: it succeeded)."""

    def graph_attempt(self, status: int, retried: bool) -> None:
        """One HTTP attempt to Graph answered `status`."""


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

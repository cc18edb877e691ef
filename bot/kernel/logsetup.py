"""Logging: plain text by default, one JSON object per line with LOG_FORMAT=json."""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# The id of the activity whose turn is running: every log line of the turn carries it as correlation_id.
correlation_id: ContextVar[str] = ContextVar("correlation_id", default="")
_UNSAFE = re.compile(r"[^A-Za-z0-9:._|@+/=-]")


def bind_correlation(value: object) -> None:
    """Tag the log lines of the current request with this id (sent by the client: cleaned and shortened)."""
    correlation_id.set(_UNSAFE.sub("", value)[:80] if isinstance(value, str) else "")


class CorrelationFilter(logging.Filter):
    """Adds correlation_id to records logged while a turn runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Stamp the record with the current correlation id (never filters anything out)."""
        cid = correlation_id.get()
        if cid and not hasattr(record, "correlation_id"):
            record.correlation_id = cid
        return True


class JsonFormatter(logging.Formatter):
    """Structured log lines; extra fields given with `extra=` are included."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line."""
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines with the extra fields appended as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as text, with its extra fields appended as key=value."""
        base = super().format(record)
        extra = {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
        if extra:
            base += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        return base


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Configure the root logger once."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(CorrelationFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Third-party loggers that would print request bodies or tokens at INFO.
    # The Agents SDK logs every send with its conversation and activity ids at INFO.
    for noisy in ("msal", "azure", "httpx", "msrest", "aiohttp.access", "apscheduler", "urllib3", "microsoft_agents"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

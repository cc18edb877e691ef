"""How a failed send is read: HTTP status, Retry-After and error code, and how long to wait before the next try."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from typing import Any

import aiohttp

RETRYABLE = {408, 412, 429, 500, 502, 503, 504}
DEAD = {403, 404}


class SendError(Exception):
    """A send failed with an HTTP status (0 for network errors) and an optional Retry-After."""

    def __init__(self, status: int, message: str, retry_after: float | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.code = code


def http_error(status: int, headers: Any, body: str) -> SendError:
    """A connector's HTTP error as SendError (status, Retry-After, the error code of its JSON body)."""
    retry_after = None
    raw = headers.get("Retry-After") if headers else None
    with contextlib.suppress(TypeError, ValueError):
        retry_after = float(raw) if raw else None
    code = ""
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        code = str(((json.loads(body) or {}).get("error") or {}).get("code") or "")
    return SendError(status, f"ClientResponseError {status}", retry_after, code)


def classify(exc: BaseException) -> SendError:
    """Turn a connector exception into status / Retry-After / error code."""
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ClientError, ConnectionError, OSError)):
        return SendError(0, type(exc).__name__)
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None) or 0
    headers = getattr(response, "headers", None) or {}
    retry_after = None
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    if raw:
        with contextlib.suppress(ValueError):
            retry_after = float(raw)
    code = ""
    err = getattr(exc, "error", None)
    inner = getattr(err, "error", None)
    if inner is not None:
        code = getattr(inner, "code", "") or ""
    return SendError(int(status), f"{type(exc).__name__} {status}", retry_after, code)


def backoff(attempt: int, retry_after: float | None) -> float:
    """Retry-After when given, else exponential backoff with full jitter (capped)."""
    if retry_after is not None:
        return max(0.0, min(retry_after, 300.0))
    return random.uniform(0.5, min(60.0, 0.5 * 2 ** attempt))

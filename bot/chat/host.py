"""What the HTTP edge needs from a chat host: parse an activity, process it, answer; plus its messenger and sender."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.chat import telemetry
from bot.chat.messenger import Messenger
from bot.delivery.engine import Sender

log = logging.getLogger("bot.http")


class BadActivity(ValueError):
    """The body is JSON but not an activity the host can read (fields of the wrong types)."""


@dataclass(frozen=True)
class HttpAnswer:
    """The HTTP answer to one activity: a status, and a JSON body when `json` is set."""

    status: int
    body: Any = None
    json: bool = False


@dataclass(frozen=True)
class Parsed:
    """An activity as the host's SDK reads it, and its JSON (who, where and what are read from the JSON)."""

    activity: Any
    raw: dict[str, Any]


def parse_with(read: Callable[[dict[str, Any]], Any], payload: dict[str, Any]) -> Parsed:
    """The payload read by the SDK's `read`; BadActivity when its fields have the wrong types."""
    try:
        return Parsed(read(payload), payload)
    except Exception as exc:
        raise BadActivity(type(exc).__name__) from None


async def run_activity(authenticate: Callable[[], Awaitable[Any]], unauthorized: type[Exception],
                       run: Callable[[Any], Awaitable[tuple[int, Any] | None]]) -> HttpAnswer:
    """Authenticate (401 when `unauthorized` is raised), then run the turn: 201, or the invoke response's status and body."""
    try:
        claims = await authenticate()
    except unauthorized:
        telemetry.set_outcome("unauthorized")
        return HttpAnswer(401, {"error": "unauthorized"}, json=True)
    try:
        invoke = await run(claims)
    except Exception:
        # The turn-error handler already answers errors inside the turn; this is the adapter itself failing.
        log.exception("activity processing failed")
        telemetry.set_outcome("error")
        return HttpAnswer(200)
    if invoke is None:
        return HttpAnswer(201)
    return HttpAnswer(invoke[0], invoke[1], json=True)


class Host(Protocol):
    """A chat SDK behind /api/messages (bot.hosts.*): turns activities into Turns and sends what handlers answer."""

    messenger: Messenger
    sender: Sender

    def parse(self, payload: dict[str, Any]) -> Any:
        """The SDK's activity for a JSON body; raises BadActivity."""
        ...

    async def process(self, activity: Any, authorization: str | None) -> HttpAnswer:
        """Authenticate and handle one activity."""
        ...

    async def close(self) -> None:
        """Release connections (on shutdown)."""
        ...

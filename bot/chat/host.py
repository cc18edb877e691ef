"""What the HTTP edge needs from a chat host: parse an activity, process it, answer; plus its messenger and sender."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.chat.messenger import Messenger
from bot.delivery.engine import Sender


class BadActivity(ValueError):
    """The body is JSON but not an activity the host can read (fields of the wrong types)."""


@dataclass(frozen=True)
class HttpAnswer:
    """The HTTP answer to one activity: a status, and a JSON body when `json` is set."""

    status: int
    body: Any = None
    json: bool = False


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

"""The host port for messages: what a host must do to send, update, read a roster and open a personal chat."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bot.chat.reply import Reply

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Member:
    """A conversation member: channel id (29:...), AAD object id, display name, UPN and e-mail (lower case), tenant."""

    id: str
    aad_object_id: str
    name: str
    upn: str = ""
    email: str = ""
    tenant: str = ""


@dataclass(frozen=True)
class PersonalChat:
    """A 1:1 chat the host just opened with the actor: its id and the reference to reach it later."""

    id: str
    reference: dict[str, Any]
    tenant_id: str
    service_url: str


class Messenger(Protocol):
    """Proactive messaging in a stored conversation (by id). Errors of the channel propagate (see delivery.send_errors)."""

    async def send(self, conversation_id: str, reply: Reply) -> str:
        """Post a new message; returns its activity id."""
        ...

    async def update(self, conversation_id: str, activity_id: str, reply: Reply) -> None:
        """Replace a message the bot posted earlier."""
        ...

    async def members(self, conversation_id: str) -> list[Member]:
        """Every member of the chat (for a channel: its team), all pages: the one roster reader."""
        ...


class TurnMessenger(Protocol):
    """Messaging bound to the conversation of the turn being handled (answers go in reply to the activity)."""

    async def send(self, reply: Reply) -> str | None:
        """Answer in this conversation; returns the new message's activity id."""
        ...

    async def update(self, activity_id: str, reply: Reply) -> None:
        """Replace a message the bot posted earlier in this conversation."""
        ...

    async def member(self, channel_user_id: str) -> Member | None:
        """One member of this conversation; None when the channel does not know them (or cannot be asked)."""
        ...

    async def open_personal_chat(self) -> PersonalChat | None:
        """Open a 1:1 chat with the turn's actor; None when the channel cannot."""
        ...


async def roster(services: Services, conversation_id: str) -> list[Member]:
    """The members of a conversation, [] when there is no host or the channel cannot tell (logged)."""
    if services.messenger is None:
        return []
    try:
        return await services.messenger.members(conversation_id)
    except Exception as exc:
        log.warning("could not read conversation members: %s", type(exc).__name__, exc_info=exc)
        return []

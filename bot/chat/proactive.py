"""What both hosts' messengers share: proactive turns in a stored conversation (send, update, roster).

A host gives the SDK calls: how to start a proactive turn (`_start`), and how to send, update and read the roster in
one; errors raised inside the turn reach the caller (the delivery engine reads them), never the host's turn-error
handler (that would post an apology).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from bot.chat import wire
from bot.chat.messenger import Member
from bot.chat.reply import Reply
from bot.storage.conversations import ConversationRepo

Callback = Callable[[Any], Awaitable[None]]


def _present(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None}


def personal_chat_request(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The connector's createConversation parameters (JSON) for a 1:1 chat with the sender of this activity; None when
    the activity lacks the sender, the service URL or the bot."""
    _, _, channel_user = wire.actor_ids(raw)
    tenant = wire.tenant_of(raw)
    recipient = raw.get("recipient")
    if not channel_user or not raw.get("serviceUrl") or not isinstance(recipient, dict):
        return None
    return _present({"isGroup": False, "bot": _present({"id": recipient.get("id"), "name": recipient.get("name")}),
                     "members": [{"id": channel_user}], "tenantId": tenant or None,
                     "channelData": {"tenant": {"id": tenant}} if tenant else None})


def personal_chat_reference(raw: dict[str, Any], request: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    """The conversation reference (JSON) of the 1:1 chat the connector created for `request`."""
    _, aad, channel_user = wire.actor_ids(raw)
    tenant = wire.tenant_of(raw)
    return {"user": _present({"id": channel_user, "aadObjectId": aad or None}), "bot": request["bot"],
            "channelId": raw.get("channelId") or "msteams", "serviceUrl": raw["serviceUrl"],
            "conversation": _present({"id": conversation_id, "conversationType": "personal", "tenantId": tenant or None})}


class ProactiveMessenger:
    """bot.chat.messenger.Messenger over a host's proactive turns (`turn` below is the SDK's turn context)."""

    conversations: ConversationRepo

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        """How the SDK's errors are raised (as they are, unless the host maps them)."""
        return contextlib.nullcontext()

    async def _start(self, reference: dict[str, Any], callback: Callback) -> None:
        raise NotImplementedError

    async def _send(self, turn: Any, reply: Reply) -> str:
        raise NotImplementedError

    async def _update(self, turn: Any, activity_id: str, reply: Reply) -> None:
        raise NotImplementedError

    async def _members(self, turn: Any) -> list[Member]:
        raise NotImplementedError

    async def _post(self, reference: dict[str, Any], activity: Any, update_id: str | None) -> str:
        """Send an outbox activity (or replace the message `update_id`, the activity carrying that id) in a proactive
        turn; the id of the message, as the delivery engine records it."""

        async def post(turn: Any) -> str:
            if update_id:
                await turn.update_activity(activity)
                return str(update_id)
            res = await turn.send_activity(activity)
            return (res.id if res else "") or ""

        return str(await self._continue(reference, post) or "")

    async def _continue(self, reference: dict[str, Any], fn: Callable[[Any], Awaitable[Any]]) -> Any:
        """Run fn in a proactive turn of the conversation; exceptions from fn propagate."""
        result: dict[str, Any] = {}

        async def callback(turn: Any) -> None:
            try:
                with self._errors():
                    result["value"] = await fn(turn)
            except Exception as exc:
                result["error"] = exc

        with self._errors():
            await self._start(reference, callback)
        if "error" in result:
            raise result["error"]
        return result.get("value")

    async def _reference(self, conversation_id: str) -> dict[str, Any]:
        conv = await self.conversations.get(conversation_id)
        if conv is None:
            raise LookupError("unknown conversation")
        return conv.reference

    async def send(self, conversation_id: str, reply: Reply) -> str:
        """Post a new message in a stored conversation."""
        return str(await self._continue(await self._reference(conversation_id), lambda turn: self._send(turn, reply)) or "")

    async def update(self, conversation_id: str, activity_id: str, reply: Reply) -> None:
        """Replace a message the bot posted in a stored conversation."""
        await self._continue(await self._reference(conversation_id), lambda turn: self._update(turn, activity_id, reply))

    async def members(self, conversation_id: str) -> list[Member]:
        """The conversation's roster from the connector (all pages)."""
        return await self._continue(await self._reference(conversation_id), self._members)

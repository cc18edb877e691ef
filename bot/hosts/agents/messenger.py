"""The chat port's messaging over the Agents SDK: replies in a turn, proactive sends and updates, rosters, personal chats.

Connector failures surface as aiohttp.ClientResponseError (status, headers, body); they are raised as the delivery
engine's SendError (status, Retry-After, error code) so 429/412/5xx retries and dead 403/404 conversations are read
exactly as with botbuilder.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.chat import wire
from bot.chat.messenger import Member, PersonalChat
from bot.chat.proactive import ProactiveMessenger, personal_chat_reference, personal_chat_request
from bot.chat.reply import Reply
from bot.delivery.send_errors import SendError, http_error
from bot.storage.conversations import ConversationRepo
from cards.common import attachment

PAGE_SIZE = 500  # the most Teams gives per page
MAX_PAGES = 50


def send_error(exc: aiohttp.ClientResponseError) -> SendError:
    """The SDK's ClientResponseError (its message is the response body) as SendError."""
    return http_error(exc.status, exc.headers, exc.message)


@contextlib.contextmanager
def connector_errors() -> Iterator[None]:
    """Raise the connector's HTTP errors as SendError."""
    try:
        yield
    except aiohttp.ClientResponseError as exc:
        raise send_error(exc) from None


class SharedCard(dict):  # type: ignore[type-arg]
    """A card's JSON, shared instead of copied: the SDK deep-copies every activity it sends (TurnContext.send_activities),
    so each reply copied its whole card; a card is built for one send and never changed afterwards."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedCard:
        return self


def shared_cards(attachments: Any) -> Any:
    """Attachments with their card contents shared (anything else as it is)."""
    if not isinstance(attachments, list):
        return attachments
    return [{**a, "content": SharedCard(a["content"])} if isinstance(a, dict) and isinstance(a.get("content"), dict) else a
            for a in attachments]


def activity_json(reply: Reply) -> dict[str, Any]:
    """A Reply as message activity JSON, with mention entities when it names people."""
    if reply.card is not None:
        act: dict[str, Any] = {"type": "message", "attachments": shared_cards([attachment(reply.card)])}
        if reply.text:
            act["text"] = reply.text
        return act
    act = {"type": "message", "text": reply.text or ""}
    if reply.mentions:
        act["entities"] = [{"type": "mention", "mentioned": {"id": uid, "name": name}, "text": f"<at>{name}</at>"}
                           for uid, name in reply.mentions]
    return act


def to_activity(reply: Reply, activity_id: str | None = None) -> Activity:
    """A Reply as an SDK activity (with an id to update an earlier message)."""
    data = activity_json(reply)
    if activity_id:
        data["id"] = activity_id
    return Activity.model_validate(data)


def member_of(account: Any) -> Member:
    """A roster entry (its JSON) as a chat Member."""
    data = account.model_dump(by_alias=True, exclude_none=True) if hasattr(account, "model_dump") else account
    text = lambda key: data.get(key) if isinstance(data.get(key), str) else ""  # noqa: E731
    upn = text("userPrincipalName")
    return Member(id=text("id"), aad_object_id=text("aadObjectId"), name=text("name"), upn=upn.lower(),
                  email=(text("email") or upn).lower(), tenant=text("tenantId"))


def connector_of(turn: TurnContext) -> ConnectorClientBase:
    """The connector client the adapter made for this turn."""
    return turn.turn_state[ChannelServiceAdapter._AGENT_CONNECTOR_CLIENT_KEY]  # type: ignore[return-value]


async def paged_members(turn: TurnContext) -> list[Member]:
    """Every member of the turn's conversation, page by page.

    Read as JSON over the connector client's session: the SDK's PagedMembersResult refuses the `continuationToken:
    null` the connector sends on a last page."""
    out: list[Member] = []
    token = None
    session = connector_of(turn).client  # type: ignore[attr-defined]
    url = f"v3/conversations/{turn.activity.conversation.id}/pagedmembers"
    for _ in range(MAX_PAGES):
        params = {"pageSize": str(PAGE_SIZE), **({"continuationToken": token} if token else {})}
        async with session.get(url, params=params) as res:
            if res.status != 200:
                raise http_error(res.status, res.headers, await res.text())
            page = await res.json(content_type=None)
        out.extend(member_of(m) for m in (page.get("members") or []) if isinstance(m, dict))
        token = page.get("continuationToken")
        if not token:
            break
    return out


class AgentsMessenger(ProactiveMessenger):
    """bot.chat.messenger.Messenger and bot.delivery.engine.Sender over the SDK's continue_conversation."""

    def __init__(self, adapter: ChannelServiceAdapter, conversations: ConversationRepo, app_id: str) -> None:
        self.adapter = adapter
        self.conversations = conversations
        self.app_id = app_id or ""

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        return connector_errors()

    async def _start(self, reference: dict[str, Any], callback: Callable[[TurnContext], Awaitable[None]]) -> None:
        continuation = ConversationReference.model_validate(reference).get_continuation_activity()
        await self.adapter.continue_conversation(self.app_id, continuation, callback)

    async def _send(self, turn: TurnContext, reply: Reply) -> str:
        res = await turn.send_activity(to_activity(reply))
        return (res.id if res else "") or ""

    async def _update(self, turn: TurnContext, activity_id: str, reply: Reply) -> None:
        await turn.update_activity(to_activity(reply, activity_id))

    async def _members(self, turn: TurnContext) -> list[Member]:
        return await paged_members(turn)

    async def deliver(self, reference: dict[str, Any], payload: dict[str, Any]) -> str:
        """Send (or update) an outbox payload's activity; returns the activity id."""
        data = dict(payload["activity"])
        if "attachments" in data:
            data["attachments"] = shared_cards(data["attachments"])
        update_id = payload.get("update_activity_id")
        if update_id:
            data["id"] = update_id
        return await self._post(reference, Activity.model_validate(data), update_id)


class TurnReplies:
    """bot.chat.messenger.TurnMessenger for one Agents SDK turn (raw: the activity's JSON)."""

    def __init__(self, turn: TurnContext, raw: dict[str, Any], app_id: str) -> None:
        self.turn = turn
        self.raw = raw
        self.app_id = app_id or ""

    async def send(self, reply: Reply) -> str | None:
        with connector_errors():
            res = await self.turn.send_activity(to_activity(reply))
        return res.id if res else None

    async def update(self, activity_id: str, reply: Reply) -> None:
        with connector_errors():
            await self.turn.update_activity(to_activity(reply, activity_id))

    async def member(self, channel_user_id: str) -> Member | None:
        try:
            conversations = connector_of(self.turn).conversations
            return member_of(await conversations.get_conversation_member(self.turn.activity.conversation.id,
                                                                        channel_user_id))
        except Exception:
            return None

    async def open_personal_chat(self) -> PersonalChat | None:
        """Ask the connector for a 1:1 conversation with the sender of this turn."""
        request = personal_chat_request(self.raw)
        if request is None:
            return None
        created: dict[str, str] = {}

        async def remember(new_turn: TurnContext) -> None:
            created["id"] = new_turn.activity.conversation.id

        a = self.turn.activity
        adapter: ChannelServiceAdapter = self.turn.adapter  # type: ignore[assignment]
        with connector_errors():
            await adapter.create_conversation(self.app_id, a.channel_id or "msteams", a.service_url,
                                              "https://api.botframework.com",
                                              ConversationParameters.model_validate(request), remember)
        if not created.get("id"):
            return None
        reference = personal_chat_reference(self.raw, request, created["id"])
        return PersonalChat(id=created["id"], reference=reference, tenant_id=wire.tenant_of(self.raw),
                            service_url=a.service_url)

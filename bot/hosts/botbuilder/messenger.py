"""The chat port's messaging over botbuilder: replies in a turn, proactive sends and updates, rosters, personal chats."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
    Entity,
    Mention,
)

from bot.chat import wire
from bot.chat.messenger import Member, PersonalChat
from bot.chat.proactive import ProactiveMessenger, personal_chat_reference, personal_chat_request
from bot.chat.reply import Reply
from bot.storage.conversations import ConversationRepo
from cards.common import attachment

PAGE_SIZE = 500  # the most Teams gives per page
MAX_PAGES = 50


def to_activity(reply: Reply) -> Activity:
    """A Reply as a message activity, with mention entities when it names people."""
    if reply.card is not None:
        act = MessageFactory.attachment(attachment(reply.card))
        if reply.text:
            act.text = reply.text
        return act
    act = MessageFactory.text(reply.text or "")
    if reply.mentions:
        act.entities = [
            Mention(mentioned=ChannelAccount(id=uid, name=name), text=f"<at>{name}</at>", type="mention")
            for uid, name in reply.mentions
        ]
    return act


def _update(activity_id: str, reply: Reply) -> Activity:
    act = to_activity(reply)
    act.id = activity_id
    return act


def member_of(account: Any) -> Member:
    """A roster entry (TeamsChannelAccount) as a chat Member."""
    name = getattr(account, "name", None) or ""
    upn = getattr(account, "user_principal_name", None) or ""
    email = getattr(account, "email", None) or upn
    tenant = getattr(account, "tenant_id", None) or ""
    return Member(id=getattr(account, "id", None) or "", aad_object_id=getattr(account, "aad_object_id", None) or "",
                  name=name if isinstance(name, str) else "", upn=upn.lower() if isinstance(upn, str) else "",
                  email=email.lower() if isinstance(email, str) else "", tenant=tenant if isinstance(tenant, str) else "")


async def paged_members(turn: TurnContext) -> list[Member]:
    """Every member of the turn's conversation, page by page."""
    out: list[Member] = []
    token = None
    # A continued turn has no channel data; TeamsInfo needs a mapping (and then asks for this conversation's own
    # roster: a chat's members, or for a channel id the team's members).
    turn.activity.channel_data = turn.activity.channel_data or {}
    for _ in range(MAX_PAGES):
        page = await TeamsInfo.get_paged_members(turn, token, PAGE_SIZE)
        out.extend(member_of(m) for m in page.members or [])
        token = page.continuation_token
        if not token:
            break
    return out


def tenant_id_key(value: dict[str, Any]) -> dict[str, Any]:
    """The JSON with its tenant under `tenantID`: botbuilder's models read and write it so (the connector says tenantId)."""
    out = dict(value)
    if "tenantId" in out:
        out["tenantID"] = out.pop("tenantId")
    return out


def outgoing(payload: dict[str, Any]) -> Activity:
    """An outbox payload's activity (mention entities kept whole)."""
    activity = Activity().deserialize(payload["activity"])
    raw_entities = payload["activity"].get("entities") or []
    if any(isinstance(e, dict) and e.get("type") == "mention" for e in raw_entities):
        # Entity keeps only `type` when deserialised; mentions need their `mentioned` and `text`.
        activity.entities = [Mention().deserialize(e) if e.get("type") == "mention" else Entity().deserialize(e)
                             for e in raw_entities if isinstance(e, dict)]
    return activity


class BotbuilderMessenger(ProactiveMessenger):
    """bot.chat.messenger.Messenger and bot.delivery.engine.Sender over CloudAdapter.continue_conversation."""

    def __init__(self, adapter: CloudAdapter, conversations: ConversationRepo, app_id: str) -> None:
        self.adapter = adapter
        self.conversations = conversations
        self.app_id = app_id or None

    async def _start(self, reference: dict[str, Any], callback: Callable[[TurnContext], Awaitable[None]]) -> None:
        # Errors are caught in the callback: the adapter's on_turn_error would otherwise swallow them and apologise.
        await self.adapter.continue_conversation(ConversationReference().deserialize(reference), callback, self.app_id)

    async def _send(self, turn: TurnContext, reply: Reply) -> str:
        res = await turn.send_activity(to_activity(reply))
        return (res.id if res else "") or ""

    async def _update(self, turn: TurnContext, activity_id: str, reply: Reply) -> None:
        await turn.update_activity(_update(activity_id, reply))

    async def _members(self, turn: TurnContext) -> list[Member]:
        return await paged_members(turn)

    async def deliver(self, reference: dict[str, Any], payload: dict[str, Any]) -> str:
        """Send (or update) an outbox payload's activity; returns the activity id."""
        activity = outgoing(payload)
        update_id = payload.get("update_activity_id")
        if update_id:
            activity.id = update_id
        return await self._post(reference, activity, update_id)


class TurnReplies:
    """bot.chat.messenger.TurnMessenger for one botbuilder turn (raw: the activity's JSON)."""

    def __init__(self, turn: TurnContext, raw: dict[str, Any], app_id: str) -> None:
        self.turn = turn
        self.raw = raw
        self.app_id = app_id or None

    async def send(self, reply: Reply) -> str | None:
        res = await self.turn.send_activity(to_activity(reply))
        return res.id if res else None

    async def update(self, activity_id: str, reply: Reply) -> None:
        await self.turn.update_activity(_update(activity_id, reply))

    async def member(self, channel_user_id: str) -> Member | None:
        try:
            return member_of(await TeamsInfo.get_member(self.turn, channel_user_id))
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
        params = ConversationParameters().deserialize(tenant_id_key(request))
        await self.turn.adapter.create_conversation(self.app_id, remember, params, a.channel_id or "msteams", a.service_url)
        if not created.get("id"):
            return None
        reference = personal_chat_reference(self.raw, request, created["id"])
        reference["conversation"] = tenant_id_key(reference["conversation"])
        return PersonalChat(id=created["id"], reference=reference, tenant_id=wire.tenant_of(self.raw),
                            service_url=a.service_url)

"""The ActivityHandler: translates Agents SDK activities into chat Turns and the dispatcher's answers back.

Who and where are read from the activity's JSON with bot.chat.wire (the same rules as the botbuilder host)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.core import ActivityHandler, TurnContext

from bot.chat import telemetry, wire
from bot.chat.dispatch import Dispatcher, message_body
from bot.chat.errors import tenant_refused_text
from bot.chat.routes import MAX_COMMAND_CHARS
from bot.chat.turn import Actor, ConversationRef, Turn
from bot.hosts.agents.messenger import TurnReplies

log = logging.getLogger(__name__)
RAW = "faggruppe.activity_json"  # turn_state key: the activity as it came over the wire


def raw_of(turn_context: TurnContext) -> dict[str, Any]:
    """The activity's JSON (set by the host before the turn runs)."""
    return turn_context.turn_state.get(RAW) or turn_context.activity.model_dump(by_alias=True, exclude_none=True)


def to_turn(turn_context: TurnContext, app_id: str, **what: Any) -> Turn:
    """The chat Turn of an Agents SDK turn (who, where, locale; `what` the message or action)."""
    a, raw = turn_context.activity, raw_of(turn_context)
    person_id, aad, channel_user = wire.actor_ids(raw)
    where = ConversationRef(
        id=a.conversation.id, kind=wire.conversation_kind(raw), tenant_id=wire.tenant_of(raw), team_id=wire.team_id(raw),
        service_url=a.service_url or "", name=wire.conversation_name(raw),
        make_reference=lambda: a.get_conversation_reference().model_dump(by_alias=True, exclude_none=True, mode="json"),
    )
    return Turn(who=Actor(person_id, aad, channel_user, wire.actor_name(raw)), where=where, locale=a.locale,
                messenger=TurnReplies(turn_context, raw, app_id), channel_id=str(a.channel_id or ""),
                reply_to_id=a.reply_to_id, mentions=lambda: wire.mentions(raw), **what)


class FaggruppeAgent(ActivityHandler):
    """Hands messages, card actions and installs to the chat dispatcher."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.settings = dispatcher.services.settings

    def _turn(self, turn_context: TurnContext, **what: Any) -> Turn:
        return to_turn(turn_context, self.settings.app_id, **what)

    async def on_turn(self, turn_context: TurnContext) -> None:
        telemetry.start_turn(turn_context.activity)
        if not wire.tenant_allowed(raw_of(turn_context), self.settings.allowed_tenants):
            await self._refuse_tenant(turn_context)
            return
        await super().on_turn(turn_context)

    async def _refuse_tenant(self, turn_context: TurnContext) -> None:
        """Refuse an activity from a tenant that is not allowed: log (no text, no ids), answer politely if possible."""
        activity, raw = turn_context.activity, raw_of(turn_context)
        log.warning("activity from a tenant that is not allowed", extra={"activity_type": str(activity.type)[:40]})
        telemetry.set_outcome("tenant_refused")
        text = tenant_refused_text(activity.locale)
        if activity.type == ActivityTypes.message and wire.addressed_to_bot(raw):
            await turn_context.send_activity(text)
        elif activity.type == ActivityTypes.invoke:
            body = message_body(text) if activity.name == "adaptiveCard/action" else {}
            await turn_context.send_activity(invoke_response(body))

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        a, raw = turn_context.activity, raw_of(turn_context)
        value = raw.get("value")
        if isinstance(value, dict) and value.get("verb"):
            data = dict(value)
            await self.dispatcher.on_message(self._turn(turn_context, verb=str(data.get("verb")), data=data))
            return
        text = a.text if isinstance(a.text, str) else ""
        addressed = wire.bot_mentioned(raw)
        # Text too long to be a command is refused unread (bot.chat.dispatch); the rest loses the bot's @mention.
        wanted = len(text) <= MAX_COMMAND_CHARS and (wire.conversation_kind(raw) == "personal" or addressed)
        command = wire.text_without_bot_mention(raw) if wanted else ""
        await self.dispatcher.on_message(self._turn(turn_context, text=text, command=command, addressed=addressed))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        a = turn_context.activity
        value = raw_of(turn_context).get("value")
        value = value if isinstance(value, dict) else {}
        if a.name in ("task/fetch", "task/submit"):  # a dialog (task module): its data carries the verb and inputs
            data = value.get("data") if isinstance(value.get("data"), dict) else {}
            body = await self.dispatcher.on_dialog(self._turn(turn_context, data=dict(data), is_invoke=True))
            return InvokeResponse(status=int(HTTPStatus.OK), body=body)
        if a.name != "adaptiveCard/action":
            telemetry.set_outcome("invoke_ignored")
            return InvokeResponse(status=int(HTTPStatus.OK), body={})
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        verb = action.get("verb") if isinstance(action.get("verb"), str) else ""
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        result = await self.dispatcher.on_action(self._turn(turn_context, verb=verb, data=data, is_invoke=True))
        return InvokeResponse(status=int(HTTPStatus.OK), body=result.body())

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        raw = raw_of(turn_context)
        me = (raw.get("recipient") or {}).get("id") if isinstance(raw.get("recipient"), dict) else None
        added = raw.get("membersAdded") if isinstance(raw.get("membersAdded"), list) else []
        removed = raw.get("membersRemoved") if isinstance(raw.get("membersRemoved"), list) else []
        if any(isinstance(m, dict) and m.get("id") == me for m in removed):
            await self.dispatcher.on_removed(turn_context.activity.conversation.id, "removed")
            telemetry.set_outcome("uninstalled")
            return
        if any(isinstance(m, dict) and m.get("id") == me for m in added):
            await self.dispatcher.on_installed(self._turn(turn_context), welcome=True)

    async def on_installation_update(self, turn_context: TurnContext) -> None:
        a = turn_context.activity
        if (a.action or "").startswith("remove"):
            await self.dispatcher.on_removed(a.conversation.id, "uninstalled")
        else:
            await self.dispatcher.on_installed(self._turn(turn_context), welcome=False)


def invoke_response(body: Any) -> Activity:
    """The invokeResponse activity the adapter hands back as the HTTP answer."""
    return Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=int(HTTPStatus.OK), body=body))

"""The ActivityHandler: translates botbuilder activities into chat Turns and the dispatcher's answers back."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.chat import telemetry
from bot.chat.dispatch import Dispatcher, message_body
from bot.chat.errors import tenant_refused_text
from bot.chat.routes import MAX_COMMAND_CHARS
from bot.chat.turn import Actor, ConversationRef, Turn
from bot.hosts.botbuilder import identity
from bot.hosts.botbuilder.fastpath import SentInvokeResponse
from bot.hosts.botbuilder.messenger import TurnReplies

log = logging.getLogger(__name__)


def to_turn(turn_context: TurnContext, app_id: str, **what: Any) -> Turn:
    """The chat Turn of a botbuilder turn (who, where, locale; `what` the message or action)."""
    a = turn_context.activity
    person_id, aad, channel_user = identity.actor_ids(a)
    name = a.from_property.name if a.from_property else ""
    kind = identity.conversation_kind(a)
    where = ConversationRef(
        id=a.conversation.id, kind=kind, tenant_id=identity.tenant_of(a), team_id=identity.team_id(a),
        service_url=a.service_url or "", name=identity.conversation_name(a),
        make_reference=lambda: TurnContext.get_conversation_reference(a).serialize(),
    )
    return Turn(who=Actor(person_id, aad, channel_user, name if isinstance(name, str) else ""), where=where,
                locale=a.locale, messenger=TurnReplies(turn_context, app_id), channel_id=a.channel_id or "",
                reply_to_id=a.reply_to_id, mentions=lambda: identity.mentions(a), **what)


class FaggruppeBot(ActivityHandler):
    """Hands messages, card actions and installs to the chat dispatcher."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.settings = dispatcher.services.settings

    def _turn(self, turn_context: TurnContext, **what: Any) -> Turn:
        return to_turn(turn_context, self.settings.app_id, **what)

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        telemetry.start_turn(activity)
        if not identity.tenant_allowed(activity, self.settings.allowed_tenants):
            await self._refuse_tenant(turn_context)
            return
        await super().on_turn(turn_context)

    async def _refuse_tenant(self, turn_context: TurnContext) -> None:
        """Refuse an activity from a tenant that is not allowed: log (no text, no ids), answer politely if possible."""
        activity = turn_context.activity
        log.warning("activity from a tenant that is not allowed", extra={"activity_type": str(activity.type)[:40]})
        telemetry.set_outcome("tenant_refused")
        text = tenant_refused_text(activity.locale)
        if activity.type == ActivityTypes.message and identity.addressed_to_bot(activity):
            await turn_context.send_activity(text)
        elif activity.type == ActivityTypes.invoke:
            body = message_body(text) if activity.name == "adaptiveCard/action" else {}
            await turn_context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=int(HTTPStatus.OK), body=body))
            )

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        a = turn_context.activity
        if isinstance(a.value, dict) and a.value.get("verb"):
            data = dict(a.value)
            await self.dispatcher.on_message(self._turn(turn_context, verb=str(data.get("verb")), data=data))
            return
        text = a.text if isinstance(a.text, str) else ""
        addressed = identity.bot_mentioned(a)
        # Text too long to be a command is refused unread (bot.chat.dispatch); the rest loses the bot's @mention.
        wanted = len(text) <= MAX_COMMAND_CHARS and (identity.conversation_kind(a) == "personal" or addressed)
        command = identity.text_without_bot_mention(a) if wanted else ""
        await self.dispatcher.on_message(self._turn(turn_context, text=text, command=command, addressed=addressed))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        a = turn_context.activity
        if a.name in ("task/fetch", "task/submit"):  # a dialog (task module): its data carries the verb and inputs
            value = a.value if isinstance(a.value, dict) else {}
            data = value.get("data") if isinstance(value.get("data"), dict) else {}
            body = await self.dispatcher.on_dialog(self._turn(turn_context, data=dict(data), is_invoke=True))
            return SentInvokeResponse(status=int(HTTPStatus.OK), body=body)
        if a.name != "adaptiveCard/action":
            telemetry.set_outcome("invoke_ignored")
            return SentInvokeResponse(status=int(HTTPStatus.OK), body={})
        value = a.value if isinstance(a.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        verb = action.get("verb") if isinstance(action.get("verb"), str) else ""
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        result = await self.dispatcher.on_action(self._turn(turn_context, verb=verb, data=data, is_invoke=True))
        return SentInvokeResponse(status=int(HTTPStatus.OK), body=result.body())

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        a = turn_context.activity
        me = a.recipient.id if a.recipient else None
        added: list[ChannelAccount] = a.members_added or []
        removed: list[ChannelAccount] = a.members_removed or []
        if any(getattr(m, "id", None) == me for m in removed):
            await self.dispatcher.on_removed(a.conversation.id, "removed")
            telemetry.set_outcome("uninstalled")
            return
        if any(getattr(m, "id", None) == me for m in added):
            await self.dispatcher.on_installed(self._turn(turn_context), welcome=True)

    async def on_installation_update_activity(self, turn_context: TurnContext) -> None:
        a = turn_context.activity
        if (a.action or "").startswith("remove"):
            await self.dispatcher.on_removed(a.conversation.id, "uninstalled")
        else:
            await self.dispatcher.on_installed(self._turn(turn_context), welcome=False)

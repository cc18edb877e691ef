"""The ActivityHandler: hands botbuilder activities to the chat port's event rules (bot.chat.events) and sends answers.

Who, where and what are read from the activity's JSON by bot.chat (the same rules as the Agents SDK host)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from bot.chat import events
from bot.chat.turn import Turn
from bot.hosts.botbuilder.fastpath import SentInvokeResponse
from bot.hosts.botbuilder.messenger import TurnReplies


def raw_of(turn_context: TurnContext) -> dict[str, Any]:
    """The activity's JSON (set by the host before the turn runs; serialised from the activity otherwise)."""
    return turn_context.turn_state.get(events.RAW) or turn_context.activity.serialize()


def to_turn(turn_context: TurnContext, app_id: str, **what: Any) -> Turn:
    """The chat Turn of a botbuilder turn (who, where, locale; `what` the message or action)."""
    a, raw = turn_context.activity, raw_of(turn_context)
    return events.to_turn(raw, TurnReplies(turn_context, raw, app_id),
                          lambda: TurnContext.get_conversation_reference(a).serialize(), **what)


def sender(turn_context: TurnContext) -> events.Send:
    """Send a bot.chat.events Answer in this turn (a message, or the invoke response)."""
    async def send(answer: events.Answer) -> None:
        kind, content = answer
        if kind == "invoke":
            content = Activity(type=ActivityTypes.invoke_response,
                               value=InvokeResponse(status=int(HTTPStatus.OK), body=content))
        await turn_context.send_activity(content)

    return send


class FaggruppeBot(events.Handlers, ActivityHandler):
    """Hands messages, card actions and installs to the chat dispatcher (the handlers are bot.chat.events.Handlers)."""

    def raw_of(self, turn_context: TurnContext) -> dict[str, Any]:
        return raw_of(turn_context)

    def to_turn(self, turn_context: TurnContext, **what: Any) -> Turn:
        return to_turn(turn_context, self.settings.app_id, **what)

    def sender(self, turn_context: TurnContext) -> events.Send:
        return sender(turn_context)

    async def on_turn(self, turn_context: TurnContext) -> None:
        if await self.admitted(turn_context):
            await super().on_turn(turn_context)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        body = await events.on_invoke(self.dispatcher, raw_of(turn_context), self.turn_maker(turn_context))
        return SentInvokeResponse(status=int(HTTPStatus.OK), body=body)

"""The ActivityHandler: hands Agents SDK activities to the chat port's event rules (bot.chat.events) and sends answers.

Who, where and what are read from the activity's JSON by bot.chat (the same rules as the botbuilder host)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import ActivityHandler, ChannelAdapter, TurnContext

from bot.chat import events
from bot.chat.turn import Turn
from bot.hosts.agents.messenger import TurnReplies


def raw_of(turn_context: TurnContext) -> dict[str, Any]:
    """The activity's JSON (set by the host before the turn runs)."""
    return turn_context.turn_state.get(events.RAW) or turn_context.activity.model_dump(by_alias=True, exclude_none=True)


def to_turn(turn_context: TurnContext, app_id: str, **what: Any) -> Turn:
    """The chat Turn of an Agents SDK turn (who, where, locale; `what` the message or action)."""
    a, raw = turn_context.activity, raw_of(turn_context)
    return events.to_turn(
        raw, TurnReplies(turn_context, raw, app_id),
        lambda: a.get_conversation_reference().model_dump(by_alias=True, exclude_none=True, mode="json"), **what)


def answer_invoke(turn_context: TurnContext, body: Any) -> None:
    """Hand the adapter the invoke response's body as it is (the fast path on this host).

    The SDK's own way (return an InvokeResponse from on_invoke_activity) dumps it with pydantic, wraps it in an activity
    and deep-copies that in send_activity, so every card action copied its whole card before answering; the adapter
    only reads the response activity's value from the turn state (ChannelServiceAdapter.process_activity)."""
    value = {"status": int(HTTPStatus.OK), "body": body}
    turn_context.turn_state[ChannelAdapter.INVOKE_RESPONSE_KEY] = Activity.model_construct(
        type=ActivityTypes.invoke_response, value=value)
    turn_context.turn_state[ActivityTypes.invoke_response] = True  # the SDK's mark: answered, send no other


def sender(turn_context: TurnContext) -> events.Send:
    """Send a bot.chat.events Answer in this turn (a message, or the invoke response)."""
    async def send(answer: events.Answer) -> None:
        kind, content = answer
        if kind == "invoke":
            answer_invoke(turn_context, content)
        else:
            await turn_context.send_activity(content)

    return send


class FaggruppeAgent(events.Handlers, ActivityHandler):
    """Hands messages, card actions and installs to the chat dispatcher (the handlers are bot.chat.events.Handlers)."""

    def raw_of(self, turn_context: TurnContext) -> dict[str, Any]:
        return raw_of(turn_context)

    def to_turn(self, turn_context: TurnContext, **what: Any) -> Turn:
        return to_turn(turn_context, self.settings.app_id, **what)

    def sender(self, turn_context: TurnContext) -> events.Send:
        return sender(turn_context)

    async def on_turn(self, turn_context: TurnContext) -> None:
        if not await self.admitted(turn_context):
            return
        if turn_context.activity.type == ActivityTypes.invoke:  # answered here: see answer_invoke
            body = await events.on_invoke(self.dispatcher, raw_of(turn_context), self.turn_maker(turn_context))
            answer_invoke(turn_context, body)
            return
        await super().on_turn(turn_context)

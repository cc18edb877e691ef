"""What an activity asks of the dispatcher, read from its JSON the same way on every host, and how a failed turn answers.

A host keeps only its SDK calls: it hands the activity's JSON, a way to build the Turn and a way to send an Answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.chat import telemetry, wire
from bot.chat.dispatch import Dispatcher, message_body
from bot.chat.errors import generic_text, tenant_refused_text
from bot.chat.messenger import TurnMessenger
from bot.chat.routes import MAX_COMMAND_CHARS
from bot.chat.turn import Actor, ConversationRef, Turn

log = logging.getLogger(__name__)
Json = dict[str, Any]
# ("text", a message) or ("invoke", the invoke response's body): what a host sends back in the turn.
Answer = tuple[str, Any]
Send = Callable[[Answer], Awaitable[None]]
MakeTurn = Callable[..., Turn]
RAW = "faggruppe.activity_json"  # a host's turn-state key: the activity as it came over the wire


def _dict(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def to_turn(raw: Json, messenger: TurnMessenger, reference: Callable[[], dict[str, Any]], **what: Any) -> Turn:
    """The chat Turn of an activity's JSON (who, where, locale; `what` the message or action)."""
    person_id, aad, channel_user = wire.actor_ids(raw)
    where = ConversationRef(
        id=_str(_dict(raw.get("conversation")).get("id")), kind=wire.conversation_kind(raw), tenant_id=wire.tenant_of(raw),
        team_id=wire.team_id(raw), service_url=_str(raw.get("serviceUrl")), name=wire.conversation_name(raw),
        make_reference=reference,
    )
    return Turn(who=Actor(person_id, aad, channel_user, wire.actor_name(raw)), where=where,
                locale=raw.get("locale") if isinstance(raw.get("locale"), str) else None, messenger=messenger,
                channel_id=_str(raw.get("channelId")), reply_to_id=raw.get("replyToId") or None,
                mentions=lambda: wire.mentions(raw), **what)


async def admit(raw: Json, allowed: tuple[str, ...], send: Send) -> bool:
    """True when the activity's tenants are allowed; otherwise refuse it: log (no text, no ids), answer if possible."""
    if wire.tenant_allowed(raw, allowed):
        return True
    kind = _str(raw.get("type"))
    log.warning("activity from a tenant that is not allowed", extra={"activity_type": kind[:40]})
    telemetry.set_outcome("tenant_refused")
    text = tenant_refused_text(raw.get("locale") if isinstance(raw.get("locale"), str) else None)
    if kind == "message" and wire.addressed_to_bot(raw):
        await send(("text", text))
    elif kind == "invoke":
        await send(("invoke", message_body(text) if raw.get("name") == "adaptiveCard/action" else {}))
    return False


async def on_message(dispatcher: Dispatcher, raw: Json, turn: MakeTurn) -> None:
    """A message: a card submission (its value carries a verb) or text, perhaps a command."""
    value = raw.get("value")
    if isinstance(value, dict) and value.get("verb"):
        data = dict(value)
        await dispatcher.on_message(turn(verb=str(data.get("verb")), data=data))
        return
    text = _str(raw.get("text"))
    addressed = wire.bot_mentioned(raw)
    # Text too long to be a command is refused unread (bot.chat.dispatch); the rest loses the bot's @mention.
    wanted = len(text) <= MAX_COMMAND_CHARS and (wire.conversation_kind(raw) == "personal" or addressed)
    command = wire.text_without_bot_mention(raw) if wanted else ""
    await dispatcher.on_message(turn(text=text, command=command, addressed=addressed))


async def on_invoke(dispatcher: Dispatcher, raw: Json, turn: MakeTurn) -> Any:
    """An invoke (a dialog's fetch or submit, a card's Action.Execute): the body of its 200 invoke response."""
    name = raw.get("name")
    value = _dict(raw.get("value"))
    if name in ("task/fetch", "task/submit"):  # a dialog (task module): its data carries the verb and inputs
        return await dispatcher.on_dialog(turn(data=dict(_dict(value.get("data"))), is_invoke=True))
    if name != "adaptiveCard/action":
        telemetry.set_outcome("invoke_ignored")
        return {}
    action = _dict(value.get("action"))
    result = await dispatcher.on_action(turn(verb=_str(action.get("verb")), data=_dict(action.get("data")), is_invoke=True))
    return result.body()


def _names_me(raw: Json, key: str) -> bool:
    me = _dict(raw.get("recipient")).get("id")
    members = raw.get(key) if isinstance(raw.get(key), list) else []
    return bool(me) and any(isinstance(m, dict) and m.get("id") == me for m in members)


async def on_conversation_update(dispatcher: Dispatcher, raw: Json, turn: MakeTurn) -> None:
    """The bot added to (welcome) or removed from a conversation."""
    if _names_me(raw, "membersRemoved"):
        await dispatcher.on_removed(_str(_dict(raw.get("conversation")).get("id")), "removed")
        telemetry.set_outcome("uninstalled")
        return
    if _names_me(raw, "membersAdded"):
        await dispatcher.on_installed(turn(), welcome=True)


async def on_installation_update(dispatcher: Dispatcher, raw: Json, turn: MakeTurn) -> None:
    """The app installed (no welcome: the conversation update brings it) or uninstalled."""
    if _str(raw.get("action")).startswith("remove"):
        await dispatcher.on_removed(_str(_dict(raw.get("conversation")).get("id")), "uninstalled")
    else:
        await dispatcher.on_installed(turn(), welcome=False)


class Handlers:
    """The activity handlers both hosts share, mixed in before the SDK's ActivityHandler (whose on_turn calls them by
    these names in both SDKs); the host reads the activity's JSON (`raw_of`), makes its Turn (`to_turn`) and sends an
    Answer in the turn (`sender`)."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.settings = dispatcher.services.settings

    def raw_of(self, turn_context: Any) -> Json:
        raise NotImplementedError

    def to_turn(self, turn_context: Any, **what: Any) -> Turn:
        raise NotImplementedError

    def sender(self, turn_context: Any) -> Send:
        raise NotImplementedError

    def turn_maker(self, turn_context: Any) -> MakeTurn:
        return lambda **what: self.to_turn(turn_context, **what)

    async def admitted(self, turn_context: Any) -> bool:
        """A turn begins (telemetry); False when its tenant is refused (answered already)."""
        telemetry.start_turn(turn_context.activity)
        return await admit(self.raw_of(turn_context), self.settings.allowed_tenants, self.sender(turn_context))

    async def on_message_activity(self, turn_context: Any) -> None:
        await on_message(self.dispatcher, self.raw_of(turn_context), self.turn_maker(turn_context))

    async def on_conversation_update_activity(self, turn_context: Any) -> None:
        await on_conversation_update(self.dispatcher, self.raw_of(turn_context), self.turn_maker(turn_context))

    async def on_installation_update(self, turn_context: Any) -> None:
        await on_installation_update(self.dispatcher, self.raw_of(turn_context), self.turn_maker(turn_context))


async def turn_failed(error: Exception, connector_failed: bool, activity: Any, send: Send) -> None:
    """A turn raised: log it, and apologise (in the invoke response for a card action) unless the connector failed."""
    if connector_failed:
        # The turn's work is done and saved; only the answer could not be delivered. No apology through the
        # same failing connector (that would double the calls and the noise).
        log.warning("a reply could not be delivered: %s", type(error).__name__)
        telemetry.set_outcome("reply_failed")
    else:
        log.error("unhandled error in turn: %s", type(error).__name__, exc_info=error)
        telemetry.set_outcome("error")
    try:
        text = generic_text(activity.locale)
        if activity.type == "invoke" and activity.name == "adaptiveCard/action":
            # Answer in the invoke response (Teams shows it on the card) instead of leaving it unanswered (501).
            await send(("invoke", message_body(text)))
        elif not connector_failed:
            await send(("text", text))
    except Exception:
        log.warning("could not tell the user about the error")

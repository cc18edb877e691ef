"""Host-neutral turn handling: commands and verbs to handlers, suggestions, refusals, errors, and what to answer.

A host only translates its activities into Turns, calls these, and translates the results back (ActionResult is the
plain data of an invoke response).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.chat import private, telemetry
from bot.chat.dialog import dialog_response
from bot.chat.errors import error_replies
from bot.chat.registry import Registry
from bot.chat.reply import Reply
from bot.chat.routes import MAX_COMMAND_CHARS, Handler, Result, Router
from bot.chat.turn import Ctx, Turn
from bot.kernel.people import Person
from bot.messages import t
from bot.services import Services
from bot.storage.conversations import ConversationInfo
from cards.common import CONTENT_TYPE, Card
from cards.core import suggest_card, welcome_card

log = logging.getLogger(__name__)
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"


@dataclass(frozen=True)
class ActionResult:
    """What an invoked card action answers: the card that replaces the acted-on one, or a message Teams shows."""

    card: Card | None = None
    message: str = ""

    def body(self) -> dict[str, Any]:
        """The adaptiveCard/action invoke response body (statusCode, type, value)."""
        if self.card is not None:
            return {"statusCode": 200, "type": CONTENT_TYPE, "value": self.card}
        return message_body(self.message)


def message_body(message: str) -> dict[str, Any]:
    """An invoke response body that shows a text message."""
    return {"statusCode": 200, "type": MESSAGE_TYPE, "value": message}


def reply_locales(turn: Turn, organisation: str) -> tuple[str, str]:
    """(shared, private) locales of a turn: the one place that picks the language of replies.

    A group chat or channel is answered in the organisation's language (BOT_LANGUAGE), whatever each member's Teams
    language is, so one chat never mixes languages; the personal chat, and replies only the member sees, follow the
    member's Teams client (English for en-*, bokmål otherwise: Nynorsk gets bokmål until a catalogue exists)."""
    own = turn.locale or organisation
    return (own if turn.where.kind == "personal" else organisation), own


class Dispatcher:
    """Routes messages and card actions of Turns to handlers, keeping the registry fresh."""

    def __init__(self, services: Services, router: Router) -> None:
        self.services = services
        self.router = router
        self.registry = Registry(services)
        services.forget_person = self.registry.forget

    async def on_message(self, turn: Turn) -> None:
        """A typed message (commands), or a card submitted as a message (Action.Submit with a verb)."""
        if turn.verb:
            person, conv = await self.registry.register(turn)
            await self._run_verb(turn, person, conv)
            return
        if turn.where.kind != "personal" and not turn.addressed:
            telemetry.set_outcome("ignored_unmentioned")
            return
        if len(turn.text) > MAX_COMMAND_CHARS:
            await turn.messenger.send(Reply(text=_too_long(self._locale(turn))))
            return
        text = (turn.command or "").replace("\u00a0", " ").strip()
        person, conv = await self.registry.register(turn)
        if not text:
            telemetry.set_outcome("empty")
            await turn.messenger.send(Reply(text=t("unknown.hint", self._locale(turn))))
            return
        found = self.router.match(text)
        if not found:
            telemetry.set_outcome("unknown_command")
            close = self.router.suggest(text)
            tr = lambda k, **p: t(k, self._locale(turn), **p)  # noqa: E731
            await turn.messenger.send(Reply(card=suggest_card(tr, close)) if close else Reply(text=tr("unknown.hint")))
            return
        cmd, args = found
        ctx = self._ctx(turn, person, conv, args=args)
        telemetry.set_outcome(f"cmd:{cmd.word}")
        await _deliver(ctx, await self._call(ctx, cmd.handler))

    async def on_action(self, turn: Turn) -> ActionResult:
        """An invoked card action (Action.Execute): the invoke response, side messages sent."""
        person, conv = await self.registry.register(turn)
        return await self._run_verb(turn, person, conv)

    async def on_dialog(self, turn: Turn) -> dict[str, Any]:
        """A Teams dialog's task/fetch or task/submit: the verb in its data runs like a card action, and its answer
        becomes the task response (a card keeps the dialog open, a text closes it; see bot.chat.dialog)."""
        turn.data = {k: v for k, v in turn.data.items() if k != "msteams"}
        turn.verb = str(turn.data.get("verb") or "")
        turn.is_invoke = True
        person, conv = await self.registry.register(turn)
        result = await self._run_verb(turn, person, conv)
        return dialog_response(result.card, result.message)

    async def on_installed(self, turn: Turn, *, welcome: bool) -> None:
        """The bot was added to the conversation (or the installation refreshed)."""
        await self.registry.register(turn, installed=True)
        if welcome:
            telemetry.set_outcome("installed")
            tr = lambda k, **p: t(k, self._locale(turn), **p)  # noqa: E731
            await turn.messenger.send(Reply(card=welcome_card(tr, group=turn.where.kind != "personal")))

    async def on_removed(self, conversation_id: str, reason: str) -> None:
        """The bot was removed from the conversation or uninstalled."""
        await self.services.conversations.deactivate(conversation_id, reason)

    def _locale(self, turn: Turn) -> str:
        """The locale of replies everyone in the conversation sees."""
        return reply_locales(turn, self.services.settings.locale)[0]

    def _ctx(self, turn: Turn, person: Person, conv: ConversationInfo, *, args: str = "") -> Ctx:
        """The handler context of a turn, with its shared and private locales."""
        shared, own = reply_locales(turn, self.services.settings.locale)
        return Ctx(turn.messenger, self.services, person, conv, shared, args=args, data=turn.data, verb=turn.verb,
                   is_invoke=turn.is_invoke, reply_to_id=turn.reply_to_id, mentions=turn.mentions, private_locale=own)

    async def _run_verb(self, turn: Turn, person: Person, conv: ConversationInfo) -> ActionResult:
        """Run a card action's verb (or `cmd`, a command sent from a card button) and build its answer."""
        ctx = self._ctx(turn, person, conv)
        data, verb = ctx.data, ctx.verb
        if verb == "cmd" and isinstance(data.get("command"), str) and len(data["command"]) > MAX_COMMAND_CHARS:
            return await _answer(ctx, [Reply(text=_too_long(ctx.locale))])
        if verb == "cmd" and isinstance(data.get("command"), str):
            found = self.router.match(data["command"])
            handler: Handler | None = found[0].handler if found else None
            ctx.args = found[1] if found else ""
        else:
            handler = self.router.verbs.get(verb)
        telemetry.set_outcome(f"verb:{verb[:40]}" if handler else "unknown_verb")
        result: Result = await self._call(ctx, handler) if handler else Reply(text=ctx.t("error.unknown_action"))
        return await _answer(ctx, _as_list(result))

    @staticmethod
    async def _call(ctx: Ctx, handler: Handler) -> list[Reply]:
        """Run a handler; domain errors become messages, anything else a generic apology. Personal links asked for
        in a group go to the requester's personal chat (one place, so no handler can leak one)."""
        try:
            return await private.route(ctx, _as_list(await handler(ctx)))
        except Exception as exc:
            replies = error_replies(ctx, exc)
            if replies is None:
                raise
            return replies


async def _answer(ctx: Ctx, replies: list[Reply]) -> ActionResult:
    """Deliver a card action's replies: as messages, or (invokes) as the invoke response plus side messages."""
    if not ctx.is_invoke:
        await _deliver(ctx, replies)
        return ActionResult()
    card_reply = next((r for r in replies if r.replace and r.card is not None), None)
    rest = [r for r in replies if r is not card_reply]
    message = None
    if card_reply is None and len(rest) == 1 and rest[0].card is None and not rest[0].mentions:
        message, rest = rest[0].text, []
    try:
        await _deliver(ctx, rest)
    except Exception as exc:
        # The saved change and the card answer must not be lost because a side message could not be sent.
        log.warning("extra replies of an invoke could not be sent: %s", type(exc).__name__)
        telemetry.set_outcome("reply_failed")
    if card_reply is not None:
        return ActionResult(card=card_reply.card)
    return ActionResult(message=message or "")


async def _deliver(ctx: Ctx, replies: list[Reply]) -> None:
    """Send replies as messages; a replacing card updates the message it was clicked on."""
    for r in replies:
        if r.replace and r.card is not None and ctx.source_activity_id and not ctx.is_invoke:
            await ctx.update_card(ctx.source_activity_id, r.card)
        else:
            await ctx.messenger.send(r)


def _too_long(locale: str | None) -> str:
    """The refusal of a command longer than any command can be (nothing of it is parsed)."""
    telemetry.set_outcome("too_long")
    return t("input.command_too_long", locale, max=MAX_COMMAND_CHARS)


def _as_list(result: Result) -> list[Reply]:
    """A handler's result (None, one reply or a list) as a list of replies."""
    if result is None:
        return []
    return list(result) if isinstance(result, list) else [result]

"""The ActivityHandler: registers conversations and people, then routes to handlers."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse, ChannelAccount

from bot.chat import private, telemetry
from bot.chat.routes import MAX_COMMAND_CHARS, Handler, Result, Router
from bot.chat.turn import Ctx, Reply, to_activity
from bot.hosts.botbuilder import identity
from bot.hosts.botbuilder.fastpath import SentInvokeResponse
from bot.kernel.errors import DomainError, InvalidInput
from bot.kernel.people import Person
from bot.messages import t
from bot.services import Services
from bot.storage.conversations import ConversationInfo
from cards.common import CONTENT_TYPE
from cards.core import suggest_card, welcome_card

log = logging.getLogger(__name__)
TOUCH_EVERY_S = 300.0
PERSON_CACHE = timedelta(seconds=60)  # the longest a removed role keeps working on an instance


class MessageInvokeResponse(AdaptiveCardInvokeResponse):
    """An invoke response carrying a text message (the schema types `value` as an object)."""

    _attribute_map = {**AdaptiveCardInvokeResponse._attribute_map, "value": {"key": "value", "type": "str"}}


class FaggruppeBot(ActivityHandler):
    """Routes messages, card actions and installs; keeps the registry fresh."""

    def __init__(self, services: Services, router: Router) -> None:
        self.services = services
        self.router = router
        self._touched: dict[tuple[str, str], float] = {}
        self._people: dict[str, tuple[datetime, Person]] = {}

    # -- turn set-up ---------------------------------------------------------------------------
    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        telemetry.start_turn(activity)
        turn_context.turn_state["forget_person"] = self.forget
        if not identity.tenant_allowed(activity, self.services.settings.allowed_tenants):
            await self._refuse_tenant(turn_context)
            return
        await super().on_turn(turn_context)

    async def _refuse_tenant(self, turn_context: TurnContext) -> None:
        """Refuse an activity from a tenant that is not allowed: log (no text, no ids), answer politely if possible."""
        activity = turn_context.activity
        log.warning("activity from a tenant that is not allowed", extra={"activity_type": str(activity.type)[:40]})
        telemetry.set_outcome("tenant_refused")
        text = t("error.tenant", activity.locale)
        if activity.type == ActivityTypes.message and identity.addressed_to_bot(activity):
            await turn_context.send_activity(text)
        elif activity.type == ActivityTypes.invoke:
            body = self._message_body(text) if activity.name == "adaptiveCard/action" else {}
            await turn_context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=int(HTTPStatus.OK), body=body))
            )

    async def _register(self, turn: TurnContext, *, installed: bool = False) -> tuple[Person, ConversationInfo]:
        """Store/refresh the conversation reference and the actor; cheap when seen recently."""
        a = turn.activity
        conv_id = a.conversation.id
        person_id, aad, channel_user = identity.actor_ids(a)
        now = time.monotonic()
        key = (conv_id, person_id)
        s = self.services
        fresh = not installed and now - self._touched.get(key, 0.0) <= TOUCH_EVERY_S
        conv = await s.conversations.get_recent(conv_id) if fresh else None
        if conv is None:
            # Not seen lately, or its row is gone (an erasure deletes personal chats): store the reference again.
            ref = TurnContext.get_conversation_reference(a).serialize()
            await s.conversations.touch(
                conversation_id=conv_id, kind=identity.conversation_kind(a), tenant_id=identity.tenant_of(a),
                team_id=identity.team_id(a), service_url=a.service_url or "", reference=ref,
                name=identity.conversation_name(a), installed=installed,
                person_id=person_id if identity.conversation_kind(a) == "personal" else None,
            )
            if person_id:
                await s.conversations.touch_member(conv_id, person_id)
            self._touched[key] = now
            conv = await s.conversations.get(conv_id)
            if conv is None:
                raise RuntimeError("conversation could not be stored")
        person = await self._person(turn, person_id, aad, channel_user)
        return person, conv

    async def _person(self, turn: TurnContext, person_id: str, aad: str, channel_user: str) -> Person:
        now = self.services.clock.now()
        cached = self._people.get(person_id)
        if cached and timedelta(0) <= now - cached[0] < PERSON_CACHE:
            return cached[1]
        s = self.services
        a = turn.activity
        name = a.from_property.name if a.from_property else ""
        name = name[:300] if isinstance(name, str) else ""
        known = await s.people.get(person_id)
        upn = known.upn if known else ""
        needs_upn = not upn and any("@" in x for x in s.settings.leaders)
        needs_name = not name and not (known and known.name)
        if (needs_upn or needs_name) and a.channel_id == "msteams" and channel_user:
            # Some clients send card actions without the sender's name; the roster has it (and the UPN).
            looked_name, looked_upn = await self._lookup_member(turn, channel_user)
            upn = upn or looked_upn
            name = name or looked_name[:300]
        person = known
        if known is None or (name and name != known.name) or (upn and upn != known.upn) or \
                (channel_user and channel_user != known.channel_user_id):
            person = await s.people.upsert(person_id=person_id, name=name, aad_object_id=aad, channel_user_id=channel_user,
                                           tenant_id=identity.tenant_of(a), upn=upn)
        assert person is not None
        # Roles are read again at least every PERSON_CACHE on every instance: a role removed in chat, or a leader
        # taken out of BOT_LEADERS, loses its power here within that time.
        person = await s.people.apply_config(person, s.settings.leaders)
        self._people[person_id] = (now, person)
        return person

    def forget(self, person_id: str) -> None:
        """Drop a cached person and their recent conversation touches (after a role change or erasure)."""
        self._people.pop(person_id, None)
        for key in [k for k in self._touched if k[1] == person_id]:
            del self._touched[key]

    @staticmethod
    async def _lookup_member(turn: TurnContext, channel_user: str) -> tuple[str, str]:
        """(name, UPN) of a conversation member from the connector; empty when unknown."""
        try:
            member = await TeamsInfo.get_member(turn, channel_user)
        except Exception:
            return "", ""
        name = getattr(member, "name", None) or ""
        upn = getattr(member, "user_principal_name", None) or getattr(member, "email", None) or ""
        return (name if isinstance(name, str) else ""), (upn if isinstance(upn, str) else "").lower()

    # -- activities ----------------------------------------------------------------------------
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        a = turn_context.activity
        if isinstance(a.value, dict) and a.value.get("verb"):
            person, conv = await self._register(turn_context)
            data = dict(a.value)
            await self._run_verb(turn_context, person, conv, str(data.get("verb")), data, is_invoke=False)
            return
        kind = identity.conversation_kind(a)
        mentioned = identity.bot_mentioned(a)
        if kind != "personal" and not mentioned:
            telemetry.set_outcome("ignored_unmentioned")
            return
        if isinstance(a.text, str) and len(a.text) > MAX_COMMAND_CHARS:
            await turn_context.send_activity(_too_long(a.locale))
            return
        text = identity.text_without_bot_mention(a)
        text = (text or "").replace("\u00a0", " ").strip()
        person, conv = await self._register(turn_context)
        if not text:
            telemetry.set_outcome("empty")
            await turn_context.send_activity(t("unknown.hint", a.locale))
            return
        found = self.router.match(text)
        if not found:
            telemetry.set_outcome("unknown_command")
            close = self.router.suggest(text)
            tr = lambda k, **p: t(k, a.locale, **p)  # noqa: E731
            reply = Reply(card=suggest_card(tr, close)) if close else Reply(text=tr("unknown.hint"))
            await turn_context.send_activity(to_activity(reply))
            return
        cmd, args = found
        ctx = Ctx(turn_context, self.services, person, conv, a.locale or "nb-NO", args=args)
        telemetry.set_outcome(f"cmd:{cmd.word}")
        await self._deliver(ctx, await self._call(ctx, cmd.handler))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        a = turn_context.activity
        if a.name != "adaptiveCard/action":
            telemetry.set_outcome("invoke_ignored")
            return SentInvokeResponse(status=int(HTTPStatus.OK), body={})
        value = a.value if isinstance(a.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        verb = action.get("verb") if isinstance(action.get("verb"), str) else ""
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        person, conv = await self._register(turn_context)
        return await self._run_verb(turn_context, person, conv, verb, data, is_invoke=True)

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        a = turn_context.activity
        me = a.recipient.id if a.recipient else None
        added: list[ChannelAccount] = a.members_added or []
        removed: list[ChannelAccount] = a.members_removed or []
        if any(getattr(m, "id", None) == me for m in removed):
            await self.services.conversations.deactivate(a.conversation.id, "removed")
            telemetry.set_outcome("uninstalled")
            return
        if any(getattr(m, "id", None) == me for m in added):
            await self._register(turn_context, installed=True)
            telemetry.set_outcome("installed")
            await turn_context.send_activity(
                to_activity(Reply(card=welcome_card(lambda k, **p: t(k, a.locale, **p),
                                                    group=identity.conversation_kind(a) != "personal")))
            )

    async def on_installation_update_activity(self, turn_context: TurnContext) -> None:
        a = turn_context.activity
        if (a.action or "").startswith("remove"):
            await self.services.conversations.deactivate(a.conversation.id, "uninstalled")
        else:
            await self._register(turn_context, installed=True)

    # -- dispatch ------------------------------------------------------------------------------
    async def _run_verb(self, turn: TurnContext, person: Person, conv: ConversationInfo, verb: str,
                        data: dict[str, Any], *, is_invoke: bool) -> InvokeResponse:
        locale = turn.activity.locale or "nb-NO"
        ctx = Ctx(turn, self.services, person, conv, locale, data=data, verb=verb, is_invoke=is_invoke)
        if verb == "cmd" and isinstance(data.get("command"), str) and len(data["command"]) > MAX_COMMAND_CHARS:
            return await self._answer(ctx, [Reply(text=_too_long(locale))])
        if verb == "cmd" and isinstance(data.get("command"), str):
            found = self.router.match(data["command"])
            handler: Handler | None = found[0].handler if found else None
            ctx.args = found[1] if found else ""
        else:
            handler = self.router.verbs.get(verb)
        telemetry.set_outcome(f"verb:{verb[:40]}" if handler else "unknown_verb")
        result: Result = await self._call(ctx, handler) if handler else Reply(text=ctx.t("error.unknown_action"))
        return await self._answer(ctx, _as_list(result))

    async def _answer(self, ctx: Ctx, replies: list[Reply]) -> InvokeResponse:
        """Deliver a card action's replies: as messages, or (invokes) as the invoke response plus side messages."""
        if not ctx.is_invoke:
            await self._deliver(ctx, replies)
            return SentInvokeResponse(status=int(HTTPStatus.OK))
        card_reply = next((r for r in replies if r.replace and r.card is not None), None)
        rest = [r for r in replies if r is not card_reply]
        message = None
        if card_reply is None and len(rest) == 1 and rest[0].card is None and not rest[0].mentions:
            message, rest = rest[0].text, []
        try:
            await self._deliver(ctx, rest)
        except Exception as exc:
            # The saved change and the card answer must not be lost because a side message could not be sent.
            log.warning("extra replies of an invoke could not be sent: %s", type(exc).__name__)
            telemetry.set_outcome("reply_failed")
        if card_reply is not None:
            body = AdaptiveCardInvokeResponse(status_code=200, type=CONTENT_TYPE, value=card_reply.card)
        else:
            body = self._message_body(message or "")
        return SentInvokeResponse(status=int(HTTPStatus.OK), body=body)

    @staticmethod
    def _message_body(message: str) -> AdaptiveCardInvokeResponse:
        return MessageInvokeResponse(status_code=200, type="application/vnd.microsoft.activity.message", value=message)

    async def _call(self, ctx: Ctx, handler: Handler) -> list[Reply]:
        """Run a handler; domain errors become messages, anything else a generic apology. Personal links asked for
        in a group go to the requester's personal chat (one place, so no handler can leak one)."""
        try:
            return await private.route(ctx, _as_list(await handler(ctx)))
        except InvalidInput:
            return [Reply(text=ctx.t("error.invalid_input"))]
        except DomainError as e:
            telemetry.set_outcome(f"refused:{e.key}")
            return [Reply(text=ctx.t(e.key, **e.params))]
        except (KeyError, TypeError, ValueError, AttributeError):
            log.warning("bad card data for %s", ctx.verb or "command", exc_info=True)
            telemetry.set_outcome("bad_input")
            return [Reply(text=ctx.t("error.bad_card"))]

    async def _deliver(self, ctx: Ctx, replies: list[Reply]) -> None:
        for r in replies:
            if r.replace and r.card is not None and ctx.source_activity_id and not ctx.is_invoke:
                await ctx.update_card(ctx.source_activity_id, r.card)
            else:
                await ctx.turn.send_activity(to_activity(r))


def _too_long(locale: str | None) -> str:
    """The refusal of a command longer than any command can be (nothing of it is parsed)."""
    telemetry.set_outcome("too_long")
    return t("input.command_too_long", locale, max=MAX_COMMAND_CHARS)


def _as_list(result: Result) -> list[Reply]:
    if result is None:
        return []
    return list(result) if isinstance(result, list) else [result]

"""What a handler gets: the actor, the conversation, the input, and ways to answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Activity, ChannelAccount, Mention

from bot.kernel.errors import InvalidInput
from bot.kernel.people import Person
from bot.messages import language, t
from bot.services import Services
from bot.storage.conversations import ConversationInfo
from cards.common import Card, attachment


@dataclass
class Reply:
    """A handler's answer. `replace` swaps the card the action came from (forms, votes). `private` replies (links to
    the requester's files) go to the requester's personal chat when asked in a group (see bot.chat.private)."""

    card: Card | None = None
    text: str | None = None
    replace: bool = False
    private: bool = False
    mentions: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Ctx:
    """One turn as a handler sees it."""

    turn: TurnContext
    services: Services
    actor: Person
    conversation: ConversationInfo
    locale: str
    args: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    verb: str = ""
    is_invoke: bool = False

    @property
    def lang(self) -> str:
        """'nb' or 'en'."""
        return language(self.locale)

    def t(self, key: str, **params: object) -> str:
        """A catalogue text in the user's language."""
        return t(key, self.locale, **params)

    def field_errors(self, error: InvalidInput) -> dict[str, str]:
        """A form's field errors (catalogue key, or (key, params)) as texts in the user's language."""
        out = {}
        for name, spec in error.fields.items():
            key, params = (spec, {}) if isinstance(spec, str) else spec
            out[name] = self.t(key, **params)
        return out

    @property
    def settings(self):
        """The bot's settings."""
        return self.services.settings

    @property
    def is_group(self) -> bool:
        """True in group chats and channels."""
        return self.conversation.kind != "personal"

    @property
    def source_activity_id(self) -> str | None:
        """The id of the message whose card was acted on."""
        return self.turn.activity.reply_to_id

    def mentioned(self) -> list[tuple[str, str]]:
        """(channel user id, name) of people @mentioned in the message, the bot excluded."""
        out = []
        recipient = self.turn.activity.recipient.id if self.turn.activity.recipient else ""
        for e in self.turn.activity.entities or []:
            props = e.additional_properties if hasattr(e, "additional_properties") else {}
            if getattr(e, "type", None) != "mention":
                continue
            m = props.get("mentioned") or getattr(e, "mentioned", None)
            mid = (m.get("id") if isinstance(m, dict) else getattr(m, "id", "")) or ""
            name = (m.get("name") if isinstance(m, dict) else getattr(m, "name", "")) or ""
            if mid and mid != recipient:
                out.append((mid, name))
        return out

    async def send(self, reply: Reply | Card | str) -> str | None:
        """Send a new message to this conversation; returns its activity id."""
        if isinstance(reply, str):
            reply = Reply(text=reply)
        elif not isinstance(reply, Reply):
            reply = Reply(card=reply)
        res = await self.turn.send_activity(to_activity(reply))
        return res.id if res else None

    async def update_card(self, activity_id: str, card: Card) -> None:
        """Replace the card of a message the bot sent earlier in this conversation."""
        act = MessageFactory.attachment(attachment(card))
        act.id = activity_id
        await self.turn.update_activity(act)


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

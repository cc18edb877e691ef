"""What a host hands over (a Turn: who, where, what) and what a handler gets (a Ctx: actor, conversation, input, answers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from bot.chat.messenger import TurnMessenger
from bot.chat.reply import Reply, as_reply
from bot.kernel.errors import InvalidInput
from bot.kernel.people import Person
from bot.messages import language, t
from bot.services import Services
from bot.storage.conversations import ConversationInfo
from cards.common import Card

__all__ = ["Actor", "ConversationRef", "Ctx", "Reply", "Turn"]


@dataclass(frozen=True)
class Actor:
    """Who sent the activity: the person id (AAD id when known), the AAD and channel user ids, the display name."""

    person_id: str
    aad_object_id: str
    channel_user_id: str
    name: str = ""


@dataclass
class ConversationRef:
    """Where: the conversation, its kind (personal, groupChat, channel), tenant, team, and the host's reference to it
    (made only when it is stored: most turns come from conversations seen a moment ago)."""

    id: str
    kind: str
    tenant_id: str = ""
    team_id: str = ""
    service_url: str = ""
    name: str = ""
    make_reference: Callable[[], dict[str, Any]] = dict

    @cached_property
    def reference(self) -> dict[str, Any]:
        """What the host needs to reach the conversation later (stored with it)."""
        return self.make_reference()


def _no_mentions() -> list[tuple[str, str]]:
    """The default of Turn.mentions: none."""
    return []


@dataclass
class Turn:
    """One inbound activity as a host translated it: a message (text) or a card action (verb + data)."""

    who: Actor
    where: ConversationRef
    locale: str | None
    messenger: TurnMessenger
    channel_id: str = ""
    text: str = ""  # a message's raw text
    command: str = ""  # the text without the @mention of the bot
    addressed: bool = False  # the bot is @mentioned
    verb: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    is_invoke: bool = False
    reply_to_id: str | None = None
    mentions: Callable[[], list[tuple[str, str]]] = _no_mentions  # (channel user id, name), the bot excluded


@dataclass
class Ctx:
    """One turn as a handler sees it."""

    messenger: TurnMessenger
    services: Services
    actor: Person
    conversation: ConversationInfo
    locale: str  # this turn's replies: the organisation's language in shared chats, the member's own in the personal chat
    args: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    verb: str = ""
    is_invoke: bool = False
    reply_to_id: str | None = None
    mentions: Callable[[], list[tuple[str, str]]] = _no_mentions
    private_locale: str = ""  # the member's own Teams language: for replies only they see (Reply(private=True))

    @property
    def lang(self) -> str:
        """'nb' or 'en'."""
        return language(self.locale)

    def t(self, key: str, **params: object) -> str:
        """A catalogue text in the user's language."""
        return t(key, self.locale, **params)

    def private_t(self, key: str, **params: object) -> str:
        """A catalogue text in the member's own language, for a reply only they see (sent to their personal chat)."""
        return t(key, self.private_locale or self.locale, **params)

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
        return self.reply_to_id

    def mentioned(self) -> list[tuple[str, str]]:
        """(channel user id, name) of people @mentioned in the message, the bot excluded."""
        return self.mentions()

    async def send(self, reply: Reply | Card | str) -> str | None:
        """Send a new message to this conversation; returns its activity id."""
        return await self.messenger.send(as_reply(reply))

    async def update_card(self, activity_id: str, card: Card) -> None:
        """Replace the card of a message the bot sent earlier in this conversation."""
        await self.messenger.update(activity_id, Reply(card=card))

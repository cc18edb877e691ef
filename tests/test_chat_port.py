"""The chat port without any SDK: a Turn from a recording messenger goes through the dispatcher like a Teams turn."""

from __future__ import annotations

from typing import Any

from bot.chat.dispatch import Dispatcher
from bot.chat.messenger import Member, PersonalChat
from bot.chat.reply import Reply
from bot.chat.routes import MAX_COMMAND_CHARS
from bot.chat.turn import Actor, ConversationRef, Turn
from bot.features import build_router
from bot.messages import t
from tests.harness import User


class RecordingMessenger:
    """A TurnMessenger that keeps what the bot answered."""

    def __init__(self) -> None:
        self.sent: list[Reply] = []
        self.updated: list[tuple[str, Reply]] = []

    async def send(self, reply: Reply) -> str | None:
        self.sent.append(reply)
        return f"m-{len(self.sent)}"

    async def update(self, activity_id: str, reply: Reply) -> None:
        self.updated.append((activity_id, reply))

    async def member(self, channel_user_id: str) -> Member | None:
        return None

    async def open_personal_chat(self) -> PersonalChat | None:
        return None


def _turn(user: User, messenger: RecordingMessenger, kind: str = "personal", **what: Any) -> Turn:
    conv = f"a:port-{kind}-{user.id}"
    where = ConversationRef(id=conv, kind=kind, tenant_id=user.tenant, service_url="https://connector.invalid",
                            make_reference=lambda: {"conversation": {"id": conv}, "serviceUrl": "https://connector.invalid"})
    return Turn(who=Actor(user.aad, user.aad, user.id, user.name), where=where, locale="nb-NO", messenger=messenger,
                channel_id="msteams", **what)


async def test_a_command_and_the_refusals_without_an_sdk(bot, members):
    dispatcher = Dispatcher(bot.services, build_router())
    m = RecordingMessenger()
    await dispatcher.on_message(_turn(members[0], m, text="hjelp", command="hjelp"))
    assert len(m.sent) == 1 and m.sent[0].card is not None
    assert await bot.services.conversations.get(f"a:port-personal-{members[0].id}") is not None

    await dispatcher.on_message(_turn(members[0], m, kind="groupChat", text="hjelp", command=""))
    assert len(m.sent) == 1  # a group message that does not @mention the bot is not for it

    long = "x" * (MAX_COMMAND_CHARS + 1)
    await dispatcher.on_message(_turn(members[0], m, text=long, command=long))
    assert m.sent[-1].text == t("input.command_too_long", "nb-NO", max=MAX_COMMAND_CHARS)


async def test_an_invoked_unknown_action_answers_in_the_invoke_body(bot, members):
    dispatcher = Dispatcher(bot.services, build_router())
    m = RecordingMessenger()
    result = await dispatcher.on_action(_turn(members[1], m, verb="no.such.verb", is_invoke=True))
    assert result.body() == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                             "value": t("error.unknown_action", "nb-NO")}
    assert m.sent == []

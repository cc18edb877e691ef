"""The end-to-end harness: run the real app over HTTP, talk to it as Teams would, press card buttons."""

from __future__ import annotations

import dataclasses
import itertools
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import SERVICES, create_app
from bot.config import Settings
from bot.kernel.clock import Clock
from bot.services import Services
from tests.fakes.connector import FakeConnector, card_of

TENANT = "11111111-2222-3333-4444-555555555555"
BOT_ID = "28:faggruppe-bot"


@dataclass(frozen=True)
class User:
    """A Teams user: channel id (29:...), AAD object id, name, UPN."""

    name: str
    aad: str
    upn: str
    id: str
    tenant: str = TENANT

    def account(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad}

    def member(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad, "userPrincipalName": self.upn,
                "email": self.upn, "tenantId": self.tenant, "givenName": self.name.split()[0]}


@dataclass(frozen=True)
class Conv:
    """A conversation: personal, groupChat or channel."""

    id: str
    kind: str
    name: str = ""
    team_id: str = ""


_seq = itertools.count(1)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_user(name: str, tenant: str = TENANT) -> User:
    n = next(_seq)
    aad = str(uuid.UUID(int=n + 10_000))
    slug = name.lower().replace(" ", ".").encode("ascii", "ignore").decode()
    return User(name=name, aad=aad, upn=f"{slug or 'user'}{n}@kommune.no", id=f"29:user-{n}", tenant=tenant)


@dataclass
class Result:
    """What came back from one POST: the HTTP status, the JSON body, and what the bot sent meanwhile."""

    status: int
    body: Any
    sent: list[dict[str, Any]] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [a.get("text") or "" for a in self.sent]

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [c for c in (card_of(a) for a in self.sent) if c]

    @property
    def card(self) -> dict[str, Any]:
        """The card of an invoke response, else the last card sent."""
        if isinstance(self.body, dict) and self.body.get("type") == "application/vnd.microsoft.card.adaptive":
            return self.body["value"]
        if self.dialog is not None:
            return self.dialog["card"]["content"]
        assert self.cards, f"no card in reply: texts={self.texts} body={self.body}"
        return self.cards[-1]

    @property
    def dialog(self) -> dict[str, Any] | None:
        """A task/fetch or task/submit answer that keeps a dialog open: its title, size and card."""
        task = self.body.get("task") if isinstance(self.body, dict) else None
        return task["value"] if isinstance(task, dict) and task.get("type") == "continue" else None

    @property
    def invoke_message(self) -> str:
        if isinstance(self.body, dict) and self.body.get("type") == "application/vnd.microsoft.activity.message":
            return str(self.body.get("value"))
        task = self.body.get("task") if isinstance(self.body, dict) else None
        if isinstance(task, dict) and task.get("type") == "message":
            return str(task.get("value"))
        return ""


def iter_actions(node: Any) -> Iterator[dict[str, Any]]:
    """Every action in a card (actions, ActionSets, selectActions, ShowCard cards)."""
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Action."):
            yield node
            if node.get("card"):
                yield from iter_actions(node["card"])
            return
        for key, value in node.items():
            if key in ("actions", "body", "items", "columns", "selectAction", "card", "inlineAction"):
                yield from iter_actions(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_actions(item)


def find_action(card: dict[str, Any], title: str | None = None, verb: str | None = None, **data: Any) -> dict[str, Any]:
    """The first action matching title / verb / data values."""
    for a in iter_actions(card):
        d = a.get("data") or {}
        if title is not None and a.get("title") != title:
            continue
        if verb is not None and a.get("verb") != verb and d.get("verb") != verb:
            continue
        if any(d.get(k) != v for k, v in data.items()):
            continue
        return a
    titles = [(a.get("title"), a.get("verb") or (a.get("data") or {}).get("verb")) for a in iter_actions(card)]
    raise AssertionError(f"no action title={title!r} verb={verb!r} {data} in card; have {titles}")


class TeamsClient:
    """Posts real activities to the running bot as a named user in a named conversation."""

    def __init__(self, http: aiohttp.ClientSession, bot_url: str, connector: FakeConnector) -> None:
        self.http = http
        self.bot_url = bot_url
        self.connector = connector
        # Cards shown in a dialog (kept, so their ids stay theirs): their buttons submit task/submit.
        self.dialog_cards: dict[int, dict[str, Any]] = {}

    async def open_form(self, conv: Conv, user: User, command: str, *, locale: str = "nb-NO") -> dict[str, Any]:
        """Type a command whose answer opens a form in a dialog, press its button; the dialog's card."""
        launcher = (await self.send(conv, user, command, locale=locale)).card
        res = await self.press(conv, user, launcher, locale=locale)
        assert res.dialog is not None, res.body
        return res.card

    def personal(self, user: User) -> Conv:
        return Conv(id=f"a:personal-{user.aad}", kind="personal")

    def group(self, name: str, members: list[User] | None = None) -> Conv:
        conv = Conv(id=f"19:{uuid.uuid4().hex}@thread.v2", kind="groupChat", name=name)
        self.add_members(conv, members or [])
        return conv

    def channel(self, name: str, members: list[User] | None = None, team_id: str | None = None) -> Conv:
        tid = team_id or f"19:team-{uuid.uuid4().hex}@thread.tacv2"
        conv = Conv(id=f"19:{uuid.uuid4().hex}@thread.tacv2", kind="channel", name=name, team_id=tid)
        self.add_members(conv, members or [])
        return conv

    def add_members(self, conv: Conv, members: list[User]) -> None:
        existing = {m["id"] for m in self.connector.members[conv.id]}
        self.connector.members[conv.id].extend(m.member() for m in members if m.id not in existing)

    def activity(self, conv: Conv, user: User, type_: str = "message", **extra: Any) -> dict[str, Any]:
        act: dict[str, Any] = {
            "type": type_,
            "id": f"in-{uuid.uuid4().hex[:12]}",
            "timestamp": "2026-11-23T10:00:00.000Z",
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": user.account(),
            "recipient": {"id": BOT_ID, "name": "Faggruppe-bot"},
            "conversation": {"id": conv.id, "conversationType": conv.kind, "tenantId": user.tenant,
                             "isGroup": conv.kind != "personal", **({"name": conv.name} if conv.name else {})},
            "channelData": {"tenant": {"id": user.tenant}},
            "locale": "nb-NO",
        }
        if conv.team_id:
            act["channelData"]["team"] = {"id": conv.team_id, "name": "Team"}
            act["channelData"]["channel"] = {"id": conv.id, "name": conv.name}
        act.update(extra)
        return act

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> Result:
        before = len(self.connector.records)
        async with self.http.post(f"{self.bot_url}/api/messages", json=activity, headers=headers) as resp:
            try:
                body = await resp.json(content_type=None)
            except (ValueError, aiohttp.ContentTypeError):
                body = await resp.text()
            status = resp.status
        sent = [r.body for r in self.connector.records[before:] if r.op in ("send", "reply") and r.body is not None]
        result = Result(status, body, sent)
        if result.dialog is not None:
            self.dialog_cards[id(result.card)] = result.card
        return result

    async def send(self, conv: Conv, user: User, text: str, *, mention: bool = True, locale: str = "nb-NO",
                   mentions: list[User] | None = None) -> Result:
        """A message; in group chats and channels the bot is @mentioned unless mention=False."""
        entities = []
        body_text = text
        if conv.kind != "personal" and mention:
            body_text = f"<at>Faggruppe-bot</at> {text}"
            entities.append({"type": "mention", "text": "<at>Faggruppe-bot</at>",
                             "mentioned": {"id": BOT_ID, "name": "Faggruppe-bot"}})
        for m in mentions or []:
            body_text += f" <at>{m.name}</at>"
            entities.append({"type": "mention", "text": f"<at>{m.name}</at>", "mentioned": {"id": m.id, "name": m.name}})
        act = self.activity(conv, user, text=body_text, entities=entities, locale=locale, textFormat="plain")
        return await self.post(act)

    async def install(self, conv: Conv, user: User, *, locale: str = "nb-NO") -> Result:
        act = self.activity(conv, user, "conversationUpdate", membersAdded=[{"id": BOT_ID}], locale=locale)
        return await self.post(act)

    async def uninstall(self, conv: Conv, user: User) -> Result:
        act = self.activity(conv, user, "conversationUpdate", membersRemoved=[{"id": BOT_ID}])
        return await self.post(act)

    async def press(self, conv: Conv, user: User, card: dict[str, Any], title: str | None = None, *,
                    verb: str | None = None, inputs: dict[str, Any] | None = None, reply_to: str | None = None,
                    locale: str = "nb-NO", **match: Any) -> Result:
        """Press a button: Action.Execute becomes an adaptiveCard/action invoke, Action.Submit a message with value."""
        action = find_action(card, title, verb, **match)
        data = {**(action.get("data") or {}), **(inputs or {})}
        if action["type"] == "Action.Submit" and ((action.get("data") or {}).get("msteams") or {}).get("type") == "task/fetch":
            act = self.activity(conv, user, "invoke", name="task/fetch", locale=locale,
                                value={"data": data, "context": {"theme": "default"}})
        elif action["type"] == "Action.Submit" and id(card) in self.dialog_cards:
            act = self.activity(conv, user, "invoke", name="task/submit", locale=locale,
                                value={"data": data, "context": {"theme": "default"}})
        elif action["type"] == "Action.Execute":
            act = self.activity(conv, user, "invoke", name="adaptiveCard/action", locale=locale,
                                value={"action": {"type": "Action.Execute", "verb": action.get("verb"), "data": data},
                                       "trigger": "manual"},
                                **({"replyToId": reply_to} if reply_to else {}))
        elif action["type"] == "Action.Submit":
            act = self.activity(conv, user, "message", value=data, locale=locale,
                                **({"replyToId": reply_to} if reply_to else {}))
        else:
            raise AssertionError(f"cannot press {action['type']}")
        return await self.post(act)


class RunningBot:
    """The real app on 127.0.0.1 with a random port."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.runner: web.AppRunner | None = None
        self.url = ""
        self.app: web.Application | None = None

    async def start(self) -> str:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.settings = dataclasses.replace(self.settings, host="127.0.0.1", port=port, public_base_url=self.url)
        self.app = create_app(self.settings, clock=self.clock)
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        return self.url

    @property
    def services(self) -> Services:
        assert self.app is not None
        return self.app[SERVICES]

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()
            self.runner = None

"""User text with markdown links, `<at>` mentions, `{{DATE()}}` templates and JSON-looking text is inert in every card:
poll titles, input titles, broadcast titles, gate documents and faggruppe names (end to end, as other people see them).

The broadcast message is the leader's own Teams markdown by design: https links and emphasis stay; mentions,
templates and non-https links are neutralised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from bot.broadcasts.model import TargetMode
from bot.kernel.choices import encode_multi
from tests.broadcast_helpers import compose, quick_chats
from tests.dates import iso
from tests.fakes.connector import card_of
from tests.gates_helpers import INVOLVED, PROJECT, set_deadline, setup_chats, timeline
from tests.harness import TeamsClient, iter_actions
from tests.needs_support import NEED_OK, create_project, submit
from tests.test_polls_e2e import create_poll

EVIL = '[lenke](https://evil.example) <at>Alle</at> {{DATE(2026-01-01T00:00:00Z, SHORT)}} **fet** {"type":"Action.OpenUrl"}'
EVIL_SHORT = "[x](https://evil.example) <at>Alle</at> {{DATE(2026)}} **f**"
UNESCAPED = {
    "markdown link": re.compile(r"(?<!\\)\]\((?!\\)"),
    "mention": re.compile(r"<at>", re.I),
    "template": re.compile(r"\{\{|\$\{"),
    "bold": re.compile(r"(?<!\\)\*\*f"),
}


def rendered(node: Any) -> Iterator[str]:
    """Every string Teams renders as markdown: TextBlock texts and FactSet titles/values."""
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            yield str(node.get("text", ""))
        if node.get("type") == "FactSet":
            for f in node.get("facts", []):
                yield str(f.get("title", ""))
                yield str(f.get("value", ""))
        for v in node.values():
            yield from rendered(v)
    elif isinstance(node, list):
        for v in node:
            yield from rendered(v)


def assert_inert(where: str, card: dict[str, Any] | None, *, required: bool = True) -> int:
    """User text containing 'evil' is escaped wherever it is shown; returns how many places showed it."""
    assert card, where
    shown = [s for s in rendered(card) if "evil" in s]
    if required:
        assert shown, f"{where}: the hostile text is not shown at all"
    for s in shown:
        for name, rx in UNESCAPED.items():
            assert not rx.search(s), f"{where}: {name} not escaped in {s!r}"
    for action in iter_actions(card):
        assert "evil" not in str(action.get("url", "")), f"{where}: a link to the hostile url became an action"
    assert "Action.OpenUrl\"}" not in json.dumps([a for a in iter_actions(card)]), where
    return len(shown)


def assert_text_inert(where: str, texts: list[str]) -> None:
    for s in texts:
        if "evil" in s or "Alle" in s:
            for name, rx in UNESCAPED.items():
                assert not rx.search(s), f"{where}: {name} not escaped in {s!r}"


async def test_hostile_text_is_inert_in_every_feature_card(teams: TeamsClient, bot, leader, members, clock):
    checked: dict[str, int] = {}
    await create_project(teams, leader, PROJECT, INVOLVED)
    chats = await setup_chats(teams, leader, members)
    group, personal = chats["Oppvekst"], chats["personal"]

    # poll title: the posted card, the voter's own card, the list
    _pid, aid, card = await create_poll(teams, group, members[0], title=EVIL)
    checked["poll card"] = assert_inert("poll card", card)
    vote = await teams.press(group, members[1], card, verb="poll.vote", answer="yes", reply_to=aid)
    checked["poll voter card"] = assert_inert("poll voter card", vote.card)
    checked["poll list"] = assert_inert("poll list", (await teams.send(group, members[1], "avstemninger")).card)
    await bot.services.polls.settle()
    checked["poll card updated"] = assert_inert("poll card updated", card_of(teams.connector.activities[(group.id, aid)]))

    # input title: confirmation, my inputs, the leader's status
    saved = await submit(teams, group, members[0], "need", {**NEED_OK, "title": EVIL, "problem": EVIL})
    checked["input confirmation"] = assert_inert("input confirmation", saved.card)
    checked["my inputs"] = assert_inert("my inputs", (await teams.send(group, members[0], "mine innspill")).card)

    # gate documents: the deadline confirmation and the timeline everyone sees
    res = await set_deadline(teams, group, leader, 2, iso(clock, 60), documents=f"{EVIL}\nFaseplan")
    assert_text_inert("gate deadline reply", res.texts)
    for c in res.cards:
        assert_inert("gate deadline reply card", c, required=False)
    tl = await timeline(teams, group, members[1])
    phase = next((a for a in iter_actions(tl) if a.get("verb") == "gates.phase"), None)
    shown = assert_inert("gate timeline", tl, required=False)
    if phase:
        pres = await teams.press(group, leader, {"type": "AdaptiveCard", "actions": [phase]}, verb="gates.phase")
        shown += sum(assert_inert("gate phase", c, required=False) for c in pres.cards)
    assert shown, "the gate documents are not shown in the timeline or phase card"
    checked["gate documents"] = shown

    # faggruppe name: registration reply, project listing, broadcast form choices and report
    evil_chat = teams.group("Ond chat", [leader, members[0]])
    await teams.install(evil_chat, leader)
    form = (await teams.send(evil_chat, leader, "registrer")).card
    reg = await teams.press(evil_chat, leader, form, verb="faggruppe.register",
                            inputs={"faggruppe": "", "new_faggruppe": EVIL_SHORT})
    assert (await bot.services.conversations.get(evil_chat.id)).faggruppe == EVIL_SHORT
    assert_text_inert("registration reply", [*reg.texts, reg.invoke_message])
    for c in reg.cards:
        assert_inert("registration card", c, required=False)
    await quick_chats(teams, bot, leader, {"Kultur": 1})

    # broadcast title (escaped) and message (the leader's markdown: https links kept, the rest neutralised)
    message = ("Se [intranett](https://intranett.kommune.no) og [ikke](javascript:alert(1)) <at>Alle</at> "
               "{{DATE(2026)}} **viktig**")
    preview = await compose(teams, personal, leader, title=EVIL, message=message, mode=TargetMode.SOME.value,
                            faggrupper=encode_multi([EVIL_SHORT]))
    checked["broadcast preview"] = assert_inert("broadcast preview", preview)
    body = json.dumps(preview, ensure_ascii=False)
    assert "[intranett](https://intranett.kommune.no)" in body and "**viktig**" in body  # the leader's markdown stays
    assert "<at>" not in body and "{{DATE" not in body and "](javascript" not in body
    sent = await teams.press(personal, leader, preview, verb="broadcast.send")
    assert sent.status == 200
    delivered = await teams.connector.wait_for(lambda: [a for a in teams.connector.sent(evil_chat.id)
                                                        if "evil" in json.dumps(card_of(a) or {})], timeout=15)
    checked["broadcast delivered"] = assert_inert("broadcast delivered", card_of(delivered[-1]))
    report = await teams.connector.wait_for(lambda: [r for r in teams.connector.records if r.conversation_id == personal.id
                                                     and r.body and "evil" in json.dumps(r.body)], timeout=15)
    checked["broadcast report"] = assert_inert("broadcast report", card_of(report[-1].body))
    print(f"\nescaping: hostile text checked in {len(checked)} cards ({sum(checked.values())} places): {checked}")

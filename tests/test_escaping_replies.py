"""Hostile user text in every reply that echoes it: project, faggruppe, poll and entry titles, comments, people's display
names and unknown names typed in commands. Whatever the bot sends (messages, cards, card updates, invoke answers) never
carries a live markdown link, a mention or a template made of user text.

Every catalogue parameter is classified as user text (escaped by `t`) or text the bot formats itself.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.broadcasts.model import TargetMode
from bot.messages import BOT_TEXT, USER_TEXT, catalogue, is_plain
from tests.broadcast_helpers import compose
from tests.gates_helpers import INVOLVED, setup_chats
from tests.harness import TeamsClient, User, make_user
from tests.needs_support import NEED_OK, create_project, submit
from tests.test_polls_e2e import FakeCalendar, create_poll

LINK = "[klikk her](https://evil.example)"
EVIL = f"{LINK} <at>Alle</at> **fet** {{{{DATE(2026-01-01T00:00:00Z)}}}}"
PROJECT = f"Prosjekt {LINK}"
UNKNOWN = f"Ukjent {LINK}"
LIVE = {
    "markdown link": re.compile(r"(?<!\\)\]\((?!\\)\s*https://evil"),
    "mention": re.compile(r"<at>Alle", re.I),
    "template": re.compile(r"\{\{DATE"),
    "bold": re.compile(r"(?<!\\)\*\*fet"),
    "escaped twice (shows backslashes)": re.compile(r"\\\\"),  # the hostile text has no backslash of its own
}
OSLO = ZoneInfo("Europe/Oslo")


def test_every_catalogue_parameter_is_classified():
    found = {p for texts in catalogue().values() for k, v in texts.items() if not is_plain(k)
             for p in re.findall(r"\{(\w+)\}", v)}
    assert found <= USER_TEXT | BOT_TEXT, sorted(found - USER_TEXT - BOT_TEXT)
    assert not USER_TEXT & BOT_TEXT


def _strings(node: Any) -> list[str]:
    """Every string Teams renders as markdown in a sent activity or invoke answer: message texts, TextBlocks, FactSets,
    invoke messages (input values and choice titles are plain text and not included)."""
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    if not isinstance(node, dict):
        return []
    kind = node.get("type")
    out: list[str] = []
    if kind in ("message", "TextBlock") and isinstance(node.get("text"), str):
        out.append(node["text"])
    if kind == "FactSet":
        out += [str(f.get(k, "")) for f in node.get("facts") or [] for k in ("title", "value")]
    if kind == "application/vnd.microsoft.activity.message" and isinstance(node.get("value"), str):
        out.append(node["value"])
    return out + [s for v in node.values() if isinstance(v, dict | list) for s in _strings(v)]


async def test_hostile_text_is_inert_in_every_reply(teams: TeamsClient, bot, leader, members, clock):
    answers: list[Any] = []
    post = teams.post

    async def recording(activity: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        res = await post(activity, headers)
        answers.append(res.body)
        return res

    teams.post = recording  # type: ignore[method-assign]
    evil = make_user(EVIL)
    await create_project(teams, leader, PROJECT, INVOLVED)
    chats = await setup_chats(teams, leader, members)
    group, personal = chats["Oppvekst"], chats["personal"]
    teams.add_members(group, [evil])
    echoed: dict[str, list[str]] = {}

    def said(what: str, res: Any) -> None:
        echoed[what] = [s for s in [res.invoke_message, *res.texts] if "evil" in s]

    # Unknown names typed in commands (the project-not-found replies).
    said("oversikt unknown", await teams.send(group, members[0], f"oversikt {UNKNOWN}"))
    said("eksport unknown", await teams.send(group, leader, f"eksport {UNKNOWN}"))
    said("faser unknown", await teams.send(group, members[0], f"faser {UNKNOWN}"))
    said("fase unknown", await teams.send(group, leader, f"fase konsept {UNKNOWN}"))
    # A hostile project name: phase, deadline, decision with a hostile comment, summary, export, broadcast targets.
    said("fase", await teams.send(group, leader, f"fase konsept {PROJECT}"))
    timeline = (await teams.send(group, leader, f"faser {PROJECT}")).card
    form = (await teams.press(group, leader, timeline, verb="gates.form", bp=2)).card
    day = (clock.now() + timedelta(days=60)).astimezone(OSLO).date().isoformat()
    said("gates.save", await teams.press(group, leader, form, verb="gates.save",
                                         inputs={"deadline": day, "offsets": "7", "faggrupper": "Oppvekst"}))
    timeline = (await teams.send(group, leader, f"faser {PROJECT}")).card
    decision = (await teams.press(group, leader, timeline, verb="gates.decision_form", bp=2)).card
    said("gates.decide", await teams.press(group, leader, decision, verb="gates.decide",
                                           inputs={"decision": "postponed", "comment": EVIL}))
    said("oversikt", await teams.send(group, members[0], f"oversikt {PROJECT}"))
    said("eksport", await teams.send(personal, leader, f"eksport {PROJECT}"))
    project_id = (await bot.services.projects.all())[0].id
    preview = await compose(teams, personal, leader, title=EVIL, mode=TargetMode.PROJECT.value, project=str(project_id))
    echoed["broadcast preview"] = [s for s in _strings(preview) if "evil" in s]
    # A hostile faggruppe name and a hostile display name (registration, leader changes, polls, inputs).
    chat = teams.group(EVIL, [leader, evil])
    await teams.install(chat, leader)
    said("registrer", await teams.send(chat, leader, f"registrer {EVIL}"))
    said("leder legg til", await teams.send(group, leader, "leder legg til", mentions=[evil]))
    said("leder fjern", await teams.send(group, leader, "leder fjern", mentions=[evil]))
    said("avstemning", await teams.send(group, evil, f"avstemning {EVIL}"))
    await create_poll(teams, group, evil, title=EVIL)
    said("innspill", await submit(teams, group, evil, "need", {**NEED_OK, "title": EVIL, "problem": EVIL}))
    said("mine innspill", await teams.send(group, evil, "mine innspill"))
    said("avstemninger", await teams.send(group, members[0], "avstemninger"))
    await bot.services.polls.settle()
    # Free/busy suggestions name the people left out: a guest from another tenant with a hostile name.
    guest = User(name=EVIL, aad="", upn="gjest@annen.no", id="29:guest-evil", tenant="99999999-0000-0000-0000-000000000000")
    planning = teams.group("Planlegging", [leader, members[0], guest])
    bot.services.calendar = FakeCalendar()
    form = await teams.open_form(planning, members[0], "avstemning")
    suggested = await teams.press(planning, members[0], form, verb="poll.suggest", inputs={"title": "Styremøte"})
    echoed["poll.suggest"] = [s for s in _strings(suggested.card) if "evil" in s]

    # Everything the bot sent or answered, in every conversation.
    sent = [r.body for r in teams.connector.records if r.body is not None]
    strings = [s for node in [*sent, *answers] for s in _strings(node) if "evil" in s or "Alle" in s or "DATE" in s]
    assert len(strings) > 20, "the hostile text was hardly echoed: the test does not reach the replies"
    for s in strings:
        for name, rx in LIVE.items():
            assert not rx.search(s), f"{name} made of user text in a reply: {s[:300]!r}"
    for what in ("poll.suggest", "oversikt unknown", "eksport unknown", "faser unknown", "fase unknown", "fase", "gates.decide",
                 "registrer", "leder legg til", "leder fjern"):
        assert echoed[what], f"{what}: the reply does not show the name at all"
    print(f"\nescaped replies: {len(strings)} strings with hostile text checked; "
          f"{sum(1 for v in echoed.values() if v)} text replies echo it: {sorted(k for k, v in echoed.items() if v)}")
    assert json.dumps(echoed)  # the figures above are JSON-clean (no lone surrogates from escaping)

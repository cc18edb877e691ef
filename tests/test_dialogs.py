"""Forms for their author only: the poll and broadcast forms open in a Teams dialog (task/fetch, task/submit) over HTTP;
the group chat sees only who is writing what."""

from __future__ import annotations

import json

from tests.broadcast_helpers import form as broadcast_form
from tests.fakes.connector import card_of
from tests.harness import TeamsClient, iter_actions
from tests.needs_support import inputs
from tests.test_polls_e2e import form_inputs


async def test_poll_form_opens_in_a_dialog_for_the_one_who_asked(teams: TeamsClient, members):
    author = members[0]
    group = teams.group("Oppvekst", members)
    launcher = (await teams.send(group, author, "avstemning Styremøte")).card
    shown = json.dumps(launcher, ensure_ascii=False)
    assert f"{author.name} lager en avstemning …" in shown and not inputs(launcher)  # no form in the shared chat
    [button] = list(iter_actions(launcher))
    assert button["type"] == "Action.Submit" and button["data"]["msteams"] == {"type": "task/fetch"}
    opened = await teams.press(group, author, launcher)
    dialog = opened.dialog
    assert dialog is not None and dialog["title"] == "Ny møteavstemning"
    form = opened.card
    assert inputs(form)["title"]["value"] == "Styremøte"
    assert {a["type"] for a in iter_actions(form)} <= {"Action.Submit", "Action.ToggleVisibility"}  # dialogs run Submit
    assert "refresh" not in form
    bad = await teams.press(group, author, form, verb="poll.create", inputs={"title": ""})
    assert bad.dialog is not None and "Må fylles ut." in json.dumps(bad.card, ensure_ascii=False)  # the dialog stays
    ok = await teams.press(group, author, bad.card, verb="poll.create", inputs=form_inputs(title="Styremøte"))
    assert "er lagt ut" in ok.invoke_message and ok.dialog is None  # closes with a message
    posted = [card_of(a) for a in ok.sent if card_of(a)]
    assert len(posted) == 1 and any(a.get("verb") == "poll.vote" for a in iter_actions(posted[0]))
    # someone else pressing the same launcher gets a form of their own, in their own dialog
    other = await teams.press(group, members[1], launcher)
    assert other.dialog is not None and inputs(other.card)["title"]["value"] == "Styremøte"


async def test_broadcast_form_in_a_group_opens_in_the_leaders_dialog(teams: TeamsClient, leader, members):
    group = teams.group("Oppvekst", [leader, *members])
    await teams.install(group, leader)
    await teams.send(group, leader, "registrer Oppvekst")
    launcher = (await teams.send(group, leader, "kunngjøring")).card
    assert f"{leader.name} skriver en kunngjøring …" in json.dumps(launcher, ensure_ascii=False)
    assert not inputs(launcher)
    refused = await teams.press(group, members[0], launcher)
    assert refused.dialog is None and "prosjektleder" in refused.invoke_message
    opened = await teams.press(group, leader, launcher)
    assert opened.dialog is not None and "title" in inputs(opened.card)
    preview = await teams.press(group, leader, opened.card, verb="broadcast.preview", inputs=broadcast_form())
    assert preview.dialog is not None and any((a.get("data") or {}).get("verb") == "broadcast.send"
                                              for a in iter_actions(preview.card))
    # in the personal chat the form is the reply itself: only the leader is there
    personal = await teams.send(teams.personal(leader), leader, "kunngjøring")
    assert "title" in inputs(personal.card)

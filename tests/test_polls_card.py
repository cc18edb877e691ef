"""The short poll card over the wire: counts and share per slot, the viewer's answer, names behind one toggle, same verbs."""

from __future__ import annotations

import json
from typing import Any

from tests import dates
from tests.fakes.connector import card_of
from tests.harness import TeamsClient, find_action, iter_actions
from tests.test_polls_result import post_poll, vote


def walk(node: Any, hidden: bool = False) -> list[tuple[dict, bool]]:
    """Every element with whether it sits in a container hidden at first."""
    out: list[tuple[dict, bool]] = []
    if isinstance(node, dict):
        hidden = hidden or node.get("isVisible") is False
        out.append((node, hidden))
        for v in node.values():
            out += walk(v, hidden)
    elif isinstance(node, list):
        for v in node:
            out += walk(v, hidden)
    return out


async def test_short_card_with_names_behind_one_toggle(teams: TeamsClient, bot, clock, members):
    conv = teams.group("Oppvekst", members)
    _pid, aid, card, (s1, s2) = await post_poll(teams, conv, members[0], clock)
    await vote(teams, conv, card, aid, {s1: [(members[1], "yes"), (members[2], "maybe"), (members[3], "no")]})
    own = await teams.press(conv, members[1], card, verb="poll.vote", slot_id=s2, answer="yes", reply_to=aid)
    own_text = json.dumps(own.card, ensure_ascii=False)
    assert own_text.count("Ditt svar: Ja") == 2 and "Du har ikke svart" not in own_text
    await bot.services.polls.settle()
    stored = card_of(teams.connector.activities[(conv.id, aid)])
    shown = [el for el, hidden in walk(stored["body"]) if not hidden and el.get("type") == "TextBlock"]
    visible = " ".join(el["text"] for el in shown)
    assert "✅ Ja 1 · ❔ Om nødvendig 1 · ❌ Nei 1 · 2 av 3 kan (67\u00a0%)" in visible
    assert "✅ Ja 1 · ❔ Om nødvendig 0 · ❌ Nei 0 · 1 av 3 kan (33\u00a0%)" in visible
    assert not any(m.name in visible for m in members[1:])  # no names until asked for
    hidden = [el for el, h in walk(stored["body"]) if h and el.get("type") == "TextBlock"]
    assert any(members[3].name in el["text"] for el in hidden)
    toggle = find_action(stored, "Vis hvem som har svart")
    assert toggle["type"] == "Action.ToggleVisibility" and toggle["targetElements"] == ["poll-names"]
    assert not [el for el, _ in walk(stored) if str(el.get("type", "")).startswith("Chart.")]
    assert f"{dates.day(clock, 3).day}." in visible


async def test_verbs_and_data_unchanged_and_cards_posted_before_still_work(teams: TeamsClient, bot, clock, members):
    conv = teams.group("Oppvekst", members)
    pid, aid, card, (s1, _s2) = await post_poll(teams, conv, members[0], clock)
    votes = [a for a in iter_actions(card) if a.get("verb") == "poll.vote"]
    assert len(votes) == 6 and all(set(a["data"]) == {"verb", "poll_id", "slot_id", "answer"} for a in votes)
    assert find_action(card, verb="poll.close")["data"] == {"verb": "poll.close", "poll_id": pid}
    other = find_action(card, "Avslutt med dette tidspunktet")
    assert other["data"] == {"verb": "poll.close", "poll_id": pid}
    assert card["refresh"]["action"]["data"] == {"verb": "poll.refresh", "poll_id": pid}
    # a button from a card posted by the previous release, exactly as it was
    old = {"type": "AdaptiveCard", "actions": [{"type": "Action.Execute", "title": "Ja", "verb": "poll.vote",
                                                "data": {"verb": "poll.vote", "poll_id": pid, "slot_id": s1, "answer": "yes"}}]}
    res = await teams.press(conv, members[1], old, "Ja", reply_to=aid)
    assert res.status == 200 and "Ditt svar: Ja" in json.dumps(res.card, ensure_ascii=False)
    assert [(v.slot_id, v.answer) for v in await bot.services.polls.repo.votes(pid)] == [(s1, "yes")]

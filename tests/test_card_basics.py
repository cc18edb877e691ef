"""Every card fixture: version 1.5, verbs on Action.Execute, refresh limits, size, JSON-serialisable."""

from __future__ import annotations

import json

import pytest

from cards.common import escape
from tests import card_rules as rules
from tests.card_fixtures import all_fixtures
from tests.harness import iter_actions

FIXTURES = all_fixtures()


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_card_rules(name: str):
    card = FIXTURES[name]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5")
    size = len(json.dumps(card, ensure_ascii=False).encode())
    assert size < 80_000, f"{name} is {size} bytes"
    for action in iter_actions(card):
        if action["type"] == "Action.Execute":
            assert action.get("verb"), f"{name}: Action.Execute without verb"
    refresh = card.get("refresh")
    if refresh:
        assert len(refresh.get("userIds", [])) <= 60


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_colour_action_and_accessibility_rules(name: str):
    """The rules of tests/card_rules.py (readable colour, <= 6 primary actions, no literal backslash, one required
    marker, every input labelled)."""
    card = FIXTURES[name]
    assert rules.weak_colours(card) == [], f"{name}: text in good/warning (unreadable on Teams' light theme)"
    primary = rules.primary_actions(card)
    assert len(primary) <= rules.MAX_PRIMARY, f"{name}: {len(primary)} primary actions {primary}"
    assert rules.answer_row_problems(card) == [], f"{name}: answer rows must be <= 3 one-verb Action.Execute"
    assert rules.oversized_action_sets(card) == [], f"{name}: a button set longer than Teams draws"
    assert rules.literal_backslashes(card) == [], f"{name}: a backslash would show"
    assert rules.double_required_markers(card) == [], f"{name}: required label with its own '*' (Teams adds one)"
    assert rules.unlabelled_inputs(card) == [], f"{name}: input without a label"
    if not name.endswith("_en"):
        assert rules.mixed_time_formats(card) == [], f"{name}: a time not written the cards.when way"


def test_card_rules_catch_what_they_should():
    def one(*body: dict, actions: list | None = None) -> dict:
        return {"type": "AdaptiveCard", "version": "1.5", "body": list(body), **({"actions": actions} if actions else {})}

    button = {"type": "Action.Execute", "title": "x", "verb": "v"}
    assert rules.weak_colours(one({"type": "TextBlock", "text": "Lagret", "color": "Good"}))
    assert not rules.weak_colours(one({"type": "TextBlock", "text": "Feil", "color": "attention"}))
    assert len(rules.primary_actions(one({"type": "ActionSet", "actions": [button] * 4}, actions=[button] * 3))) == 7
    hidden = {"type": "Container", "isVisible": False, "items": [{"type": "ActionSet", "actions": [button] * 9}]}
    show = {"type": "Action.ShowCard", "title": "s", "card": one({"type": "ActionSet", "actions": [button] * 9})}
    assert rules.primary_actions(one(hidden, actions=[show])) == ["s"]
    row = {"type": "ActionSet", "id": "answers-1", "actions": [button] * 3}
    assert rules.primary_actions(one(row, row, row)) == [] and rules.answer_row_problems(one(row)) == []
    assert rules.answer_row_problems(one({**row, "actions": [button] * 4}))
    assert rules.oversized_action_sets(one(hidden)) == [9]
    assert rules.answer_row_problems(one({**row, "actions": [button, {**button, "verb": "other"}]}))
    assert rules.literal_backslashes(one({"type": "TextBlock", "text": "fase ‹fase\\›"}))
    assert not rules.literal_backslashes(one({"type": "TextBlock", "text": "a\\* b\\.c \\\\"}))
    assert rules.literal_backslashes(one(actions=[{**button, "title": "a\\.b"}]))
    required = {"type": "Input.Text", "id": "t", "label": "Tittel *", "isRequired": True}
    assert rules.double_required_markers(one(required)) == ["t"]
    assert rules.unlabelled_inputs(one({"type": "Input.Time", "id": "a", "label": " "}, {"type": "Input.Date", "id": "b"})) == [
        "a", "b"]
    assert rules.mixed_time_formats(one({"type": "TextBlock", "text": "Frist 03.12.2026 kl. 16:18"}))
    assert not rules.mixed_time_formats(one({"type": "TextBlock", "text": "torsdag 3. desember kl. 16.18"}))


def test_escape_neutralises_markup():
    evil = "[klikk](https://evil.example) **fet** <at>Alle</at> {{DATE(2026)}} - punkt"
    out = escape(evil)
    assert "](" not in out.replace("\\](", "").replace("\\(", "")
    assert "<at>" not in out
    assert "\\*\\*" in out
    assert "\\{\\{" in out


def test_list_rows_keep_their_buttons_until_they_would_pass_six():
    from cards.common import execute, rows_with_actions, text

    def rows(n: int) -> list:
        return [([text(f"rad {i}")], [execute("Endre", "x.edit", {"id": i}), execute("Trekk", "x.withdraw", {"id": i})])
                for i in range(n)]

    few = {"type": "AdaptiveCard", "body": rows_with_actions(rows(3), budget=6, toggle_title="Vis", id_prefix="r")}
    assert len(rules.primary_actions(few)) == 6 and "Vis" not in rules.primary_actions(few)
    many = {"type": "AdaptiveCard", "body": rows_with_actions(rows(20), budget=6, toggle_title="Vis", id_prefix="r")}
    assert rules.primary_actions(many) == ["Vis"]
    assert sum(1 for a in iter_actions(many) if a.get("verb") == "x.edit") == 20  # every row keeps its buttons, hidden

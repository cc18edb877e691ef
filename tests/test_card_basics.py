"""Every card fixture: version 1.5, verbs on Action.Execute, refresh limits, size, JSON-serialisable."""

from __future__ import annotations

import json

import pytest

from cards.common import escape
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


def test_escape_neutralises_markup():
    evil = "[klikk](https://evil.example) **fet** <at>Alle</at> {{DATE(2026)}} - punkt"
    out = escape(evil)
    assert "](" not in out.replace("\\](", "").replace("\\(", "")
    assert "<at>" not in out
    assert "\\*\\*" in out
    assert "\\{\\{" in out

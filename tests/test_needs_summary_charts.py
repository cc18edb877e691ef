"""`oversikt`: charts only when they add something, one representation per figure, no axis with fractional ticks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.needs.model import NEED, Need
from cards.needs_summary import figure
from tests.card_fixtures import all_fixtures
from tests.harness import TeamsClient
from tests.needs_support import create_project, texts

FIXTURES = all_fixtures()
AXIS_FREE = {("Chart.HorizontalBar", "AbsoluteNoAxis"), ("Chart.HorizontalBar", "PartToWhole")}


def chart_problems(card: dict[str, Any]) -> list[str]:
    """Charts with a numeric axis (fractional ticks), with fewer than two bars, or beside a table of their numbers."""
    out = []
    body = card.get("body") or []
    tables = [json.dumps(el["facts"], ensure_ascii=False) for el in body if el.get("type") == "FactSet"]
    for el in body:
        if not str(el.get("type", "")).startswith("Chart."):
            continue
        if (el["type"], el.get("displayMode")) not in AXIS_FREE:
            out.append(f"{el['type']}: not an axis-free bar chart")
        if len([d for d in el.get("data") or [] if d.get("y")]) < 2:
            out.append(f"{el['type']} with fewer than two bars")
        fallback = el.get("fallback")
        if isinstance(fallback, dict) and json.dumps(fallback.get("facts"), ensure_ascii=False) in tables:
            out.append(f"{el['type']} beside a table of the same numbers")
    return out


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_card_fixture_keeps_the_chart_rules(name: str):
    assert chart_problems(FIXTURES[name]) == [], name


def test_the_full_summary_fixture_charts_faggrupper_and_tables_many_municipalities():
    card = FIXTURES["needs.summary_full"]
    kinds = [el["type"] for el in card["body"]]
    assert "Chart.Pie" not in kinds and kinds.count("Chart.HorizontalBar") == 1  # 16 municipalities: a table
    assert "t/år" not in json.dumps(card, ensure_ascii=False).replace("timer/år", "")


@pytest.mark.parametrize(("counts", "total", "chart"), [
    ({"Oppvekst": 4}, 4, False),                      # one category: a 100 % chart says nothing
    ({"Oppvekst": 9, "Ungdom": 0}, 9, False),         # one category with data
    ({"Oppvekst": 2, "Ungdom": 2}, 4, False),         # too few entries
    ({"Oppvekst": 3, "Ungdom": 2}, 5, True),
    ({f"Kommune {i}": 1 for i in range(13)}, 13, False),  # more bars than a chart shows: the whole table
])
def test_figure_is_a_chart_or_a_table_never_both(counts: dict[str, int], total: int, chart: bool):
    out = figure("Per faggruppe", counts, total)
    kinds = [el["type"] for el in out]
    assert kinds == ["TextBlock", "Chart.HorizontalBar" if chart else "FactSet"]
    if chart:
        assert out[1]["displayMode"] == "AbsoluteNoAxis" and out[1]["fallback"]["type"] == "FactSet"
        assert all(isinstance(d["y"], int) for d in out[1]["data"])


async def test_small_summary_over_the_wire_has_tables_not_charts(teams: TeamsClient, bot, leader, members):
    await create_project(teams, leader, "Lite prosjekt", ["Oppvekst", "Ungdom"])
    s = bot.services
    project = await s.projects.by_name("Lite prosjekt")
    for i in range(3):
        await s.needs.create(NEED, Need(f"Behov {i}", "P", "M", "lav", municipalities=("Rana",)),
                                   project_id=project.id, faggruppe="Oppvekst", submitter_id="u1",
                                   submitter_name="Åse", now=s.clock.now())
    res = await teams.send(teams.personal(members[0]), members[0], "oversikt lite prosjekt")
    assert not [el for el in res.card["body"] if el["type"].startswith("Chart.")]
    lines = texts(res.card)
    assert "Oppvekst: 3" in lines and "Rana: 3" in lines

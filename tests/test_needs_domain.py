"""Domain rules of needs and benefits: parsing, limits, diffs, summaries, edit rights."""

from __future__ import annotations

from bot.kernel.people import Person, Role
from bot.needs.model import (
    BENEFIT,
    NEED,
    Benefit,
    Entry,
    Need,
    can_edit,
    diff,
    form_values,
    from_dict,
    summarize,
    to_dict,
)
from bot.needs.validation import parse_benefit, parse_meta, parse_need

MUNI = ["Rana", "Vefsn"]


def test_need_limits_and_choices():
    need, errors = parse_need({"title": " x " * 150, "problem": "p", "desired_situation": "d", "priority": "hoy",
                               "municipalities": ["Rana", "Rana"]}, MUNI)
    assert need is None and errors == {"title": ("error.too_long", {"max": 200})}
    need, errors = parse_need({"title": "t", "problem": "p", "desired_situation": "d", "priority": "lav",
                               "municipalities": "Rana,Vefsn,Rana", "security_concern": "true"}, MUNI)
    assert errors == {} and need.municipalities == ("Rana", "Vefsn") and need.security_concern


def test_benefit_numbers_and_dates():
    b, errors = parse_benefit({"title": "t", "benefit_type": "kvalitet", "estimate_nok": "1 234,5",
                               "estimate_hours": "nan", "baseline_date": "2026-02-30", "target_value": "1e13"}, MUNI)
    assert b is None
    assert errors == {"estimate_hours": "error.number", "baseline_date": "error.date", "target_value": "error.number"}
    b, errors = parse_benefit({"title": "t", "benefit_type": "kvalitet", "estimate_nok": "1 234,5",
                               "baseline_date": "2026-03-01", "realisation_date": "2026-01-01"}, MUNI)
    assert errors == {"realisation_date": "needs.error.realisation_before_baseline"}
    b, errors = parse_benefit({"title": "t", "benefit_type": "kvalitet", "estimate_nok": 250000.5}, MUNI)
    assert b.estimate_nok == 250000.5 and form_values(b)["estimate_nok"] == "250000.5"
    assert from_dict(BENEFIT, to_dict(b)) == b


def test_meta_and_diff():
    meta, errors = parse_meta({"project_id": "7", "faggruppe": "Ungdom"}, [7], ["Ungdom"])
    assert meta.project_id == 7 and errors == {}
    meta, errors = parse_meta({"project_id": "8", "faggruppe": "Falsk"}, [7], ["Ungdom"])
    assert meta is None and errors == {"project_id": "needs.error.choice", "faggruppe": "needs.error.choice"}
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}


def test_summary_and_rights():
    entries = [
        Entry(1, NEED, Need("n", "p", "d", "hoy", municipalities=("Rana",)), 1, "A", "u1"),
        Entry(2, BENEFIT, Benefit("b", "kvalitet", estimate_nok=10.0, municipalities=("Rana", "Vefsn")), 1, "B", "u2"),
        Entry(3, BENEFIT, Benefit("c", "kvalitet", estimate_hours=5.0), 1, "B", "u2", status="withdrawn"),
    ]
    s = summarize(entries, ["A", "B", "C"])
    assert (s.total, s.by_kind, s.total_nok, s.total_hours) == (2, {"need": 1, "benefit": 1}, 10.0, 0.0)
    assert s.by_municipality == {"Rana": 2, "Vefsn": 1} and s.missing == ("C",) and [e.id for e in s.top] == [2]
    owner, other, leader = Person("u1"), Person("u9"), Person("u8", role=Role.LEADER)
    assert can_edit(entries[0], owner) and not can_edit(entries[0], other) and can_edit(entries[0], leader)
    assert not can_edit(Entry(4, NEED, entries[0].content, 1, "A", ""), Person(""))

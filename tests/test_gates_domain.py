"""Gate rules: DST-correct reminder times, deadline moments, status, form validation, phases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.gates.model import (
    APPROVED,
    DEFAULT_OFFSETS,
    OPEN,
    POSTPONED,
    Gate,
    deadline_at,
    gate_status,
    next_bp,
    offset_key,
    overdue_at,
    parse_deadline_form,
    parse_offset_key,
    parse_phase,
    reminder_at,
    reminder_plan,
    validate_decision,
)
from bot.kernel.errors import InvalidInput

OSLO = ZoneInfo("Europe/Oslo")
# Fixed moments passed to pure functions; 2009/2010 have the same weekdays and DST days as 2026/2027.
GROUPS = ["Oppvekst", "Helse og omsorg", "Tjenester, felleskomponenter og virksomhetsarkitektur"]


def z(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def gate(deadline: date | None, at: time | None = None, status: str = OPEN, offsets=DEFAULT_OFFSETS) -> Gate:
    return Gate(1, 1, 2, deadline, at, ("Oppvekst",), (), tuple(offsets), status)


@pytest.mark.parametrize(("deadline", "days", "expected"), [
    # Summer time starts 2010-03-28 (last Sunday of March): 09:00 local is 07:00Z from that day on.
    (date(2010, 3, 29), 1, z(2010, 3, 28, 7)),
    (date(2010, 3, 29), 2, z(2010, 3, 27, 8)),
    (date(2010, 3, 29), 7, z(2010, 3, 22, 8)),
    (date(2010, 4, 11), 14, z(2010, 3, 28, 7)),
    # Winter time starts 2009-10-25: 09:00 local is 08:00Z from that day on.
    (date(2009, 10, 26), 1, z(2009, 10, 25, 8)),
    (date(2009, 10, 26), 2, z(2009, 10, 24, 7)),
    (date(2009, 10, 26), 7, z(2009, 10, 19, 7)),
    (date(2009, 11, 8), 14, z(2009, 10, 25, 8)),
])
def test_reminders_are_at_nine_local_across_dst(deadline: date, days: int, expected: datetime):
    got = reminder_at(deadline, None, timedelta(days=days), OSLO)
    assert got == expected
    assert got.astimezone(OSLO).hour == 9


def test_deadline_moment_and_overdue_time():
    assert deadline_at(date(2010, 3, 29), None, OSLO) == z(2010, 3, 29, 22)  # end of the local day (CEST)
    assert deadline_at(date(2009, 12, 1), time(12, 30), OSLO) == z(2009, 12, 1, 11, 30)
    assert overdue_at(date(2009, 10, 24), OSLO) == z(2009, 10, 25, 8)


def test_sub_day_offsets_count_back_from_the_deadline_moment():
    assert reminder_at(date(2009, 12, 1), time(12, 0), timedelta(seconds=90), OSLO) == z(2009, 12, 1, 10, 58, 30)
    assert offset_key(timedelta(seconds=90)) == "90s" and parse_offset_key("90s") == timedelta(seconds=90)
    assert offset_key(timedelta(days=14)) == "14" and parse_offset_key("14") == timedelta(days=14)


def test_reminder_plan_skips_past_and_approved():
    g = gate(date(2009, 12, 1))
    now = z(2009, 11, 23, 10)
    plan = reminder_plan(g, OSLO, now)
    assert [o.days for o, _ in plan] == [7, 1]  # the 14-day reminder (17 Nov) is past
    assert reminder_plan(gate(date(2009, 12, 1), status=APPROVED), OSLO, now) == []
    assert reminder_plan(gate(None), OSLO, now) == []


def test_status():
    now = z(2009, 11, 23, 10)
    assert gate_status(None, now, OSLO) == "unset"
    assert gate_status(gate(date(2010, 1, 30)), now, OSLO) == "planned"
    assert gate_status(gate(date(2009, 12, 1)), now, OSLO) == "due_soon"
    assert gate_status(gate(date(2009, 11, 22)), now, OSLO) == "overdue"
    assert gate_status(gate(date(2009, 11, 23), time(10, 0)), now, OSLO) == "overdue"  # 10:00 local is 09:00Z
    assert gate_status(gate(date(2009, 11, 22), status=APPROVED), now, OSLO) == "approved"
    assert gate_status(gate(date(2009, 11, 22), status=POSTPONED), now, OSLO) == "postponed"


def test_form_valid():
    form = parse_deadline_form({"deadline": "2009-12-01", "deadline_time": "13:15", "faggrupper": ["oppvekst", GROUPS[2]],
                                "documents": "Styringsdokument\n\n  Faseplan  \nStyringsdokument", "offsets": "1, 14 7"},
                               today=date(2009, 11, 23), faggrupper=GROUPS)
    assert form.deadline == date(2009, 12, 1) and form.deadline_time == time(13, 15)
    assert form.faggrupper == ("Oppvekst", GROUPS[2])
    assert form.documents == ("Styringsdokument", "Faseplan")
    assert [o.days for o in form.offsets] == [14, 7, 1]


@pytest.mark.parametrize(("data", "field", "key"), [
    ({"deadline": ""}, "deadline", "error.required"),
    ({"deadline": "1. desember"}, "deadline", "error.date"),
    ({"deadline": "2009-11-22"}, "deadline", "gates.error.past"),
    ({"deadline_time": "25:00"}, "deadline_time", "error.time"),
    ({"faggrupper": []}, "faggrupper", "gates.error.faggrupper"),
    ({"faggrupper": ["Oppvekst", "Borte"]}, "faggrupper", "gates.error.unknown_faggruppe"),
    ({"offsets": "fjorten"}, "offsets", "gates.error.offsets"),
    ({"offsets": "0"}, "offsets", "gates.error.offsets"),
    ({"offsets": "1,2,3,4,5,6,7"}, "offsets", "gates.error.offsets_count"),
    ({"documents": "\n".join(f"d{i}" for i in range(21))}, "documents", "gates.error.documents_count"),
    ({"documents": "x" * 201}, "documents", "error.too_long"),
])
def test_form_errors(data, field, key):
    base = {"deadline": "2009-12-01", "faggrupper": ["Oppvekst"], "offsets": "14, 7, 1"}
    with pytest.raises(InvalidInput) as e:
        parse_deadline_form({**base, **data}, today=date(2009, 11, 23), faggrupper=GROUPS)
    value = e.value.fields[field]
    assert (value if isinstance(value, str) else value[0]) == key


def test_decision_rules_and_phases():
    assert validate_decision("approved", "") == ("approved", "")
    with pytest.raises(InvalidInput):
        validate_decision("postponed", "  ")
    with pytest.raises(InvalidInput):
        validate_decision("maybe", "x")
    assert parse_phase("Idé") == "ide" and parse_phase("GJENNOMFØRE") == "gjennomfore" and parse_phase("planning") == "planlegge"
    assert parse_phase("tull") is None
    assert next_bp("ide") == 1 and next_bp("avslutte") == 5 and next_bp("realisere") is None


async def test_privacy_export_and_erase(tmp_path):
    from bot.gates.store import PRIVACY, GateRepo
    from bot.storage.db import Database
    from bot.storage.projects import ProjectRepo

    db = Database(f"sqlite+aiosqlite:///{tmp_path}/p.db")
    await db.migrate()
    try:
        project = await ProjectRepo(db).create("P", "", "lise", [])
        gate = await GateRepo(db).set_deadline(project.id, 1, deadline=date(2010, 1, 1), deadline_time=None, faggrupper=(),
                                               documents=(), offsets=(), set_by="lise", set_in="c")
        await GateRepo(db).decide(gate.id, APPROVED, "", "lise", datetime.now(UTC))
        assert len((await PRIVACY.export(db, "lise"))["gates"]) == 1
        assert await PRIVACY.erase(db, "lise", "slettet-x") == 2
        assert (await PRIVACY.export(db, "lise"))["gates"] == []
        assert (await GateRepo(db).get(gate.id)).decided_by == "slettet-x"
    finally:
        await db.close()

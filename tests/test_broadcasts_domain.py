"""Broadcast rules: validation, time zones, safe markdown, the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.broadcasts.model import FormInput, TargetMode, build_report, parse_send_at, reason_key, safe_markdown, validate
from bot.kernel.errors import InvalidInput
from bot.messages import t

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
GROUPS = ["Oppvekst", "Helse og omsorg", "Ungdom"]
PROJECTS = {1: ("Journal", ("Helse og omsorg",)), 2: ("Tomt", ())}


def check(**kw):
    return validate(FormInput(**{"title": "T", "message": "M", **kw}), now=NOW, tz=OSLO, faggrupper=GROUPS, projects=PROJECTS)


def fields(**kw) -> dict:
    with pytest.raises(InvalidInput) as e:
        check(**kw)
    return e.value.fields


def test_targets():
    assert check().targets.names == tuple(GROUPS)
    assert check(mode="some", faggrupper=("ungdom", "Oppvekst", "Ukjent")).targets.names == ("Ungdom", "Oppvekst")
    p = check(mode="project", project="1").targets
    assert p.mode == TargetMode.PROJECT and p.names == ("Helse og omsorg",) and p.project_name == "Journal"
    assert fields(mode="some") == {"faggrupper": "broadcasts.error.choose_faggrupper"}
    assert fields(mode="project", project="2") == {"project": "broadcasts.error.project_empty"}
    assert fields(mode="project", project="x") == {"project": "broadcasts.error.choose_project"}


def test_required_lengths_and_link():
    f = fields(title="", message="x" * 4001, link="javascript:alert(1)")
    assert f["title"] == "error.required" and f["message"][0] == "error.too_long" and f["link"] == "broadcasts.error.link"
    assert fields(link="http://kommune.no") == {"link": "broadcasts.error.link"}
    assert fields(link="https://") == {"link": "broadcasts.error.link"}
    assert check(link="https://kommune.no/a.pdf").link == "https://kommune.no/a.pdf"


def test_send_at_in_oslo_time_and_dst():
    # 29 March 2026: clocks go from 02:00 to 03:00 in Oslo
    assert parse_send_at("2026-03-30", "09:00", OSLO) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert parse_send_at("2026-03-27", "09:00", OSLO) == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_send_at("2026-03-29", "02:30", OSLO)
    assert check(send_date="2026-03-30", send_time="09:00").send_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert fields(send_date="2026-03-29", send_time="02:30") == {"send_at": "broadcasts.error.send_at_invalid"}
    assert fields(send_date="2026-03-20", send_time="12:00") == {"send_at": "broadcasts.error.send_at_past"}
    assert fields(send_date="2026-03-30") == {"send_at": "broadcasts.error.send_at_invalid"}
    far = (NOW + timedelta(days=400)).date().isoformat()
    assert fields(send_date=far, send_time="10:00") == {"send_at": "broadcasts.error.send_at_far"}


def test_safe_markdown_keeps_markdown_and_neutralises_the_rest():
    out = safe_markdown("**fet** _kursiv_\n- punkt\n[ok](https://a.no/x) [nei](javascript:x) <at>Alle</at> {{DATE(x)}} \u202e")
    assert "**fet** _kursiv_\n- punkt" in out
    assert "[ok](https://a.no/x)" in out
    assert "](javascript" not in out and "[nei\\]\\(javascript" in out
    # Links whose label holds brackets, spaces before the URL, or parentheses in it are neutralised too.
    for tricky in ("[a [b] c](javascript:x)", "[x]( javascript:x)", "[x](javascript:alert(1))", "[x](http://a.no)"):
        assert "](" not in safe_markdown(tricky).replace("\\](", ""), tricky
    assert "<at>" not in out and "{{" not in out and "\u202e" not in out


def test_report_and_reasons():
    entries = [("Oppvekst", "A", "sent", ""), ("Oppvekst", "B", "failed", "403:BotNotInConversationRoster"),
               ("Ungdom", "C", "pending", "429"), ("Ungdom", "D", "failed", "404:ConversationNotFound")]
    rep = build_report(entries, {"Oppvekst": 3}, ["Helse og omsorg", "Oppvekst", "Ungdom"])
    assert (rep.sent, rep.failed, rep.waiting, rep.read, rep.finished) == (1, 2, 1, 3, False)
    assert [line.faggruppe for line in rep.lines] == ["Helse og omsorg", "Oppvekst", "Ungdom"]
    assert rep.lines[1].problems == [("B", "failed", "broadcasts.reason.403")]
    assert t(reason_key("403:BotNotInConversationRoster")) == "Boten er fjernet fra chatten"
    assert t(reason_key("404")) == "Chatten finnes ikke lenger"
    assert "vente" in t(reason_key("429"))
    assert reason_key("0") == "broadcasts.reason.network" and reason_key("418") == "broadcasts.reason.other"

"""Summary numbers against a known data set; XLSX and CSV export checked cell by cell; link expiry."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import aiohttp
import openpyxl

from bot.needs.model import BENEFIT, NEED, Benefit, Need
from tests.harness import TeamsClient, iter_actions
from tests.needs_support import create_project, texts

FAGGRUPPER = ["Oppvekst", "Helse og omsorg", "Ungdom"]


async def _dataset(bot, leader) -> int:
    s = bot.services
    project = await s.projects.by_name("Søknadsportal")
    repo = s.needs
    now = s.clock.now()

    async def add(kind, content, fg, who="u1", name="Åse Ærlig"):
        return await repo.create(kind, content, project_id=project.id, faggruppe=fg, submitter_id=who,
                                 submitter_name=name, now=now)

    await add(NEED, Need("=HYPERLINK(\"https://evil\")", "Problem æøå", "Mål", "hoy", municipalities=("Rana", "Vefsn"),
                         security_concern=True), "Oppvekst")
    await add(NEED, Need("Behov B", "P", "M", "lav", municipalities=("Rana",)), "Helse og omsorg", "u2", "Ørjan")
    await add(BENEFIT, Benefit("Gevinst C", "effektivisering", municipalities=("Rana",), estimate_nok=100000.0,
                               estimate_hours=50.0, baseline_value=3.5, baseline_date=date(2026, 1, 1),
                               realisation_date=date(2026, 6, 30)), "Oppvekst")
    await add(BENEFIT, Benefit("Gevinst D 🚀", "kvalitet", municipalities=("Vefsn", "Brønnøy"), estimate_nok=250000.5),
              "Helse og omsorg", "u2", "Ørjan")
    withdrawn = await add(BENEFIT, Benefit("Trukket E", "kvalitet", estimate_nok=1e6), "Oppvekst")
    await repo.withdraw(withdrawn.id, actor_id="u1", now=now)
    await add(BENEFIT, Benefit("Gevinst F", "andre_aktorer", estimate_hours=300.0), "Helse og omsorg", "u3", "Kari")
    return project.id


async def test_summary_numbers(teams: TeamsClient, bot, leader, members):
    await create_project(teams, leader, "Søknadsportal", FAGGRUPPER)
    project_id = await _dataset(bot, leader)
    res = await teams.send(teams.personal(members[0]), members[0], "oversikt søknadsportal")
    lines = texts(res.card)
    for expected in ["Innspill i alt: 5", "Behov: 2", "Gevinster: 3", "Anslått verdi, kr per år: 350\u00a0000",
                     "Anslått verdi, timer per år: 350", "Oppvekst: 2", "Helse og omsorg: 3", "Rana: 3", "Vefsn: 2",
                     "Brønnøy: 1", "Ungdom"]:
        assert any(expected in x for x in lines), (expected, lines)
    top = [x for x in lines if x[:1].isdigit() and "\\." in x[:3]]
    assert [t.split(" ", 1)[1].split(" (")[0] for t in top] == ["Gevinst D 🚀", "Gevinst C", "Gevinst F"]
    # five entries in two faggrupper and three municipalities: one axis-free bar chart each, no table beside it
    charts = [el for el in res.card["body"] if el["type"].startswith("Chart.")]
    assert [c["type"] for c in charts] == ["Chart.HorizontalBar", "Chart.HorizontalBar"]
    assert all(c["displayMode"] == "AbsoluteNoAxis" for c in charts)
    assert charts[0]["data"] == [{"x": "Helse og omsorg", "y": 3}, {"x": "Oppvekst", "y": 2}]
    assert charts[1]["data"][0] == {"x": "Rana", "y": 3}
    assert [el["type"] for el in res.card["body"]].count("FactSet") == 1  # the totals; the figures only as charts
    assert any("timer/år" in x for x in top) and not any("t/år" in x.replace("timer/år", "") for x in lines)
    status = await bot.services.input_status(project_id)
    assert (status.total, status.needs, status.benefits, status.missing) == (5, 2, 3, ("Ungdom",))
    assert status.by_faggruppe == {"Helse og omsorg": 3, "Oppvekst": 2}
    unknown = await teams.send(teams.personal(members[0]), members[0], "summary finnes-ikke")
    assert "fant ikke prosjektet" in unknown.texts[0]


async def test_export_xlsx_csv_and_link_expiry(teams: TeamsClient, bot, leader, members, clock):
    await create_project(teams, leader, "Søknadsportal", FAGGRUPPER)
    await _dataset(bot, leader)
    refused = await teams.send(teams.personal(members[0]), members[0], "eksport")
    assert "eksport er forbeholdt" in refused.texts[0]
    res = await teams.send(teams.personal(leader), leader, "eksport Søknadsportal")
    urls = [a["url"] for a in iter_actions(res.card) if a["type"] == "Action.OpenUrl"]
    assert len(urls) == 2 and all(u.startswith(bot.url + "/downloads/") for u in urls)
    assert (await bot.services.audit.recent())[0].action == "needs.export"
    async with aiohttp.ClientSession() as http:
        async with http.get(urls[0]) as r:
            assert r.status == 200 and "spreadsheetml" in r.headers["Content-Type"]
            xlsx = await r.read()
        async with http.get(urls[1]) as r:
            assert r.status == 200
            raw_csv = await r.read()
        clock.advance(timedelta(minutes=bot.settings.download_ttl_minutes + 1))
        for url in urls:
            async with http.get(url) as r:
                assert r.status == 410  # used once already, and expired
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["Behov", "Gevinster", "Oppsummering"]
    needs = wb["Behov"]
    head = [c.value for c in needs[1]]
    assert head[:5] == ["ID", "Prosjekt", "Faggruppe", "Innsender", "Tittel"]
    assert needs.freeze_panes == "A2" and needs.auto_filter.ref == f"A1:{needs.cell(1, len(head)).column_letter}3"
    row = {h: c for h, c in zip(head, needs[2], strict=True)}
    assert row["ID"].value == 1 and row["ID"].data_type == "n"
    assert row["Tittel"].value == '=HYPERLINK("https://evil")' and row["Tittel"].data_type == "s"
    assert row["Problem"].value == "Problem æøå" and row["Kommuner"].value == "Rana, Vefsn"
    assert row["Prioritet"].value == "Høy" and row["Informasjonssikkerhet/personvern"].value == "Ja"
    assert isinstance(row["Opprettet"].value, datetime) and row["Opprettet"].is_date
    ben = wb["Gevinster"]
    bhead = [c.value for c in ben[1]]
    rows = [{h: c for h, c in zip(bhead, r, strict=True)} for r in ben.iter_rows(min_row=2)]
    assert [r["Tittel"].value for r in rows] == ["Gevinst C", "Gevinst D 🚀", "Trukket E", "Gevinst F"]
    c = rows[0]
    assert c["Anslag kr per år"].value == 100000 and c["Anslag kr per år"].data_type == "n"
    assert c["Anslag timer per år"].value == 50
    assert c["Nullpunkt verdi"].value == 3.5
    assert c["Nullpunkt dato"].is_date and c["Nullpunkt dato"].value.date() == date(2026, 1, 1)
    assert c["Realiseres innen"].value.date() == date(2026, 6, 30)
    assert c["Gevinsttype"].value == "Effektivisering" and c["Status"].value == "Aktiv"
    assert rows[1]["Anslag kr per år"].value == 250000.5 and rows[1]["Anslag timer per år"].value is None
    assert rows[2]["Status"].value == "Trukket"
    assert ben.freeze_panes == "A2" and ben.auto_filter.ref.endswith("5")
    summary = {r[0].value: r[1].value for r in wb["Oppsummering"].iter_rows() if r[0].value}
    assert summary["Prosjekt"] == "Søknadsportal" and summary["Innspill i alt (aktive)"] == 5
    assert summary["Anslått verdi, kr per år"] == 350000.5 and summary["Anslått verdi, timer per år"] == 350
    assert summary["Helse og omsorg"] == 3 and summary["Rana"] == 3
    assert summary["Faggrupper uten innspill"] == "Ungdom"
    text = raw_csv.decode("utf-8")
    assert text.startswith("\ufeff")
    parsed = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["Type"] for r in parsed] == ["Behov", "Behov", "Gevinst", "Gevinst", "Gevinst", "Gevinst"]
    assert parsed[0]["Tittel"] == "'=HYPERLINK(\"https://evil\")"
    assert parsed[3]["Tittel"] == "Gevinst D 🚀" and parsed[3]["Anslag kr per år"] == "250000.5"
    assert parsed[2]["Nullpunkt dato"] == "2026-01-01" and parsed[0]["Prioritet"] == "Høy"

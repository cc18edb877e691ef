"""Decision document drafts read back with python-docx: tables, sums, what is missing, Heading styles, empty drafts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from docx.oxml.ns import qn

from bot.documents.chart import _font
from bot.documents.docx import num
from bot.documents.model import DRAFT_BPS, gather, missing_lines
from bot.documents.plan import render
from bot.documents.service import filename, parse_bp, split_args
from bot.kernel.defaults import MUNICIPALITIES
from bot.messages import t
from bot.needs.model import BENEFIT, NEED, Benefit, Entry, Need
from cards.needs import fmt_number
from tests import documents_seed as seed
from tests.dates import day, today
from tests.docx_reader import read

NB = "\u00a0"  # Norwegian thousands separator: a no-break space
OSLO = ZoneInfo("Europe/Oslo")


def nb(key: str, **p: object) -> str:
    return t(key, "nb-NO", **p)


def draft(bp: int, entries: list[Entry], when: datetime, involved: list[str] | None = None):
    model = gather(entries, bp=bp, project=seed.PROJECT, cooperation=seed.COOPERATION, municipalities=MUNICIPALITIES,
                   involved=seed.INVOLVED if involved is None else involved, generated=when)
    return model, read(render(model, nb))


@pytest.fixture
def now(clock) -> datetime:
    return clock.now().astimezone(OSLO)


@pytest.fixture
def register(clock) -> list[Entry]:
    return seed.entries(today(clock))


def test_bp2_needs_and_benefits_in_the_right_tables(register, now):
    _, doc = draft(2, register, now)
    needs = [e for e in register if e.kind == NEED]
    for faggruppe in {e.faggruppe for e in needs}:
        table = doc.table_after(faggruppe)
        assert table.rows[0][:2] == ["Nr.", "Behov"] and table.repeats_header
        assert [r[1] for r in table.rows[1:]] == [e.title for e in needs if e.faggruppe == faggruppe]
    assert seed.HELSE not in doc.headings(3)  # no needs from Helse og omsorg: no empty table for it
    benefits = doc.table_after("Gevinstoversikt")
    assert benefits.repeats_header and benefits.rows[0][0] == "Nr."
    titles = [r[1].split("\n")[0] for r in benefits.rows[1:]]
    assert titles == [e.title for e in register if e.kind == BENEFIT and e.status == "active"]
    assert seed.WITHDRAWN_TITLE not in doc.text()
    assert not {e.submitter_name for e in register} & set(doc.text().split("\n"))  # who sent what stays in the register
    assert "Åse Ærlig" not in doc.text() and "Kari Nordmann" not in doc.text()
    first = dict(zip(benefits.rows[0], benefits.rows[1], strict=True))
    assert first["Gevinsttype"] == "Effektivisering" and first["Prissatt"] == "Ja"
    g1 = next(e.content for e in register if e.kind == BENEFIT)
    assert first["Nullpunkt"] == f"820 per {g1.baseline_date.strftime('%d.%m.%Y')}"
    assert first["Anslag per år"] == f"1{NB}234{NB}567,50 kr\n6{NB}240 t"
    assert first["Gevinsteier"] == "Arkivleder, Rana kommune"
    missing_owner = next(r for r in benefits.rows[1:] if r[1].startswith("Raskere svar"))
    assert missing_owner[10] == "ikke registrert"


def test_bp2_sums_per_kind_and_municipality(register, now):
    _, doc = draft(2, register, now)
    by_type = {r[0]: r[1:] for r in doc.table_after("Summer per gevinsttype").rows[1:]}
    assert by_type["Effektivisering"] == ["4", "4", f"2{NB}394{NB}568,25", f"6{NB}640"]
    assert by_type["Kvalitet"] == ["2", "0", "0", "0"]
    assert by_type["Gevinst for andre aktører"] == ["1", "0", "0", "0"]
    assert by_type["Sum"] == ["7", "4", f"2{NB}394{NB}568,25", f"6{NB}640"]
    by_muni = {r[0]: r[1:] for r in doc.table_after("Summer per kommune").rows[1:]}
    # Rana receives G1 (1 234 567,50), G2 (850 000), G3 and G4 (unpriced)
    assert by_muni["Rana"] == ["4", "2", f"2{NB}084{NB}567,50", f"6{NB}240"]
    assert by_muni["Sømna"] == ["1", "1", f"310{NB}000,75", "0"]
    assert by_muni["Ingen kommune oppgitt"] == ["1", "1", "0", "400"]
    per_muni_needs = {r[0]: r[1] for r in doc.table_after("Behov per kommune").rows[1:]}
    assert list(per_muni_needs) == list(MUNICIPALITIES)  # every municipality of the cooperation, zeros included
    assert per_muni_needs["Rana"] == "3" and per_muni_needs["Vefsn"] == "2"
    assert len(doc.doc.inline_shapes) == 2  # the two summary charts


def test_missing_fields_are_listed_in_document_and_reply(register, now):
    model, doc = draft(2, register, now)
    lines = missing_lines(model, nb)
    assert lines == ["3 gevinster mangler gevinsteier", "2 gevinster mangler indikator", "3 gevinster mangler nullpunkt",
                     f"Ingen innspill fra: {seed.HELSE}"]
    bullets = [b.text for b in doc.paragraphs("List Bullet")]
    for line in lines:
        assert line in bullets
    text = doc.text()
    assert "Gevinster uten gevinsteier" in text
    for title in ("Raskere svar på innsynsbegjæringer", "Mindre papirpost og porto", "Spart tid ved arkivuttrekk til IKA"):
        assert any(b.startswith("G") and title in b for b in bullets), title
    plan = gather(register, bp=3, project="p", cooperation="", municipalities=(), involved=[], generated=now)
    assert missing_lines(plan, nb)[3:] == ["3 gevinster mangler målverdi", "1 gevinst mangler tidspunkt for realisering"]
    en = missing_lines(model, lambda k, **p: t(k, "en-GB", **p))
    assert en[0] == "3 benefits have no benefit owner"


def test_headings_use_word_styles_title_page_and_toc(register, now):
    _, doc = draft(2, register, now)
    assert doc.paragraphs("Title")[0].text == "Behovs- og gevinstoversikt"
    assert "UTKAST" in doc.text()
    front = {r[0]: r[1] for r in doc.tables()[0].rows}
    assert front["Prosjekt"] == seed.PROJECT and front["Samarbeid"] == seed.COOPERATION
    assert front["Dato"] == now.strftime("%d.%m.%Y") and front["Status"] == "Utkast – ikke behandlet"
    assert "Alstahaug" in front["Kommuner i samarbeidet"] and front["Versjon"].startswith("Utkast generert")
    assert doc.headings(1) == ["Om dette utkastet", "Hva mangler i registeret", "Behov", "Gevinster"]
    assert {"Behov per faggruppe", "Gevinstoversikt", "Summer per gevinsttype"} <= set(doc.headings(2))
    for style in {b.style for b in doc.paragraphs("Heading")}:
        assert doc.doc.styles[style].type == 1 and style in {"Heading 1", "Heading 2", "Heading 3"}  # Word's own styles
    instr = "".join(el.text or "" for el in doc.doc.element.body.iter(qn("w:instrText")))
    assert "TOC" in instr and '\\o "1-2"' in instr
    update = doc.doc.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"
    assert all(tb.repeats_header for tb in doc.tables()[1:] if tb.rows[0][0] == "Nr.")
    for sect in doc.doc.sections:  # A4, some pages landscape for the wide benefit table
        assert {round(sect.page_width.cm, 1), round(sect.page_height.cm, 1)} == {21.0, 29.7}
    assert any(s.orientation == 1 for s in doc.doc.sections)
    assert doc.doc.core_properties.title.startswith("Behovs- og gevinstoversikt")


def test_bp3_measurement_plan_timeline_and_risks(register, now):
    _, doc = draft(3, register, now)
    assert doc.paragraphs("Title")[0].text == "Gevinstrealiseringsplan"
    benefits = [e for e in register if e.kind == BENEFIT and e.status == "active"]
    assert doc.headings(3) == [f"G{e.id}: {e.title}" for e in benefits]
    plan = {r[0]: r[1] for r in doc.table_after(f"G{benefits[0].id}: {benefits[0].title}").rows}
    b = benefits[0].content
    assert isinstance(b, Benefit)
    assert plan["Indikator"] == b.indicator and plan["Enhet"] == "timer/mnd"
    assert plan["Nullpunkt"] == f"820 per {b.baseline_date.strftime('%d.%m.%Y')}"
    assert plan["Målverdi"] == "300" and plan["Realiseres innen"] == b.realisation_date.strftime("%d.%m.%Y")
    assert plan["Måletidspunkter"] == "ikke registrert"  # the register has no such field: said, not invented
    assert plan["Ansvarlig (gevinsteier)"] == "Arkivleder, Rana kommune"
    assert plan["Avhenger av leveranse"] == "Leveranse 2: automatisk journalføring"
    assert plan["Risiko"] == "Lav bruk hvis opplæringen uteblir."
    unowned = {r[0]: r[1] for r in doc.table_after(f"G{benefits[2].id}: {benefits[2].title}").rows}
    assert unowned["Ansvarlig (gevinsteier)"] == "ikke registrert" and unowned["Risiko"] == "ikke registrert"
    timeline = doc.table_after("Tidslinje for realisering")
    dated = sorted((e for e in benefits if e.content.realisation_date), key=lambda e: e.content.realisation_date)
    assert [r[2] for r in timeline.rows[1:]] == [e.title for e in dated]
    assert "Uten tidspunkt for realisering (1):" in doc.text() and "Døgnåpent innsyn for innbyggerne" in doc.text()
    risks = doc.table_after("Avhengigheter og risiko")
    assert {r[1] for r in risks.rows[1:]} == {"Redusert tid til manuell journalføring", "Færre lisenser for sak/arkiv",
                                              "Bedre informasjonssikkerhet i arkivet"}
    assert "Status mot plan" not in doc.headings(1)


def test_bp5_status_against_plan_says_measurements_are_missing(register, now):
    _, doc = draft(5, register, now)
    assert doc.headings(1)[-1] == "Status mot plan"
    text = doc.text()
    assert "Registeret har ingen målte verdier" in text
    assert "1 gevinst har passert tidspunktet for realisering uten å være registrert som realisert." in text
    status = doc.table_after("Status mot plan")
    head = status.rows[0]
    rows = {r[1]: dict(zip(head, r, strict=True)) for r in status.rows[1:]}
    assert all(r["Målt verdi"] == "ikke registrert" for r in rows.values())
    paper = rows["Mindre papirpost og porto"]  # its realisation date is a month ago, still 'under realisering'
    assert paper["Registrert status"] == "Under realisering" and paper["Merknad"].startswith("Tidspunktet er passert")
    assert paper["Plan (nullpunkt → mål)"].startswith(f"48{NB}000 per ") and paper["Plan (nullpunkt → mål)"].endswith(
        f"12{NB}000")
    assert rows["Færre lisenser for sak/arkiv"]["Merknad"] == ""


@pytest.mark.parametrize("bp", DRAFT_BPS)
def test_empty_project_gives_a_short_honest_draft(bp, now):
    model, doc = draft(bp, [], now)
    assert model.empty
    assert missing_lines(model, nb) == ["Registeret har ingen behov eller gevinster for prosjektet ennå"]
    assert doc.headings(1) == ["Om dette utkastet", "Hva mangler i registeret"]
    assert "Registeret har ennå ingen behov eller gevinster" in doc.text()
    assert len(doc.tables()) == 1  # the title page facts only
    assert len(doc.doc.inline_shapes) == 0


def test_hostile_and_long_register_text_renders(now):
    evil = "Tittel\x0b med\x00 kontrolltegn <w:p> & \"sitat\" [lenke](https://evil.example)\r\nny linje"
    marker = "<w:p><w:r><w:t>\u241f0\u241f</w:t></w:r></w:p>"  # what the writer splices on: inert in register text
    entries = [Entry(1, NEED, Need(evil, "p" * 4000, "ø" * 4000, "hoy"), 1, "Oppvekst", "u1"),
               Entry(2, BENEFIT, Benefit(evil, "kvalitet", owner=evil, estimate_nok=-5.5, risk=marker), 1, "Oppvekst", "u1")]
    for bp in DRAFT_BPS:
        _, doc = draft(bp, entries, now, ["Oppvekst"])
        assert "Tittel med kontrolltegn <w:p> & \"sitat\" [lenke](https://evil.example)" in doc.text()
        if bp != 2:
            assert "<w:p><w:r><w:t>0</w:t></w:r></w:p>" in doc.text()


def test_norwegian_numbers_one_formatter():
    assert num(1_234_567.5) == f"1{NB}234{NB}567,50" and num(350_000.0) == f"350{NB}000" and num(3.25) == "3,25"
    assert fmt_number(12.5) == "12,50" and fmt_number(12.5, "en") == "12.50"  # cards: decimal comma in Norwegian
    assert fmt_number(1_234_567.5) == f"1{NB}234{NB}568"  # cards still round large amounts


def test_bp_words_and_file_names():
    assert [parse_bp(x) for x in ("BP3", "bp 5", "bp-2", "3", 4, "BP0", "BP9", "BPx", "", "BP12")] == \
        [3, 5, 2, 3, 4, None, None, None, None, None]
    assert split_args("Felles arkiv BP3") == ("Felles arkiv", "BP3")
    assert split_args("Felles arkiv bp 3") == ("Felles arkiv", "BP3")
    assert split_args("BP2") == ("", "BP2")
    assert split_args("Felles arkiv") == ("Felles arkiv", "")
    assert filename("Gevinstrealiseringsplan", "Sømna/Brønnøy: «arkiv»", "2020-01-01") == \
        "gevinstrealiseringsplan-utkast-Somna-Bronnoy-arkiv-2020-01-01.docx"


def test_chart_font_draws_norwegian_letters():
    font = _font(20)
    tofu = font.getmask("\U0010fffd").getbbox()
    assert all(font.getmask(ch).getbbox() != tofu for ch in "æøåÆØÅ"), "the chart font has no æøå (install fonts-dejavu-core)"


def test_document_texts_exist_in_both_languages():
    from bot.documents import texts as documents

    assert set(documents.NB) == set(documents.EN)


def test_dates_are_relative(clock):
    # the seed never names a calendar day: its dates move with the test clock
    assert seed.benefits(today(clock))[0][1].baseline_date == day(clock, -120)
    assert isinstance(today(clock), date)

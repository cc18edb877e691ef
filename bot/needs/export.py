"""Export of a project's needs and benefits: an XLSX workbook (needs, benefits, summary) and a CSV file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from bot.needs.model import BENEFIT, NEED, WITHDRAWN, Entry, Summary, benefit, need

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"  # UTF-8 with BOM; the download route takes no charset parameter
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
NUMBER_FORMAT = "#,##0.##"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

PRIORITY = {"hoy": "Høy", "middels": "Middels", "lav": "Lav"}
BTYPE = {"effektivisering": "Effektivisering", "kvalitet": "Kvalitet", "andre_aktorer": "Gevinst for andre aktører"}
CATEGORY = {"unngatte_kostnader": "Unngåtte kostnader", "spart_tid": "Spart tid", "kvalitet": "Kvalitet"}
BSTATUS = {"planlagt": "Planlagt", "under_realisering": "Under realisering", "realisert": "Realisert"}

Column = tuple[str, Callable[[Entry], Any], int]


def _local(dt: datetime | None, tz: ZoneInfo) -> datetime | None:
    # Excel has no time zones: write Oslo wall-clock time without tzinfo.
    """`dt` as naive local wall-clock time for Excel."""
    return dt.astimezone(tz).replace(tzinfo=None, microsecond=0) if dt else None


def _yes(flag: bool) -> str:
    """A flag as Ja/Nei."""
    return "Ja" if flag else "Nei"


def _status(e: Entry) -> str:
    """The entry's status as the export shows it."""
    return "Trukket" if e.status == WITHDRAWN else "Aktiv"


def _columns(project_name: str, tz: ZoneInfo) -> tuple[list[Column], list[Column]]:
    """The columns of the needs sheet and the benefits sheet: heading, getter and width."""
    common_head: list[Column] = [
        ("ID", lambda e: e.id, 8), ("Prosjekt", lambda e: project_name, 24), ("Faggruppe", lambda e: e.faggruppe, 30),
        ("Innsender", lambda e: e.submitter_name, 24), ("Tittel", lambda e: e.title, 40),
    ]
    common_tail: list[Column] = [
        ("Kommuner", lambda e: ", ".join(e.municipalities), 30), ("Status", _status, 10),
        ("Opprettet", lambda e: _local(e.created_at, tz), 18), ("Endret", lambda e: _local(e.updated_at, tz), 18),
    ]
    needs = [*common_head,
             ("Problem", lambda e: need(e).problem, 50), ("Berørte tjenester og brukergrupper", lambda e: need(e).services, 40),
             ("Dagens situasjon", lambda e: need(e).current_situation, 40),
             ("Ønsket situasjon", lambda e: need(e).desired_situation, 40),
             ("Prioritet", lambda e: PRIORITY.get(need(e).priority, need(e).priority), 10),
             ("Informasjonssikkerhet/personvern", lambda e: _yes(need(e).security_concern), 12), *common_tail]
    benefits = [*common_head,
                ("Beskrivelse", lambda e: benefit(e).description, 50),
                ("Gevinsttype", lambda e: BTYPE.get(benefit(e).benefit_type, benefit(e).benefit_type), 20),
                ("Kategori", lambda e: CATEGORY.get(benefit(e).category, benefit(e).category), 18),
                ("Prissatt", lambda e: _yes(benefit(e).priced), 9), ("Indikator", lambda e: benefit(e).indicator, 30),
                ("Enhet", lambda e: benefit(e).unit, 10), ("Nullpunkt verdi", lambda e: benefit(e).baseline_value, 14),
                ("Nullpunkt dato", lambda e: benefit(e).baseline_date, 14), ("Målverdi", lambda e: benefit(e).target_value, 12),
                ("Realiseres innen", lambda e: benefit(e).realisation_date, 14),
                ("Anslag kr per år", lambda e: benefit(e).estimate_nok, 16),
                ("Anslag timer per år", lambda e: benefit(e).estimate_hours, 16),
                ("Gevinsteier", lambda e: benefit(e).owner, 24), ("Tiltak og forutsetninger", lambda e: benefit(e).measures, 40),
                ("Avhenger av", lambda e: benefit(e).depends_on, 30), ("Risiko", lambda e: benefit(e).risk, 30),
                ("Gevinststatus", lambda e: BSTATUS.get(benefit(e).status, benefit(e).status), 16), *common_tail]
    return needs, benefits


class _Writer:
    """Cells by type: text is always text (never a formula), dates and amounts with their number formats."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.bold = wb.add_format({"bold": True})
        self.formats = {key: wb.add_format({"num_format": fmt}) for key, fmt in
                        (("datetime", DATETIME_FORMAT), ("date", DATE_FORMAT), ("float", NUMBER_FORMAT))}
        self.bold_formats = {key: wb.add_format({"num_format": fmt, "bold": True}) for key, fmt in
                             (("datetime", DATETIME_FORMAT), ("date", DATE_FORMAT), ("float", NUMBER_FORMAT))}

    def put(self, ws: Worksheet, row: int, col: int, value: Any, *, bold: bool = False) -> None:
        """Write one cell with the writer method and number format that fit the value's type."""
        if value is None:
            if bold:
                ws.write_blank(row, col, None, self.bold)
        elif isinstance(value, str):
            ws.write_string(row, col, value, self.bold if bold else None)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, self.bold if bold else None)
        elif isinstance(value, datetime):
            ws.write_datetime(row, col, value, (self.bold_formats if bold else self.formats)["datetime"])
        elif isinstance(value, date):
            ws.write_datetime(row, col, value, (self.bold_formats if bold else self.formats)["date"])
        elif isinstance(value, float):
            ws.write_number(row, col, value, (self.bold_formats if bold else self.formats)["float"])
        elif isinstance(value, int):
            ws.write_number(row, col, value, self.bold if bold else None)
        else:
            ws.write_string(row, col, str(value), self.bold if bold else None)


def _sheet(w: _Writer, ws: Worksheet, columns: list[Column], entries: list[Entry]) -> None:
    """Write a sheet: headings, column widths and one row per entry."""
    for c, (head, _, width) in enumerate(columns):
        ws.set_column(c, c, width)
        w.put(ws, 0, c, head, bold=True)
    put = w.put
    getters = list(enumerate(get for _, get, _ in columns))
    for r, entry in enumerate(entries, 1):
        for c, get in getters:
            put(ws, r, c, get(entry))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(0, len(entries)), len(columns) - 1)


def build_xlsx(project_name: str, entries: list[Entry], summary: Summary, *, tz: ZoneInfo, now: datetime) -> bytes:
    """The workbook: 'Behov', 'Gevinster' and 'Oppsummering' (xlsxwriter: 10,000 entries in about a second)."""
    needs_cols, ben_cols = _columns(project_name, tz)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False})
    w = _Writer(wb)
    _sheet(w, wb.add_worksheet("Behov"), needs_cols, [e for e in entries if e.kind == NEED])
    _sheet(w, wb.add_worksheet("Gevinster"), ben_cols, [e for e in entries if e.kind == BENEFIT])
    ws = wb.add_worksheet("Oppsummering")
    rows: list[tuple[Any, Any]] = [
        ("Prosjekt", project_name), ("Eksportert", _local(now, tz)), ("Innspill i alt (aktive)", summary.total),
        ("Behov", summary.by_kind.get(NEED, 0)), ("Gevinster", summary.by_kind.get(BENEFIT, 0)),
        ("Anslått verdi, kr per år", summary.total_nok), ("Anslått verdi, timer per år", summary.total_hours),
        (None, None), ("Faggruppe", "Antall"), *summary.by_faggruppe.items(),
        (None, None), ("Kommune", "Antall"), *summary.by_municipality.items(),
        (None, None), ("Faggrupper uten innspill", ", ".join(summary.missing)),
    ]
    ws.set_column(0, 1, 40)
    ws.freeze_panes(1, 0)
    for r, (label, value) in enumerate(rows):
        heading = label in ("Faggruppe", "Kommune") and value == "Antall"
        w.put(ws, r, 0, label, bold=heading or r == 0)
        w.put(ws, r, 1, value, bold=heading)
    wb.close()
    return out.getvalue()


def _csv_safe(value: Any) -> Any:
    """A value as CSV text, with formula-like text defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # keeps spreadsheets from running it as a formula
    return value


def build_csv(project_name: str, entries: list[Entry], *, tz: ZoneInfo) -> bytes:
    """One CSV of all entries (UTF-8 with BOM so Excel reads æøå), needs and benefits columns side by side."""
    needs_cols, ben_cols = _columns(project_name, tz)
    heads = ["Type", *dict.fromkeys([h for h, _, _ in needs_cols] + [h for h, _, _ in ben_cols])]
    by_head_need = {h: g for h, g, _ in needs_cols}
    by_head_ben = {h: g for h, g, _ in ben_cols}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(heads)
    for e in entries:
        getters = by_head_need if e.kind == NEED else by_head_ben
        row = ["Behov" if e.kind == NEED else "Gevinst"]
        row += [_csv_safe(getters[h](e)) if h in getters else "" for h in heads[1:]]
        w.writerow(row)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def export_filename(project_name: str, now: datetime, ext: str) -> str:
    """A safe file name like 'behov-og-gevinster-Prosjekt-2026-11-23.xlsx'."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in project_name)[:60].strip("-") or "prosjekt"
    return f"behov-og-gevinster-{safe}-{now:%Y-%m-%d}.{ext}"

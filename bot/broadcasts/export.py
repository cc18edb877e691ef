"""Export of a broadcast's delivery report: one row per chat (faggruppe, chat, state, failure reason, reads)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import xlsxwriter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"  # UTF-8 with BOM so Excel reads æøå
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ChatRow:
    """One chat a broadcast went to."""

    faggruppe: str
    chat: str
    state: str  # sent, failed or waiting
    reason: str  # catalogue key of the failure reason, "" when delivered
    reads: int


def _safe(value: str) -> str:
    # Spreadsheets run cells starting with = + - @ as formulas: a chat name must never become one.
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cells(rows: list[ChatRow], t: Callable[..., str]) -> list[list[str | int]]:
    """The export's rows: a header, then one row per chat, with chat names made safe for spreadsheets."""
    head: list[str | int] = [t("broadcasts.export.col.faggruppe"), t("broadcasts.export.col.chat"),
                             t("broadcasts.export.col.state"), t("broadcasts.export.col.reason"),
                             t("broadcasts.export.col.reads")]
    out = [head]
    for r in rows:
        out.append([_safe(r.faggruppe), _safe(r.chat), t(f"broadcasts.export.state.{r.state}"),
                    t(r.reason) if r.reason else "", r.reads])
    return out


def build_csv(rows: list[ChatRow], t: Callable[..., str]) -> bytes:
    """The report as CSV, one row per chat."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(_cells(rows, t))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def build_xlsx(rows: list[ChatRow], t: Callable[..., str]) -> bytes:
    """The report as an XLSX workbook with one sheet, one row per chat (strings written as strings)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(t("broadcasts.export.sheet"))
    bold = book.add_format({"bold": True})
    for i, row in enumerate(_cells(rows, t)):
        for j, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, value, bold if i == 0 else None)
    for j, width in enumerate((30, 40, 14, 50, 8)):
        sheet.set_column(j, j, width)
    sheet.autofilter(0, 0, len(rows), 4)
    sheet.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()


def export_filename(title: str, now: datetime, ext: str) -> str:
    """A safe file name like 'kunngjoring-Moteplan-2026-11-23.csv'."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in title)[:60].strip("-") or "rapport"
    return f"kunngjoring-{safe}-{now:%Y-%m-%d}.{ext}"

"""The personal data workbook (xlsxwriter, read back with openpyxl): text stays text, times and JSON cells readable."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

from openpyxl import load_workbook

from bot.privacy.service import to_xlsx


def test_to_xlsx_sheets_and_cells():
    at = datetime(2009, 12, 3, 10, 15, tzinfo=UTC)
    data = {"person_id": "p-1", "exported_at": at.isoformat(), "data": {
        "core": {"people": [{"id": "p-1", "name": "=HYPERLINK(\"x\")", "at": at, "extra": {"a": [1]},
                             "ref": uuid.UUID(int=1)}], "memberships": []}}}
    wb = load_workbook(io.BytesIO(to_xlsx(data)))
    assert wb.sheetnames == ["Oversikt", "core-people", "core-memberships"]
    assert [list(r) for r in wb["Oversikt"].iter_rows(values_only=True)] == [["Person", "p-1"], ["Eksportert", at.isoformat()]]
    rows = [list(r) for r in wb["core-people"].iter_rows(values_only=True)]
    assert rows[0] == ["at", "extra", "id", "name", "ref"]
    assert rows[1] == [at.replace(tzinfo=None), '{"a": [1]}', "p-1", "=HYPERLINK(\"x\")", str(uuid.UUID(int=1))]
    assert wb["core-people"]["D2"].data_type == "s"  # never a formula
    assert [list(r) for r in wb["core-memberships"].iter_rows(values_only=True)] == [["(ingen data)"]]

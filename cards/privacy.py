"""Cards of personvern: own-data download, erasure confirmation, audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from cards.common import Card, card, execute, open_url, text, title
from cards.when import moment

T = Callable[..., str]


def export_card(t: T, json_url: str, xlsx_url: str, expires: str) -> Card:
    """Links to the user's own data."""
    return card(
        [title(t("privacy.export_title")), text(t("privacy.export_body")),
         text(t("common.link_expires", time=expires), subtle=True)],
        [open_url(t("privacy.export_json"), json_url), open_url(t("privacy.export_xlsx"), xlsx_url)],
    )


def erase_card(t: T) -> Card:
    """Ask before erasing."""
    return card(
        [title(t("privacy.erase_title")), text(t("privacy.erase_body"))],
        [execute(t("privacy.erase_confirm"), "privacy.erase", style="destructive"),
         execute(t("common.cancel"), "privacy.erase_cancel")],
    )


def audit_card(t: T, entries: list[tuple[datetime, str]], tz: ZoneInfo) -> Card:
    """The newest audit entries: (when, sentence already escaped by the catalogue)."""
    body = [title(t("privacy.audit_title"))]
    if not entries:
        body.append(text(t("privacy.audit_empty")))
    for at, sentence in entries:
        body.append(
            {
                "type": "ColumnSet",
                "columns": [
                    {"type": "Column", "width": "auto",
                     "items": [text(moment(t, at, tz, year=True, short=True), subtle=True)]},
                    {"type": "Column", "width": "stretch",
                     "items": [text(sentence)]},
                ],
            }
        )
    return card(body, [execute(t("privacy.audit_export"), "audit.export")])

"""Decision document cards: the draft link with much missing, with nothing missing, in English; the reminder with its button."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.kernel.status import InputStatus
from bot.messages import t
from cards.documents import draft_card
from cards.gates import reminder_card

PROJECT = "Felles sak- og arkivløsning for Helgeland – [lenke](https://evil.example) <at>Alle</at>"
URL = "https://bot.digitalehelgeland.no/downloads/3q2-_x"
MISSING = ["3 gevinster mangler gevinsteier", "2 gevinster mangler indikator", "3 gevinster mangler nullpunkt",
           "Ingen innspill fra: Helse og omsorg, Ungdom, " + "Plan, bygg, eiendom, teknisk, landbruk, næring og kultur"]


def _t(key: str, **p: object) -> str:
    return t(key, "nb-NO", **p)


def _en(key: str, **p: object) -> str:
    return t(key, "en-GB", **p)


def fixtures() -> dict[str, dict[str, Any]]:
    return {
        "draft_missing": draft_card(_t, project_name=PROJECT, bp=3, url=URL, expires="mandag 7. desember kl. 13.00",
                                    missing=MISSING),
        "draft_complete": draft_card(_t, project_name=PROJECT, bp=2, url=URL, expires="mandag 7. desember kl. 13.00", missing=[]),
        "draft_en": draft_card(_en, project_name="Shared archive", bp=5, url=URL, expires="Monday 7 December at 13:00",
                               missing=["1 benefit has no benefit owner"]),
        "reminder_with_draft": reminder_card(_t, project_id=1, project_name=PROJECT, bp=3, deadline=date(2009, 12, 7),
                                             deadline_time=None, left="7 dager igjen", documents=("Gevinstrealiseringsplan",),
                                             status=InputStatus(total=13, needs=6, benefits=7), draft=True),
    }

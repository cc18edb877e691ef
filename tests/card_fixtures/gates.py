"""Phase gate cards with æøå, long names and the maximum number of documents."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.gates.model import APPROVED, DEFAULT_OFFSETS, MAX_DOCUMENT_LEN, MAX_DOCUMENTS, OPEN, POSTPONED, Gate
from bot.kernel.choices import encode_multi
from bot.kernel.defaults import FAGGRUPPER
from bot.kernel.status import InputStatus
from bot.messages import t
from cards.gates import (
    announcement_card,
    deadline_form,
    decision_form,
    overdue_card,
    project_chooser,
    reminder_card,
    timeline_card,
)

TZ = ZoneInfo("Europe/Oslo")
NOW = datetime(2009, 11, 23, 10, 0, tzinfo=UTC)  # a fixed past moment: 2009/2010 share 2026/2027's calendar
PROJECT = "Felles sak/arkiv for Helgelandskommunene – Ærlig, Østlig og Åpen digitalisering " * 2
DOCS = tuple(f"Dokument {i}: gevinstrealiseringsplan for Brønnøy og Sømna " + "æøå" * 40 for i in range(MAX_DOCUMENTS))


def _t(key: str, **p: object) -> str:
    return t(key, "nb-NO", **p)


def _en(key: str, **p: object) -> str:
    return t(key, "en-GB", **p)


def _gate(bp: int, deadline: date | None, status: str = OPEN, docs: tuple[str, ...] = DOCS, comment: str = "") -> Gate:
    return Gate(id=bp, project_id=1, bp=bp, deadline=deadline, deadline_time=time(12, 30) if bp == 3 else None,
                faggrupper=FAGGRUPPER, documents=tuple(d[:MAX_DOCUMENT_LEN] for d in docs), offsets=DEFAULT_OFFSETS,
                status=status, comment=comment)


def _gates() -> dict[int, Gate]:
    return {
        1: _gate(1, date(2009, 9, 1), APPROVED, comment="Godkjent av styringsgruppa – «enstemmig» " + "ø" * 300),
        2: _gate(2, date(2009, 11, 20)),
        3: _gate(3, date(2009, 12, 1)),
        4: _gate(4, date(2010, 3, 29), POSTPONED, comment="Utsatt til budsjettet for 2027 er vedtatt i alle 16 kommuner"),
        5: _gate(5, date(2010, 10, 31)),
    }


def fixtures() -> dict[str, dict[str, Any]]:
    status = InputStatus(total=37, needs=25, benefits=12, by_faggruppe={"Oppvekst": 20},
                         missing=tuple(FAGGRUPPER[1:]))
    values = {"deadline": "2010-03-29", "deadline_time": "12:30",
              "faggrupper": encode_multi(FAGGRUPPER), "documents": "\n".join(DOCS),
              "offsets": "14, 7, 1"}
    errors = {"deadline": _t("gates.error.past"), "deadline_time": _t("error.time"),
              "faggrupper": _t("gates.error.faggrupper"), "documents": _t("gates.error.documents_count", max=20),
              "offsets": _t("gates.error.offsets", max=365)}
    many_groups = [*FAGGRUPPER, *(f"Ny faggruppe {i} – Samfunnssikkerhet og beredskap i Vefsn" for i in range(30))]
    return {
        "timeline_leader": timeline_card(_t, project_id=1, project_name=PROJECT, phase="planlegge", gates=_gates(),
                                         now=NOW, tz=TZ, is_leader=True, calendar_on=True,
                                         calendar_states={2: "booked", 3: "pending", 5: "failed"}),
        "timeline_member_calendar_off": timeline_card(_t, project_id=1, project_name=PROJECT, phase="ide", gates={},
                                                      now=NOW, tz=TZ, is_leader=False, calendar_on=False),
        "timeline_en": timeline_card(_en, project_id=1, project_name="Shared archive", phase="realisere",
                                     gates=_gates(), now=NOW, tz=TZ, is_leader=True, calendar_on=False),
        "deadline_form": deadline_form(_t, project_id=1, project_name=PROJECT, bp=2, faggrupper=list(FAGGRUPPER),
                                       values=values, can_remove=True),
        "deadline_form_errors": deadline_form(_t, project_id=1, project_name=PROJECT, bp=3, faggrupper=many_groups,
                                              values={**values, "deadline": "2020-01-01", "deadline_time": "25:99",
                                                      "offsets": "fjorten"}, errors=errors),
        "decision_form": decision_form(_t, project_id=1, project_name=PROJECT, bp=2, values={}),
        "decision_form_error": decision_form(_t, project_id=1, project_name=PROJECT, bp=5,
                                             values={"decision": POSTPONED, "comment": ""},
                                             errors={"comment": _t("gates.error.comment_required")}),
        "reminder": reminder_card(_t, project_id=1, project_name=PROJECT, bp=2, deadline=date(2009, 12, 7), deadline_time=None,
                                  left="14 dager igjen", documents=DOCS, status=status),
        "reminder_all_sent_en": reminder_card(_en, project_id=1, project_name="Shared archive", bp=3, deadline=date(2009, 12, 7),
                                              deadline_time=time(9, 0), left="1 day left", documents=DOCS[:3],
                                              status=InputStatus(total=4, needs=2, benefits=2)),
        "reminder_no_status": reminder_card(_t, project_id=1, project_name=PROJECT, bp=1, deadline=date(2009, 12, 7),
                                            deadline_time=None, left="i dag", documents=(), status=None),
        "overdue": overdue_card(_t, project_id=1, project_name=PROJECT, bp=4, deadline=date(2009, 11, 22),
                                deadline_time=time(15, 0)),
        "announce_approved": announcement_card(_t, project_name=PROJECT, bp=2, decision=APPROVED, phase="planlegge",
                                               comment="Vedtatt i styringsgruppa " + "å" * 500),
        "announce_postponed": announcement_card(_t, project_name=PROJECT, bp=3, decision=POSTPONED,
                                                phase="gjennomfore", comment=""),
        "project_chooser": project_chooser(_t, [(f"{PROJECT} {i}", i) for i in range(25)]),
    }



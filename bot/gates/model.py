"""Prosjektveiviseren phases and decision points (BP1–BP5): deadlines, reminder times, status and form rules."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from bot.kernel.cardinput import parse_int
from bot.kernel.errors import InvalidInput

PHASES: tuple[str, ...] = ("ide", "konsept", "planlegge", "gjennomfore", "avslutte", "realisere")
# What a leader may type for a phase: the stored name, the Norwegian noun and the English word (written without æøå).
PHASE_ALIASES: dict[str, str] = {
    "ide": "ide", "idea": "ide", "konsept": "konsept", "concept": "konsept", "planlegge": "planlegge",
    "planlegging": "planlegge", "planning": "planlegge", "gjennomfore": "gjennomfore", "gjennomforing": "gjennomfore",
    "execution": "gjennomfore", "avslutte": "avslutte", "avslutning": "avslutte", "closing": "avslutte",
    "realisere": "realisere", "realisering": "realisere", "realisation": "realisere", "realization": "realisere",
}
REMINDER_TIME = time(9, 0)  # reminders of whole days before and the overdue notice arrive at 09:00 local time
DEFAULT_OFFSETS: tuple[timedelta, ...] = (timedelta(days=14), timedelta(days=7), timedelta(days=1))
DUE_SOON = timedelta(days=14)
MAX_DOCUMENTS = 20
MAX_DOCUMENT_LEN = 200
MAX_OFFSETS = 6  # each offset is a persisted job per gate: the count is bounded
MAX_OFFSET_DAYS = 365

OPEN, APPROVED, POSTPONED = "open", "approved", "postponed"
# Shown statuses.
UNSET, PLANNED, DUE_SOON_STATUS, OVERDUE = "unset", "planned", "due_soon", "overdue"


@dataclass(frozen=True)
class DecisionPoint:
    """A BP: the phase it ends, the phase approval starts, and what must be ready before it."""

    number: int
    leaves: str
    enters: str
    documents: tuple[str, ...]


DECISION_POINTS: dict[int, DecisionPoint] = {
    1: DecisionPoint(1, "ide", "konsept", ("Mandat for konseptfasen",)),
    2: DecisionPoint(2, "konsept", "planlegge", (
        "Prosjektforslag", "Prosjektbegrunnelse", "Gevinstansvarlig utpekt", "Gevinstanalyse (behov og gevinster)")),
    3: DecisionPoint(3, "planlegge", "gjennomfore", ("Styringsdokument", "Gevinstrealiseringsplan", "Faseplan")),
    4: DecisionPoint(4, "gjennomfore", "avslutte", ("Godkjente leveranser", "Avslutningsanbefaling")),
    5: DecisionPoint(5, "avslutte", "realisere", ("Sluttrapport", "Oppdatert gevinstrealiseringsplan", "Erfaringslogg")),
}


@dataclass(frozen=True)
class Gate:
    """A deadline and decision at one BP of one project."""

    id: int
    project_id: int
    bp: int
    deadline: date | None
    deadline_time: time | None
    faggrupper: tuple[str, ...]
    documents: tuple[str, ...]
    offsets: tuple[timedelta, ...]
    status: str = OPEN
    decision: str = ""
    comment: str = ""
    decided_by: str = ""
    decided_at: datetime | None = None
    set_by: str = ""
    set_in: str = ""


@dataclass(frozen=True)
class DeadlineForm:
    """A validated `Sett frist` form."""

    deadline: date
    deadline_time: time | None
    faggrupper: tuple[str, ...]
    documents: tuple[str, ...]
    offsets: tuple[timedelta, ...]


def _fold(text: str) -> str:
    """Lower case without accents (idé -> ide, gjennomføre -> gjennomfore)."""
    text = text.strip().lower().replace("ø", "o").replace("æ", "ae").replace("å", "a")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def parse_phase(text: str) -> str | None:
    """A phase key from what a user typed (Norwegian or English), or None."""
    return PHASE_ALIASES.get(_fold(text))


def next_bp(phase: str) -> int | None:
    """The BP that ends the given phase (None in the last phase)."""
    return next((bp.number for bp in DECISION_POINTS.values() if bp.leaves == phase), None)


def phase_index(phase: str) -> int:
    """Position of a phase (unknown phases count as the first)."""
    return PHASES.index(phase) if phase in PHASES else 0


# -- time rules -------------------------------------------------------------------------------
def local_at(day: date, at: time, tz: tzinfo) -> datetime:
    """A local wall-clock time on a day, as aware UTC (zoneinfo picks the right offset on DST days)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def deadline_at(day: date, at: time | None, tz: tzinfo) -> datetime:
    """The moment a deadline passes: its time, or the end of its day when only a date is given."""
    return local_at(day, at, tz) if at else local_at(day + timedelta(days=1), time(0, 0), tz)


def reminder_at(day: date, at: time | None, offset: timedelta, tz: tzinfo) -> datetime:
    """When the reminder `offset` before a deadline is due: whole days mean 09:00 local that many days before."""
    if offset % timedelta(days=1) == timedelta(0):
        return local_at(day - offset, REMINDER_TIME, tz)
    return deadline_at(day, at, tz) - offset


def overdue_at(day: date, tz: tzinfo) -> datetime:
    """The overdue notice: 09:00 local on the day after the deadline."""
    return local_at(day + timedelta(days=1), REMINDER_TIME, tz)


def reminder_plan(gate: Gate, tz: tzinfo, now: datetime) -> list[tuple[timedelta, datetime]]:
    """(offset, run time) of the reminders still to come: after now and before the deadline."""
    if gate.deadline is None or gate.status == APPROVED:
        return []
    due = deadline_at(gate.deadline, gate.deadline_time, tz)
    plan = [(o, reminder_at(gate.deadline, gate.deadline_time, o, tz)) for o in gate.offsets]
    return sorted(((o, at) for o, at in plan if now < at < due), key=lambda p: p[1])


def offset_key(offset: timedelta) -> str:
    """A stable text for an offset: '14' for whole days, '90s' otherwise (job ids, idempotency keys)."""
    if offset % timedelta(days=1) == timedelta(0):
        return str(offset.days)
    return f"{int(offset.total_seconds())}s"


def parse_offset_key(key: str) -> timedelta:
    """The inverse of offset_key."""
    return timedelta(seconds=int(key[:-1])) if key.endswith("s") else timedelta(days=int(key))


def days_left(day: date, now: datetime, tz: tzinfo) -> int:
    """Calendar days from today (local) to the deadline; negative when passed."""
    return (day - now.astimezone(tz).date()).days


def gate_status(gate: Gate | None, now: datetime, tz: tzinfo) -> str:
    """approved / postponed / unset / overdue / due_soon / planned."""
    if gate is None:
        return UNSET
    if gate.status == APPROVED:
        return APPROVED
    if gate.status == POSTPONED:
        return POSTPONED
    if gate.deadline is None:
        return UNSET
    due = deadline_at(gate.deadline, gate.deadline_time, tz)
    if now >= due:
        return OVERDUE
    if due - now <= DUE_SOON:
        return DUE_SOON_STATUS
    return PLANNED


# -- forms ------------------------------------------------------------------------------------
def _parse_date(raw: str) -> date | None:
    """The date at the start of `raw`, or None."""
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None


def _parse_time(raw: str) -> time | None:
    """The time of day in `raw` to the minute (naive), or None."""
    try:
        parsed = time.fromisoformat(raw.strip())
    except ValueError:
        return None
    return parsed.replace(second=0, microsecond=0, tzinfo=None)


def split_list(raw: Any) -> list[str]:
    """A multi-select value ('a,b') or a list, as clean items."""
    if isinstance(raw, list):
        return [str(x).strip() for x in raw if str(x).strip()]
    return [x.strip() for x in str(raw or "").split(",") if x.strip()]


Errors = dict[str, str | tuple[str, dict[str, object]]]


def parse_deadline_form(data: dict[str, Any], *, today: date, faggrupper: list[str]) -> DeadlineForm:
    """Validate the `Sett frist` inputs; raise InvalidInput naming each bad field."""
    errors: Errors = {}
    day = _deadline_day(str(data.get("deadline") or "").strip(), today, errors)
    raw_time = str(data.get("deadline_time") or "").strip()
    at = _parse_time(raw_time) if raw_time else None
    if raw_time and at is None:
        errors["deadline_time"] = "error.time"
    groups = _chosen_groups(split_list(data.get("faggrupper")), faggrupper, errors)
    docs = _documents(str(data.get("documents") or ""), errors)
    offsets = _offsets(str(data.get("offsets") or ""), errors)
    if errors:
        raise InvalidInput(errors)
    assert day is not None
    return DeadlineForm(day, at, groups, docs, offsets)


def _deadline_day(raw: str, today: date, errors: Errors) -> date | None:
    """The validated deadline date of the form, recording an error when it is missing, malformed or past."""
    day = _parse_date(raw) if raw else None
    if not raw:
        errors["deadline"] = "error.required"
    elif day is None:
        errors["deadline"] = "error.date"
    elif day < today:
        errors["deadline"] = "gates.error.past"
    return day


def _chosen_groups(chosen: list[str], faggrupper: list[str], errors: Errors) -> tuple[str, ...]:
    """The chosen faggrupper in their configured spelling; at least one, and none unknown."""
    known = {f.lower(): f for f in faggrupper}
    groups = tuple(dict.fromkeys(known[c.lower()] for c in chosen if c.lower() in known))
    if not groups:
        errors["faggrupper"] = "gates.error.faggrupper"
    elif len(groups) != len({c.lower() for c in chosen}):
        errors["faggrupper"] = "gates.error.unknown_faggruppe"
    return groups


def _documents(raw: str, errors: Errors) -> tuple[str, ...]:
    """One document a line, spaces tidied, duplicates dropped."""
    docs = tuple(dict.fromkeys(" ".join(line.split()) for line in raw.splitlines() if line.strip()))
    if len(docs) > MAX_DOCUMENTS:
        errors["documents"] = ("gates.error.documents_count", {"max": MAX_DOCUMENTS})
    elif any(len(d) > MAX_DOCUMENT_LEN for d in docs):
        errors["documents"] = ("error.too_long", {"max": MAX_DOCUMENT_LEN})
    return docs


def _offsets(raw: str, errors: Errors) -> tuple[timedelta, ...]:
    """Reminder offsets in days before the deadline (commas, semicolons or spaces between), latest last."""
    offsets: list[timedelta] = []
    for part in (p for p in raw.replace(";", ",").replace(" ", ",").split(",") if p.strip()):
        days = parse_int(part, lo=1, hi=MAX_OFFSET_DAYS)
        if days is None:
            errors["offsets"] = ("gates.error.offsets", {"max": MAX_OFFSET_DAYS})
            break
        offsets.append(timedelta(days=days))
    unique = tuple(sorted(set(offsets), reverse=True))
    if "offsets" not in errors and len(unique) > MAX_OFFSETS:
        errors["offsets"] = ("gates.error.offsets_count", {"max": MAX_OFFSETS})
    return unique


def validate_decision(decision: str, comment: str) -> tuple[str, str]:
    """Godkjent / Utsatt with a comment (required when postponing)."""
    errors: Errors = {}
    if decision not in (APPROVED, POSTPONED):
        errors["decision"] = "gates.error.decision"
    text = comment.strip()
    if decision == POSTPONED and not text:
        errors["comment"] = "gates.error.comment_required"
    if len(text) > 2000:
        errors["comment"] = ("error.too_long", {"max": 2000})
    if errors:
        raise InvalidInput(errors)
    return decision, text

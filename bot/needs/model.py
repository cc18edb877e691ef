"""Needs (behov) and benefits (gevinster): fields, serialisation, edit rights, diffs and summaries (forms: validation)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any

from bot.kernel.errors import NotAllowed
from bot.kernel.people import Person
from bot.kernel.status import InputStatus

NEED, BENEFIT = "need", "benefit"
KINDS = (NEED, BENEFIT)
ACTIVE, WITHDRAWN = "active", "withdrawn"

PRIORITIES = ("hoy", "middels", "lav")
BENEFIT_TYPES = ("effektivisering", "kvalitet", "andre_aktorer")
CATEGORIES = ("unngatte_kostnader", "spart_tid", "kvalitet")
BENEFIT_STATUSES = ("planlagt", "under_realisering", "realisert")

TITLE_MAX, SHORT_MAX, MEDIUM_MAX, LONG_MAX = 200, 300, 1000, 4000
MAX_NUMBER = 1e12

FieldErrors = dict[str, str | tuple[str, dict[str, object]]]


@dataclass(frozen=True)
class Need:
    """A behov: problem, affected municipalities/services, today's and the desired situation, priority."""

    title: str
    problem: str
    desired_situation: str
    priority: str
    current_situation: str = ""
    services: str = ""
    municipalities: tuple[str, ...] = ()
    security_concern: bool = False


@dataclass(frozen=True)
class Benefit:
    """A gevinst: type, priced or not, indicator with baseline and target, estimate, owner, measures, risk."""

    title: str
    benefit_type: str
    description: str = ""
    category: str = ""
    priced: bool = False
    municipalities: tuple[str, ...] = ()
    indicator: str = ""
    unit: str = ""
    baseline_value: float | None = None
    baseline_date: date | None = None
    target_value: float | None = None
    realisation_date: date | None = None
    estimate_nok: float | None = None
    estimate_hours: float | None = None
    owner: str = ""
    measures: str = ""
    depends_on: str = ""
    risk: str = ""
    status: str = "planlagt"


Content = Need | Benefit


@dataclass(frozen=True)
class Entry:
    """A stored need or benefit with who sent it, for which faggruppe and project, and its state."""

    id: int
    kind: str
    content: Content
    project_id: int
    faggruppe: str
    submitter_id: str
    submitter_name: str = ""
    status: str = ACTIVE
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def title(self) -> str:
        """The entry's title."""
        return self.content.title

    @property
    def municipalities(self) -> tuple[str, ...]:
        """Affected municipalities."""
        return self.content.municipalities

    @property
    def estimate_nok(self) -> float:
        """Estimated NOK per year (benefits only)."""
        return (self.content.estimate_nok or 0.0) if isinstance(self.content, Benefit) else 0.0

    @property
    def estimate_hours(self) -> float:
        """Estimated hours per year (benefits only)."""
        return (self.content.estimate_hours or 0.0) if isinstance(self.content, Benefit) else 0.0


def benefit(entry: Entry) -> Benefit:
    """The benefit content of an entry (of kind benefit)."""
    assert isinstance(entry.content, Benefit)
    return entry.content


def need(entry: Entry) -> Need:
    """The need content of an entry (of kind need)."""
    assert isinstance(entry.content, Need)
    return entry.content


@dataclass(frozen=True)
class EntryMeta:
    """Faggruppe and project chosen in the form (shared by both kinds)."""

    project_id: int
    faggruppe: str


# -- serialisation ------------------------------------------------------------------------------
def to_dict(content: Content) -> dict[str, Any]:
    """JSON-ready fields (dates as ISO strings, lists as lists)."""
    out: dict[str, Any] = {}
    for k, v in asdict(content).items():
        if isinstance(v, date):
            out[k] = v.isoformat()
        elif isinstance(v, tuple):
            out[k] = list(v)
        else:
            out[k] = v
    return out


_FIELD_NAMES = {Need: tuple(f.name for f in fields(Need)), Benefit: tuple(f.name for f in fields(Benefit))}


def from_dict(kind: str, data: Mapping[str, Any]) -> Content:
    """A Need or Benefit from stored JSON (unknown keys ignored)."""
    cls = Need if kind == NEED else Benefit
    values: dict[str, Any] = {}
    for name in _FIELD_NAMES[cls]:
        if name not in data:
            continue
        v = data[name]
        if name.endswith("_date") and isinstance(v, str) and v:
            v = date.fromisoformat(v)
        elif name == "municipalities":
            v = tuple(v or ())
        values[name] = v
    return cls(**values)


def form_values(content: Content) -> dict[str, str]:
    """The content as card input values (strings), to pre-fill an edit form."""
    out: dict[str, str] = {}
    for k, v in to_dict(content).items():
        if v is None:
            out[k] = ""
        elif isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, list):
            out[k] = ",".join(v)
        elif isinstance(v, float):
            out[k] = format(v, ".15g")
        else:
            out[k] = str(v)
    return out


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [old, new]}."""
    keys = list(dict.fromkeys([*old, *new]))
    return {k: [old.get(k), new.get(k)] for k in keys if old.get(k) != new.get(k)}


# -- rights ---------------------------------------------------------------------------------------
def can_edit(entry: Entry, person: Person) -> bool:
    """The submitter and project leaders may edit or withdraw an entry."""
    return person.is_leader or (bool(person.id) and entry.submitter_id == person.id)


def require_can_edit(entry: Entry, person: Person) -> None:
    """Raise NotAllowed unless the person may change the entry."""
    if not can_edit(entry, person):
        raise NotAllowed("needs.not_yours")


# -- summaries --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Summary:
    """Counts, totals, top entries and missing faggrupper of one project's active entries."""

    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_faggruppe: dict[str, int] = field(default_factory=dict)
    by_municipality: dict[str, int] = field(default_factory=dict)
    total_nok: float = 0.0
    total_hours: float = 0.0
    top: tuple[Entry, ...] = ()
    missing: tuple[str, ...] = ()


def _sorted_counts(counter: Counter[str]) -> dict[str, int]:
    """Counts sorted largest first, then by name."""
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def summarize(entries: Iterable[Entry], involved: Iterable[str], *, top_n: int = 5) -> Summary:
    """Summary of the active entries; `involved` are the faggrupper expected to send input."""
    active = [e for e in entries if e.status == ACTIVE]
    by_kind = Counter({NEED: 0, BENEFIT: 0})
    by_kind.update(e.kind for e in active)
    by_faggruppe: Counter[str] = Counter(e.faggruppe for e in active)
    by_municipality: Counter[str] = Counter(m for e in active for m in e.municipalities)
    benefits = [e for e in active if e.kind == BENEFIT and (e.estimate_nok or e.estimate_hours)]
    top = sorted(benefits, key=lambda e: (-e.estimate_nok, -e.estimate_hours, e.id))[:top_n]
    return Summary(
        total=len(active),
        by_kind=dict(by_kind),
        by_faggruppe=_sorted_counts(by_faggruppe),
        by_municipality=_sorted_counts(by_municipality),
        total_nok=sum(e.estimate_nok for e in active),
        total_hours=sum(e.estimate_hours for e in active),
        top=tuple(top),
        missing=missing_faggrupper(active, involved),
    )


def missing_faggrupper(entries: Iterable[Entry], involved: Iterable[str]) -> tuple[str, ...]:
    """Involved faggrupper without any active entry."""
    sent = {e.faggruppe for e in entries if e.status == ACTIVE}
    return tuple(f for f in involved if f not in sent)


def input_status(entries: Iterable[Entry], involved: Iterable[str]) -> InputStatus:
    """The InputStatus port's view of a project's entries."""
    s = summarize(entries, involved)
    return InputStatus(total=s.total, needs=s.by_kind.get(NEED, 0), benefits=s.by_kind.get(BENEFIT, 0),
                       by_faggruppe=dict(s.by_faggruppe), missing=s.missing)


def counts_by_submitter(entries: Iterable[Entry]) -> dict[str, int]:
    """Active entries per submitter id."""
    return dict(Counter(e.submitter_id for e in entries if e.status == ACTIVE))

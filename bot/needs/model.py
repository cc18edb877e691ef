"""Needs (behov) and benefits (gevinster): fields, validation, edit rights, history diffs and summaries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any

from bot.kernel.cardinput import parse_int, parse_number
from bot.kernel.errors import InvalidInput, NotAllowed
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


@dataclass(frozen=True)
class EntryMeta:
    """Faggruppe and project chosen in the form (shared by both kinds)."""

    project_id: int
    faggruppe: str


# -- parsing and validation ---------------------------------------------------------------------
class _Form:
    """Reads raw card values and collects field errors."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: FieldErrors = {}

    def raw(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value).replace("\r\n", "\n").strip()

    def text(self, key: str, limit: int, *, required: bool = False) -> str:
        value = self.raw(key)
        if required and not value:
            self.errors[key] = "error.required"
        elif len(value) > limit:
            self.errors[key] = ("error.too_long", {"max": limit})
        return value

    def choice(self, key: str, allowed: Iterable[str], *, required: bool = False) -> str:
        value = self.raw(key)
        if not value:
            if required:
                self.errors[key] = "error.required"
            return ""
        if value not in tuple(allowed):
            self.errors[key] = "needs.error.choice"
        return value

    def multi(self, key: str, allowed: Iterable[str]) -> tuple[str, ...]:
        value = self.data.get(key)
        items = value if isinstance(value, list) else self.raw(key).split(",")
        chosen = [str(i).strip() for i in items if str(i).strip()]
        allowed_set = set(allowed)
        if any(c not in allowed_set for c in chosen):
            self.errors[key] = "needs.error.choice"
        return tuple(dict.fromkeys(chosen))

    def number(self, key: str, *, required: bool = False, minimum: float | None = None) -> float | None:
        value = self.raw(key).replace(" ", "").replace("\u00a0", "").replace(",", ".")
        if not value:
            if required:
                self.errors[key] = "error.required"
            return None
        number = parse_number(value, lo=-MAX_NUMBER, hi=MAX_NUMBER)
        if number is None:
            self.errors[key] = "error.number"
            return None
        if minimum is not None and number < minimum:
            self.errors[key] = ("needs.error.min", {"min": f"{minimum:g}"})
        return number

    def date(self, key: str, *, required: bool = False) -> date | None:
        value = self.raw(key)
        if not value:
            if required:
                self.errors[key] = "error.required"
            return None
        try:
            return date.fromisoformat(value[:10]) if len(value) >= 10 else date.fromisoformat(value)
        except ValueError:
            self.errors[key] = "error.date"
            return None

    def flag(self, key: str) -> bool:
        return self.raw(key).lower() in ("true", "1", "ja", "yes", "on")


def parse_meta(data: Mapping[str, Any], project_ids: Iterable[int],
               faggrupper: Iterable[str]) -> tuple[EntryMeta | None, FieldErrors]:
    """Project and faggruppe from the form, with errors."""
    form = _Form(data)
    raw_project = form.raw("project_id")
    project_id = 0
    if not raw_project:
        form.errors["project_id"] = "error.required"
    else:
        project_id = parse_int(raw_project) or 0
        if project_id not in set(project_ids):
            form.errors["project_id"] = "needs.error.choice"
    faggruppe = form.text("faggruppe", 200, required=True)
    if faggruppe and faggruppe not in set(faggrupper):
        form.errors["faggruppe"] = "needs.error.choice"
    return (None if form.errors else EntryMeta(project_id, faggruppe)), form.errors


def parse_need(data: Mapping[str, Any], municipalities: Iterable[str]) -> tuple[Need | None, FieldErrors]:
    """A Need from form values, or the field errors."""
    f = _Form(data)
    need = Need(
        title=f.text("title", TITLE_MAX, required=True),
        problem=f.text("problem", LONG_MAX, required=True),
        desired_situation=f.text("desired_situation", LONG_MAX, required=True),
        priority=f.choice("priority", PRIORITIES, required=True),
        current_situation=f.text("current_situation", LONG_MAX),
        services=f.text("services", MEDIUM_MAX),
        municipalities=f.multi("municipalities", municipalities),
        security_concern=f.flag("security_concern"),
    )
    return (None if f.errors else need), f.errors


def parse_benefit(data: Mapping[str, Any], municipalities: Iterable[str]) -> tuple[Benefit | None, FieldErrors]:
    """A Benefit from form values, or the field errors (a priced benefit needs an estimate)."""
    f = _Form(data)
    benefit = Benefit(
        title=f.text("title", TITLE_MAX, required=True),
        benefit_type=f.choice("benefit_type", BENEFIT_TYPES, required=True),
        description=f.text("description", LONG_MAX),
        category=f.choice("category", CATEGORIES),
        priced=f.flag("priced"),
        municipalities=f.multi("municipalities", municipalities),
        indicator=f.text("indicator", SHORT_MAX),
        unit=f.text("unit", 50),
        baseline_value=f.number("baseline_value"),
        baseline_date=f.date("baseline_date"),
        target_value=f.number("target_value"),
        realisation_date=f.date("realisation_date"),
        estimate_nok=f.number("estimate_nok", minimum=0),
        estimate_hours=f.number("estimate_hours", minimum=0),
        owner=f.text("owner", TITLE_MAX),
        measures=f.text("measures", LONG_MAX),
        depends_on=f.text("depends_on", MEDIUM_MAX),
        risk=f.text("risk", LONG_MAX),
        status=f.choice("status", BENEFIT_STATUSES) or "planlagt",
    )
    if benefit.priced and benefit.estimate_nok is None and benefit.estimate_hours is None and "estimate_nok" not in f.errors:
        f.errors["estimate_nok"] = "needs.error.priced_estimate"
    if benefit.baseline_value is not None and benefit.baseline_date is None and "baseline_date" not in f.errors:
        f.errors["baseline_date"] = "needs.error.baseline_date"
    if (benefit.baseline_date and benefit.realisation_date and benefit.realisation_date < benefit.baseline_date
            and "realisation_date" not in f.errors):
        f.errors["realisation_date"] = "needs.error.realisation_before_baseline"
    return (None if f.errors else benefit), f.errors


def parse_content(kind: str, data: Mapping[str, Any], municipalities: Iterable[str]) -> tuple[Content | None, FieldErrors]:
    """A Need or Benefit from form values."""
    if kind == NEED:
        return parse_need(data, municipalities)
    if kind == BENEFIT:
        return parse_benefit(data, municipalities)
    raise InvalidInput({"kind": "needs.error.choice"})


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

"""Reading the needs and benefits forms: each field checked against its limits and choices, errors per field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from bot.kernel.cardinput import parse_int, parse_number
from bot.kernel.errors import InvalidInput
from bot.needs.model import (
    BENEFIT,
    BENEFIT_STATUSES,
    BENEFIT_TYPES,
    CATEGORIES,
    LONG_MAX,
    MAX_NUMBER,
    MEDIUM_MAX,
    NEED,
    PRIORITIES,
    SHORT_MAX,
    TITLE_MAX,
    Benefit,
    Content,
    EntryMeta,
    FieldErrors,
    Need,
)


class _Form:
    """Reads raw card values and collects field errors."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: FieldErrors = {}

    def raw(self, key: str) -> str:
        """The field as text: '' when missing, true/false for booleans, CRLF folded, stripped."""
        value = self.data.get(key)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value).replace("\r\n", "\n").strip()

    def text(self, key: str, limit: int, *, required: bool = False) -> str:
        """A text field of at most `limit` characters."""
        value = self.raw(key)
        if required and not value:
            self.errors[key] = "error.required"
        elif len(value) > limit:
            self.errors[key] = ("error.too_long", {"max": limit})
        return value

    def choice(self, key: str, allowed: Iterable[str], *, required: bool = False) -> str:
        """A field that must be one of `allowed` ('' when empty and not required)."""
        value = self.raw(key)
        if not value:
            if required:
                self.errors[key] = "error.required"
            return ""
        if value not in tuple(allowed):
            self.errors[key] = "needs.error.choice"
        return value

    def multi(self, key: str, allowed: Iterable[str]) -> tuple[str, ...]:
        """A multi-select field (a list, or comma-separated text) whose items must all be in `allowed`."""
        value = self.data.get(key)
        items = value if isinstance(value, list) else self.raw(key).split(",")
        chosen = [str(i).strip() for i in items if str(i).strip()]
        allowed_set = set(allowed)
        if any(c not in allowed_set for c in chosen):
            self.errors[key] = "needs.error.choice"
        return tuple(dict.fromkeys(chosen))  # duplicates dropped, the order chosen kept

    def number(self, key: str, *, required: bool = False, minimum: float | None = None) -> float | None:
        """A number field (Norwegian or English decimal separator, spaces allowed), or None when empty."""
        # "1 234,5" as Norwegian writes it (a space or no-break space between thousands, a decimal comma).
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
        """An ISO date field, or None when empty."""
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
        """A checkbox/toggle field as a bool."""
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
    # The rules across fields come last and add an error only where the field has none: its own is more precise.
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

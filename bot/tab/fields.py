"""The register's edit form: which fields each kind has, their input type, label and choices (labels from the catalogue)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.needs.model import (
    BENEFIT_STATUSES,
    BENEFIT_TYPES,
    CATEGORIES,
    LONG_MAX,
    MEDIUM_MAX,
    NEED,
    PRIORITIES,
    SHORT_MAX,
    TITLE_MAX,
)

T = Callable[..., str]
# (name, input type, label key, required, max length or choice prefix)
_NEED = (
    ("title", "text", "needs.field.title", True, TITLE_MAX),
    ("problem", "textarea", "needs.field.problem", True, LONG_MAX),
    ("services", "textarea", "needs.field.services", False, MEDIUM_MAX),
    ("current_situation", "textarea", "needs.field.current_situation", False, LONG_MAX),
    ("desired_situation", "textarea", "needs.field.desired_situation", True, LONG_MAX),
    ("priority", "choice", "needs.field.priority", True, "needs.priority"),
    ("municipalities", "multi", "needs.field.municipalities", False, ""),
    ("security_concern", "flag", "needs.field.security_title", False, ""),
)
_BENEFIT = (
    ("title", "text", "needs.field.title", True, TITLE_MAX),
    ("description", "textarea", "needs.field.description", False, LONG_MAX),
    ("benefit_type", "choice", "needs.field.benefit_type", True, "needs.btype"),
    ("category", "choice", "needs.field.category", False, "needs.category"),
    ("priced", "flag", "needs.field.priced_title", False, ""),
    ("indicator", "text", "needs.field.indicator", False, SHORT_MAX),
    ("unit", "text", "needs.field.unit", False, 50),
    ("baseline_value", "number", "needs.field.baseline_value", False, 64),
    ("baseline_date", "date", "needs.field.baseline_date", False, 10),
    ("target_value", "number", "needs.field.target_value", False, 64),
    ("realisation_date", "date", "needs.field.realisation_date", False, 10),
    ("estimate_nok", "number", "needs.field.estimate_nok", False, 64),
    ("estimate_hours", "number", "needs.field.estimate_hours", False, 64),
    ("owner", "text", "needs.field.owner", False, TITLE_MAX),
    ("measures", "textarea", "needs.field.measures", False, LONG_MAX),
    ("depends_on", "text", "needs.field.depends_on", False, MEDIUM_MAX),
    ("risk", "textarea", "needs.field.risk", False, LONG_MAX),
    ("status", "choice", "needs.field.status", False, "needs.bstatus"),
    ("municipalities", "multi", "needs.field.municipalities", False, ""),
)
_CHOICES = {"needs.priority": PRIORITIES, "needs.btype": BENEFIT_TYPES, "needs.category": CATEGORIES,
            "needs.bstatus": BENEFIT_STATUSES}


def form_fields(t: T, kind: str, projects: list[tuple[int, str]], faggrupper: list[str],
                municipalities: list[str]) -> list[dict[str, Any]]:
    """The edit form of one kind, in the card form's order, as JSON for the page."""
    out: list[dict[str, Any]] = []
    for name, kind_of_input, label, required, extra in _NEED if kind == NEED else _BENEFIT:
        field: dict[str, Any] = {"name": name, "type": kind_of_input, "label": t(label), "required": required}
        if kind_of_input == "choice":
            field["choices"] = [[c, t(f"{extra}.{c}")] for c in _CHOICES[str(extra)]]
        elif kind_of_input == "multi":
            field["choices"] = [[m, m] for m in municipalities]
        elif isinstance(extra, int):
            field["max"] = extra
        out.append(field)
    out.append({"name": "project_id", "type": "choice", "label": t("needs.field.project"), "required": True,
                "choices": [[str(pid), name] for pid, name in projects]})
    out.append({"name": "faggruppe", "type": "choice", "label": t("needs.field.faggruppe"), "required": True,
                "choices": [[f, f] for f in faggrupper]})
    return out

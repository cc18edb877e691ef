"""The register's list: who sees which entries, filters, sort and pages (pure functions over needs.model.Entry)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.kernel.cardinput import clamped, hint_id
from bot.kernel.people import Person
from bot.needs.model import ACTIVE, BENEFIT, BENEFIT_STATUSES, KINDS, WITHDRAWN, Benefit, Entry

SORTS = ("updated", "title", "project", "faggruppe", "estimate")
STATUSES = (ACTIVE, WITHDRAWN, *BENEFIT_STATUSES)
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
Q_MAX = 200


@dataclass(frozen=True)
class Filters:
    """What the register page asks for (every value checked: unknown choices are dropped, ids validated)."""

    project: int | None = None
    faggruppe: str = ""
    municipality: str = ""
    kind: str = ""
    status: str = ""
    q: str = ""
    sort: str = "updated"
    desc: bool = True
    page: int = 1
    size: int = PAGE_SIZE


def parse_filters(query: Mapping[str, str]) -> Filters:
    """Filters from a query string; ids through the one validator, choices against their lists."""
    kind = query.get("kind", "")
    status = query.get("status", "")
    sort = query.get("sort", "updated")
    return Filters(
        project=hint_id(query.get("project")),
        faggruppe=query.get("faggruppe", "")[:200],
        municipality=query.get("municipality", "")[:200],
        kind=kind if kind in KINDS else "",
        status=status if status in STATUSES else "",
        q=query.get("q", "").strip()[:Q_MAX],
        sort=sort if sort in SORTS else "updated",
        desc=query.get("desc", "1") not in ("0", "false"),
        page=clamped(query.get("page"), 1, 100_000, 1),
        size=clamped(query.get("size"), 1, MAX_PAGE_SIZE, PAGE_SIZE),
    )


def sees_all(person: Person) -> bool:
    """Leaders and the secretariat see every entry; members see their own (as `mine innspill` in chat)."""
    return person.can_export


def visible(entries: Iterable[Entry], person: Person) -> list[Entry]:
    """The entries this person may see."""
    return list(entries) if sees_all(person) else [e for e in entries if e.submitter_id == person.id]


def may_see(entry: Entry, person: Person) -> bool:
    """True when the person may open this entry."""
    return sees_all(person) or entry.submitter_id == person.id


def _status_matches(entry: Entry, status: str) -> bool:
    """Whether an entry has the status filtered for (a benefit's own status counts only while it is active)."""
    if status in (ACTIVE, WITHDRAWN):
        return entry.status == status
    return entry.status == ACTIVE and isinstance(entry.content, Benefit) and entry.content.status == status


def _text(entry: Entry) -> str:
    """Everything free-text search looks in, casefolded."""
    parts = [entry.title, entry.faggruppe, entry.submitter_name, *entry.municipalities]
    parts += [v for v in vars(entry.content).values() if isinstance(v, str)]
    return " ".join(parts).casefold()


def matches(entry: Entry, f: Filters) -> bool:
    """True when the entry passes every filter."""
    return ((f.project is None or entry.project_id == f.project)
            and (not f.faggruppe or entry.faggruppe == f.faggruppe)
            and (not f.municipality or f.municipality in entry.municipalities)
            and (not f.kind or entry.kind == f.kind)
            and (not f.status or _status_matches(entry, f.status))
            and (not f.q or f.q.casefold() in _text(entry)))


def _sort_key(f: Filters, project_names: Mapping[int, str]) -> Callable[[Entry], tuple[Any, ...]]:
    """The sort key of the chosen column; the id breaks ties, so paging is stable."""
    oldest = datetime.min
    keys = {
        "updated": lambda e: (e.updated_at or oldest, e.id),
        "title": lambda e: (e.title.casefold(), e.id),
        "project": lambda e: (project_names.get(e.project_id, "").casefold(), e.id),
        "faggruppe": lambda e: (e.faggruppe.casefold(), e.id),
        "estimate": lambda e: (e.estimate_nok if e.kind == BENEFIT else -1.0, e.id),
    }
    return keys[f.sort]


@dataclass(frozen=True)
class Page:
    """One page of the filtered, sorted entries."""

    items: list[Entry]
    total: int
    page: int
    pages: int
    matching: list[Entry]


def page_of(entries: Iterable[Entry], f: Filters, project_names: Mapping[int, str]) -> Page:
    """Filter, sort and cut one page (a page past the end shows the last one)."""
    matching = sorted((e for e in entries if matches(e, f)), key=_sort_key(f, project_names), reverse=f.desc)
    pages = max(1, -(-len(matching) // f.size))
    page = min(f.page, pages)
    start = (page - 1) * f.size
    return Page(matching[start:start + f.size], len(matching), page, pages, matching)

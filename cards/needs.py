"""Needs and benefits cards: choose the kind, the two forms, the confirmation, and 'my entries'."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.needs.model import BENEFIT, BENEFIT_STATUSES, BENEFIT_TYPES, CATEGORIES, NEED, PRIORITIES, WITHDRAWN, Benefit, Entry
from cards.common import (
    MAX_PRIMARY_ACTIONS,
    Card,
    Element,
    card,
    choice_input,
    clip,
    container,
    date_input,
    escape,
    execute,
    facts,
    numeric_text_input,
    rows_with_actions,
    text,
    text_input,
    title,
    toggle,
    toggle_input,
)

T = Callable[..., str]
Values = Mapping[str, str]
Errors = Mapping[str, str]
MAX_LISTED = 20


def fmt_number(value: float | None, lang: str = "nb", *, decimals: int | None = None) -> str:
    """The one number formatter: 1234567.5 -> '1 234 568' (nb) or '1,234,568' (en); 12.5 -> '12,50' (nb).

    Cards round amounts of 100 and more to whole numbers; pass `decimals` for a fixed number of decimals
    (documents: 1234567.5 with decimals=2 -> '1 234 567,50'). Norwegian groups with a no-break space and
    writes a decimal comma.
    """
    if value is None:
        return ""
    if decimals is None:
        decimals = 0 if abs(value) >= 100 or value == int(value) else 2
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "\u00a0").replace(".", ",") if lang == "nb" else s


def kind_label(t: T, kind: str) -> str:
    """'Behov' or 'Gevinst'."""
    return t("needs.kind.need") if kind == NEED else t("needs.kind.benefit")


def choose_kind_card(t: T, *, project_id: int | None = None) -> Card:
    """First step of `innspill`: behov or gevinst."""
    data = {"project_id": project_id} if project_id else {}
    return card(
        [title(t("needs.choose.title")), text(t("needs.choose.intro")),
         text(t("needs.choose.need_hint"), subtle=True), text(t("needs.choose.benefit_hint"), subtle=True)],
        [execute(t("needs.kind.need"), "needs.form", {"kind": NEED, **data}, style="positive"),
         execute(t("needs.kind.benefit"), "needs.form", {"kind": BENEFIT, **data}, style="positive")],
    )


def _choices(t: T, prefix: str, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """Choices whose labels are the texts under prefix and whose values are the keys."""
    return [(t(f"{prefix}.{k}"), k) for k in keys]


_DETAIL_FIELDS = ("description", "category", "indicator", "unit", "baseline_value", "baseline_date", "target_value",
                  "realisation_date", "owner", "measures", "depends_on", "risk", "status", "municipalities")
MORE_ID = "benefit-more"


def _need_fields(t: T, v: Values, e: Errors, municipalities: list[str]) -> list[Element]:
    """The inputs of a need: the problem, services, the situation now and desired, priority."""
    body = text_input("problem", t("needs.field.problem"), v.get("problem", ""), required=True, multiline=True,
                      error=e.get("problem"), max_length=4000, placeholder=t("needs.field.problem_hint"))
    body += text_input("services", t("needs.field.services"), v.get("services", ""), multiline=True,
                       error=e.get("services"), max_length=1000)
    body += text_input("current_situation", t("needs.field.current_situation"), v.get("current_situation", ""),
                       multiline=True, error=e.get("current_situation"), max_length=4000)
    body += text_input("desired_situation", t("needs.field.desired_situation"), v.get("desired_situation", ""),
                       required=True, multiline=True, error=e.get("desired_situation"), max_length=4000)
    body += choice_input("priority", t("needs.field.priority"), _choices(t, "needs.priority", PRIORITIES),
                         v.get("priority", ""), required=True, error=e.get("priority"))
    body += _municipalities(t, v, e, municipalities)
    body += toggle_input("security_concern", t("needs.field.security"), t("needs.field.security_title"),
                         v.get("security_concern") == "true")
    return body


def _municipalities(t: T, v: Values, e: Errors, municipalities: list[str]) -> list[Element]:
    """The multi-select of municipalities (BOT_MUNICIPALITIES)."""
    return choice_input("municipalities", t("needs.field.municipalities"), [(m, m) for m in municipalities],
                        v.get("municipalities", ""), multi=True, error=e.get("municipalities"))


def _number(t: T, key: str, v: Values, e: Errors) -> list[Element]:
    """A number input for a benefit's estimate; the hint says numbers only."""
    return numeric_text_input(key, t(f"needs.field.{key}"), v.get(key), hint=t("needs.field.numbers_only"),
                              error=e.get(key))


def _benefit_core(t: T, v: Values, e: Errors) -> list[Element]:
    """The benefit's core inputs, shown first: its type, whether it can be priced, and the estimates."""
    body = choice_input("benefit_type", t("needs.field.benefit_type"), _choices(t, "needs.btype", BENEFIT_TYPES),
                        v.get("benefit_type", ""), required=True, error=e.get("benefit_type"))
    body += toggle_input("priced", t("needs.field.priced"), t("needs.field.priced_title"), v.get("priced") == "true")
    return body + _number(t, "estimate_nok", v, e) + _number(t, "estimate_hours", v, e)


def _benefit_details(t: T, v: Values, e: Errors, municipalities: list[str]) -> list[Element]:
    """The optional benefit fields, behind 'Flere detaljer' (opened at once when one of them has an error)."""
    body = text_input("description", t("needs.field.description"), v.get("description", ""), multiline=True,
                      error=e.get("description"), max_length=4000)
    body += choice_input("category", t("needs.field.category"), _choices(t, "needs.category", CATEGORIES),
                         v.get("category", ""), error=e.get("category"))
    body += text_input("indicator", t("needs.field.indicator"), v.get("indicator", ""), error=e.get("indicator"),
                       max_length=300)
    body += text_input("unit", t("needs.field.unit"), v.get("unit", ""), error=e.get("unit"), max_length=50)
    body += _number(t, "baseline_value", v, e)
    body += date_input("baseline_date", t("needs.field.baseline_date"), v.get("baseline_date", ""),
                       error=e.get("baseline_date"))
    body += _number(t, "target_value", v, e)
    body += date_input("realisation_date", t("needs.field.realisation_date"), v.get("realisation_date", ""),
                       error=e.get("realisation_date"))
    body += text_input("owner", t("needs.field.owner"), v.get("owner", ""), error=e.get("owner"), max_length=200)
    body += text_input("measures", t("needs.field.measures"), v.get("measures", ""), multiline=True,
                       error=e.get("measures"), max_length=4000)
    body += text_input("depends_on", t("needs.field.depends_on"), v.get("depends_on", ""), error=e.get("depends_on"),
                       max_length=1000)
    body += text_input("risk", t("needs.field.risk"), v.get("risk", ""), multiline=True, error=e.get("risk"),
                       max_length=4000)
    body += choice_input("status", t("needs.field.status"), _choices(t, "needs.bstatus", BENEFIT_STATUSES),
                         v.get("status", "") or "planlagt", error=e.get("status"))
    body += _municipalities(t, v, e, municipalities)
    open_now = any(k in e for k in _DETAIL_FIELDS)
    return [{"type": "ActionSet", "actions": [toggle(t("needs.form.more"), [MORE_ID])]},
            text(t("needs.form.more_note"), subtle=True, size="Small", spacing="None"),
            container(body, id=MORE_ID, isVisible=open_now)]


def entry_form(t: T, kind: str, *, values: Values, errors: Errors, projects: list[tuple[str, str]],
               faggrupper: list[str], municipalities: list[str], entry_id: int | None = None) -> Card:
    """The behov or gevinst form, with values kept and an error under each bad field. A benefit shows its required
    core first; the optional details sit behind 'Flere detaljer'. Number fields are text fields saying 'bare tall'."""
    v, e = values, errors
    body: list[Element] = [title(t("needs.form.edit_title" if entry_id else "needs.form.title", kind=kind_label(t, kind)))]
    body.append(text(t("needs.form.required_note"), subtle=True, size="Small"))
    if e:
        body.append(text(t("error.invalid_input"), color="Attention", weight="Bolder"))
    body += text_input("title", t("needs.field.title"), v.get("title", ""), required=True, error=e.get("title"), max_length=200)
    body += _need_fields(t, v, e, municipalities) if kind == NEED else _benefit_core(t, v, e)
    body += choice_input("project_id", t("needs.field.project"), projects, v.get("project_id", ""), required=True,
                         error=e.get("project_id"))
    body += choice_input("faggruppe", t("needs.field.faggruppe"), [(f, f) for f in faggrupper], v.get("faggruppe", ""),
                         required=True, error=e.get("faggruppe"))
    if kind != NEED:
        body += _benefit_details(t, v, e, municipalities)
    data: dict[str, object] = {"kind": kind}
    if entry_id:
        data["entry_id"] = entry_id
    return card(body, [execute(t("common.save"), "needs.save", data, style="positive")])


def entry_facts(t: T, entry: Entry, project_name: str, lang: str = "nb") -> Element:
    """The key facts of an entry (all user text escaped)."""
    c = entry.content
    pairs = [(t("needs.field.title_short"), escape(clip(c.title, 200))),
             (t("needs.field.faggruppe"), escape(entry.faggruppe)),
             (t("needs.field.project"), escape(project_name))]
    if c.municipalities:
        pairs.append((t("needs.field.municipalities"), escape(clip(", ".join(c.municipalities), 300))))
    if isinstance(c, Benefit):
        pairs.append((t("needs.field.benefit_type"), t(f"needs.btype.{c.benefit_type}")))
        if c.estimate_nok is not None:
            pairs.append((t("needs.field.estimate_nok"), fmt_number(c.estimate_nok, lang)))
        if c.estimate_hours is not None:
            pairs.append((t("needs.field.estimate_hours"), fmt_number(c.estimate_hours, lang)))
    else:
        pairs.append((t("needs.field.priority"), t(f"needs.priority.{c.priority}")))
    if entry.status == WITHDRAWN:
        pairs.append((t("needs.status"), t("needs.status.withdrawn")))
    return facts(pairs)


def entry_actions(t: T, entry: Entry) -> list[Element]:
    """Edit and Withdraw buttons for an active entry."""
    if entry.status == WITHDRAWN:
        return []
    return [execute(t("common.edit"), "needs.edit", {"entry_id": entry.id}),
            execute(t("needs.withdraw"), "needs.withdraw", {"entry_id": entry.id}, style="destructive")]


def withdraw_ask_card(t: T, entry: Entry, project_name: str, *, lang: str = "nb") -> Card:
    """Ask before withdrawing (like `slett mine data`); both answers use the `needs.withdraw` verb, the step in data."""
    return card([text(t("needs.withdraw.ask", kind=kind_label(t, entry.kind).lower(), id=entry.id), weight="Bolder"),
                 entry_facts(t, entry, project_name, lang), text(t("needs.withdraw.ask_body"))],
                [execute(t("needs.withdraw"), "needs.withdraw", {"entry_id": entry.id, "step": "confirm"},
                         style="destructive"),
                 execute(t("common.cancel"), "needs.withdraw", {"entry_id": entry.id, "step": "cancel"})])


def confirmation_card(t: T, entry: Entry, project_name: str, *, lang: str = "nb", note: str = "") -> Card:
    """Compact card shown after saving, editing or withdrawing an entry."""
    key = "needs.saved.withdrawn" if entry.status == WITHDRAWN else "needs.saved.title"
    body = [text(t(key, kind=kind_label(t, entry.kind), id=entry.id), weight="Bolder"),
            entry_facts(t, entry, project_name, lang)]
    if note:
        body.append(text(note, subtle=True, size="Small"))
    return card(body, entry_actions(t, entry))


def my_entries_card(t: T, entries: list[Entry], project_names: Mapping[int, str], *, lang: str = "nb",
                    heading: str | None = None) -> Card:
    """A person's entries, each with Edit and Withdraw."""
    body: list[Element] = [title(heading or t("needs.mine.title"))]
    if not entries:
        body.append(text(t("needs.mine.none")))
        return card(body)
    rows = []
    for entry in entries[:MAX_LISTED]:
        status = f" ({t('needs.status.withdrawn')})" if entry.status == WITHDRAWN else ""
        items: list[Element] = [
            text(f"**#{entry.id} {kind_label(t, entry.kind)}:** {escape(clip(entry.title, 120))}{status}", spacing="Medium"),
            text(t("needs.mine.meta", faggruppe=escape(entry.faggruppe),
                   project=escape(project_names.get(entry.project_id, "?"))), subtle=True, size="Small", spacing="None"),
        ]
        rows.append((items, entry_actions(t, entry)))
    body += rows_with_actions(rows, budget=MAX_PRIMARY_ACTIONS, toggle_title=t("needs.mine.manage"), id_prefix="entry-actions")
    if len(entries) > MAX_LISTED:
        body.append(text(t("needs.mine.more", n=len(entries) - MAX_LISTED), subtle=True))
    return card(body)

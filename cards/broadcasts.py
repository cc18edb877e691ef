"""Broadcast cards: the form, the preview (the member card as is), the broadcast itself, the report, the list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.broadcasts.model import FAILED, FormInput, Report, safe_markdown
from bot.kernel.choices import choice_value
from cards.common import (
    MAX_PRIMARY_ACTIONS,
    Card,
    Element,
    card,
    choice_input,
    container,
    date_input,
    error_text,
    escape,
    execute,
    facts,
    lines,
    open_url,
    rows_with_actions,
    text,
    text_input,
    time_input,
    title,
    toggle,
    toggle_input,
)

T = Callable[..., str]
MAX_PROBLEM_LINES = 40


@dataclass(frozen=True)
class MemberView:
    """What members see: the broadcast's content."""

    broadcast_id: int
    title: str
    message: str
    author: str
    link: str = ""
    ack: bool = False
    image: str = ""


def form_card(t: T, faggrupper: list[str], projects: list[tuple[int, str]], form: FormInput | None = None,
              errors: dict[str, str] | None = None, broadcast_id: int | None = None) -> Card:
    """Write a broadcast: title, message, targets, optional time, acknowledgement and link."""
    f = form or FormInput()
    e = errors or {}
    modes = [(t("broadcasts.form.mode.all"), "all"), (t("broadcasts.form.mode.some"), "some")]
    if projects:
        modes.append((t("broadcasts.form.mode.project"), "project"))
    body: list[Element] = [
        title(t("broadcasts.form.title")),
        text(t("broadcasts.form.intro"), subtle=True),
        *text_input("title", t("broadcasts.form.heading"), f.title, required=True, error=e.get("title"), max_length=120),
        *text_input("message", t("broadcasts.form.message"), f.message, required=True, error=e.get("message"),
                    multiline=True, max_length=4000),
        *choice_input("mode", t("broadcasts.form.targets"), modes, value=f.mode, error=e.get("mode"), style="expanded"),
        *choice_input("faggrupper", t("broadcasts.form.faggrupper"), [(g, choice_value(g)) for g in faggrupper],
                      value=",".join(choice_value(v) if v in faggrupper else v for v in f.faggrupper), multi=True,
                      error=e.get("faggrupper")),
    ]
    if projects:
        body += choice_input("project", t("broadcasts.form.project"), [(n, str(i)) for i, n in projects],
                             value=f.project, error=e.get("project"))
    body += [
        text(t("broadcasts.form.send_later"), weight="Bolder", spacing="Medium"),
        {"type": "ColumnSet", "columns": [
            {"type": "Column", "width": "stretch", "items": date_input("send_date", t("broadcasts.form.send_date"), f.send_date)},
            {"type": "Column", "width": "stretch", "items": time_input("send_time", t("broadcasts.form.send_time"), f.send_time)},
        ]},
        *error_text(e.get("send_at")),
        *toggle_input("ack", t("broadcasts.form.ack"), t("broadcasts.form.ack_title"), f.ack),
        *text_input("link", t("broadcasts.form.link"), f.link, error=e.get("link"), max_length=500,
                    placeholder="https://"),
        *text_input("image", t("broadcasts.form.image"), f.image, error=e.get("image"), max_length=500,
                    placeholder="https://"),
        *error_text(e.get("targets")),
    ]
    data = {"broadcast_id": broadcast_id} if broadcast_id else {}
    return card(body, [execute(t("broadcasts.form.preview"), "broadcast.preview", data, style="positive")])


def member_body(t: T, m: MemberView) -> list[Element]:
    """The body of the broadcast card."""
    body = [title(escape(m.title))]
    if m.image:  # validated as an https URL (bot.broadcasts.model.valid_link)
        body.append({"type": "Image", "url": m.image, "altText": m.title[:200], "size": "Stretch"})
    return [*body, text(lines(safe_markdown(m.message))),
            text(t("broadcasts.card.from", name=escape(m.author)), subtle=True, size="Small", spacing="Medium")]


def member_actions(t: T, m: MemberView) -> list[Element]:
    """The buttons of the broadcast card."""
    actions = []
    if m.ack:
        actions.append(execute(t("broadcasts.card.ack"), "broadcast.ack", {"broadcast_id": m.broadcast_id}, style="positive"))
    if m.link:
        actions.append(open_url(t("broadcasts.card.attachment"), m.link))
    return actions


def broadcast_card(t: T, m: MemberView, note: str | None = None) -> Card:
    """The card each target chat gets; `note` (after "Lest") replaces the button for that person."""
    body = member_body(t, m)
    actions = member_actions(t, m)
    if note:
        body.append(text(note, weight="Bolder"))
        actions = [a for a in actions if a.get("verb") != "broadcast.ack"]
    return card(body, actions or None)


def _embedded(t: T, m: MemberView) -> Element:
    """The members' view of the broadcast, embedded in the leader's card as a framed preview."""
    items = member_body(t, m)
    actions = member_actions(t, m)
    if actions:
        items.append({"type": "ActionSet", "actions": actions})
    return container(items, style="emphasis", bleed=False, spacing="Medium", separator=True)


def preview_card(t: T, m: MemberView, *, targets: str, chats: str, when: str, scheduled: bool) -> Card:
    """The member card exactly as members will see it, with what, where and when, and Send / Edit / Cancel."""
    body = [
        title(t("broadcasts.preview.title")),
        facts([(t("broadcasts.preview.to"), targets), ("", chats), (t("broadcasts.preview.when"), when)]),
        text(t("broadcasts.preview.intro"), subtle=True),
        _embedded(t, m),
    ]
    data = {"broadcast_id": m.broadcast_id}
    send = t("broadcasts.preview.schedule") if scheduled else t("broadcasts.preview.send")
    return card(body, [
        execute(send, "broadcast.send", data, style="positive"),
        execute(t("common.edit"), "broadcast.edit", data),
        execute(t("common.cancel"), "broadcast.discard", data, style="destructive"),
    ])


def settled_card(t: T, m: MemberView, note: str, *, cancel: bool = False) -> Card:
    """The preview after Send / Cancel: the content and what happened, no more buttons (but cancel when scheduled)."""
    actions = [execute(t("broadcasts.report.cancel"), "broadcast.cancel", {"broadcast_id": m.broadcast_id},
                       style="destructive")] if cancel else None
    return card([title(escape(m.title)), text(note, weight="Bolder"), _embedded(t, m)], actions)


REPORT_DETAILS_ID = "report-details"


def report_totals(t: T, report: Report, *, ack: bool) -> str:
    """One line of totals: 'Levert 34 av 35 · Lest 12 av 35 (34 %)' (read = chats where someone pressed "Lest")."""
    total = report.sent + report.failed + report.waiting
    parts = [t("broadcasts.report.totals", sent=report.sent, total=total)]
    if report.failed:
        parts.append(t("broadcasts.report.totals_failed", failed=report.failed))
    if report.waiting:
        parts.append(t("broadcasts.report.totals_waiting", waiting=report.waiting))
    if ack:
        pct = round(100 * report.chats_read / total) if total else 0
        parts.append(t("broadcasts.report.totals_read", read=report.chats_read, total=total, pct=pct))
    return " · ".join(parts)


def _details(t: T, report: Report, *, ack: bool) -> list[Element]:
    """Per faggruppe: sent / failed (why) / waiting and read counts, each problem chat on its own line."""
    out: list[Element] = []
    shown = 0
    hidden = 0
    for line in report.lines:
        key = "broadcasts.report.line_read" if ack else "broadcasts.report.line"
        items: list[Element] = [
            text(f"**{escape(line.faggruppe)}**", spacing="Small"),
            text(t(key, sent=line.sent, failed=line.failed, waiting=line.waiting, read=line.read), size="Small",
                 spacing="None"),
        ]
        for chat, outcome, reason in line.problems:
            if shown >= MAX_PROBLEM_LINES:
                hidden += 1
                continue
            shown += 1
            pkey = "broadcasts.report.problem_failed" if outcome == FAILED else "broadcasts.report.problem_waiting"
            items.append(text(t(pkey, chat=escape(chat), reason=t(reason)), size="Small", spacing="None",
                              color="Attention" if outcome == FAILED else None))
        out.append(container(items, separator=True))
    if hidden:
        out.append(text(t("broadcasts.report.more", n=hidden), subtle=True, size="Small"))
    return out


def report_card(t: T, broadcast_id: int, broadcast_title: str, state: str, report: Report, *, ack: bool,
                can_cancel: bool = False) -> Card:
    """The live delivery report: the totals line first, the state, and the per-faggruppe details behind one toggle."""
    body: list[Element] = [
        title(t("broadcasts.report.title", title=escape(broadcast_title))),
        text(report_totals(t, report, ack=ack), weight="Bolder"),
        text(state, subtle=True, spacing="None"),
    ]
    if not report.lines:
        body.append(text(t("broadcasts.report.none"), subtle=True))
    else:
        body.append({"type": "ActionSet", "actions": [toggle(t("broadcasts.report.details"), [REPORT_DETAILS_ID])]})
        body.append(container(_details(t, report, ack=ack), id=REPORT_DETAILS_ID, isVisible=False, spacing="Small"))
    actions = [execute(t("broadcasts.report.cancel"), "broadcast.cancel", {"broadcast_id": broadcast_id},
                       style="destructive")] if can_cancel else []
    if report.lines and not can_cancel:
        actions.append(execute(t("broadcasts.report.export"), "broadcast.export", {"broadcast_id": broadcast_id}))
    return card(body, actions or None)


def export_card(t: T, broadcast_title: str, xlsx_url: str, csv_url: str, expires: str) -> Card:
    """Download links for the per-chat delivery report (sent privately to the leader)."""
    return card([title(t("broadcasts.export.title", title=escape(broadcast_title))), text(t("broadcasts.export.body")),
                 text(t("common.link_expires", time=expires), subtle=True)],
                [open_url(t("broadcasts.export.xlsx"), xlsx_url), open_url(t("broadcasts.export.csv"), csv_url)])


def list_card(t: T, entries: list[tuple[int, str, str, bool]]) -> Card:
    """Recent broadcasts: (id, title, summary, can cancel), with Show report / Cancel."""
    body: list[Element] = [title(t("broadcasts.list.title"))]
    if not entries:
        body.append(text(t("broadcasts.list.empty")))
    rows = []
    for bid, btitle, summary, can_cancel in entries:
        actions = [execute(t("broadcasts.list.show"), "broadcast.report", {"broadcast_id": bid})]
        if can_cancel:
            actions.append(execute(t("broadcasts.list.cancel"), "broadcast.cancel", {"broadcast_id": bid, "source": "list"},
                                   style="destructive"))
        rows.append(([text(f"**{escape(btitle)}**"), text(summary, subtle=True, size="Small", spacing="None")], actions))
    body += rows_with_actions(rows, budget=MAX_PRIMARY_ACTIONS, toggle_title=t("broadcasts.list.manage"),
                              id_prefix="broadcast-actions")
    return card(body)

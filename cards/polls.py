"""Meeting poll cards: the form (with errors and kept values), the poll card (generic or one viewer's), the list."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import quote

from bot.domain.polls import ANSWERS, DURATIONS, MAX_SLOTS, NO, YES, Counts, Poll, Slot, Vote, best_slot, tally
from cards.common import (
    Card,
    Element,
    card,
    choice_input,
    columns,
    container,
    date_input,
    error_text,
    escape,
    execute,
    facts,
    number_input,
    open_url,
    text,
    text_input,
    time_input,
    title,
    toggle_input,
)

T = Callable[..., str]
ANSWER_KEYS = {a: f"polls.answer.{a}" for a in ANSWERS}
ANSWER_ICONS = {"yes": "✅", "maybe": "❔", "no": "❌"}


def local_label(t: T, start: datetime, end: datetime, tz: tzinfo) -> str:
    """'tir. 24. nov. kl. 10:00–11:00' in the bot's zone (DST-correct)."""
    s, e = start.astimezone(tz), end.astimezone(tz)
    days, months = t("polls.days").split(","), t("polls.months").split(",")
    return t("polls.time_at", day=days[s.weekday()], date=s.day, month=months[s.month - 1],
             start=s.strftime("%H:%M"), end=e.strftime("%H:%M"))


def short_label(t: T, start: datetime, tz: tzinfo) -> str:
    """'tir. 24.11 10:00' for the chart axis."""
    s = start.astimezone(tz)
    return f"{t('polls.days').split(',')[s.weekday()]} {s.day}.{s.month} {s:%H:%M}"


def deadline_text(t: T, when: datetime | None, tz: tzinfo) -> str:
    """A deadline in local time, or "ingen"."""
    if when is None:
        return t("polls.card.no_deadline")
    w = when.astimezone(tz)
    return f"{w.day}.{w.month}.{w.year} {w:%H:%M}"


# -- the form ---------------------------------------------------------------------------------
def form_card(t: T, values: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None, *,
              rows: int = 3, suggest: bool = False, notice: str = "") -> Card:
    """The poll form; `errors` are translated texts by field, `values` the inputs as entered."""
    v = {k: "" if x is None else str(x) for k, x in (values or {}).items()}
    err = dict(errors or {})
    rows = max(rows, 2, *(i + 1 for i in range(MAX_SLOTS) if v.get(f"slot_date_{i}") or v.get(f"slot_time_{i}")))
    rows = min(rows, MAX_SLOTS)
    durations = [(t("polls.form.minutes", n=n), str(n)) for n in DURATIONS] + [(t("polls.form.duration.custom"), "custom")]
    body: list[Element] = [title(t("polls.form.title")), text(t("polls.form.intro"), subtle=True)]
    if notice:
        body.append(text(notice, color="Accent"))  # catalogue text: `t` escaped the names in it
    body += text_input("title", t("polls.form.field.title"), v.get("title", ""), required=True, error=err.get("title"),
                       max_length=200)
    body += text_input("agenda", t("polls.form.field.agenda"), v.get("agenda", ""), multiline=True, max_length=2000,
                       error=err.get("agenda"))
    body.append(columns(
        (choice_input("duration", t("polls.form.field.duration"), durations, v.get("duration") or "60",
                      error=err.get("duration")), "stretch"),
        (number_input("duration_custom", t("polls.form.field.duration_custom"), v.get("duration_custom"),
                      error=err.get("duration_custom"), minimum=5, maximum=600), "stretch"),
    ))
    for i in range(rows):
        label = t("polls.form.field.slot", n=i + 1)
        body.append(columns(
            (date_input(f"slot_date_{i}", label, v.get(f"slot_date_{i}", "")), "stretch"),
            (time_input(f"slot_time_{i}", " ", v.get(f"slot_time_{i}", "")), "stretch"),
        ))
        body += error_text(err.get(f"slot_{i}"))
    body += error_text(err.get("slots"))
    body.append(columns(
        (choice_input("mode", t("polls.form.field.mode"), [(t("polls.form.mode.online"), "online"),
                                                          (t("polls.form.mode.place"), "place")],
                      v.get("mode") or "online"), "stretch"),
        (text_input("location", t("polls.form.field.location"), v.get("location", ""), max_length=200,
                    error=err.get("location")), "stretch"),
    ))
    body.append(columns(
        (date_input("deadline_date", t("polls.form.field.deadline"), v.get("deadline_date", "")), "stretch"),
        (time_input("deadline_time", " ", v.get("deadline_time", "")), "stretch"),
    ))
    body += error_text(err.get("deadline"))
    body += toggle_input("anonymous", t("polls.form.options"), t("polls.form.anonymous"), v.get("anonymous") == "true")
    body += toggle_input("hidden", " ", t("polls.form.hidden"), v.get("hidden") == "true")
    actions = [execute(t("polls.form.submit"), "poll.create", {"rows": rows}, style="positive")]
    if rows < MAX_SLOTS:
        actions.append(execute(t("polls.form.more"), "poll.form.more", {"rows": min(MAX_SLOTS, rows + 2)}))
    if suggest:
        actions.append(execute(t("polls.form.suggest"), "poll.suggest", {"rows": rows}))
    return card(body, actions)


def created_card(t: T, poll_title: str) -> Card:
    """What the form turns into once the poll is posted."""
    return card([text(t("polls.form.created", title=escape(poll_title)))])


# -- the poll card ----------------------------------------------------------------------------
@dataclass(frozen=True)
class PollView:
    """Everything the poll card shows; `viewer_id` None gives the generic card everyone sees."""

    poll: Poll
    votes: tuple[Vote, ...]
    member_total: int
    not_answered: int
    tz: tzinfo
    viewer_id: str | None = None
    show_close: bool = True
    refresh_user_ids: tuple[str, ...] = ()


def _counts_line(t: T, c: Counts) -> str:
    return " · ".join(f"{ANSWER_ICONS[a]} {t(ANSWER_KEYS[a])} {getattr(c, a)}" for a in ANSWERS)


def _names_line(t: T, c: Counts) -> str:
    parts = [f"**{t(ANSWER_KEYS[a])}:** {escape(', '.join(c.names[a]))}" for a in ANSWERS if c.names.get(a)]
    return " — ".join(parts)


def _slot_block(t: T, view: PollView, slot: Slot, counts: Counts, mine: str | None, best: Slot | None,
                show_results: bool, is_open: bool) -> Element:
    poll = view.poll
    label = f"**{local_label(t, slot.start, poll.end_of(slot), view.tz)}**"
    if show_results and best is not None and slot.id == best.id and counts.yes > 0 and is_open:
        label += f" ⭐ {t('polls.card.best')}"
    items: list[Element] = [text(label)]
    if show_results:
        items.append(text(_counts_line(t, counts), size="Small", spacing="None"))
        if not poll.anonymous and counts.total:
            items.append(text(_names_line(t, counts), size="Small", subtle=True, spacing="None"))
    if view.viewer_id is not None:
        line = t("polls.card.your_answer", answer=t(ANSWER_KEYS[mine])) if mine else t("polls.card.no_answer_yet")
        items.append(text(line, size="Small", color="Good" if mine == YES else ("Attention" if mine == NO else "Accent"),
                          weight="Bolder" if mine else None, spacing="None"))
    if is_open:
        buttons = []
        for a in ANSWERS:
            chosen = a == mine
            buttons.append(execute(("✓ " if chosen else "") + t(ANSWER_KEYS[a]), "poll.vote",
                                   {"poll_id": poll.id, "slot_id": slot.id, "answer": a},
                                   style="positive" if chosen else None))
        items.append({"type": "ActionSet", "actions": buttons, "spacing": "Small"})
    props: dict[str, Any] = {"separator": True, "spacing": "Medium"}
    if not is_open and slot.id == poll.chosen_slot_id:
        props["style"] = "good"
    return container(items, **props)


def poll_card(t: T, view: PollView) -> Card:
    """The poll card: slots in local time, counts, names, chart, deadline, state; the viewer's answers marked."""
    poll = view.poll
    is_open = poll.state == "open"
    show_results = not (poll.hidden and is_open)
    counts = tally(poll, view.votes)
    mine = {v.slot_id: v.answer for v in view.votes if view.viewer_id is not None and v.voter_id == view.viewer_id}
    best = best_slot(poll, view.votes)
    where = t("polls.card.online") if poll.online else escape(poll.location)
    state = t("polls.card.state.open") if is_open else t("polls.card.state.closed")
    body: list[Element] = [
        text(t("polls.card.by", name=escape(poll.creator_name or "?")), subtle=True, size="Small"),
        title(escape(poll.title)),
    ]
    if poll.agenda:
        body.append(text(escape(poll.agenda)))
    body.append(facts([
        (t("polls.card.duration"), t("polls.form.minutes", n=poll.duration_min)),
        (t("polls.card.where"), where),
        (t("polls.card.deadline"), deadline_text(t, poll.deadline, view.tz)),
        (t("polls.card.not_answered"), t("polls.card.not_answered_value", n=view.not_answered, total=view.member_total)),
        (t("polls.card.status"), state),
    ]))
    if poll.anonymous:
        body.append(text(t("polls.card.anonymous"), subtle=True, size="Small"))
    if not show_results:
        answered = len({v.voter_id for v in view.votes})
        body.append(text(f"{t('polls.card.hidden')} {t('polls.card.answered', n=answered)}", subtle=True, size="Small"))
    if not is_open:
        body.append(_closed_block(t, view))
    for slot in poll.slots:
        body.append(_slot_block(t, view, slot, counts[slot.id], mine.get(slot.id), best, show_results, is_open))
    if show_results and view.votes:
        body.append({
            "type": "Chart.VerticalBar", "title": t("polls.card.chart"), "colorSet": "categorical",
            "data": [{"x": short_label(t, s.start, view.tz), "y": counts[s.id].yes,
                      **({"color": "good"} if best is not None and s.id == best.id else {})} for s in poll.slots],
        })
    actions = _actions(t, view, is_open)
    out = card(body, actions or None)
    if view.refresh_user_ids:
        out["refresh"] = {
            "action": {"type": "Action.Execute", "title": "refresh", "verb": "poll.refresh",
                       "data": {"verb": "poll.refresh", "poll_id": poll.id}},
            "userIds": list(view.refresh_user_ids[:60]),
        }
    return out


def _closed_block(t: T, view: PollView) -> Element:
    poll = view.poll
    items = [text(f"🔒 {t('polls.card.closed')}", weight="Bolder", color="Attention")]
    chosen = poll.chosen
    if chosen is not None:
        items.append(text(t("polls.card.chosen", when=local_label(t, chosen.start, poll.end_of(chosen), view.tz))))
    state = poll.booking_state
    if state and t(f"polls.card.booking.{state}"):
        items.append(text(t(f"polls.card.booking.{state}"), size="Small",
                          color="Good" if state == "booked" else ("Warning" if state in ("pending", "failed") else None)))
    return container(items, style="emphasis")


def _actions(t: T, view: PollView, is_open: bool) -> list[Element]:
    poll = view.poll
    actions: list[Element] = []
    if is_open and view.show_close:
        actions.append(execute(t("polls.card.close"), "poll.close", {"poll_id": poll.id}))
        choices = [(local_label(t, s.start, poll.end_of(s), view.tz), str(s.id)) for s in poll.slots]
        actions.append({
            "type": "Action.ShowCard", "title": t("polls.card.close_other"),
            "card": {"type": "AdaptiveCard", "body": choice_input("slot_id", t("polls.card.close_other_choice"), choices,
                                                                  choices[0][1] if choices else ""),
                     "actions": [execute(t("polls.card.close_other_submit"), "poll.close", {"poll_id": poll.id})]},
        })
    if not is_open:
        if poll.join_url:
            actions.append(open_url(t("polls.card.join"), poll.join_url))
        if poll.ics_url:
            actions.append(open_url(t("polls.card.ics"), poll.ics_url))
        if poll.booking_state in ("off", "failed") and poll.chosen is not None:
            actions.append(execute(t("polls.card.ics_new"), "poll.ics", {"poll_id": poll.id}))
    return actions


# -- the list ---------------------------------------------------------------------------------
def message_link(conversation_id: str, activity_id: str) -> str:
    """A Teams deep link to a message."""
    return f"https://teams.microsoft.com/l/message/{quote(conversation_id, safe='')}/{quote(activity_id, safe='')}"


def list_card(t: T, polls: list[tuple[Poll, int]], tz: tzinfo) -> Card:
    """Open polls of a chat: (poll, how many answered)."""
    body: list[Element] = [title(t("polls.list.title"))]
    if not polls:
        body.append(text(t("polls.list.empty")))
    for poll, answered in polls:
        buttons: list[Element] = []
        if poll.activity_id and not poll.message_gone:
            buttons.append(open_url(t("polls.list.open"), message_link(poll.conversation_id, poll.activity_id)))
        buttons.append(execute(t("polls.list.show"), "poll.show", {"poll_id": poll.id}))
        body.append(container([
            text(f"**{escape(poll.title)}**"),
            text(t("polls.list.item", answered=answered, deadline=deadline_text(t, poll.deadline, tz)), subtle=True,
                 size="Small", spacing="None"),
            {"type": "ActionSet", "actions": buttons},
        ], separator=True))
    return card(body)

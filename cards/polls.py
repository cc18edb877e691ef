"""Meeting poll cards: the form (with errors and kept values) and the poll card (generic or one viewer's)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from bot.polls.model import ANSWERS, DURATIONS, MAX_SLOTS, Counts, Poll, Slot, Standing, Vote, rank, voters
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
    lines,
    number_input,
    open_url,
    text,
    text_input,
    time_input,
    title,
    toggle_input,
)
from cards.when import moment, span

T = Callable[..., str]
ANSWER_KEYS = {a: f"polls.answer.{a}" for a in ANSWERS}
ANSWER_ICONS = {"yes": "✅", "maybe": "❔", "no": "❌"}


def local_label(t: T, start: datetime, end: datetime, tz: tzinfo) -> str:
    """'tir. 24. nov. kl. 10.00–11.00' in the bot's zone (DST-correct), for a slot's row."""
    return span(t, start, end, tz, short=True)


def long_label(t: T, start: datetime, end: datetime, tz: tzinfo) -> str:
    """'tirsdag 8. desember kl. 10.00–11.30' (Språkrådet's style) in the bot's zone."""
    return span(t, start, end, tz)


def deadline_text(t: T, when: datetime | None, tz: tzinfo) -> str:
    """A deadline in local time, or "ingen"."""
    if when is None:
        return t("polls.card.no_deadline")
    return moment(t, when, tz)


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
    if err:  # the same summary as the other forms: the fields below say what to fix
        body.append(text(t("error.invalid_input"), color="Attention", weight="Bolder"))
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
            (time_input(f"slot_time_{i}", t("polls.form.field.slot_time", n=i + 1), v.get(f"slot_time_{i}", "")), "stretch"),
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
        (time_input("deadline_time", t("polls.form.field.deadline_time"), v.get("deadline_time", "")), "stretch"),
    ))
    body += error_text(err.get("deadline"))
    body += toggle_input("anonymous", t("polls.form.field.anonymous"), t("polls.form.anonymous"), v.get("anonymous") == "true")
    body += toggle_input("hidden", t("polls.form.field.hidden"), t("polls.form.hidden"), v.get("hidden") == "true")
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
NAMES_ID = "poll-names"  # the container "Vis hvem som har svart" opens


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
    can_book: bool = True  # a calendar is connected: closing books the meeting


def _counts_line(t: T, st: Standing, people: int) -> str:
    """'✅ Ja 3 · ❔ Om nødvendig 1 · ❌ Nei 0 · 4 av 5 kan (80 %)'."""
    c = st.counts
    line = " · ".join(f"{ANSWER_ICONS[a]} {t(ANSWER_KEYS[a])} {getattr(c, a)}" for a in ANSWERS)
    if people:
        line += " · " + t("polls.card.share", can=st.can, total=people, pct=round(100 * st.can / people))
    return line


def _names_line(t: T, c: Counts) -> str:
    """Who gave which answer for one slot, one part per answer."""
    parts = [f"**{t(ANSWER_KEYS[a])}:** {escape(', '.join(c.names[a]))}" for a in ANSWERS if c.names.get(a)]
    return " — ".join(parts)


def why_best(t: T, best: Standing) -> str:
    """Why a slot is best, in words: 'alle kan', '4 kan, 1 kan ikke', '4 kan, ingen har sagt nei'."""
    if best.counts.no == 0 and best.blank == 0:
        return t("polls.card.reason.all")
    if best.counts.no == 0:
        return t("polls.card.reason.none_no", can=best.can)
    return t("polls.card.reason.some_no", can=best.can, no=best.counts.no)


def _answer_row(t: T, poll: Poll, slot: Slot, mine: str | None) -> Element:
    """Ja / Om nødvendig / Nei for one slot: one tap answers (tests/card_rules.py: an answer row, not primary actions)."""
    buttons = [execute(("✓ " if a == mine else "") + t(ANSWER_KEYS[a]), "poll.vote",
                       {"poll_id": poll.id, "slot_id": slot.id, "answer": a}, style="positive" if a == mine else None)
               for a in ANSWERS]
    return {"type": "ActionSet", "id": f"answers-{slot.id}", "actions": buttons, "spacing": "Small"}


def _slot_block(t: T, view: PollView, st: Standing, people: int, mine: str | None, best: Standing | None,
                show_results: bool, is_open: bool) -> Element:
    """One time slot: its label (best or chosen marked), and the counts, names and buttons as the view allows."""
    poll, slot = view.poll, st.slot
    label = f"**{local_label(t, slot.start, poll.end_of(slot), view.tz)}**"
    if show_results and best is not None and slot.id == best.slot.id and view.votes and is_open:
        label += f" ⭐ {t('polls.card.best', why=why_best(t, best))}"
    if not is_open and slot.id == poll.chosen_slot_id:
        label += f" ✅ **{t('polls.card.chosen_mark')}**"
    items: list[Element] = [text(label)]
    if show_results:
        items.append(text(_counts_line(t, st, people), size="Small", spacing="None"))
    if mine:  # the viewer's own answer, in words (the ✓ on the button is the other cue)
        items.append(text(t("polls.card.your_answer", answer=t(ANSWER_KEYS[mine])), size="Small", weight="Bolder",
                          spacing="None"))
    if is_open:
        items.append(_answer_row(t, poll, slot, mine))
    return container(items, separator=True, spacing="Medium")


def _names(t: T, view: PollView, standings: list[Standing]) -> list[Element]:
    """Who answered what, per slot, behind one toggle (the default view stays short)."""
    rows = [text(f"**{local_label(t, st.slot.start, view.poll.end_of(st.slot), view.tz)}** — {_names_line(t, st.counts)}",
                 size="Small")
            for st in standings if st.counts.total]
    if not rows:
        return []
    toggle = {"type": "Action.ToggleVisibility", "title": t("polls.card.show_names"), "targetElements": [NAMES_ID]}
    return [{"type": "ActionSet", "actions": [toggle], "separator": True},
            container(rows, id=NAMES_ID, isVisible=False, spacing="None")]


def poll_card(t: T, view: PollView) -> Card:
    """The poll card: slots in local time with counts and share, the viewer's answers, names behind a toggle."""
    poll = view.poll
    is_open = poll.state == "open"
    show_results = not (poll.hidden and is_open)
    mine = {v.slot_id: v.answer for v in view.votes if view.viewer_id is not None and v.voter_id == view.viewer_id}
    ranked = rank(poll, view.votes)
    best = ranked[0] if ranked else None
    people = len(voters(view.votes))
    where = t("polls.card.online") if poll.online else escape(poll.location)
    body: list[Element] = [
        text(t("polls.card.by", name=escape(poll.creator_name or "?")), subtle=True, size="Small"),
        title(escape(poll.title)),
    ]
    if not is_open:  # the outcome first
        body.append(_closed_block(t, view))
    if poll.agenda:
        body.append(text(lines(escape(poll.agenda))))
    pairs = [(t("polls.card.duration"), t("polls.form.minutes", n=poll.duration_min)), (t("polls.card.where"), where)]
    if is_open:
        pairs += [
            (t("polls.card.deadline"), deadline_text(t, poll.deadline, view.tz)),
            (t("polls.card.not_answered"), t("polls.card.not_answered_value", n=view.not_answered, total=view.member_total)),
            (t("polls.card.status"), t("polls.card.state.open")),
        ]
    body.append(facts(pairs))
    if poll.anonymous:
        body.append(text(t("polls.card.anonymous"), subtle=True, size="Small"))
    if not show_results:
        body.append(text(f"{t('polls.card.hidden')} {t('polls.card.answered', n=people)}", subtle=True, size="Small"))
    in_order = sorted(ranked, key=lambda st: st.slot.start)
    for st in in_order:
        body.append(_slot_block(t, view, st, people, mine.get(st.slot.id), best, show_results, is_open))
    if show_results and not poll.anonymous:
        body += _names(t, view, in_order)
    out = card(body, _actions(t, view, is_open, best.slot if best else None) or None)
    if view.refresh_user_ids:
        out["refresh"] = {
            "action": {"type": "Action.Execute", "title": "refresh", "verb": "poll.refresh",
                       "data": {"verb": "poll.refresh", "poll_id": poll.id}},
            "userIds": list(view.refresh_user_ids[:60]),
        }
    return out


def _closed_block(t: T, view: PollView) -> Element:
    """The outcome in neutral colours: a closed poll is news, not an error."""
    poll = view.poll
    items: list[Element] = []
    chosen = poll.chosen
    if chosen is not None:
        items.append(text(t("polls.card.chosen", when=long_label(t, chosen.start, poll.end_of(chosen), view.tz)),
                          size="Medium"))
    state = poll.booking_state
    if state and t(f"polls.card.booking.{state}"):
        items.append(text(t(f"polls.card.booking.{state}"), size="Small", spacing="Small"))
    items.append(text(f"🔒 {t('polls.card.closed')}", subtle=True, size="Small", spacing="Small"))
    return container(items, style="emphasis")


def _actions(t: T, view: PollView, is_open: bool, best: Slot | None) -> list[Element]:
    """The buttons: while open, close at the best or another time; once closed, join, the calendar file or a new one."""
    poll = view.poll
    actions: list[Element] = []
    if is_open and view.show_close:
        # Without a calendar closing picks the time and offers a calendar file: the button must not promise a booking.
        close_key = "polls.card.close" if view.can_book else "polls.card.close_pick"
        actions.append(execute(t(close_key), "poll.close", {"poll_id": poll.id}))
        choices = [(local_label(t, s.start, poll.end_of(s), view.tz), str(s.id)) for s in poll.slots]
        actions.append({
            "type": "Action.ShowCard", "title": t("polls.card.close_other"),
            "card": {"type": "AdaptiveCard", "body": choice_input("slot_id", t("polls.card.close_other_choice"), choices,
                                                                  str(best.id) if best else ""),
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

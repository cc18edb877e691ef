"""Leader broadcasts: the draft and its rules, safe leader markdown, and the delivery report."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.kernel.cardinput import parse_int
from bot.kernel.choices import choice_value
from bot.kernel.errors import InvalidInput

TITLE_MAX = 120
MESSAGE_MAX = 4000
LINK_MAX = 500
MIN_LEAD = timedelta(minutes=1)
MAX_LEAD = timedelta(days=366)


class State(StrEnum):
    """A broadcast's life: draft -> (scheduled ->) sending -> done; draft/scheduled -> cancelled."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class TargetMode(StrEnum):
    """Who receives it: every faggruppe, some of them, or those of one project."""

    ALL = "all"
    SOME = "some"
    PROJECT = "project"


@dataclass(frozen=True)
class Targets:
    """The chosen targets; `names` are the faggrupper they resolve to."""

    mode: TargetMode
    names: tuple[str, ...] = ()
    project_id: int | None = None
    project_name: str = ""


@dataclass(frozen=True)
class Draft:
    """A validated broadcast, ready to preview."""

    title: str
    message: str
    targets: Targets
    send_at: datetime | None = None
    ack: bool = False
    link: str = ""
    image: str = ""


@dataclass(frozen=True)
class FormInput:
    """The raw form values, as entered (kept to show the form again)."""

    title: str = ""
    message: str = ""
    mode: str = "all"
    faggrupper: tuple[str, ...] = ()
    project: str = ""
    send_date: str = ""
    send_time: str = ""
    ack: bool = False
    link: str = ""
    image: str = ""

    @classmethod
    def from_data(cls, data: dict[str, object]) -> FormInput:
        """From card data (Action.Execute inputs)."""
        def s(key: str) -> str:
            """The stripped text of one card field, or '' when it is missing or not text."""
            v = data.get(key)
            return v.strip() if isinstance(v, str) else ""
        multi = s("faggrupper")
        return cls(
            title=s("title"), message=str(data.get("message") or "").replace("\r\n", "\n").strip(),
            mode=s("mode") or "all", faggrupper=tuple(x for x in multi.split(",") if x), project=s("project"),
            send_date=s("send_date"), send_time=s("send_time"), ack=s("ack") == "true", link=s("link"),
            image=s("image"),
        )


def parse_send_at(day: str, clock_time: str, tz: ZoneInfo) -> datetime:
    """A wall-clock date and time in tz, as aware UTC; rejects times skipped by DST."""
    d = date.fromisoformat(day)
    t = time.fromisoformat(clock_time[:5])
    local = datetime.combine(d, t, tzinfo=tz)
    utc = local.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError("time does not exist in this zone")
    return utc


def valid_link(link: str) -> bool:
    """An absolute https URL with a host and no spaces."""
    if not link or len(link) > LINK_MAX or any(c.isspace() for c in link):
        return False
    try:
        parts = urlsplit(link)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname)


Errors = dict[str, str | tuple[str, dict[str, object]]]


def validate(form: FormInput, *, now: datetime, tz: ZoneInfo, faggrupper: list[str],
             projects: dict[int, tuple[str, tuple[str, ...]]]) -> Draft:
    """Check the form; raise InvalidInput with a catalogue key per bad field."""
    errors: Errors = {}
    _check_text(errors, "title", form.title, TITLE_MAX)
    _check_text(errors, "message", form.message, MESSAGE_MAX)
    targets = _targets(form, faggrupper, projects, errors)
    send_at = _send_at(form, now, tz, errors)
    if form.link and not valid_link(form.link):
        errors["link"] = "broadcasts.error.link"
    if form.image and not valid_link(form.image):
        errors["image"] = "broadcasts.error.image"
    if errors:
        raise InvalidInput(errors)
    return Draft(form.title, form.message, targets, send_at, form.ack, form.link, form.image)


def _check_text(errors: Errors, name: str, value: str, limit: int) -> None:
    """Record a required/too-long error for one text field (limit in characters)."""
    if not value:
        errors[name] = "error.required"
    elif len(value) > limit:
        errors[name] = ("error.too_long", {"max": limit})


def _targets(form: FormInput, faggrupper: list[str], projects: dict[int, tuple[str, tuple[str, ...]]],
             errors: Errors) -> Targets:
    """Who the form sends to; every faggruppe unless the form narrows it (errors noted, the default kept)."""
    if form.mode == TargetMode.SOME:
        # The card sends choice values; a form typed by hand may send names in any case.
        known = {f.lower(): f for f in faggrupper} | {choice_value(f): f for f in faggrupper}
        picked = (known.get(n) or known.get(n.lower()) for n in form.faggrupper)
        names = tuple(dict.fromkeys(n for n in picked if n))
        if not names:
            errors["faggrupper"] = "broadcasts.error.choose_faggrupper"
        return Targets(TargetMode.SOME, names)
    if form.mode == TargetMode.PROJECT:
        pid = parse_int(form.project)
        if pid is None or pid not in projects:
            errors["project"] = "broadcasts.error.choose_project"
        elif not projects[pid][1]:
            errors["project"] = "broadcasts.error.project_empty"
        else:
            return Targets(TargetMode.PROJECT, projects[pid][1], pid, projects[pid][0])
    elif form.mode != TargetMode.ALL:
        errors["mode"] = "broadcasts.error.choose_targets"
    return Targets(TargetMode.ALL, tuple(faggrupper))


def _send_at(form: FormInput, now: datetime, tz: ZoneInfo, errors: Errors) -> datetime | None:
    """When to send: None for now; a time must be at least MIN_LEAD and at most MAX_LEAD ahead."""
    if not (form.send_date or form.send_time):
        return None
    try:
        send_at = parse_send_at(form.send_date, form.send_time or "", tz)
    except ValueError:
        errors["send_at"] = "broadcasts.error.send_at_invalid"
        return None
    if send_at < now + MIN_LEAD:
        errors["send_at"] = "broadcasts.error.send_at_past"
    elif send_at > now + MAX_LEAD:
        errors["send_at"] = "broadcasts.error.send_at_far"
    return send_at


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
# A markdown link is live only where `](` is followed by its URL and `)`. Every `](` is looked at once (the URL stops
# at the next bracket, parenthesis or space, and nothing backtracks), so the check is linear in the message: the old
# whole-link pattern took seconds for a message of 8,000 `[`.
_LINK_TARGET = re.compile(r"\]\(([^()\[\]\s]*+)(\)?)")


def safe_markdown(message: str) -> str:
    """The leader's Teams markdown, kept as markdown, but unable to mention, template or link off https.

    The text goes into one TextBlock's `text` (a JSON string), so it cannot add card elements; what is
    left to neutralise is what a TextBlock itself interprets: `<at>` mentions and tags, `{{...}}`
    date functions, and links that are not https.
    """
    s = _CONTROL.sub("", message.replace("\r\n", "\n").replace("\r", "\n"))
    s = s.replace("<", "‹").replace(">", "›")
    s = s.replace("{{", "{\u200c{").replace("${", "$\u200c{")

    def link(m: re.Match[str]) -> str:
        """Keep a markdown link whose target is allowed; escape it into plain text otherwise."""
        url, close = m.group(1), m.group(2)
        if close and valid_link(url):
            return m.group(0)
        return f"\\]\\({url}{close}"  # not a link any more, whatever the label was

    return _LINK_TARGET.sub(link, s)


# -- the delivery report -------------------------------------------------------------------------

SENT, FAILED, WAITING = "sent", "failed", "waiting"


def reason_key(last_error: str) -> str:
    """A catalogue key for a delivery error ('403:BotNotInConversationRoster' -> broadcasts.reason.403)."""
    status = last_error.split(":", 1)[0].strip()
    if status in ("403", "404", "429", "412", "502", "504", "inactive", "tenant_not_allowed"):
        return f"broadcasts.reason.{status}"
    if status in ("0", "408", "500", "503"):
        return "broadcasts.reason.network"
    return "broadcasts.reason.other"


@dataclass
class Line:
    """One faggruppe in the report."""

    faggruppe: str
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    read: int = 0
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (chat name, outcome, reason key)


@dataclass
class Report:
    """Per faggruppe and in total: the totals add the lines up when the report is made (build_report's last step)."""

    lines: list[Line]
    sent: int = field(init=False)
    failed: int = field(init=False)
    waiting: int = field(init=False)
    read: int = field(init=False)
    chats_read: int = 0  # chats where at least one person pressed "Lest" (set by the service)

    def __post_init__(self) -> None:
        """Add up sent, failed for good, still waiting and read (acknowledged) over all lines."""
        counts = [(x.sent, x.failed, x.waiting, x.read) for x in self.lines]
        self.sent, self.failed, self.waiting, self.read = (sum(c[i] for c in counts) for i in range(4))

    @property
    def finished(self) -> bool:
        """True when no delivery is waiting any more (the broadcast can be marked done)."""
        return self.waiting == 0


def build_report(entries: Iterable[tuple[str, str, str, str]], reads: dict[str, int],
                 order: Iterable[str] = ()) -> Report:
    """From (faggruppe, chat name, outbox state, last error) per delivery and read counts per faggruppe."""
    lines: dict[str, Line] = {name: Line(name) for name in order}
    for faggruppe, chat, state, error in entries:
        line = lines.setdefault(faggruppe, Line(faggruppe))
        if state == "sent":
            line.sent += 1
        elif state in ("failed", "cancelled"):
            line.failed += 1
            line.problems.append((chat, FAILED, reason_key(error or "other")))
        else:
            line.waiting += 1
            if error:
                line.problems.append((chat, WAITING, reason_key(error)))
    for name, n in reads.items():
        lines.setdefault(name, Line(name)).read = n
    return Report(list(lines.values()))

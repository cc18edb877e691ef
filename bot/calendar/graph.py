"""GraphCalendar: the Calendar port over msgraph-sdk; msgraph types stay inside this module."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError, ServiceResponseError
from kiota_abstractions.api_error import APIError
from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.free_busy_status import FreeBusyStatus
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.location import Location
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType
from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_request_body import GetSchedulePostRequestBody
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import CancelPostRequestBody

from bot.calendar import graph_client
from bot.calendar.port import BusySlot, CalendarError, EventRef, EventSpec, Schedule
from bot.calendar.timezones import day_to_graph, from_graph, to_graph
from bot.config import Settings
from bot.kernel.observers import NULL, Observer

log = logging.getLogger(__name__)
T = TypeVar("T")
# The application permissions named in errors: the least each kind of call needs (events vs. getSchedule).
WRITE_PERMISSION = "Calendars.ReadWrite"
READ_PERMISSION = "Calendars.ReadBasic"
TRANSPORT_RETRIES = 2  # a dropped connection is repeated at most twice, and only while the deadline allows
# Every status except free (and unknown) blocks a slot: a suggested time should not clash with a tentative meeting.
BUSY = {FreeBusyStatus.Busy, FreeBusyStatus.Oof, FreeBusyStatus.Tentative, FreeBusyStatus.WorkingElsewhere}


def _dtz(pair: tuple[str, str]) -> DateTimeTimeZone:
    """A Graph DateTimeTimeZone of a (local ISO time, Windows/IANA zone) pair."""
    return DateTimeTimeZone(date_time=pair[0], time_zone=pair[1])


def _permission_message(status: int, permission: str, organizer: str, detail: str) -> str:
    """An operator-facing explanation of a 401/403 from Graph, naming the permission to grant."""
    if status == 401:
        return (f"Graph refused the app's token (401): check GRAPH_TENANT_ID/GRAPH_CLIENT_ID and the secret or "
                f"certificate, and that the app has the application permission {permission} with admin consent. ({detail})")
    return (f"The app lacks permission {permission} for the mailbox {organizer} (403): grant the application permission "
            f"{permission} with admin consent, and allow this mailbox in Exchange RBAC for Applications. ({detail})")


def warm_up_models() -> None:
    """Import the model modules msgraph loads lazily on the first answer (over a thousand; seconds of work).

    Done in a thread at start-up so the first real Graph call does not block the event loop.
    """
    from msgraph.generated.models.calendar import Calendar as GraphCalendarModel
    from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_response import GetSchedulePostResponse

    for model in (Event(), GraphCalendarModel(), GetSchedulePostResponse(), ODataError()):
        model.get_field_deserializers()


class GraphCalendar:
    """Events in the organiser mailbox and free/busy of colleagues, via msgraph-sdk."""

    def __init__(self, settings: Settings, credential: AsyncTokenCredential, *, owns_credential: bool = True) -> None:
        """`owns_credential`: close() also closes the credential (pass False when the caller keeps using it)."""
        self.settings = settings
        self.organizer = settings.graph_organizer
        self.tz = ZoneInfo(settings.timezone)
        self.credential = credential
        self.owns_credential = owns_credential
        self.client, self._http = graph_client.build_graph_client(settings, credential)
        self.observer: Observer = NULL  # the app's metrics, set when it starts

    @property
    def _user(self) -> Any:
        """The Graph request builder for the organiser mailbox."""
        return self.client.users.by_user_id(self.organizer)

    async def close(self) -> None:
        """Close the HTTP client and (when owned) the credential."""
        await self._http.aclose()
        if self.owns_credential:
            await self.credential.close()

    async def _call(self, what: str, permission: str, op: Callable[[], Awaitable[T]], *, idempotent: bool = True) -> T:
        """Run one Graph operation within the total deadline; turn every failure into a CalendarError; count it."""
        started = time.perf_counter()
        error_kind: str | None = None
        counting = graph_client.observer.set(self.observer)
        try:
            return await self._attempts(what, permission, op, idempotent)
        except CalendarError as exc:
            error_kind = exc.kind
            raise
        except Exception:
            error_kind = "other"
            raise
        finally:
            graph_client.observer.reset(counting)
            self.observer.graph_call(what, time.perf_counter() - started, error_kind)

    async def _attempts(self, what: str, permission: str, op: Callable[[], Awaitable[T]], idempotent: bool) -> T:
        """Run one Graph operation within the configured deadline, repeating transport errors when it is idempotent.

        Every failure leaves as a CalendarError; the deadline is shared with the SDK's retry handler through a context variable.
        """
        loop = asyncio.get_running_loop()
        until = loop.time() + self.settings.graph_deadline_seconds
        token = graph_client.deadline.set(until)
        try:
            attempt = 0
            while True:
                try:
                    async with asyncio.timeout_at(until):
                        return await op()
                except (httpx.TransportError, ServiceRequestError, ServiceResponseError) as exc:
                    # A dropped connection: safe to repeat (creates carry a transactionId) while time remains.
                    attempt += 1
                    if not idempotent or attempt > TRANSPORT_RETRIES or loop.time() + 0.2 >= until:
                        raise CalendarError("unavailable", f"Graph could not be reached ({what}): {type(exc).__name__}") from exc
                    log.info("graph transport error, retrying", extra={"op": what, "error": type(exc).__name__})
                    self.observer.retry("graph")
                    await asyncio.sleep(0.2 * attempt)
        except TimeoutError as exc:
            raise CalendarError("unavailable",
                                f"Graph did not answer within {self.settings.graph_deadline_seconds} s ({what})") from exc
        except ClientAuthenticationError as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status in (429, 500, 502, 503, 504):
                raise CalendarError("unavailable", f"The token service is unavailable ({status})") from exc
            raise CalendarError("permission", f"Could not get a token for Graph: check GRAPH_TENANT_ID, GRAPH_CLIENT_ID and the "
                                f"secret or certificate ({str(exc).splitlines()[0][:200]})", permission=permission) from exc
        except APIError as exc:
            raise self._api_error(exc, what, permission) from exc
        finally:
            graph_client.deadline.reset(token)

    def _api_error(self, exc: APIError, what: str, permission: str) -> CalendarError:
        """Translate a Graph APIError to a CalendarError kind (permission, not_found, unavailable, invalid)."""
        status = exc.response_status_code or 0
        detail = ""
        if isinstance(exc, ODataError) and exc.error is not None:
            detail = f"{exc.error.code}: {exc.error.message}"[:300]
        if status in (401, 403):
            message = _permission_message(status, permission, self.organizer, detail)
            return CalendarError("permission", message, permission=permission)
        if status == 404:
            return CalendarError("not_found", f"Graph found no such item ({what}) {detail}".strip())
        if status in (429, 500, 502, 503, 504) or status == 0:
            retry_after = None
            headers = exc.response_headers or {}
            raw = headers.get("retry-after") if hasattr(headers, "get") else None
            if raw and str(raw).isdigit():
                retry_after = float(raw)
            return CalendarError("unavailable", f"Graph is busy or unavailable ({status}, {what})", retry_after=retry_after)
        return CalendarError("invalid", f"Graph rejected the request ({status}, {what}): {detail}")

    def _event(self, spec: EventSpec, *, create: bool) -> Event:
        """The Graph Event for a spec; on `create` it carries the transactionId that makes a repeated create harmless."""
        event = Event(subject=spec.subject, body=ItemBody(content_type=BodyType.Html, content=spec.body_html))
        if spec.all_day:
            start_day = spec.start if not isinstance(spec.start, datetime) else spec.start.date()
            end_day = spec.end if isinstance(spec.end, date) and not isinstance(spec.end, datetime) else spec.end.date()
            if end_day <= start_day:  # the end date is exclusive (as in Graph and iCalendar); on or before start = one day
                end_day = start_day + timedelta(days=1)
            event.is_all_day = True
            event.start = _dtz(day_to_graph(start_day, self.tz))
            event.end = _dtz(day_to_graph(end_day, self.tz))
        else:
            if not isinstance(spec.end, datetime) or spec.end <= spec.start:
                raise CalendarError("invalid", "the event must end after it starts")
            event.is_all_day = False
            event.start = _dtz(to_graph(spec.start, self.tz))  # type: ignore[arg-type]
            event.end = _dtz(to_graph(spec.end, self.tz))
        event.attendees = [Attendee(email_address=EmailAddress(address=a), type=AttendeeType.Required) for a in spec.attendees]
        event.location = Location(display_name=spec.location) if spec.location else None
        event.categories = list(spec.categories)
        if spec.online_meeting:
            event.is_online_meeting = True
            event.online_meeting_provider = OnlineMeetingProviderType.TeamsForBusiness
        if create and spec.transaction_id:
            event.transaction_id = spec.transaction_id
        return event

    @staticmethod
    def _ref(event: Event | None, fallback_id: str = "") -> EventRef:
        """The EventRef of a Graph event (its id, web link and Teams join link)."""
        if event is None:
            return EventRef(id=fallback_id)
        join = event.online_meeting.join_url if event.online_meeting and event.online_meeting.join_url else ""
        return EventRef(id=event.id or fallback_id, web_link=event.web_link or "", join_url=join or "")

    async def create_event(self, spec: EventSpec) -> EventRef:
        """Create the event (idempotent for a given spec.transaction_id)."""
        body = self._event(spec, create=True)
        created = await self._call("create event", WRITE_PERMISSION, lambda: self._user.events.post(body),
                                   idempotent=bool(spec.transaction_id))
        if created is None or not created.id:
            raise CalendarError("unavailable", "Graph answered the create without an event id")
        return self._ref(created)

    async def update_event(self, event_id: str, spec: EventSpec) -> EventRef:
        """Update the event in place; CalendarError(not_found) when a person deleted it."""
        body = self._event(spec, create=False)
        updated = await self._call("update event", WRITE_PERMISSION, lambda: self._user.events.by_event_id(event_id).patch(body))
        return self._ref(updated, event_id)

    async def cancel_event(self, event_id: str, comment: str = "") -> None:
        """Cancel a meeting (attendees are told) or delete a plain event; a missing event counts as done."""
        item = self._user.events.by_event_id(event_id)
        try:
            try:
                body = CancelPostRequestBody(comment=comment or None)
                await self._call("cancel event", WRITE_PERMISSION, lambda: item.cancel.post(body))
            except CalendarError as exc:
                if exc.kind != "invalid":
                    raise
                await self._call("delete event", WRITE_PERMISSION, lambda: item.delete())  # no attendees: cancel is refused
        except CalendarError as exc:
            if exc.kind != "not_found":
                raise

    async def get_schedule(self, people: list[str], start: datetime, end: datetime) -> Schedule:
        """Busy intervals (UTC) of people in the tenant; those Graph cannot look up are listed in `excluded`."""
        if not people:
            return Schedule()
        body = GetSchedulePostRequestBody(
            schedules=list(people), start_time=_dtz(to_graph(start, ZoneInfo("UTC"))),
            end_time=_dtz(to_graph(end, ZoneInfo("UTC"))), availability_view_interval=30)
        answer = await self._call("get schedule", READ_PERMISSION, lambda: self._user.calendar.get_schedule.post(body))
        busy: dict[str, list[BusySlot]] = {}
        excluded: list[str] = []
        seen: set[str] = set()
        for info in (answer.value if answer and answer.value else []):
            who = info.schedule_id or ""
            seen.add(who.lower())
            if info.error is not None:
                excluded.append(who)
                continue
            slots = []
            for item in info.schedule_items or []:
                if item.status not in BUSY or not item.start or not item.end:
                    continue
                slots.append(BusySlot(from_graph(item.start.date_time or "", item.start.time_zone or "UTC"),
                                      from_graph(item.end.date_time or "", item.end.time_zone or "UTC")))
            busy[who] = slots
        excluded.extend(p for p in people if p.lower() not in seen)
        return Schedule(busy=busy, excluded=tuple(excluded))

    async def read_calendar(self) -> str:
        """The organiser calendar's name (used by doctor)."""
        cal = await self._call("read calendar", WRITE_PERMISSION, lambda: self._user.calendar.get())
        return (cal.name if cal else "") or ""

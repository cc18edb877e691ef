"""A fake Microsoft Graph (and Entra token endpoint) over HTTPS on 127.0.0.1: events, getSchedule, faults on demand.

It validates bodies the way Graph does where it matters to us (required start/end, dateTime format, time zone
names Graph accepts, all-day events at midnight), keeps events in memory, dedupes creates by transactionId,
records every request and injects faults (429 with Retry-After, 503, slow answers, 401/403, 404, dropped
connections). The token endpoint issues opaque tokens for the configured client secret only.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from tzlocal.windows_tz import tz_win, win_tz

from tests.fakes.tls import server_ssl_context

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CLIENT_SECRET = "fake-secret-ÆØÅ"
ORGANIZER = "sekretariat@digitalehelgeland.no"
MSI_HEADER = "fake-identity-header"
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?$")
# Graph accepts every Windows zone name and, for events, only the primary IANA name of each Windows zone
# ("Additional time zones" in the dateTimeTimeZone docs: Europe/Berlin yes, Europe/Oslo no).
ACCEPTED_ZONES = set(win_tz) | set(win_tz.values()) | {"UTC", "Etc/GMT"}
FAULT_CODES = {429: "TooManyRequests", 503: "ServiceNotAvailable", 504: "GatewayTimeout", 401: "InvalidAuthenticationToken",
               403: "ErrorAccessDenied", 404: "ErrorItemNotFound"}
EVENT_FIELDS = {"subject", "body", "start", "end", "attendees", "isAllDay", "isOnlineMeeting", "onlineMeetingProvider",
                "categories", "location", "transactionId", "showAs", "isReminderOn", "reminderMinutesBeforeStart", "importance"}


JSON_BODY = web.RequestKey("json_body", object)


@dataclass
class Fault:
    """Answer matching requests with `status` (or delay/drop), `times` times (None = always)."""

    status: int = 0
    method: str | None = None
    path: str | None = None  # substring of the path
    times: int | None = 1
    retry_after: int | None = None
    code: str = ""
    delay: float = 0.0
    drop: bool = False  # close the connection without an answer
    after: bool = False  # with drop: do the work first, then drop (the client never hears it succeeded)


@dataclass
class Request:
    """One request received."""

    method: str
    path: str
    body: Any
    authorization: str
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message,
                                        "innerError": {"request-id": str(uuid.uuid4()), "date": datetime.now(UTC).isoformat()}}},
                             status=status, headers=headers)


def _params(body: Any) -> dict[str, Any]:
    """Action parameters: Graph matches their names case-insensitively (msgraph-sdk sends "Schedules", "Comment")."""
    return {k[:1].lower() + k[1:]: v for k, v in (body or {}).items()}


def _to_utc(value: dict[str, Any]) -> datetime:
    zone = value["timeZone"]
    iana = win_tz.get(zone, zone if zone not in ("UTC", "Etc/GMT") else "UTC")
    from zoneinfo import ZoneInfo

    text = value["dateTime"][:26]
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(iana)).astimezone(UTC)


def _graph_dt(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


class FakeGraph:
    """Start with `await fake.start()`; `base_url` is the v1.0 root and `authority` the token host."""

    def __init__(self) -> None:
        self.events: dict[str, dict[str, Any]] = {}
        self.cancelled: dict[str, dict[str, Any]] = {}
        self.by_transaction: dict[str, str] = {}
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.tokens: set[str] = set()
        self.token_requests: list[dict[str, str]] = []
        self.permissions = {"Calendars.ReadWrite", "Calendars.ReadBasic"}
        self.organizer = ORGANIZER
        self.client_secret = CLIENT_SECRET
        self.tenant_users: set[str] = {ORGANIZER}
        self.busy: dict[str, list[tuple[datetime, datetime, str]]] = {}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1.0"

    @property
    def authority(self) -> str:
        return self.url

    def env(self, **extra: str) -> dict[str, str]:
        """Environment variables that point the bot at this fake (client-secret auth)."""
        return {"GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_ID": CLIENT_ID, "GRAPH_CLIENT_SECRET": self.client_secret,
                "GRAPH_BASE_URL": self.base_url, "AZURE_AUTHORITY_HOST": self.authority, "GRAPH_ORGANIZER": self.organizer,
                "GRAPH_DEADLINE_SECONDS": "8", **extra}

    # -- test controls -------------------------------------------------------------------------------
    def fault(self, status: int = 0, **kwargs: Any) -> Fault:
        f = Fault(status=status, **kwargs)
        self.faults.append(f)
        return f

    def set_busy(self, who: str, start: datetime, end: datetime, status: str = "busy") -> None:
        self.tenant_users.add(who.lower())
        self.busy.setdefault(who.lower(), []).append((start, end, status))

    def calls(self, method: str, path_part: str = "") -> list[Request]:
        return [r for r in self.requests if r.method == method and path_part in r.path and "/oauth2/" not in r.path]

    def live_events(self) -> list[dict[str, Any]]:
        return list(self.events.values())

    # -- server --------------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        r.add_get("/msi/token", self._msi_token)
        r.add_post("/v1.0/users/{user}/events", self._create)
        r.add_patch("/v1.0/users/{user}/events/{eid}", self._update)
        r.add_delete("/v1.0/users/{user}/events/{eid}", self._delete)
        r.add_post("/v1.0/users/{user}/events/{eid}/cancel", self._cancel)
        r.add_get("/v1.0/users/{user}/calendar", self._calendar)
        r.add_post("/v1.0/users/{user}/calendar/getSchedule", self._get_schedule)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=server_ssl_context())
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"https://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        raw = await request.read()
        body: Any = None
        if raw:
            if request.content_type == "application/x-www-form-urlencoded":
                body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            else:
                try:
                    import json

                    body = json.loads(raw)
                except ValueError:
                    return _error(400, "BadRequest", "Unable to read JSON request payload.")
        request[JSON_BODY] = body
        self.requests.append(Request(request.method, request.path, body, request.headers.get("Authorization", ""),
                                     dict(request.headers)))
        fault = self._match(request)
        if fault and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault and fault.drop:
            if fault.after:
                await handler(request)
            request.transport.close()  # type: ignore[union-attr]
            return web.Response(status=500)
        if fault and fault.status:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            code = fault.code or FAULT_CODES.get(fault.status, "ErrorInternalServerError")
            return _error(fault.status, code, "Injected fault.", headers)
        if "/oauth2/" not in request.path and request.path != "/msi/token":
            token = request.headers.get("Authorization", "")
            if not token.startswith("Bearer ") or token[7:] not in self.tokens:
                return _error(401, "InvalidAuthenticationToken", "Access token is empty." if not token else "Invalid token.")
        return await handler(request)

    def _match(self, request: web.Request) -> Fault | None:
        for f in list(self.faults):
            if f.method and f.method != request.method:
                continue
            if f.path and f.path not in request.path:
                continue
            if "/oauth2/" in request.path and "oauth2" not in (f.path or ""):
                continue  # faults hit Graph calls unless they name the token endpoint
            if f.times is not None:
                f.times -= 1
                if f.times <= 0:
                    self.faults.remove(f)
            return f
        return None

    # -- token ---------------------------------------------------------------------------------------
    async def _token(self, request: web.Request) -> web.Response:
        form = request[JSON_BODY] or {}
        self.token_requests.append({k: v for k, v in form.items() if k != "client_secret"})
        if request.match_info["tenant"] != TENANT:
            return web.json_response({"error": "invalid_request", "error_description": "AADSTS90002: Tenant not found."},
                                     status=400)
        if form.get("grant_type") != "client_credentials" or form.get("client_id") != CLIENT_ID:
            return web.json_response({"error": "unauthorized_client",
                                      "error_description": "AADSTS700016: Application not found."},
                                     status=400)
        if "client_assertion" not in form and form.get("client_secret") != self.client_secret:
            return web.json_response({"error": "invalid_client",
                                      "error_description": "AADSTS7000215: Invalid client secret provided."},
                                     status=401)
        if not str(form.get("scope", "")).endswith("/.default"):
            return web.json_response({"error": "invalid_scope", "error_description": "AADSTS1002012: scope must be .default"},
                                     status=400)
        token = f"fake-token-{uuid.uuid4().hex}"
        self.tokens.add(token)
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})

    async def _msi_token(self, request: web.Request) -> web.Response:
        """App Service managed identity (IDENTITY_ENDPOINT / IDENTITY_HEADER)."""
        self.token_requests.append({"grant_type": "managed_identity", "resource": request.query.get("resource", "")})
        if request.headers.get("X-IDENTITY-HEADER") != MSI_HEADER or request.query.get("api-version") != "2019-08-01":
            return web.json_response({"error": "invalid_request"}, status=400)
        token = f"fake-token-{uuid.uuid4().hex}"
        self.tokens.add(token)
        expires = int(datetime.now(UTC).timestamp()) + 3600
        return web.json_response({"access_token": token, "expires_on": str(expires), "resource": request.query["resource"],
                                  "token_type": "Bearer"})

    # -- events --------------------------------------------------------------------------------------
    def _check_user(self, request: web.Request, permission: str) -> web.Response | None:
        user = request.match_info["user"].lower()
        implied = permission == "Calendars.ReadBasic" and "Calendars.ReadWrite" in self.permissions
        if permission not in self.permissions and not implied:
            return _error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        if user != self.organizer.lower():
            return _error(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
        return None

    @staticmethod
    def _validate(body: Any, *, create: bool) -> str:
        if not isinstance(body, dict):
            return "Empty Payload. JSON content expected."
        unknown = [k for k in body if k not in EVENT_FIELDS and not k.startswith("@odata")]
        if unknown:
            return f"Invalid property '{unknown[0]}'."
        if create and ("start" not in body or "end" not in body):
            return "Your request can't be completed. The start and end of the event are required."
        for key in ("start", "end"):
            if key not in body:
                continue
            value = body[key]
            if not isinstance(value, dict) or not DATETIME_RE.match(str(value.get("dateTime", ""))):
                return f"Cannot convert the literal '{value}' to the expected type 'Edm.DateTimeOffset'."
            if value.get("timeZone") not in ACCEPTED_ZONES:
                return ("A valid TimeZone value must be specified. "
                        f"The following TimeZone value is not supported: '{value.get('timeZone')}'.")
        if "start" in body and "end" in body:
            start, end = _to_utc(body["start"]), _to_utc(body["end"])
            if end < start:
                return "Your request can't be completed. The end date must be after the start date."
            if body.get("isAllDay"):
                midnight = all(v["dateTime"][11:19] == "00:00:00" for v in (body["start"], body["end"]))
                if not midnight or body["start"]["timeZone"] != body["end"]["timeZone"] or end - start < timedelta(hours=23):
                    return ("Your request can't be completed. If isAllDay is set to true, the start and end time of the event "
                            "must be set to midnight and be in the same time zone.")
        for a in body.get("attendees") or []:
            if "@" not in str((a.get("emailAddress") or {}).get("address", "")):
                return "At least one recipient isn't valid."
        if body.get("onlineMeetingProvider") not in (None, "teamsForBusiness", "skypeForBusiness", "skypeForConsumer", "unknown"):
            return "Invalid onlineMeetingProvider."
        if (body.get("body") or {}).get("contentType", "html").lower() not in ("html", "text"):
            return "Invalid body contentType."
        return ""

    def _answer(self, event: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in event.items() if not k.startswith("_")}
        out["start"], out["end"] = _graph_dt(_to_utc(event["start"])), _graph_dt(_to_utc(event["end"]))
        out["originalStartTimeZone"] = event["start"]["timeZone"]
        return out

    async def _create(self, request: web.Request) -> web.Response:
        if (denied := self._check_user(request, "Calendars.ReadWrite")) is not None:
            return denied
        body = request[JSON_BODY]
        if problem := self._validate(body, create=True):
            return _error(400, "ErrorInvalidRequest" if "TimeZone" not in problem else "TimeZoneNotSupportedException", problem)
        txn = body.get("transactionId")
        if txn and txn in self.by_transaction and self.by_transaction[txn] in self.events:
            return web.json_response(self._answer(self.events[self.by_transaction[txn]]), status=201)
        eid = f"AAMkAD-{next(self._ids)}-{uuid.uuid4().hex[:8]}="
        event = {k: v for k, v in body.items() if not k.startswith("@odata")}
        event.update(id=eid, createdDateTime=datetime.now(UTC).isoformat(), lastModifiedDateTime=datetime.now(UTC).isoformat(),
                     webLink=f"https://outlook.office365.com/owa/?itemid={eid}&exvsurl=1&path=/calendar/item",
                     organizer={"emailAddress": {"address": self.organizer}})
        if body.get("isOnlineMeeting"):
            event["onlineMeeting"] = {"joinUrl": f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{uuid.uuid4().hex}%40thread.v2/0"}
        self.events[eid] = event
        if txn:
            self.by_transaction[txn] = eid
        return web.json_response(self._answer(event), status=201)

    async def _update(self, request: web.Request) -> web.Response:
        if (denied := self._check_user(request, "Calendars.ReadWrite")) is not None:
            return denied
        eid = request.match_info["eid"]
        if eid not in self.events:
            return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        body = request[JSON_BODY]
        if problem := self._validate(body, create=False):
            return _error(400, "ErrorInvalidRequest", problem)
        if "transactionId" in body:
            return _error(400, "ErrorInvalidRequest", "transactionId cannot be updated.")
        merged = {**self.events[eid], **{k: v for k, v in body.items() if not k.startswith("@odata")}}
        if problem := self._validate({k: v for k, v in merged.items() if k in EVENT_FIELDS}, create=True):
            return _error(400, "ErrorInvalidRequest", problem)
        merged["lastModifiedDateTime"] = datetime.now(UTC).isoformat()
        if body.get("isOnlineMeeting") and "onlineMeeting" not in merged:
            merged["onlineMeeting"] = {"joinUrl": f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{uuid.uuid4().hex}%40thread.v2/0"}
        self.events[eid] = merged
        return web.json_response(self._answer(merged))

    async def _delete(self, request: web.Request) -> web.Response:
        if (denied := self._check_user(request, "Calendars.ReadWrite")) is not None:
            return denied
        eid = request.match_info["eid"]
        if eid not in self.events:
            return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        self.cancelled[eid] = self.events.pop(eid)
        return web.Response(status=204)

    async def _cancel(self, request: web.Request) -> web.Response:
        if (denied := self._check_user(request, "Calendars.ReadWrite")) is not None:
            return denied
        eid = request.match_info["eid"]
        if eid not in self.events:
            return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        if not self.events[eid].get("attendees"):
            return _error(400, "ErrorInvalidRequest",
                          "Your request can't be completed. You can only cancel meetings with attendees.")
        event = self.events.pop(eid)
        event["_cancel_comment"] = _params(request[JSON_BODY]).get("comment", "")
        self.cancelled[eid] = event
        return web.Response(status=202)

    async def _calendar(self, request: web.Request) -> web.Response:
        if (denied := self._check_user(request, "Calendars.ReadWrite")) is not None:
            return denied
        return web.json_response({"id": "AAMkCal=", "name": "Kalender", "canEdit": True,
                                  "owner": {"name": "Sekretariatet", "address": self.organizer}})

    async def _get_schedule(self, request: web.Request) -> web.Response:
        if (denied := self._check_user(request, "Calendars.ReadBasic")) is not None:
            return denied
        # Graph treats action parameter names case-insensitively (msgraph-sdk sends "Schedules", "StartTime", ...).
        body = _params(request[JSON_BODY])
        schedules = body.get("schedules")
        if not isinstance(schedules, list) or not schedules or len(schedules) > 100:
            return _error(400, "ErrorInvalidParameter", "schedules must list 1 to 100 addresses.")
        for key in ("startTime", "endTime"):
            value = body.get(key)
            if not isinstance(value, dict) or not DATETIME_RE.match(str(value.get("dateTime", ""))) \
                    or value.get("timeZone") not in ACCEPTED_ZONES:
                return _error(400, "ErrorInvalidParameter", f"{key} is not a valid dateTimeTimeZone.")
        start, end = _to_utc(body["startTime"]), _to_utc(body["endTime"])
        interval = int(body.get("availabilityViewInterval", 30))
        if not 5 <= interval <= 1440 or end <= start or end - start > timedelta(days=62):
            return _error(400, "ErrorInvalidParameter", "Invalid time window or availabilityViewInterval.")
        value = []
        for who in schedules:
            if who.lower() not in self.tenant_users:
                value.append({"scheduleId": who, "availabilityView": "", "scheduleItems": [],
                              "error": {"message": f"Failed to resolve the recipient {who}.",
                                        "responseCode": "ErrorMailRecipientNotFound"}})
                continue
            items = [{"isPrivate": False, "status": st, "subject": "", "location": "", "start": _graph_dt(s), "end": _graph_dt(e)}
                     for s, e, st in self.busy.get(who.lower(), []) if s < end and e > start]
            value.append({"scheduleId": who, "availabilityView": "", "scheduleItems": items,
                          "workingHours": {"startTime": "08:00:00.0000000", "endTime": "16:00:00.0000000",
                                           "timeZone": {"name": tz_win.get("Europe/Oslo", "UTC")}}})
        return web.json_response({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)",
                                  "value": value})

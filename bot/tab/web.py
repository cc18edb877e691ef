"""The tab's HTTP plumbing: the state it keeps on the app, sign-in for every API call, errors as JSON, security headers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.kernel.cardinput import BadValue
from bot.kernel.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from bot.kernel.people import Person
from bot.messages import t
from bot.services import Services
from bot.tab.auth import SigningKeys, TabUnauthorized, signed_in

log = logging.getLogger("bot.tab")
# Teams (web, desktop, mobile), Microsoft 365 (office.com, microsoft365.com, cloud.microsoft) and Outlook host tabs.
FRAME_ANCESTORS = ("'self'", "https://teams.microsoft.com", "https://*.teams.microsoft.com", "https://teams.cloud.microsoft",
                   "https://*.cloud.microsoft", "https://*.office.com", "https://*.microsoft365.com",
                   "https://outlook.office.com", "https://outlook.office365.com")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "
       + " ".join(FRAME_ANCESTORS))
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@dataclass
class TabState:
    """What the tab keeps on the app: where the services are, and the signing-key cache."""

    services_key: web.AppKey[Any]
    keys: SigningKeys | None = None


STATE = web.AppKey("tab", TabState)
Handler = Callable[[web.Request, Services, Person, str], Awaitable[web.StreamResponse]]


def services_of(request: web.Request) -> Services:
    """The bot's services (bound at start-up)."""
    return request.app[request.app[STATE].services_key]


def locale_of(request: web.Request) -> str:
    """The page's locale (?lang=, set by Teams from {locale}), else the X-Tab-Locale header, else Accept-Language."""
    for raw in (request.query.get("lang"), request.headers.get("X-Tab-Locale"),
                request.headers.get("Accept-Language", "").split(",")[0].split(";")[0]):
        if raw and len(raw) <= 20 and raw.replace("-", "").isalnum():
            return raw
    return "nb-NO"


def error(status: int, code: str, locale: str, **extra: Any) -> web.Response:
    """A JSON error with a text in the user's language."""
    key = f"tab.error.{code}" if code in ("unauthorized", "forbidden", "not_found", "bad_request") else "tab.error.generic"
    return web.json_response({"error": code, "message": t(key, locale), **extra}, status=status,
                             headers={"Cache-Control": "no-store"})


def field_texts(errors: dict[str, Any], locale: str) -> dict[str, str]:
    """Field errors (catalogue keys, maybe with params) as texts, as the card form shows them."""
    return {k: t(v, locale) if isinstance(v, str) else t(v[0], locale, **v[1]) for k, v in errors.items()}


async def actor_of(request: web.Request, services: Services) -> Person:
    """The signed-in person (TabUnauthorized when there is none)."""
    state = request.app[STATE]
    if state.keys is None:
        from bot.tab.auth import signing_keys

        state.keys = signing_keys(services.settings)
    return await signed_in(request, services.settings, services.people, state.keys)


def api(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a JSON endpoint: sign the caller in, turn domain errors into statuses, never cache the answer."""
    async def wrapped(request: web.Request) -> web.StreamResponse:
        locale = locale_of(request)
        services = services_of(request)
        try:
            person = await actor_of(request, services)
        except TabUnauthorized as exc:
            log.info("tab sign-in refused", extra={"reason": str(exc)[:80]})
            return error(401, "unauthorized", locale)
        try:
            response = await handler(request, services, person, locale)
        except NotAllowed:
            return error(403, "forbidden", locale)
        except NotFound:
            return error(404, "not_found", locale)
        except Conflict as exc:
            return web.json_response({"error": "conflict", "message": t(exc.key, locale, **exc.params)}, status=409,
                                     headers={"Cache-Control": "no-store"})
        except InvalidInput as exc:
            return error(422, "invalid", locale, fields=field_texts(dict(exc.fields), locale))
        except (BadValue, DomainError, ValueError):
            return error(400, "bad_request", locale)
        # Answers are per person (what they may see): no browser or proxy may keep one.
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.update({k: v for k, v in SECURITY_HEADERS.items() if k != "Content-Security-Policy"})
        return response
    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object (ValueError, hence 400, for anything else)."""
    if "application/json" not in request.headers.get("Content-Type", ""):
        raise ValueError("JSON expected")
    body = await request.json()
    if not isinstance(body, dict):
        raise ValueError("JSON object expected")
    return body

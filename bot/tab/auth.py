"""Who is asking: the tab's Entra ID SSO token checked (keys, issuer, audience, expiry, tenant) and mapped to a Person.

The token comes in the Authorization header (never a cookie). Signing keys are read from the authority's OpenID
metadata ({AZURE_AUTHORITY_HOST}/{tenant}/v2.0/.well-known/openid-configuration), the same authority the Graph client
uses, and cached; an unknown key id refreshes them at most once a minute. Development mode (no app id, listening on
loopback, the request from loopback) signs in as TAB_DEV_USER instead; no other configuration can reach it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import jwt
from aiohttp import web

from bot.config import Settings
from bot.configparse import from_loopback
from bot.kernel.people import Person
from bot.storage.people import PeopleRepo

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
LEEWAY_S = 60
REFRESH_MIN_S = 60.0


class TabUnauthorized(Exception):
    """No usable token: missing, badly signed, expired, for another audience or issuer, or from a refused tenant."""


@dataclass
class SigningKeys:
    """The authority's signing keys (JWKS), fetched on first use and again for an unknown key id."""

    metadata_url: str
    keys: dict[str, Any] = field(default_factory=dict)
    fetched_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def key(self, kid: str) -> Any:
        """The public key with this id; TabUnauthorized when the authority does not publish it."""
        if kid not in self.keys and time.monotonic() - self.fetched_at > REFRESH_MIN_S:
            async with self.lock:
                if kid not in self.keys and time.monotonic() - self.fetched_at > REFRESH_MIN_S:
                    await self._refresh()
        if kid not in self.keys:
            raise TabUnauthorized("unknown signing key")
        return self.keys[kid]

    async def _refresh(self) -> None:
        timeout = aiohttp.ClientTimeout(total=10)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(self.metadata_url) as resp:
                    resp.raise_for_status()
                    jwks_uri = (await resp.json(content_type=None))["jwks_uri"]
                async with session.get(jwks_uri) as resp:
                    resp.raise_for_status()
                    data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, KeyError, TypeError, ValueError) as exc:
            raise TabUnauthorized(f"signing keys unavailable: {type(exc).__name__}") from exc
        finally:
            self.fetched_at = time.monotonic()
        keys = {}
        for jwk in data.get("keys", []) if isinstance(data, dict) else []:
            try:
                keys[jwk["kid"]] = jwt.PyJWK(jwk, algorithm="RS256").key
            except (KeyError, jwt.PyJWKError, TypeError):
                continue
        self.keys = keys


def authority(settings: Settings) -> str:
    """The token authority (AZURE_AUTHORITY_HOST, as for Graph), without a trailing slash."""
    return (settings.graph_authority_host or DEFAULT_AUTHORITY).rstrip("/")


def signing_keys(settings: Settings) -> SigningKeys:
    """The key cache for this configuration's authority and tenant (`common` for multi-tenant apps)."""
    tenant = settings.app_tenant_id or "common"
    return SigningKeys(f"{authority(settings)}/{tenant}/v2.0/.well-known/openid-configuration")


def audiences(settings: Settings) -> list[str]:
    """Accepted audiences: the Application ID URI (v1 tokens) and the app id itself (v2 tokens)."""
    return [a for a in (settings.tab_app_id_uri, settings.app_id) if a]


def _issuer_ok(settings: Settings, issuer: Any, tenant: str) -> bool:
    expected = {f"{authority(settings)}/{tenant}/v2.0"}
    if authority(settings) == DEFAULT_AUTHORITY:
        expected.add(f"https://sts.windows.net/{tenant}/")  # v1 access tokens of the public cloud
    return isinstance(issuer, str) and issuer in expected


async def verify(token: str, settings: Settings, keys: SigningKeys) -> dict[str, Any]:
    """The token's claims when it is valid for this app; TabUnauthorized otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TabUnauthorized("malformed token") from exc
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise TabUnauthorized("unexpected token algorithm")
    key = await keys.key(header["kid"])
    try:
        claims = jwt.decode(token, key, algorithms=["RS256"], audience=audiences(settings), leeway=LEEWAY_S,
                            options={"require": ["exp", "iss", "aud", "tid", "oid"]})
    except jwt.PyJWTError as exc:
        raise TabUnauthorized(type(exc).__name__) from exc
    tenant = str(claims["tid"]).lower()
    if not _issuer_ok(settings, claims.get("iss"), tenant):
        raise TabUnauthorized("wrong issuer")
    if not settings.tenant_allowed(tenant):
        raise TabUnauthorized("tenant not allowed")
    return claims


def dev_mode(settings: Settings) -> bool:
    """Development sign-in: no app id and listening on loopback only (as `make run` does)."""
    return not settings.app_id and settings.host in LOOPBACK_HOSTS


def bearer(request: web.Request) -> str:
    """The bearer token of the Authorization header, or ''."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def person_for(people: PeopleRepo, settings: Settings, claims: dict[str, Any]) -> Person:
    """The Person of a token, with the role chat would give them (BOT_LEADERS and roles granted in chat)."""
    oid = str(claims["oid"]).lower()[:64]
    upn = str(claims.get("preferred_username") or claims.get("upn") or "")[:200]
    person = await people.upsert(person_id=oid, name=str(claims.get("name") or "")[:200], aad_object_id=oid,
                                 tenant_id=str(claims["tid"]).lower()[:64], upn=upn)
    return await people.apply_config(person, settings.leaders)


async def dev_person(people: PeopleRepo, settings: Settings) -> Person:
    """The development user (TAB_DEV_USER): found by any id, else created with that id."""
    ident = settings.tab_dev_user or "dev-user"
    person = await people.find(ident) or await people.upsert(person_id=ident, name="Utvikler", aad_object_id=ident)
    return await people.apply_config(person, settings.leaders)


async def signed_in(request: web.Request, settings: Settings, people: PeopleRepo, keys: SigningKeys) -> Person:
    """The person behind a tab request; TabUnauthorized when there is none."""
    if dev_mode(settings):
        if not from_loopback(request):
            raise TabUnauthorized("development mode answers loopback only")
        return await dev_person(people, settings)
    if not settings.app_id:
        raise TabUnauthorized("the tab needs MICROSOFT_APP_ID outside development mode")
    token = bearer(request)
    if not token:
        raise TabUnauthorized("no bearer token")
    return await person_for(people, settings, await verify(token, settings, keys))

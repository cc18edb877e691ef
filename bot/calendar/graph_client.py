"""Building the Graph client: an azure-identity aio credential, msgraph's middleware with a deadline-aware retry."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any
from urllib.parse import urlparse

import httpx
from azure.core.credentials_async import AsyncTokenCredential
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware import BaseMiddleware, RetryHandler
from kiota_http.middleware.options import RetryHandlerOption
from kiota_http.middleware.retry_handler import RETRY_ATTEMPT
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.graph_request_adapter import options as graph_default_options
from msgraph_core import GraphClientFactory
from msgraph_core.middleware import GraphTelemetryHandler
from msgraph_core.middleware.options import GraphTelemetryHandlerOption

from bot.config import Settings
from bot.kernel.observers import NULL, Observer

# The loop time by which the current Graph call must be done; the retry handler gives up rather than outsleep it.
deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("graph_deadline", default=None)
# Who counts each HTTP exchange of the current Graph call (the calendar's metrics; set per call like the deadline).
observer: contextvars.ContextVar[Observer] = contextvars.ContextVar("graph_observer", default=NULL)


class AttemptCounter(BaseMiddleware):
    """The innermost middleware: sees every exchange, retries included, and reports 429s and repeats."""

    async def send(self, request: httpx.Request, transport: httpx.AsyncBaseTransport) -> httpx.Response:
        """Send the request and report its status, and whether it was a retry, to the observer."""
        response = await super().send(request, transport)
        retried = request.headers.get(RETRY_ATTEMPT, "0") not in ("", "0")
        observer.get().graph_attempt(response.status_code, retried)
        return response


class DeadlineRetryHandler(RetryHandler):
    """msgraph's retry handler (429/503/504, honours Retry-After) that does not sleep past the call's deadline."""

    def get_delay_time(self, retry_count: int, response: httpx.Response | None = None,
                       delay: float = RetryHandlerOption.DEFAULT_DELAY) -> float:
        """The SDK's retry delay, unless waiting would pass the call's deadline (then: no retry)."""
        wait = super().get_delay_time(retry_count, response, delay)
        until = deadline.get()
        if until is not None and asyncio.get_running_loop().time() + wait >= until:
            return RetryHandlerOption.MAX_DELAY  # the handler does not retry at MAX_DELAY: the error surfaces now
        return wait


def build_credential(settings: Settings) -> AsyncTokenCredential:
    """The azure-identity aio credential for the configured auth mode."""
    from azure.identity.aio import CertificateCredential, ClientSecretCredential, ManagedIdentityCredential

    kwargs: dict[str, Any] = {}
    if settings.graph_authority_host:
        kwargs["authority"] = settings.graph_authority_host
    mode = settings.graph_auth or ("certificate" if settings.graph_client_certificate_path and not settings.graph_client_secret
                                   else "client-secret")
    if mode == "managed-identity":
        return ManagedIdentityCredential(client_id=settings.graph_client_id or None)
    if mode == "certificate":
        return CertificateCredential(settings.graph_tenant_id, settings.graph_client_id,
                                     certificate_path=settings.graph_client_certificate_path, **kwargs)
    return ClientSecretCredential(settings.graph_tenant_id, settings.graph_client_id, settings.graph_client_secret, **kwargs)


def auth_mode(settings: Settings) -> str:
    """The auth mode in words (for status and doctor)."""
    if settings.graph_auth == "managed-identity":
        return "managed identity"
    if settings.graph_auth == "certificate" or (settings.graph_client_certificate_path and not settings.graph_client_secret):
        return "certificate"
    return "client secret"


def scope_for(base_url: str) -> str:
    """The .default scope of the Graph host (https://graph.microsoft.com/.default, national clouds alike)."""
    parsed = urlparse(base_url)
    return f"{parsed.scheme}://{parsed.hostname}/.default"


def build_http_client(settings: Settings) -> httpx.AsyncClient:
    """An httpx client with msgraph's default middleware, the retry handler configured and deadline-aware."""
    retry_option = RetryHandlerOption(delay=0, max_retries=settings.graph_max_retries, should_retry=True)
    options = {**graph_default_options, RetryHandlerOption.get_key(): retry_option}
    middleware = KiotaClientFactory.get_default_middleware(options)
    middleware = [DeadlineRetryHandler(retry_option) if isinstance(m, RetryHandler) else m for m in middleware]
    middleware.append(GraphTelemetryHandler(options=options[GraphTelemetryHandlerOption.get_key()]))
    middleware.append(AttemptCounter())
    per_try = float(settings.graph_deadline_seconds)
    client = httpx.AsyncClient(timeout=httpx.Timeout(per_try, connect=min(10.0, per_try)), http2=False)
    return GraphClientFactory.create_with_custom_middleware(middleware, client=client)


def build_graph_client(settings: Settings, credential: AsyncTokenCredential) -> tuple[GraphServiceClient, httpx.AsyncClient]:
    """The GraphServiceClient pointed at GRAPH_BASE_URL (request_adapter.base_url, never the httpx base_url)."""
    host = urlparse(settings.graph_base_url).hostname or ""
    auth = AzureIdentityAuthenticationProvider(credential, scopes=[scope_for(settings.graph_base_url)], allowed_hosts=[host])
    http = build_http_client(settings)
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = settings.graph_base_url
    return GraphServiceClient(request_adapter=adapter), http

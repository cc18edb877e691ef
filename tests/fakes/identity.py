"""A fake Bot Framework identity provider over HTTPS on 127.0.0.1: OpenID metadata, JWKS, and an OAuth token endpoint.

botbuilder fetches metadata and MSAL fetches tokens with *synchronous* `requests` inside the event loop, so this server
runs in its own thread. TLS comes from a throw-away `trustme` CA; point REQUESTS_CA_BUNDLE at `ca_file`.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
import trustme
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://api.botframework.test"
SCOPE = "https://api.botframework.test"
TENANT = "botframework.test"


@dataclass
class SigningKey:
    """An RSA key with a kid, published in the JWKS or not."""

    kid: str
    private: Any
    endorsements: list[str] = field(default_factory=lambda: ["msteams"])

    def jwk(self) -> dict[str, Any]:
        data = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**data, "kid": self.kid, "use": "sig", "endorsements": self.endorsements}


def new_key(kid: str | None = None, endorsements: list[str] | None = None) -> SigningKey:
    """A fresh 2048-bit RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(kid or f"kid-{uuid.uuid4().hex[:8]}", key, endorsements if endorsements is not None else ["msteams"])


class FakeIdentity:
    """Serves /.well-known/openidconfiguration, /keys and /{tenant}/oauth2/v2.0/token; records token requests."""

    def __init__(self, tmp: Path) -> None:
        self.ca = trustme.CA()
        self.ca_file = tmp / "fake-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.keys: list[SigningKey] = [new_key()]
        self.token_requests: list[dict[str, list[str]]] = []
        self.metadata_requests = 0
        self.issued: list[str] = []
        self.client_secret: str | None = None  # when set, a token request with another secret gets invalid_client
        self._server: ThreadingHTTPServer | None = None
        self.base = ""

    # -- what the bot is configured with ------------------------------------------------------
    @property
    def metadata_url(self) -> str:
        return f"{self.base}/v1/.well-known/openidconfiguration"

    @property
    def login_url(self) -> str:
        return f"{self.base}/{TENANT}"

    def env(self, app_id: str, password: str) -> dict[str, str]:
        """Settings for a bot that trusts this provider."""
        return {"MICROSOFT_APP_ID": app_id, "MICROSOFT_APP_PASSWORD": password,
                "BOT_OPENID_METADATA_URL": self.metadata_url, "BOT_TOKEN_ISSUER": ISSUER,
                "BOT_TO_CHANNEL_LOGIN_URL": self.login_url, "BOT_TO_CHANNEL_OAUTH_SCOPE": SCOPE}

    # -- tokens -------------------------------------------------------------------------------
    def token(self, app_id: str, service_url: str | None, *, key: SigningKey | None = None, issuer: str = ISSUER,
              audience: str | None = None, expires_in: int = 3600, alg: str = "RS256", kid: str | None = None,
              **claims: Any) -> str:
        """A channel-to-bot token as the Bot Connector would sign it (override any part to make it bad)."""
        key = key or self.keys[0]
        now = int(time.time())
        body: dict[str, Any] = {"iss": issuer, "aud": audience or app_id, "nbf": now - 60, "iat": now - 60,
                                "exp": now + expires_in, **claims}
        if service_url is not None:
            body["serviceurl"] = service_url
        if alg == "none":
            return jwt.encode(body, None, algorithm="none", headers={"kid": kid or key.kid})
        return jwt.encode(body, key.private, algorithm=alg, headers={"kid": kid or key.kid})

    def entra_token(self, audience: str, tenant: str, oid: str, *, name: str = "", key: SigningKey | None = None,
                    issuer: str | None = None, expires_in: int = 3600, **claims: Any) -> str:
        """An Entra ID v2 access token as Teams SSO (getAuthToken) hands a tab."""
        key = key or self.keys[0]
        now = int(time.time())
        body: dict[str, Any] = {"iss": issuer or f"{self.base}/{tenant}/v2.0", "aud": audience, "tid": tenant, "oid": oid,
                                "name": name, "preferred_username": f"{oid[:8]}@example.test", "ver": "2.0",
                                "nbf": now - 60, "iat": now - 60, "exp": now + expires_in, **claims}
        return jwt.encode(body, key.private, algorithm="RS256", headers={"kid": key.kid})

    # -- server -------------------------------------------------------------------------------
    def start(self) -> str:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/v1/.well-known/openidconfiguration":
                    owner.metadata_requests += 1
                    self._json({"issuer": ISSUER, "jwks_uri": f"{owner.base}/v1/keys",
                                "id_token_signing_alg_values_supported": ["RS256"]})
                elif path == "/v1/keys":
                    self._json({"keys": [k.jwk() for k in owner.keys]})
                elif path.endswith("/v2.0/.well-known/openid-configuration") and path.count("/") == 4:
                    tenant = path.split("/")[1]  # Entra ID's v2 metadata of any tenant (or common), with its keys
                    self._json({"issuer": f"{owner.base}/{tenant}/v2.0",
                                "authorization_endpoint": f"{owner.base}/{tenant}/oauth2/v2.0/authorize",
                                "token_endpoint": f"{owner.base}/{tenant}/oauth2/v2.0/token",
                                "jwks_uri": f"{owner.base}/{tenant}/discovery/v2.0/keys"})
                elif path.endswith("/discovery/v2.0/keys"):
                    self._json({"keys": [k.jwk() for k in owner.keys]})
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                if self.path.split("?", 1)[0] != f"/{TENANT}/oauth2/v2.0/token":
                    self._json({"error": "not_found"}, 404)
                    return
                owner.token_requests.append(form)
                if owner.client_secret is not None and form.get("client_secret") != [owner.client_secret]:
                    self._json({"error": "invalid_client",
                                "error_description": "AADSTS7000215: Invalid client secret provided."}, 401)
                    return
                token = f"bot-token-{uuid.uuid4().hex}"
                owner.issued.append(token)
                self._json({"access_token": token, "token_type": "Bearer", "expires_in": 3600})

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ca.issue_cert("127.0.0.1").configure_cert(ctx)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        self._server = server
        self.base = f"https://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True, name="fake-identity").start()
        return self.base

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

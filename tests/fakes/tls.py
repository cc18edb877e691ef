"""A test certificate authority (trustme) trusted by every HTTP client in the test process.

Imported from tests/__init__.py so SSL_CERT_FILE is set before aiohttp/httpx/azure-core build their SSL contexts
(aiohttp builds its default context at import). The bundle holds certifi's roots plus the test CA.
"""

from __future__ import annotations

import atexit
import os
import shutil
import ssl
import tempfile
from pathlib import Path

import certifi
import trustme

_dir = Path(tempfile.mkdtemp(prefix="fb-test-ca-"))
atexit.register(shutil.rmtree, _dir, True)
CA = trustme.CA(organization_name="faggruppe-bot tests")
_server_cert = CA.issue_cert("127.0.0.1", "localhost")
CA_BUNDLE = _dir / "ca-bundle.pem"


def install_test_ca() -> None:
    """Write the bundle and point SSL_CERT_FILE / REQUESTS_CA_BUNDLE at it (once)."""
    if os.environ.get("SSL_CERT_FILE") == str(CA_BUNDLE):
        return
    CA_BUNDLE.write_bytes(Path(certifi.where()).read_bytes() + b"\n" + CA.cert_pem.bytes())
    os.environ["SSL_CERT_FILE"] = str(CA_BUNDLE)
    os.environ["REQUESTS_CA_BUNDLE"] = str(CA_BUNDLE)


def server_ssl_context() -> ssl.SSLContext:
    """An SSL context for a test server on 127.0.0.1 / localhost."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    _server_cert.configure_cert(ctx)
    return ctx

"""`python -m bot` as a newcomer and an operator meet it: .env.example starts as is, bad settings are one line each."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

import bot
from tests.harness import free_port
from tests.procs import ROOT

APP_ID = "0b8f1e9a-6c0e-4a57-9f4d-2f1a3c5d7e90"
TENANT = "11111111-2222-3333-4444-555555555555"


def base_env(tmp: Path, **extra: str) -> dict[str, str]:
    """A clean environment: nothing from the developer's shell leaks in (no LANG: Norwegian)."""
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
            **extra}


def run_bot(tmp: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp, env=env, capture_output=True, text=True,
                          timeout=60)


async def wait_healthy(proc: subprocess.Popen[str], url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}"
            try:
                async with http.get(f"{url}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
                    if r.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the bot did not become healthy")


async def test_env_example_starts_as_is_and_says_where_it_is(tmp_path: Path):
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    port = free_port()  # the one value not taken from .env.example: 3978 may be in use on a shared machine
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=base_env(tmp_path, PORT=str(port)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_healthy(proc, url)
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line == (f"faggruppe-bot {bot.__version__} kjører: meldingsendepunkt {url}/api/messages · helse "
                        f"{url}/healthz · prøv den i nettleseren: make playground (Ctrl-C stopper)")
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{url}/") as r:
                assert r.status == 200
                index = await r.json()
            async with http.get(f"{url}/healthz") as r:
                health = await r.json()
        assert index["name"] == "faggruppe-bot" and index["version"] == bot.__version__ == health["version"]
        assert (tmp_path / "data" / "faggruppe-bot.db").is_file()  # DATABASE_URL's default, relative to the directory
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err


@pytest.mark.parametrize(("env", "lines", "names"), [
    ({"MICROSOFT_APP_TYPE": "SingleTenant"}, 1, ["MICROSOFT_APP_TYPE=SingleTenant"]),
    ({"HOST": "0.0.0.0"}, 1, ["HOST=0.0.0.0"]),
    ({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": "x", "PUBLIC_BASE_URL": "https://bot.kommune.no"}, 1,
     ["ALLOWED_TENANTS"]),
    ({"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_TYPE": "SingleTenant", "MICROSOFT_APP_TENANT_ID": TENANT}, 1,
     ["MICROSOFT_APP_PASSWORD"]),
    ({"PORT": "abc", "BOT_TIMEZONE": "Mars/Olympus", "GRAPH_ORGANIZER": "x@kommune.no"}, 3,
     ["PORT", "BOT_TIMEZONE", "GRAPH_CLIENT_SECRET"]),
    ({"CHANNEL_SERVICE": "https://botframework.example"}, 1, ["CHANNEL_SERVICE"]),
    ({"DATABASE_URL": "postgresql+psycopg://bot:pw-x7q2@127.0.0.1:1/nope"}, 1, ["DATABASE_URL"]),
])
def test_bad_settings_exit_with_one_line_per_problem(tmp_path: Path, env, lines, names):
    outputs = []
    for lang_args in ((), ("--lang", "en")):  # Norwegian by default (no LANG), English on request
        res = run_bot(tmp_path, base_env(tmp_path, **{"PORT": str(free_port()), **env}), *lang_args)
        assert res.returncode == 2, res.stderr
        out = res.stderr.strip().splitlines()
        assert len(out) == lines, out
        assert "Traceback" not in res.stderr and res.stdout == ""
        for line, name in zip(out, names, strict=True):
            assert name in line
        assert "pw-x7q2" not in res.stderr  # the database password is never repeated
        outputs.append(out)
    assert not set(outputs[0]) & set(outputs[1])


def test_port_in_use_is_one_line(tmp_path: Path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = run_bot(tmp_path, base_env(tmp_path, PORT=str(port)), "--lang", "en")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip() == (f"PORT={port} is already in use on 127.0.0.1: stop the other process or choose "
                                  "another PORT.")


async def test_open_unauthenticated_bot_needs_the_flag_and_warns(tmp_path: Path):
    port = free_port()
    env = base_env(tmp_path, HOST="0.0.0.0", PORT=str(port), BOT_ALLOW_UNAUTHENTICATED="true")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "--lang", "en"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        await wait_healthy(proc, f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert err.splitlines()[0].startswith("WARNING: authentication is OFF and the bot listens on 0.0.0.0")

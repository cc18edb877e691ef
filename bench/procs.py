"""Subprocesses under test: start, wait for /healthz, read RSS, stop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB (from /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Proc:
    """One server process on 127.0.0.1 with a /healthz endpoint."""

    def __init__(self, name: str, args: list[str], port: int, env: dict[str, str] | None = None, log_dir: Path | None = None):
        self.name = name
        self.args = args
        self.port = port
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.log_path = (log_dir or Path("/tmp")) / f"bench-{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None
        self.startup_s = float("nan")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 60.0) -> float:
        """Start and wait for /healthz 200; returns seconds from spawn to healthy."""
        log = self.log_path.open("wb")
        t0 = time.perf_counter()
        self.popen = subprocess.Popen([sys.executable, *self.args], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        async with aiohttp.ClientSession() as http:
            while time.perf_counter() - t0 < timeout:
                if self.popen.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.popen.returncode}; see {self.log_path}")
                try:
                    async with http.get(f"{self.url}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
                        if r.status == 200:
                            self.startup_s = time.perf_counter() - t0
                            return self.startup_s
                except (TimeoutError, aiohttp.ClientError):
                    pass
                await asyncio.sleep(0.02)
        raise RuntimeError(f"{self.name} did not become healthy in {timeout} s; see {self.log_path}")

    def rss_mb(self) -> float:
        return rss_mb(self.popen.pid) if self.popen else float("nan")

    def stop(self, timeout: float = 10.0) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


class ConnectorProc:
    """The fake connector in its own process (bench/connector_proc.py)."""

    def __init__(self) -> None:
        self.popen: subprocess.Popen[str] | None = None
        self.url = ""
        self.control = ""

    def start(self) -> str:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.popen = subprocess.Popen([sys.executable, "-m", "bench.connector_proc"], cwd=ROOT, env=env,
                                      stdout=subprocess.PIPE, text=True)
        assert self.popen.stdout is not None
        self.url, self.control = self.popen.stdout.readline().split()
        return self.url

    async def _call(self, method: str, path: str, json: object = None) -> dict:
        async with aiohttp.ClientSession() as http, http.request(method, self.control + path, json=json) as r:
            return await r.json()

    async def counts(self) -> dict[str, int]:
        """Calls per operation, and "429"."""
        return await self._call("GET", "/counts")

    async def calls(self, since: int = 0) -> list[tuple[str, str, float]]:
        """(op, conversation id, wall time) per call from index `since`."""
        return [tuple(c) for c in (await self._call("GET", f"/calls?since={since}"))["calls"]]

    async def last(self) -> list[dict]:
        """The last 20 activities the bot sent or updated: {op, conversation_id, activity_id, body}."""
        return await self._call("GET", "/last")  # type: ignore[return-value]

    async def limits(self, on: bool) -> None:
        """Enforce Teams' rate limits (7/s per conversation, 50/s per app, 429 + Retry-After)."""
        await self._call("POST", "/limits", {"on": on})

    async def reset(self) -> None:
        await self._call("POST", "/reset", {})

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            self.popen.wait(10)

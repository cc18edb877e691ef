"""Run the real bot as a separate process (`python -m bot`): start, wait for /healthz, SIGKILL, SIGTERM, restart."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.harness import free_port

ROOT = Path(__file__).resolve().parents[1]


class BotProcess:
    """One `python -m bot` subprocess with its own port; logs (JSON lines) go to a file per start."""

    def __init__(self, tmp: Path, env: dict[str, str], name: str = "bot") -> None:
        self.tmp = tmp
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", str(tmp)),
            "HOST": "127.0.0.1", "PORT": str(self.port), "PUBLIC_BASE_URL": self.url,
            "LOG_FORMAT": "json", "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
            # This checkout's code, not whichever checkout the virtualenv was installed from (git worktrees).
            "PYTHONPATH": str(ROOT), **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.log_files: list[Path] = []

    async def start(self, timeout: float = 30.0) -> BotProcess:
        """Start the process and wait until /healthz answers 200."""
        self.starts += 1
        log = self.tmp / f"{self.name}-{self.starts}.log"
        self.log_files.append(log)
        with open(log, "wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=self.tmp, env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise AssertionError(f"bot exited with {self.proc.returncode}: {self.logs()[-2000:]}")
                try:
                    async with http.get(f"{self.url}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
                        if r.status == 200:
                            return self
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"bot did not become healthy: {self.logs()[-2000:]}")

    async def health(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as http, http.get(f"{self.url}/healthz") as r:
            return await r.json()

    def kill9(self) -> None:
        """SIGKILL: no cleanup at all."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def terminate(self) -> None:
        """SIGTERM: ask for a graceful shutdown."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    async def wait(self, timeout: float = 30.0) -> int:
        """Wait for the process to exit; its return code."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError("bot did not exit")
            await asyncio.sleep(0.05)
        return int(self.proc.returncode)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def logs(self) -> str:
        """Everything every start of this process wrote."""
        return "".join(p.read_text(errors="replace") for p in self.log_files if p.exists())

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON log lines (non-JSON lines are skipped)."""
        out = []
        for line in self.logs().splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out

    def stop(self) -> None:
        """Kill whatever is left (test teardown)."""
        self.kill9()

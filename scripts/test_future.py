"""Run the test suite with the system clock moved (libfaketime): two years ahead, and to 09:00 Oslo on a spring-forward day."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
# Chromium does not start under libfaketime; PostgreSQL keeps the real time (the issue allows leaving both out); a few
# tests need the machine's own clock (TLS to PyPI, a threading.Timer deadline the kernel checks): marker real_clock.
DESELECT = "not browser and not postgres and not real_clock"


def libfaketime() -> str:
    """The preload library of Debian's `faketime` package (multiarch path)."""
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1") + glob.glob("/usr/lib/faketime/libfaketime.so.1"))
    if not found:
        sys.exit("libfaketime is missing: sudo apt-get install faketime")
    return found[0]


def next_spring_forward(after: date) -> date:
    """The next day on which Oslo moves to summer time."""
    d = after + timedelta(days=1)
    while True:
        noon = datetime.combine(d, time(12), OSLO).utcoffset()
        if noon and noon > (datetime.combine(d - timedelta(days=1), time(12), OSLO).utcoffset() or noon):
            return d
        d += timedelta(days=1)


def scenarios(now: datetime) -> list[tuple[str, int]]:
    """(name, offset in seconds) for each moved clock; offsets, not fixed times, so child processes agree."""
    spring = next_spring_forward(now.date())
    nine = datetime.combine(spring, time(9), OSLO).astimezone(UTC)
    return [("two years ahead (+730 days)", 730 * 86400),
            (f"09:00 Oslo on {spring.isoformat()}, the day summer time starts", int((nine - now).total_seconds()))]


def main(argv: list[str]) -> int:
    lib, worst = libfaketime(), 0
    for name, offset in scenarios(datetime.now(UTC)):
        # Monotonic time moves with the fake clock: with FAKETIME_DONT_FAKE_MONOTONIC, time.sleep fails with EINVAL.
        env = {**os.environ, "LD_PRELOAD": lib, "FAKETIME": f"{offset:+d}s", "FAKETIME_NO_CACHE": "1"}
        print(f"\n=== make test-future: {name} (FAKETIME={env['FAKETIME']}) ===", flush=True)
        cmd = [sys.executable, "-m", "pytest", "-q", "-rs", "-m", DESELECT, "-p", "no:cacheprovider", *argv]
        worst = max(worst, subprocess.call(cmd, env=env))  # noqa: S603 (our own interpreter and arguments)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

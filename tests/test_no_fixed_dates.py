"""Guard: no test names a calendar day that the real calendar can pass; dates come from the test clock (tests/dates.py)."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# An ISO day in a string ("YYYY-MM-DD") or a date/datetime built from literals (date(YYYY, M, D)).
ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d])")
CALL = re.compile(r"\b(?:date|datetime)\(\s*(\d{4}),\s*(\d{1,2}),\s*(\d{1,2})")


def commit_day() -> date:
    """The day of the newest commit: a literal day after it was written as 'the future' and will turn into the past."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        return date.fromisoformat(out.stdout.strip())
    except (OSError, ValueError, subprocess.SubprocessError):
        return date.today()  # not a git checkout: today is the best stand-in


def future_literals(text: str, after: date) -> list[tuple[int, str]]:
    """(line, literal) for every literal calendar day on or after `after`."""
    found = []
    for no, line in enumerate(text.splitlines(), 1):
        for pattern in (ISO, CALL):
            for m in pattern.finditer(line):
                try:
                    day = date(*(int(g) for g in m.groups()))
                except ValueError:
                    continue  # deliberately invalid input such as "2026-02-30"
                if day >= after:
                    found.append((no, m.group(0)))
    return found


def test_the_detector_finds_both_forms():
    text = 'x = "2999-01-02"\ny = date(2999, 1, 2)\nz = "2001-01-01", "9999-99-99", "2999-02-30"\n'
    assert future_literals(text, date(2026, 12, 3)) == [(1, "2999-01-02"), (2, "date(2999, 1, 2")]


def test_no_test_hard_codes_a_future_day():
    since = commit_day()
    offenders = []
    for path in sorted([*ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/**/*.py")]):
        if "node_modules" in path.parts or path.name == Path(__file__).name:
            continue
        offenders += [f"{path.relative_to(ROOT)}:{no}: {lit}" for no, lit in future_literals(path.read_text("utf-8"), since)]
    assert not offenders, ("These tests name a day that today's date will pass; take it from the test clock instead "
                           "(tests/dates.py: iso(clock, 30), summer_time_starts(...)):\n" + "\n".join(offenders))

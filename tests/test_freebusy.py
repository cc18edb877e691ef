"""Free/busy merging and slot suggestions (pure domain)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.calendar.freebusy import free_windows, merge_intervals, spread, suggest_slots, working_windows
from bot.calendar.port import BusySlot

OSLO = ZoneInfo("Europe/Oslo")


def oslo(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=OSLO)


def test_merge_overlapping_and_touching():
    a = oslo(2009, 11, 24, 9)
    merged = merge_intervals([(a, a + timedelta(hours=1)), (a + timedelta(minutes=30), a + timedelta(hours=2)),
                              (a + timedelta(hours=2), a + timedelta(hours=3)), (a + timedelta(hours=5), a + timedelta(hours=6)),
                              (a, a)])
    assert merged == [(a, a + timedelta(hours=3)), (a + timedelta(hours=5), a + timedelta(hours=6))]


def test_working_windows_skip_weekend_and_follow_dst():
    # Friday 2010-03-26 to Monday 2010-03-29 (DST starts Sunday 28th): Friday and Monday only.
    windows = working_windows(oslo(2010, 3, 26, 0), oslo(2010, 3, 30, 0), OSLO, (8, 16))
    assert [w[0] for w in windows] == [datetime(2010, 3, 26, 7, tzinfo=UTC), datetime(2010, 3, 29, 6, tzinfo=UTC)]
    assert all(w[1] - w[0] == timedelta(hours=8) for w in windows)
    autumn = working_windows(oslo(2009, 10, 23, 0), oslo(2009, 10, 27, 0), OSLO, (8, 16))
    assert [w[0].hour for w in autumn] == [6, 7]  # Friday in CEST, Monday in CET


def test_free_windows_subtract_everyones_busy_time():
    day = (oslo(2009, 11, 24, 0), oslo(2009, 11, 25, 0))
    busy = [(oslo(2009, 11, 24, 9), oslo(2009, 11, 24, 10)), (oslo(2009, 11, 24, 9, 30), oslo(2009, 11, 24, 11)),
            (oslo(2009, 11, 24, 15), oslo(2009, 11, 24, 17))]
    free = free_windows(busy, *day, OSLO)
    assert [(s.astimezone(OSLO).hour, e.astimezone(OSLO).hour) for s, e in free] == [(8, 9), (11, 15)]


def test_suggestions_prefer_everyone_free_then_fewest_busy():
    kari, per = "kari@kommune.no", "per@kommune.no"
    busy = {kari: [BusySlot(oslo(2009, 11, 24, 8), oslo(2009, 11, 24, 12))],
            per: [BusySlot(oslo(2009, 11, 24, 12), oslo(2009, 11, 24, 16))]}
    got = suggest_slots(busy, oslo(2009, 11, 24, 0), oslo(2009, 11, 25, 0), timedelta(hours=1), OSLO, limit=3)
    assert all(len(s.busy_people) == 1 for s in got)  # nobody is free all day together
    assert got[0].start == oslo(2009, 11, 24, 8) and got[0].busy_people == (kari,)
    two_days = suggest_slots(busy, oslo(2009, 11, 24, 0), oslo(2009, 11, 26, 0), timedelta(minutes=90), OSLO, limit=2)
    assert two_days[0].everyone_free and two_days[0].start == oslo(2009, 11, 25, 8)
    assert two_days[1].start == oslo(2009, 11, 25, 8, 30)


def test_suggestions_align_to_step_and_fit_inside_hours():
    start = oslo(2009, 11, 24, 8, 10)
    got = suggest_slots({}, start, oslo(2009, 11, 24, 23), timedelta(hours=2), OSLO, limit=50)
    assert got[0].start == oslo(2009, 11, 24, 8, 30)
    assert got[-1].end == oslo(2009, 11, 24, 16)
    with pytest.raises(ValueError):
        suggest_slots({}, start, start, timedelta(0), OSLO)


def test_spread_picks_non_overlapping_best_first_in_time_order():
    busy = {"a@kommune.no": [BusySlot(oslo(2009, 11, 24, 8), oslo(2009, 11, 24, 11))]}
    ranked = suggest_slots(busy, oslo(2009, 11, 24, 0), oslo(2009, 11, 25, 0), timedelta(hours=1), OSLO, limit=1000)
    picked = spread(ranked, 3)
    assert [p.start for p in picked] == [oslo(2009, 11, 24, 11), oslo(2009, 11, 24, 12), oslo(2009, 11, 24, 13)]
    assert all(p.everyone_free for p in picked)
    assert spread(ranked, 0) == []

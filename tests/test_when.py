"""One date/time style for the whole bot (cards.when): Språkrådet's 'tirsdag 8. desember kl. 10.00–11.30'."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from bot.messages import t
from cards.when import at_day, clock, day, moment, span
from tests.dates import OSLO
from tests.harness import TeamsClient


def nb(key: str, **p: object) -> str:
    return t(key, "nb-NO", **p)


def en(key: str, **p: object) -> str:
    return t(key, "en-US", **p)


# A past Tuesday (a literal date in the past cannot be overtaken by today's date).
START, END = datetime(2009, 12, 8, 9, 0, tzinfo=UTC), datetime(2009, 12, 8, 10, 30, tzinfo=UTC)


def test_norwegian_follows_spraakraadet():
    assert span(nb, START, END, OSLO) == "tirsdag 8. desember kl. 10.00–11.30"
    assert span(nb, START, END, OSLO, short=True) == "tir. 8. des. kl. 10.00–11.30"
    assert moment(nb, START, OSLO) == "tirsdag 8. desember kl. 10.00"
    assert at_day(nb, START.date(), None, year=True) == "tirsdag 8. desember 2009"
    assert clock(nb, datetime(2009, 12, 8, 7, 5)) == "07.05"
    assert day(nb, START.date()) == "tirsdag 8. desember"


def test_english_variant():
    assert span(en, START, END, OSLO) == "Tuesday 8 December, 10:00–11:30"
    assert moment(en, START, OSLO) == "Tuesday 8 December at 10:00"


def test_summer_time_is_local():
    summer = datetime(2009, 6, 9, 8, 0, tzinfo=UTC)
    assert moment(nb, summer, OSLO) == "tirsdag 9. juni kl. 10.00"


NB_MOMENT = re.compile(r"(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag) \d{1,2}\. [a-zø]+ kl\. \d\d\.\d\d")


async def test_link_expiry_in_my_data_is_written_the_norwegian_way(teams: TeamsClient, members):
    me = members[0]
    res = await teams.send(teams.personal(me), me, "mine data")
    shown = json.dumps(res.card, ensure_ascii=False)
    assert NB_MOMENT.search(shown), shown
    assert not re.search(r"\d\d\.\d\d\.\d{4}", shown) and not re.search(r"\d\d:\d\d", shown)

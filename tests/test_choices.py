"""Multi-selects of faggrupper whose names contain commas, end to end."""

from __future__ import annotations

from bot.kernel.choices import choice_value, decode_multi, encode_multi
from tests.needs_support import create_project

COMMA = "Personal, arkiv, økonomi"


def test_round_trip_with_commas():
    names = [COMMA, "Helse og omsorg", "Plan, bygg, eiendom, teknisk, landbruk, næring og kultur"]
    assert decode_multi(encode_multi(names[:2]), names) == names[:2]
    assert decode_multi("helse og omsorg", names) == ["Helse og omsorg"]
    assert decode_multi(["", choice_value(COMMA), choice_value(COMMA)], names) == [COMMA]
    assert decode_multi("fg-unknown", names) == ["fg-unknown"]


async def test_project_with_comma_faggruppe(teams, bot, leader):
    await create_project(teams, leader, "Arkivløsning", [COMMA, "Oppvekst"])
    project = await bot.services.projects.by_name("Arkivløsning")
    assert project is not None and set(project.faggrupper) == {COMMA, "Oppvekst"}

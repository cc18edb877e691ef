"""No personal data in logs: run a session end to end and scan everything logged at INFO and above."""

from __future__ import annotations

import logging

import pytest

from tests.harness import TeamsClient

SECRET_TEXT = "Hemmelig-innspill-Blåbær-42"


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)
    return caplog


async def test_logs_carry_no_names_or_texts(teams: TeamsClient, captured, leader, members):
    conv = teams.group("Oppvekst", [leader, *members])
    await teams.install(conv, leader)
    await teams.send(conv, leader, "registrer Oppvekst")
    await teams.send(conv, leader, "leder legg til", mentions=[members[0]])
    for m in members:
        await teams.send(conv, m, f"hjelp {SECRET_TEXT}")
        await teams.send(teams.personal(m), m, f"{SECRET_TEXT} ukjent kommando")
    await teams.send(teams.personal(members[1]), members[1], "mine data")
    await teams.post({"type": "message", "text": SECRET_TEXT})  # malformed: no conversation
    lines = [r.getMessage() + " " + " ".join(str(v) for v in vars(r).values()) for r in captured.records
             if r.levelno >= logging.INFO]
    assert any("activity" in line for line in lines), "expected one log line per activity"
    blob = "\n".join(lines)
    for person in [leader, *members]:
        assert person.name not in blob
        assert person.upn not in blob
        assert person.aad not in blob
    assert SECRET_TEXT not in blob
    for conv_id in (conv.id,):
        assert conv_id not in blob

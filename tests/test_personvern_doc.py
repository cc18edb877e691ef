"""The record of processing (docs/personvern.md) matches the inventory the erasure and retention tests use."""

from __future__ import annotations

from bot.config import load_settings
from bot.privacy.record import DOC, current, section
from bot.storage.inventory import inventory

ARTICLE_30 = ("Behandlingsansvarlig", "Formål", "Behandlingsgrunnlag", "Kategorier av registrerte", "Mottakere",
              "Overføring til tredjeland", "Lagringstid", "sikkerhetstiltak")


def test_generated_part_is_up_to_date():
    doc = DOC.read_text(encoding="utf-8")
    assert current(doc) == section(), "docs/personvern.md is out of date: run python -m bot.privacy.record"


def test_every_personal_table_and_setting_is_in_the_record():
    doc = DOC.read_text(encoding="utf-8")
    for name, data in inventory().items():
        if data.personal:
            assert f"| `{name}` |" in doc, name
        if data.retention.setting:
            assert f"`{data.retention.setting.upper()}`" in doc
    # Settings the text names by hand exist (and with the default it states).
    assert f"`DOWNLOAD_TTL_MINUTES` minutter ({load_settings({}).download_ttl_minutes})" in doc
    for env in ("RETENTION_PEOPLE_DAYS", "PRIVACY_PSEUDONYM_KEY"):
        assert f"`{env}`" in doc and hasattr(load_settings({}), env.lower().replace("privacy_", ""))


def test_it_has_the_headings_of_article_30():
    doc = DOC.read_text(encoding="utf-8")
    for heading in ARTICLE_30:
        assert heading in doc, heading

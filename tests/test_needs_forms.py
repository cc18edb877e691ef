"""Needs/benefits forms end to end: validation errors beside the fields, valid saves, Unicode, escaping, projects."""

from __future__ import annotations

from tests.harness import TeamsClient
from tests.needs_support import BENEFIT_OK, NEED_OK, create_project, error_after, faggruppe_chat, filled, inputs, submit, texts


async def test_project_new_is_leader_only_and_validated(teams: TeamsClient, bot, leader, members):
    member = members[0]
    refused = await teams.send(teams.personal(member), member, "prosjekt ny")
    assert "prosjektleder" in refused.texts[0]
    conv = teams.personal(leader)
    form = await teams.send(conv, leader, "prosjekt ny")
    bad = await teams.press(conv, leader, form.card, verb="project.create", inputs={"name": "", "faggrupper": "Finnes ikke"})
    assert error_after(bad.card, "name") == "Må fylles ut."
    assert error_after(bad.card, "faggrupper") == "Velg et av alternativene."
    # a replayed card from a member is refused
    replay = await teams.press(teams.personal(member), member, form.card, verb="project.create", inputs={"name": "Kapring"})
    assert "prosjektleder" in replay.invoke_message
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst", "Helse og omsorg"])
    dup = await teams.press(conv, leader, form.card, verb="project.create", inputs={"name": "søknadsportal"})
    assert error_after(dup.card, "name") == "Det finnes allerede et prosjekt med dette navnet."
    listing = await teams.send(teams.personal(member), member, "prosjekter")
    assert "**Søknadsportal**" in texts(listing.card)
    assert any("Oppvekst, Helse og omsorg" in x for x in texts(listing.card))
    assert (await bot.services.audit.recent())[0].action == "project.create"


async def test_input_without_projects_says_so(teams: TeamsClient, members):
    res = await teams.send(teams.personal(members[0]), members[0], "innspill")
    assert "prosjekt ny" in res.texts[0]


async def test_need_form_errors_then_valid_save(teams: TeamsClient, bot, leader, members):
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst"])
    conv = await faggruppe_chat(teams, leader, members, "Oppvekst")
    user = members[0]
    choose = await teams.send(conv, user, "innspill")
    form = await teams.press(conv, user, choose.card, verb="needs.form", kind="need")
    fields = inputs(form.card)
    assert fields["faggruppe"]["value"] == "Oppvekst"
    assert fields["project_id"]["value"]
    assert fields["title"]["isRequired"] and not fields["title"]["label"].endswith("*")  # Teams adds the marker
    assert fields["municipalities"]["isMultiSelect"] is True
    assert [c["value"] for c in fields["municipalities"]["choices"]][:2] == ["Alstahaug", "Bindal"]
    bad_values = {"title": "", "problem": "x" * 4001, "desired_situation": "Bedre", "priority": "ukjent",
                  "municipalities": "Rana,Oslo", "project_id": fields["project_id"]["value"], "faggruppe": "Oppvekst"}
    bad = await teams.press(conv, user, form.card, verb="needs.save", inputs=bad_values)
    card = bad.card
    assert error_after(card, "title") == "Må fylles ut."
    assert error_after(card, "problem") == "For lang tekst (høyst 4000 tegn)."
    assert error_after(card, "priority") == "Velg et av alternativene."
    assert error_after(card, "municipalities") == "Velg et av alternativene."
    assert error_after(card, "desired_situation") is None
    kept = inputs(card)
    assert kept["desired_situation"]["value"] == "Bedre" and kept["municipalities"]["value"] == "Rana,Oslo"
    assert await bot.services.needs.by_submitter(user.aad) == []  # nothing half-valid saved
    ok = await teams.press(conv, user, card, verb="needs.save",
                           inputs={**bad_values, **NEED_OK})
    assert "Lagret: Behov #" in str(ok.card)
    saved = await bot.services.needs.by_submitter(user.aad)
    assert len(saved) == 1
    e = saved[0]
    assert (e.kind, e.faggruppe, e.title, e.municipalities) == ("need", "Oppvekst", NEED_OK["title"], ("Rana", "Vefsn"))
    assert e.submitter_name == user.name


async def test_benefit_form_errors_and_valid_save(teams: TeamsClient, bot, leader, members):
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst"])
    user = members[1]
    conv = teams.personal(user)
    bad = await submit(teams, conv, user, "benefit", {
        "title": "Gevinst", "benefit_type": "", "priced": "true", "estimate_nok": "", "baseline_value": "12",
        "baseline_date": "", "realisation_date": "2026-13-40", "estimate_hours": "", "target_value": "mye"})
    card = bad.card
    assert error_after(card, "benefit_type") == "Må fylles ut."
    assert error_after(card, "estimate_nok") == "En prissatt gevinst trenger anslag i kroner eller timer per år."
    assert error_after(card, "baseline_date") == "Oppgi dato for nullpunktet."
    assert error_after(card, "realisation_date") == "Må være en gyldig dato (ÅÅÅÅ-MM-DD)."
    assert error_after(card, "target_value") == "Må være et tall."
    assert error_after(card, "faggruppe") == "Må fylles ut."  # personal chat: no preset faggruppe
    assert inputs(card)["title"]["value"] == "Gevinst"
    negative = await teams.press(conv, user, card, verb="needs.save", inputs=filled(card, {**BENEFIT_OK, "estimate_hours": "-5"}))
    assert error_after(negative.card, "estimate_hours") == "Må være minst 0."
    ok = await teams.press(conv, user, card, verb="needs.save", inputs=filled(card, {**BENEFIT_OK, "faggruppe": "Oppvekst",
                                                                                  "target_value": ""}))
    assert "Lagret: Gevinst #" in str(ok.card)
    assert "Anslag kr per år: 250\u00a0000" in texts(ok.card)
    [e] = await bot.services.needs.by_submitter(user.aad)
    assert e.content.estimate_nok == 250000.0 and e.content.estimate_hours == 1200.0
    assert str(e.content.baseline_date) == "2026-01-01" and e.content.priced is True


async def test_benefit_form_core_first_details_behind_toggle_and_numbers_typed_as_text(teams: TeamsClient, leader, members):
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst"])
    user = members[1]
    conv = teams.personal(user)
    choose = await teams.send(conv, user, "innspill")
    form = await teams.press(conv, user, choose.card, verb="needs.form", kind="benefit")
    body = form.card["body"]
    more = next(el for el in body if el.get("id") == "benefit-more")
    assert more["isVisible"] is False  # optional details collapsed
    toggles = [a for el in body if el.get("type") == "ActionSet" for a in el["actions"]]
    assert toggles == [{"type": "Action.ToggleVisibility", "title": "Flere detaljer", "targetElements": ["benefit-more"]}]
    top_ids = [el.get("id") for el in body if el.get("id")]
    assert top_ids[:7] == ["title", "benefit_type", "priced", "estimate_nok", "estimate_hours", "project_id", "faggruppe"]
    fields = inputs(form.card)
    for key in ("estimate_nok", "estimate_hours", "baseline_value", "target_value"):
        assert fields[key]["type"] == "Input.Text" and fields[key]["placeholder"] == "bare tall"
        assert fields[key]["label"].endswith("(bare tall)")
    bad = await teams.press(conv, user, form.card, verb="needs.save", inputs=filled(form.card, {
        **BENEFIT_OK, "faggruppe": "Oppvekst", "estimate_nok": "cirka en million", "target_value": "mye"}))
    assert error_after(bad.card, "estimate_nok") == "Må være et tall."
    assert error_after(bad.card, "target_value") == "Må være et tall."
    kept = inputs(bad.card)
    assert kept["estimate_nok"]["value"] == "cirka en million" and kept["target_value"]["value"] == "mye"
    assert next(el for el in bad.card["body"] if el.get("id") == "benefit-more")["isVisible"] is True  # error shown


async def test_unicode_long_text_and_escaping_round_trip(teams: TeamsClient, bot, leader, members):
    await create_project(teams, leader, "Søknadsportal", ["Oppvekst"])
    user = members[2]
    conv = teams.personal(user)
    evil = "[x](https://evil) <at>Alle</at> **fet** æøå ÆØÅ 🚀👩🏽‍💻"
    long_problem = ("Lang tekst med æøå og emoji 🧭. " * 200)[:4000]
    res = await submit(teams, conv, user, "need", {**NEED_OK, "title": evil, "problem": long_problem,
                                                   "faggruppe": "Oppvekst"})
    shown = "\n".join(texts(res.card))
    assert "<at>" not in shown and "[x](https" not in shown
    assert "‹at" in shown and "Alle‹/at" in shown and "\\[x\\]\\(https://evil\\)" in shown
    [e] = await bot.services.needs.by_submitter(user.aad)
    assert e.title == evil and e.content.problem == long_problem.strip()
    mine = await teams.send(conv, user, "mine innspill")
    assert "<at>" not in "\n".join(texts(mine.card))


async def test_english_locale_and_help(teams: TeamsClient, leader, members):
    await create_project(teams, leader, "Portal", ["Oppvekst"])
    user = members[3]
    conv = teams.personal(user)
    mine = await teams.send(conv, user, "my input", locale="en-GB")
    assert "My input" in str(mine.card) and "Type **input**" in str(mine.card)
    choose = await teams.send(conv, user, "input", locale="en-GB")
    form = await teams.press(conv, user, choose.card, verb="needs.form", kind="benefit", locale="en-GB")
    assert inputs(form.card)["estimate_nok"]["label"] == "Estimate NOK per year (numbers only)"
    help_card = await teams.send(conv, user, "hjelp")
    shown = "\n".join(texts(help_card.card))
    for word in ("innspill", "mine innspill", "oversikt", "eksport", "prosjekter"):
        assert f"**{word}**" in shown
    for word in ("innspillsrunde", "prosjekt ny"):  # leader commands: not shown to a member
        assert f"**{word}**" not in shown

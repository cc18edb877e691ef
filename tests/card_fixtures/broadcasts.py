"""Broadcast cards: form (empty, with errors), preview, the member card (with and without "Lest"), report, list."""

from __future__ import annotations

from typing import Any

from bot.broadcasts.model import FormInput, build_report
from bot.kernel.defaults import FAGGRUPPER
from bot.messages import t
from cards.broadcasts import MemberView, broadcast_card, form_card, list_card, preview_card, report_card, settled_card


def _t(key: str, **p: object) -> str:
    return t(key, "nb-NO", **p)


LONG_TITLE = "Frist for innspill til behov og gevinster før BP2 – Felles journalsystem for Helgeland (æøå ÆØÅ)"[:120]
MESSAGE = (
    "Hei alle sammen!\n\nVi nærmer oss **beslutningspunkt 2**. Husk å levere:\n\n"
    "- behov med årsak og konsekvens\n- gevinster med nullpunkt og måltall\n\n"
    "Se [veilederen](https://www.digdir.no/prosjektveiviseren) for mer. " + "Utfyllende tekst om økonomi. " * 120
)[:4000]


def _member(ack: bool = True) -> MemberView:
    return MemberView(42, LONG_TITLE, MESSAGE, "Åse Ærlig-Øvrebø (prosjektleder, Digitale Helgeland)",
                      "https://kommune.no/dokumenter/" + "a" * 200 + ".pdf", ack)


def _report(ack: bool = True):
    entries = []
    for i, name in enumerate(FAGGRUPPER):
        for n in range(30):
            state = "sent" if n % 7 else ("failed" if i % 2 else "pending")
            error = "403:BotNotInConversationRoster" if state == "failed" else ("429" if state == "pending" else "")
            entries.append((name, f"{name} – chat {n} i Brønnøy og Sømna", state, error))
    reads = {name: 17 for name in FAGGRUPPER} if ack else {}
    return build_report(entries, reads, FAGGRUPPER)


def fixtures() -> dict[str, dict[str, Any]]:
    projects = [(i, f"Prosjekt {i}: Felles løsning for økonomi og lønn i regionen") for i in range(1, 30)]
    form = FormInput(title=LONG_TITLE, message=MESSAGE, mode="some", faggrupper=FAGGRUPPER[:3], send_date="2026-11-02",
                     send_time="08:30", ack=True, link="http://ikke-https.example")
    errors = {"link": _t("broadcasts.error.link"), "send_at": _t("broadcasts.error.send_at_past"),
              "title": _t("error.too_long", max=120), "targets": _t("broadcasts.error.no_chats")}
    summary = _t("broadcasts.list.summary", state="Ferdig tirsdag 1. desember kl. 08.31", sent=200, total=210)
    return {
        "form": form_card(_t, list(FAGGRUPPER), projects),
        "form_errors": form_card(_t, list(FAGGRUPPER), projects, form, errors, 42),
        "preview": preview_card(_t, _member(), targets=", ".join(FAGGRUPPER), when="tirsdag 1. desember kl. 08.30",
                                chats=_t("broadcasts.preview.chats", chats=_t("broadcasts.count.chats", n=210),
                                         groups=_t("broadcasts.count.groups", n=7)), scheduled=True),
        "broadcast_ack": broadcast_card(_t, _member()),
        "broadcast_plain": broadcast_card(_t, _member(ack=False)),
        "broadcast_acked": broadcast_card(_t, _member(), _t("broadcasts.card.acked")),
        "settled_scheduled": settled_card(_t, _member(), _t("broadcasts.sent.scheduled", time="tirsdag 1. desember kl. 08.30"),
                                          cancel=True),
        "report_sending": report_card(_t, 42, LONG_TITLE, _t("broadcasts.report.state.sending"), _report(), ack=True),
        "report_done": report_card(_t, 42, LONG_TITLE, _t("broadcasts.report.state.done", time="tirsdag 1. desember kl. 08.31"),
                                   _report(ack=False), ack=False),
        "list": list_card(_t, [(i, LONG_TITLE, summary, i % 3 == 0) for i in range(10)]),
        "list_empty": list_card(_t, []),
    }

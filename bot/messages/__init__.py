"""The message catalogue: Norwegian bokmål first, English for `en-*` locales.

Each feature keeps its texts in a module (its `texts.py`, or one here) with two dicts, `NB` and `EN`, listed in
bot.modules.TEXTS;
`catalogue()` merges them into one catalogue and checks that both languages have the same keys.
"""

from __future__ import annotations

from functools import cache

from bot import modules
from cards.common import escape

# Parameters that carry user-chosen text (names, titles, free text, chat names): `t` escapes them, every time, so no
# caller can forget. Every other parameter is text the bot formats itself (dates, counts, links, mention markup);
# tests/test_escaping_replies.py fails when a catalogue parameter is in neither list.
USER_TEXT = frozenset({"name", "names", "project", "title", "comment", "faggruppe", "chat", "where", "person"})
BOT_TEXT = frozenset({
    "answer", "answered", "benefits", "bp", "can", "chats", "command", "document", "no", "pct", "why", "date", "day", "days", "deadline", "end", "failed", "groups", "id",
    "hh", "kind", "left", "max", "mentions", "min", "mm", "month", "n", "needs", "offsets", "phase", "read", "reason", "rows",
    "sent", "start", "state", "time", "total", "url", "value", "waiting", "was", "weekday", "when", "year",
})
# Texts that never reach Teams' markdown: the terminal (configuration problems, start-up lines, `python -m bot doctor`)
# the decision documents (Word) and the leaders' tab (HTML, escaped by Jinja and the page's textContent). Their
# parameters are written as they are: markdown escapes would show there.
PLAIN = ("cfg.", "start.", "doctor.", "documents.doc.", "tab.")


def is_plain(key: str) -> bool:
    """True for a text printed on the terminal or in a document rather than sent to Teams."""
    return key.startswith(PLAIN)


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All texts by language ('nb', 'en')."""
    merged: dict[str, dict[str, str]] = {"nb": {}, "en": {}}
    for module in modules.load(modules.TEXTS):
        for lang, attr in (("nb", "NB"), ("en", "EN")):
            texts: dict[str, str] = getattr(module, attr, {})
            clash = set(texts) & set(merged[lang])
            if clash:
                raise RuntimeError(f"duplicate message keys in {module.__name__}: {sorted(clash)}")
            merged[lang].update(texts)
    return merged


def language(locale: str | None) -> str:
    """'en' for English locales, otherwise Norwegian bokmål."""
    return "en" if (locale or "").lower().startswith("en") else "nb"


def plural_form(n: object) -> str:
    """'one' or 'other': bokmål and English share the CLDR rule (one for exactly 1, other for everything else)."""
    digits = str(n).replace("\xa0", "").replace("\u202f", "").replace(" ", "")
    return "one" if digits in ("1", "-1") else "other"


def _template(texts: dict[str, dict[str, str]], lang: str, key: str, params: dict[str, object]) -> str:
    # A counted text is two keys, `key.one` and `key.other`; the parameter `n` chooses, so every caller of `t`
    # gets the right form without knowing the language's rule.
    """The template of `key` in `lang` (falling back to bokmål, then to the key itself)."""
    if key not in texts[lang] and key not in texts["nb"] and "n" in params:
        key = f"{key}.{plural_form(params['n'])}"
    return texts[lang].get(key) or texts["nb"].get(key) or key


def t(key: str, locale: str | None = None, **params: object) -> str:
    """The text for a key in the user's language, formatted with params (`n` picks a counted text's form)."""
    texts = catalogue()
    lang = language(locale)
    template = _template(texts, lang, key, params)
    try:
        if not params:
            return template
        if is_plain(key):
            return template.format(**params)
        return template.format(**{k: escape(v) if k in USER_TEXT else v for k, v in params.items()})
    except (KeyError, IndexError, ValueError):
        return template

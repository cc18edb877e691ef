"""Decision document cards: the draft's download link with what the register lacks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cards.common import Card, Element, card, escape, open_url, text, title

T = Callable[..., str]


def draft_card(t: T, *, project_name: str, bp: int, url: str, expires: str, missing: Sequence[str]) -> Card:
    """'Utkast: Gevinstrealiseringsplan', the project, what is missing (or that nothing is), and the download button."""
    body: list[Element] = [
        title(t("documents.card.title", document=t(f"documents.title.{bp}"))),
        text(t("documents.card.project", project=escape(project_name), bp=bp)),
    ]
    if missing:
        body.append(text(t("documents.card.missing"), weight="Bolder", spacing="Medium"))
        body.append(text("\n".join(f"- {escape(line)}" for line in missing)))
    else:
        body.append(text(t("documents.card.complete"), spacing="Medium"))
    body.append(text(t("common.link_expires", time=expires), subtle=True, size="Small"))
    return card(body, [open_url(t("documents.card.download"), url)])

"""Project cards: the create form and the list."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.kernel.choices import choice_value
from bot.kernel.projects import ProjectInfo
from cards.common import Card, Element, card, choice_input, clip, container, error_text, escape, execute, text, text_input, title

T = Callable[..., str]
MAX_LISTED = 30


def project_form(t: T, faggrupper: list[str], *, values: Mapping[str, str] | None = None,
                 errors: Mapping[str, str] | None = None) -> Card:
    """Leader's form for a new project."""
    v, e = values or {}, errors or {}
    body: list[Element] = [title(t("project.form.title"))]
    if e:
        body += error_text(t("error.invalid_input"))
    body += text_input("name", t("project.form.name"), v.get("name", ""), required=True, error=e.get("name"), max_length=200)
    body += text_input("description", t("project.form.description"), v.get("description", ""), multiline=True,
                       error=e.get("description"), max_length=2000)
    body += choice_input("faggrupper", t("project.form.faggrupper"), [(f, choice_value(f)) for f in faggrupper],
                         v.get("faggrupper", ""),
                         multi=True, error=e.get("faggrupper"), style="expanded")
    return card(body, [execute(t("project.form.create"), "project.create", style="positive")])


def project_created_card(t: T, project: ProjectInfo) -> Card:
    """Confirmation after creating a project."""
    return card([text(t("project.created", name=escape(project.name)), weight="Bolder"),
                 *( [text(escape(clip(project.description, 500)), subtle=True)] if project.description else []),
                 text(t("project.list.faggrupper", names=escape(", ".join(project.faggrupper))) if project.faggrupper
                      else t("project.list.no_faggrupper"), size="Small")])


def project_list_card(t: T, projects: list[ProjectInfo]) -> Card:
    """All projects, newest first."""
    body: list[Element] = [title(t("project.list.title"))]
    if not projects:
        body.append(text(t("project.list.none")))
    for p in projects[:MAX_LISTED]:
        groups = (t("project.list.faggrupper", names=escape(clip(", ".join(p.faggrupper), 400))) if p.faggrupper
                  else t("project.list.no_faggrupper"))
        items: list[Element] = [text(f"**{escape(p.name)}**", spacing="Medium")]
        if p.description:
            items.append(text(escape(clip(p.description, 300)), spacing="None"))
        items.append(text(f"{groups} · {t('project.list.phase', phase=escape(p.phase))}", subtle=True, size="Small",
                          spacing="None"))
        body.append(container(items, separator=True))
    return card(body)

"""Project commands: `prosjekt ny` (leaders, form card) and `prosjekter`."""

from __future__ import annotations

from bot.chat.routes import Router
from bot.chat.turn import Ctx, Reply
from bot.kernel.choices import decode_multi, encode_multi
from bot.kernel.errors import InvalidInput
from bot.kernel.people import require_leader
from cards.projects import project_created_card, project_form, project_list_card

NAME_MAX, DESCRIPTION_MAX = 200, 2000


async def new_project(ctx: Ctx) -> Reply:
    """`prosjekt ny [navn]`: the project form (leaders)."""
    require_leader(ctx.actor)
    groups = await ctx.services.conversations.faggrupper(ctx.settings.faggrupper)
    return Reply(card=project_form(ctx.t, groups, values={"name": ctx.args[:NAME_MAX]}))


async def list_projects(ctx: Ctx) -> Reply:
    """`prosjekter`: all projects."""
    return Reply(card=project_list_card(ctx.t, await ctx.services.projects.all()))


async def create(ctx: Ctx) -> list[Reply]:
    """Create the project from the form (or show the form again with its errors)."""
    require_leader(ctx.actor)
    s = ctx.services
    groups = await s.conversations.faggrupper(ctx.settings.faggrupper)
    name = " ".join(str(ctx.data.get("name") or "").split())
    description = str(ctx.data.get("description") or "").strip()
    chosen = decode_multi(ctx.data.get("faggrupper"), groups)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = ctx.t("error.required")
    elif len(name) > NAME_MAX:
        errors["name"] = ctx.t("error.too_long", max=NAME_MAX)
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = ctx.t("error.too_long", max=DESCRIPTION_MAX)
    if any(c not in groups for c in chosen):
        errors["faggrupper"] = ctx.t("needs.error.choice")
    # The form comes back with what was typed, cut a little past each limit: never echoes a huge input in full.
    values = {"name": name[:NAME_MAX + 50], "description": description[:DESCRIPTION_MAX + 200],
              "faggrupper": encode_multi(c for c in chosen if c in groups)}
    if not errors:
        try:
            project = await s.projects.create(name, description, ctx.actor.id, [g for g in groups if g in chosen])
        except InvalidInput as e:  # the name is taken (checked by the store, so two leaders cannot race past it)
            errors = ctx.field_errors(e)
        else:
            await s.audit.record(ctx.actor.id, "project.create", str(project.id), name=name)
            return [Reply(card=project_created_card(ctx.t, project), replace=True)]
    return [Reply(card=project_form(ctx.t, groups, values=values, errors=errors), replace=True)]


def register(router: Router) -> None:
    """Register the project commands and verbs."""
    router.command("prosjekt ny", "project new", help_key="project.help.new", leader=True, order=18)(new_project)
    router.command("prosjekter", "projects", help_key="project.help.list", order=19)(list_projects)
    router.verb("project.create")(create)

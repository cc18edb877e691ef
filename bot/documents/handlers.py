"""Decision documents in chat: `dokument <prosjekt> BP3` (alias `document`) and the reminder card's "Last ned utkast".

Leaders and the secretariat only (the same role check as `eksport`); the file goes to the requester as a link.
"""

from __future__ import annotations

from bot.chat.routes import Router
from bot.chat.turn import Ctx, Reply
from bot.documents.docx import DOCX_TYPE
from bot.documents.model import has_draft
from bot.documents.service import Draft, build_draft, parse_bp, split_args
from bot.kernel.cardinput import require_id
from bot.kernel.errors import NotAllowed, NotFound
from bot.kernel.projects import ProjectInfo
from bot.needs.service import format_deadline
from cards.common import clip, escape
from cards.documents import draft_card

VERB = "documents.draft"
MAX_ECHO = 100  # characters of what the user typed shown back in a message


def require_documents(ctx: Ctx) -> None:
    """Leaders and the secretariat: the role check `eksport` uses (Person.can_export), with this feature's words."""
    if not ctx.actor.can_export:
        raise NotAllowed("documents.not_allowed")


async def _project(ctx: Ctx, text: str) -> ProjectInfo:
    """The project named, else this chat's faggruppe's newest project, else the newest project."""
    projects = await ctx.services.projects.all()
    if not projects:
        raise NotFound("documents.no_projects")
    if text:
        found = await ctx.services.projects.find(text)
        if found is None:
            raise NotFound("documents.project_unknown", name=escape(clip(text, MAX_ECHO)))
        return found
    faggruppe = ctx.conversation.faggruppe
    return next((p for p in projects if faggruppe and faggruppe in p.faggrupper), projects[0])


async def deliver(ctx: Ctx, draft: Draft) -> Reply:
    """Hand the draft to the requester only: a single-use link owned by them, sent in their personal chat (private)."""
    s = ctx.services
    url, expires = await s.download_link(draft.content, draft.filename, DOCX_TYPE, ctx.actor.id)
    shown = format_deadline(s, expires, ctx.private_locale)
    return Reply(card=draft_card(ctx.private_t, project_name=draft.project.name, bp=draft.bp, url=url, expires=shown,
                                 missing=draft.missing), private=True)


async def _draft_reply(ctx: Ctx, project: ProjectInfo, bp: int) -> Reply:
    """Build, audit and send the draft document of phase `bp`, or say there is no draft for it."""
    if not has_draft(bp):
        return Reply(text=ctx.t("documents.no_draft", bp=bp))
    draft = await build_draft(ctx.services, project, bp, ctx.locale)
    await ctx.services.audit.record(ctx.actor.id, "documents.draft", str(project.id), bp=bp, entries=draft.entries)
    return await deliver(ctx, draft)


async def document_command(ctx: Ctx) -> Reply:
    """`dokument [prosjekt] BP3`: the draft for that decision point, or which BPs have drafts."""
    require_documents(ctx)
    project_text, bp_text = split_args(ctx.args)
    if not bp_text:
        return Reply(text=ctx.t("documents.usage"))
    bp = parse_bp(bp_text)
    if bp is None:
        return Reply(text=ctx.t("documents.bad_bp", bp=escape(clip(bp_text, MAX_ECHO))))
    return await _draft_reply(ctx, await _project(ctx, project_text), bp)


async def draft_action(ctx: Ctx) -> Reply:
    """The "Last ned utkast" button: `{project_id, bp}` from the gate reminder card."""
    # Everyone in the chat sees the reminder's button: the role is what limits it, checked when it is pressed.
    require_documents(ctx)
    bp = parse_bp(ctx.data.get("bp", ""))
    if bp is None:
        return Reply(text=ctx.t("documents.bad_bp", bp=escape(clip(str(ctx.data.get("bp", "")), MAX_ECHO))))
    project = await ctx.services.projects.get(require_id(ctx.data, "project_id"))
    if project is None:
        raise NotFound()
    return await _draft_reply(ctx, project, bp)


def register(router: Router) -> None:
    """Register the command and the card verb."""
    router.command("dokument", "document", help_key="documents.help", order=25)(document_command)
    router.verb(VERB)(draft_action)

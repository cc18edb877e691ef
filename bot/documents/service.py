"""Use case: a project and a decision point -> a DOCX draft and the list of what the register lacks."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass

from bot.documents.model import BP_MAX, BP_MIN, gather, has_draft, missing_lines
from bot.documents.plan import render
from bot.kernel.errors import NotFound
from bot.kernel.projects import ProjectInfo
from bot.messages import t
from bot.needs.service import involved_faggrupper
from bot.services import Services

# The document goes to the steering group and is written in the organisation's language (BOT_LANGUAGE) whatever the
# requester's Teams language; the chat reply around it follows the requester's language.
_BP = re.compile(r"^bp\s*-?\s*(\d{1,2})$|^(\d)$", re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    """A generated draft: its file and what the register lacks (as sentences in the requester's language)."""

    project: ProjectInfo
    bp: int
    title: str
    filename: str
    content: bytes
    missing: tuple[str, ...]
    entries: int


def parse_bp(text: object) -> int | None:
    """'BP3', 'bp 3', 'bp-3', '3' or 3 -> 3; anything else, BP0 and BP9 included -> None."""
    found = _BP.match(str(text).strip())
    number = int(found.group(1) or found.group(2)) if found else 0
    return number if BP_MIN <= number <= BP_MAX else None


def split_args(args: str) -> tuple[str, str]:
    """'Felles arkiv BP3' -> ('Felles arkiv', 'BP3'); 'Felles arkiv BP 3' too; no BP at the end -> (args, '')."""
    words = args.split()
    if len(words) >= 2 and words[-2].lower() == "bp" and words[-1].isdigit():
        return " ".join(words[:-2]), f"BP{words[-1]}"
    if words and re.match(r"^bp", words[-1], re.IGNORECASE):
        return " ".join(words[:-1]), words[-1]
    return args.strip(), ""


def filename(title: str, project: str, when: str) -> str:
    """An ASCII file name ('gevinstrealiseringsplan-utkast-Felles-arkiv-2026-03-01.docx'): headers stay readable."""
    def slug(s: str) -> str:
        """An ASCII file-name part (Norwegian letters spelled out, at most 60 characters)."""
        s = s.replace("æ", "ae").replace("Æ", "Ae").replace("ø", "o").replace("Ø", "O").replace("å", "a").replace("Å", "A")
        s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
        return re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-")[:60].strip("-")

    return f"{slug(title).lower() or 'dokument'}-utkast-{slug(project) or 'prosjekt'}-{when}.docx"


async def build_draft(services: Services, project: ProjectInfo, bp: int, locale: str) -> Draft:
    """Gather the project's register for the BP and render the draft (in a worker thread: it is CPU work)."""
    if not has_draft(bp):
        raise NotFound("documents.no_draft", bp=bp)
    entries = await services.needs.by_project(project.id)
    involved = await involved_faggrupper(services, project)
    settings = services.settings
    now = services.clock.now().astimezone(settings.tz)

    def document_text(key: str, **params: object) -> str:
        """A document text in the organisation's language (BOT_LANGUAGE): the draft goes to the steering group."""
        return t(key, settings.locale, **params)

    model = gather(entries, bp=bp, project=project.name, cooperation=settings.cooperation_name,
                   municipalities=settings.municipalities, involved=involved, generated=now)
    content = await asyncio.to_thread(render, model, document_text)
    title = document_text(f"documents.title.{bp}")
    missing = tuple(missing_lines(model, lambda k, **p: t(k, locale, **p)))
    return Draft(project, bp, title, filename(title, project.name, now.date().isoformat()), content, missing, len(entries))

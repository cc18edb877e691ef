"""Needs/benefits use cases shared by handlers and jobs: repositories, input status, input campaigns."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from bot.delivery.keys import delivery_key
from bot.delivery.outbox import NewDelivery
from bot.kernel.projects import ProjectInfo
from bot.kernel.status import InputStatus
from bot.messages import t
from bot.needs.model import ACTIVE, counts_by_submitter, input_status, missing_faggrupper
from bot.needs.store import Campaign, NeedsRepo
from bot.services import Services
from cards.common import attachment, escape
from cards.needs_summary import campaign_post_card, campaign_report_card
from cards.when import moment

log = logging.getLogger(__name__)
MIN_REMINDER_LEAD = timedelta(seconds=1)


def needs_repo(services: Services) -> NeedsRepo:
    """The entries repository (`services.needs`; kept for the handlers that call it)."""
    return services.needs


async def involved_faggrupper(services: Services, project: ProjectInfo) -> list[str]:
    """The project's faggrupper, or every known faggruppe when the project names none."""
    if project.faggrupper:
        return list(project.faggrupper)
    return await services.conversations.faggrupper(services.settings.faggrupper)


async def project_input_status(services: Services, project_id: int) -> InputStatus:
    """How many entries a project has and which involved faggrupper have sent nothing."""
    project = await services.projects.get(project_id)
    if project is None:
        return InputStatus()
    entries = await services.needs.by_project(project_id)
    return input_status(entries, await involved_faggrupper(services, project))


def format_deadline(services: Services, when: datetime, locale: str | None = None) -> str:
    """A deadline in the bot's time zone, e.g. 'tirsdag 24. november kl. 12.00'."""
    # Proactive messages go to whole chats: the organisation's language unless a locale is given.
    loc = locale or services.settings.locale
    return moment(lambda k, **p: t(k, loc, **p), when, services.settings.tz)


def _message(card: dict[str, Any]) -> dict[str, Any]:
    """A message activity carrying one Adaptive Card."""
    return {"type": "message", "attachments": [attachment(card)]}


def reminder_time(services: Services, campaign: Campaign) -> datetime | None:
    """When to remind: REMINDER_HOURS before the deadline, or halfway there when that is already past."""
    now = services.clock.now()
    if campaign.deadline <= now + MIN_REMINDER_LEAD:
        return None
    wanted = campaign.deadline - timedelta(hours=services.settings.campaign_reminder_hours)
    return wanted if wanted > now else now + (campaign.deadline - now) / 2


async def start_campaign(services: Services, project: ProjectInfo, faggrupper: list[str], deadline: datetime,
                         leader_id: str, origin_conversation_id: str) -> tuple[Campaign, int, list[str]]:
    """Save a campaign, post its card in every chat of the chosen faggrupper, and schedule reminder and report."""
    campaign = await services.campaigns.create(project.id, faggrupper, deadline, leader_id, origin_conversation_id,
                                                    services.clock.now())
    chats = await services.conversations.faggruppe_chats(faggrupper)
    shown = format_deadline(services, deadline)
    def tr(k: str, **p: object) -> str:
        """A text in the organisation's language (BOT_LANGUAGE): campaign messages go to whole chats."""
        return t(k, services.settings.locale, **p)

    items = [
        NewDelivery(key=delivery_key("campaign", campaign.id, "post", c.id), conversation_id=c.id,
                    group_key=f"campaign:{campaign.id}",
                    payload={"activity": _message(campaign_post_card(tr, project.name, shown, c.faggruppe or "", project.id))})
        for c in chats
    ]
    if services.delivery and items:
        await services.delivery.enqueue(items)
    schedule_campaign(services, campaign)
    without_chat = [f for f in faggrupper if f not in {c.faggruppe for c in chats}]
    return campaign, len(chats), without_chat


def schedule_campaign(services: Services, campaign: Campaign) -> None:
    """Add the reminder and report jobs (deterministic ids, so scheduling again replaces them)."""
    if services.scheduler is None:
        return
    remind_at = reminder_time(services, campaign)
    if remind_at is not None:
        services.scheduler.add("campaign.reminder", f"campaign:{campaign.id}:reminder",
                               remind_at, (campaign.id,))
    services.scheduler.add("campaign.report", f"campaign:{campaign.id}:report",
                           campaign.deadline, (campaign.id,))


async def remind_non_senders(services: Services, campaign_id: int) -> int:
    """Mention, in one message per chat, the members who have sent nothing to the project; returns chats reminded."""
    from bot.chat.messenger import roster

    campaign = await services.campaigns.get(campaign_id)
    if campaign is None:
        return 0
    project = await services.projects.get(campaign.project_id)
    if project is None:
        return 0
    entries = await services.needs.by_project(project.id)
    senders = set(counts_by_submitter(entries))
    people = await services.people.many(list(senders))
    sent_ids = senders | {p.channel_user_id for p in people.values() if p.channel_user_id} | {
        p.aad_object_id for p in people.values() if p.aad_object_id}
    reminded = 0
    deadline = format_deadline(services, campaign.deadline)
    bot_id = ""
    for chat in await services.conversations.faggruppe_chats(list(campaign.faggrupper)):
        bot_id = str((chat.reference.get("bot") or {}).get("id") or "")
        skip = sent_ids | {bot_id, campaign.leader_id}  # the leader who asked needs no reminder
        members = [m for m in await roster(services, chat.id) if m.id and not ({m.id, m.aad_object_id} & skip)]
        if not members:
            continue
        mentions = " ".join(f"<at>{escape(m.name)}</at>" for m in members)
        said = t("needs.campaign.reminder", services.settings.locale, project=escape(project.name), deadline=deadline)
        text = f"{mentions} {said}"
        entities = [{"type": "mention", "text": f"<at>{escape(m.name)}</at>", "mentioned": {"id": m.id, "name": m.name}}
                    for m in members]
        activity = {"type": "message", "text": text, "textFormat": "markdown", "entities": entities}
        reminded += await services.delivery.enqueue([NewDelivery(
            key=delivery_key("campaign", campaign.id, "reminder", chat.id), conversation_id=chat.id,
            group_key=f"campaign:{campaign.id}", payload={"activity": activity})]) if services.delivery else 0
    return reminded


async def report_to_leader(services: Services, campaign_id: int) -> bool:
    """Send the leader how many entries came from which faggruppe and whom; False when there is nowhere to send."""
    campaign = await services.campaigns.get(campaign_id)
    if campaign is None or services.delivery is None:
        return False
    project = await services.projects.get(campaign.project_id)
    if project is None:
        return False
    entries = [e for e in await services.needs.by_project(project.id)
               if e.status == ACTIVE and e.faggruppe in campaign.faggrupper and e.created_at
               and campaign.created_at <= e.created_at <= campaign.deadline]
    by_faggruppe = {f: n for f in campaign.faggrupper if (n := sum(1 for e in entries if e.faggruppe == f))}
    per_person = Counter((e.submitter_id, e.faggruppe) for e in entries)
    names = {e.submitter_id: e.submitter_name for e in entries}
    by_person = sorted(((names.get(pid) or pid, f, n) for (pid, f), n in per_person.items()), key=lambda x: (-x[2], x[0]))
    missing = list(missing_faggrupper(entries, campaign.faggrupper))
    card = campaign_report_card(lambda k, **p: t(k, services.settings.locale, **p),
                                project.name, format_deadline(services, campaign.deadline),
                                by_faggruppe, by_person, missing)
    target = await services.conversations.personal_chat_of(campaign.leader_id)
    conversation_id = target.id if target and target.active else campaign.origin_conversation_id
    if not conversation_id:
        return False
    await services.delivery.enqueue([NewDelivery(key=delivery_key("campaign", campaign.id, "report"),
                                                 conversation_id=conversation_id, group_key=f"campaign:{campaign.id}",
                                                 payload={"activity": _message(card)})])
    return True

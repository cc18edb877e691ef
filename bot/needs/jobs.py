"""Input-campaign jobs: remind non-senders before the deadline, report to the leader at the deadline."""

from __future__ import annotations

import logging

from bot.scheduling.runtime import services

log = logging.getLogger(__name__)


async def send_campaign_reminder(campaign_id: int) -> None:
    """Remind, in each faggruppe chat of the campaign, the members who have sent nothing."""
    from bot.needs.service import remind_non_senders

    n = await remind_non_senders(services(), campaign_id)
    log.info("campaign reminder queued", extra={"campaign": campaign_id, "chats": n})


async def send_campaign_report(campaign_id: int) -> None:
    """Report to the leader how many entries came from whom."""
    from bot.needs.service import report_to_leader

    sent = await report_to_leader(services(), campaign_id)
    log.info("campaign report queued", extra={"campaign": campaign_id, "sent": sent})

"""A scheduled job for the reminders benchmark: what every reminder job does (ids in, one outbox row out)."""

from __future__ import annotations

from bot.delivery.outbox import NewDelivery
from bot.scheduling import runtime


async def remind(group: str, conversation_id: str, i: int) -> None:
    """Queue one reminder message to a chat, keyed so a job that runs twice still posts once."""
    await runtime.services().delivery.enqueue([  # type: ignore[union-attr]
        NewDelivery(key=f"{group}:{i}", conversation_id=conversation_id, group_key=group,
                    payload={"activity": {"type": "message", "text": f"Påminnelse {i}: frist i morgen"}})])

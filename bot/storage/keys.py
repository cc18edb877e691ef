"""Secrets the bot generates for itself and must share between instances (the pseudonym key when not configured)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.inventory import Retention, TableData
from bot.storage.models import Base, utcnow


class BotSecret(Base):
    """A named value: a generated key, or a marker that a one-time data upgrade was done."""

    __tablename__ = "bot_secrets"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


PERSONAL_DATA = {
    "bot_secrets": TableData(about="Nøkler boten lager selv", none="name value created_at",
                             retention=Retention("så lenge boten er i bruk"), erasure="-"),
}

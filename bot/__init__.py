"""faggruppe-bot: a Microsoft Teams bot for faggrupper in regional digitalisation cooperations."""

__version__ = "0.1.0"

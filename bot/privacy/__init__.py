"""Personvern: per-user export and erasure, retention, over every feature's data.

Each module in bot.storage may define `PRIVACY = PrivacyProvider(...)`; this package finds them all.
"""

"""Hosts: the chat SDK adapters; the only code that imports a bot SDK."""

"""Adaptive Card builders: pure functions from domain objects and a viewer to card dicts (schema 1.5)."""

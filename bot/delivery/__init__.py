"""Proactive delivery: the outbox, the engine that works it within Teams' rate limits, and which instance sends."""

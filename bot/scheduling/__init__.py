"""Scheduling: APScheduler with a persistent job store, leadership across instances, module-level jobs."""

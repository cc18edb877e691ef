"""Benchmarks: `python -m bench` measures faggruppe-bot against bare echo bots, in one run (see README, Performance)."""

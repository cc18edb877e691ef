"""The shared kernel: clock, errors, card input validation and small value helpers (standard library only)."""

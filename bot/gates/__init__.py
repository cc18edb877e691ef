"""Phase gates (Prosjektveiviseren BP1–BP5): deadlines, decisions, reminders and overdue notices."""

"""Meeting polls: the form, votes, live results, closing, booking and reminders."""

"""Needs and benefits register: forms, edits, summaries, exports and input campaigns."""

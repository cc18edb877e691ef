"""Decision documents: DOCX drafts for BP2, BP3 and BP5 gathered from the needs and benefits register."""

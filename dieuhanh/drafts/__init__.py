"""Drafting (dự thảo), review, signing and issuing of outgoing documents (issue 11, items 2–4)."""

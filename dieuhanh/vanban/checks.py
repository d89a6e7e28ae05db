"""Decree 30 format checks — being written; returns no findings yet."""

from __future__ import annotations


def check_format(prep, folded, header, closing):  # type: ignore[no-untyped-def]
    return []

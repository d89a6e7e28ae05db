"""Documents citing documents ("Thực hiện Kế hoạch số 29/KH-UBND ngày 27/02/2020 …").

A citation is kept as printed and matched on the number/symbol key
(``models.number_symbol_key``) and, when the citation gives one, the date. Among
several matches the one with the exact date wins, then one of the citing
document's own unit, then the earliest registered. Links are made both ways in
time: a new document links what it cites, and earlier citations of it link to it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Q

from dieuhanh.documents.intake import iso_date
from dieuhanh.documents.models import Citation, Document, number_symbol_key


def create_citations(document: Document, references: list[dict[str, Any]] | None) -> list[Citation]:
    """One Citation per distinct reference (not the document itself), linked where possible."""
    rows: list[Citation] = []
    seen: set[tuple[str, datetime.date | None]] = set()
    for ref in references or []:
        if not isinstance(ref, dict):
            continue
        printed = " ".join(str(ref.get("number_symbol") or "").split())[:100]
        key, cited_on = number_symbol_key(printed), iso_date(ref.get("date"))
        if not key or (key, cited_on) in seen:
            continue
        if key == document.ns_key and cited_on in (None, document.issued_on):
            continue  # the document's own number quoted in its text
        seen.add((key, cited_on))
        rows.append(Citation(citing=document, number_symbol=printed, key=key, cited_on=cited_on))
    _choose_targets(document, rows)
    return Citation.objects.bulk_create(rows)


def _choose_targets(document: Document, rows: list[Citation]) -> None:
    if not rows:
        return
    candidates: dict[str, list[Document]] = defaultdict(list)
    found = (Document.objects.filter(ns_key__in={row.key for row in rows}).exclude(pk=document.pk)
             .only("id", "ns_key", "issued_on", "owner_unit_id"))
    for candidate in found:
        candidates[candidate.ns_key].append(candidate)
    for row in rows:
        row.cited = best_match(candidates[row.key], row.cited_on, document.owner_unit_id)


def best_match(candidates: list[Document], cited_on: datetime.date | None,
               owner_unit_id: int | None) -> Document | None:
    fitting = [c for c in candidates if cited_on is None or c.issued_on in (None, cited_on)]
    if not fitting:
        return None
    return min(fitting, key=lambda c: (c.issued_on != cited_on, c.owner_unit_id != owner_unit_id, c.pk))


def link_back(document: Document) -> int:
    """Point unresolved citations of ``document``'s number (and date) at it."""
    if not document.ns_key:
        return 0
    waiting = Citation.objects.filter(key=document.ns_key, cited__isnull=True).exclude(citing=document)
    if document.issued_on:
        waiting = waiting.filter(Q(cited_on=document.issued_on) | Q(cited_on__isnull=True))
    return waiting.update(cited=document)


def relink(document: Document) -> None:
    """After a correction of number/symbol or date: drop links that no longer fit, add new ones."""
    no_longer = ~Q(key=document.ns_key)
    if document.issued_on:
        no_longer |= Q(cited_on__isnull=False) & ~Q(cited_on=document.issued_on)
    Citation.objects.filter(cited=document).filter(no_longer).update(cited=None)
    link_back(document)

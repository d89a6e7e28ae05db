"""Task proposals read from a registered document ("Giao việc").

``propose_tasks(document)`` turns vanban's obligations (``document.parsed["tasks"]``,
re-parsed from ``document.body`` when absent) into :class:`Proposal` rows the
specialist edits before issuing them (``services.issue_tasks``):

- assignee phrases are resolved with the unit tree in force on the document's date,
  the document's issuing (or owning) unit being the issuer, so "các cơ quan chuyên
  môn quận" becomes every specialised office of that district on that day;
- "phối hợp" partners and vanban's ``coordinators`` become coordinating units;
- the due date comes from ``tasks.deadlines.resolve_due`` (strict "trước ngày" rule);
- the source sentence is kept with its offsets in ``document.body`` for highlighting;
- proposals that are the same obligation are merged: a deadline-only sentence
  ("Thời gian tổng kết trước ngày …") completes the undated obligation of the same
  units just before it, and a repeated undated call on the same units ("Nhận được
  Công văn này … tổ chức triển khai, thực hiện") joins the first one.

Nothing is written to the database here.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from dieuhanh.lib.vntext import fold

TITLE_MAX = 500
_DEADLINE_ONLY = re.compile(r"^(thoi gian|thoi han|han chot|han)\b")


@dataclass
class Proposal:
    """One proposed task: editable fields plus where it came from."""

    title: str
    lead_unit_ids: list[int] = field(default_factory=list)
    coordinating_unit_ids: list[int] = field(default_factory=list)
    due_on: datetime.date | None = None
    deadline_phrase: str = ""
    deadline_kind: str = ""
    due_rule: str = ""
    sentence: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)  # offsets in document.body
    assignee_phrases: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    description: str = ""

    @property
    def span(self) -> tuple[int, int] | None:
        return self.spans[0] if self.spans else None


# --- due dates ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Due:
    due_on: datetime.date | None
    phrase: str
    rule: str


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _fallback_due(deadline: dict[str, Any], document_date: datetime.date | None,
                  received_on: datetime.date | None) -> _Due:
    """Used only while ``tasks.deadlines`` is not there: "trước ngày D" → D − 1 day."""
    phrase = str(deadline.get("phrase") or "")
    day = _as_date(deadline.get("date"))
    kind = str(deadline.get("kind") or "")
    if day is not None:
        if kind == "before":
            return _Due(day - datetime.timedelta(days=1), phrase, "before_strict")
        return _Due(day, phrase, kind or "on")
    start = received_on or document_date
    days = deadline.get("days") or deadline.get("working_days")
    if start is not None and isinstance(days, int):
        return _Due(start + datetime.timedelta(days=days), phrase, "days")
    return _Due(None, phrase, "unknown")


def resolve_deadline(deadline: dict[str, Any] | None, *, document_date: datetime.date | None,
                     received_on: datetime.date | None) -> Any:
    """``DueDate(due_on, phrase, rule)`` of a vanban deadline (None when there is none)."""
    if not isinstance(deadline, dict):
        return None
    try:
        from dieuhanh.tasks.deadlines import resolve_due
    except ImportError:
        return _fallback_due(deadline, document_date, received_on)
    return resolve_due(deadline, document_date=document_date, received_on=received_on)


# --- helpers -----------------------------------------------------------------------------

def _title(action: str, sentence: str) -> str:
    text = " ".join((action or sentence or "").split()).strip(" .;:,")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if len(text) <= TITLE_MAX else text[:TITLE_MAX - 1].rstrip() + "…"


def locate(body: str, sentence: str, span: Any = None) -> tuple[int, int] | None:
    """Offsets of ``sentence`` in ``body``: the parse span when it still matches, else a search."""
    if not body or not sentence:
        return None
    if isinstance(span, (list, tuple)) and len(span) == 2:
        try:
            start, end = int(span[0]), int(span[1])
        except (TypeError, ValueError):
            start, end = -1, -1
        if 0 <= start < end <= len(body) and body[start:end] == sentence:
            return start, end
    at = body.find(sentence)
    if at >= 0:
        return at, at + len(sentence)
    # Whitespace may differ (line breaks inside the sentence): match word by word.
    words = sentence.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    found = re.search(pattern, body)
    return (found.start(), found.end()) if found else None


def _parsed_tasks(document: Any) -> list[dict[str, Any]]:
    parsed = document.parsed or {}
    tasks = parsed.get("tasks")
    if tasks is None and document.body:
        from dieuhanh.vanban import parse_text

        try:
            tasks = parse_text(document.body).get("tasks")
        except Exception:  # noqa: BLE001 - a text vanban cannot read proposes nothing
            tasks = []
    return [t for t in tasks or [] if isinstance(t, dict)]


def issuer_code(document: Any) -> str | None:
    unit = document.issuer_unit if document.issuer_unit_id else document.owner_unit
    return unit.code if unit is not None else None


# --- proposing -----------------------------------------------------------------------------

def propose_tasks(document: Any) -> list[Proposal]:
    """Proposals for ``document`` (see the module docstring). Two or three queries."""
    from dieuhanh.orgs.models import Unit
    from dieuhanh.orgs.services import unit_directory

    items = _parsed_tasks(document)
    if not items:
        return []
    on = document.issued_on or document.arrived_on or datetime.date.today()
    directory = unit_directory(on)
    issuer = issuer_code(document)
    ids = dict(Unit.objects.values_list("code", "id"))
    body = document.body or ""

    raw: list[Proposal] = []
    for item in items:
        phrases = [str(p) for p in item.get("assignees") or [] if str(p).strip()]
        lead: list[int] = []
        partners: list[int] = []
        unresolved: list[str] = []
        for phrase in phrases:
            res = directory.resolve(phrase, issuer=issuer, on=on)
            lead += [ids[u.code] for u in res.units if u.code in ids]
            partners += [ids[u.code] for u in res.partners if u.code in ids]
            unresolved += list(res.unresolved)
        for phrase in [str(p) for p in item.get("coordinators") or [] if str(p).strip()]:
            res = directory.resolve(phrase, issuer=issuer, on=on)
            partners += [ids[u.code] for u in (*res.units, *res.partners) if u.code in ids]
            unresolved += list(res.unresolved)
        if fold(str(item.get("role") or "")).startswith("phoi hop"):
            lead, partners = [], lead + partners
        lead = list(dict.fromkeys(lead))
        partners = [u for u in dict.fromkeys(partners) if u not in lead]
        deadline = item.get("deadline") if isinstance(item.get("deadline"), dict) else None
        due = resolve_deadline(deadline, document_date=document.issued_on, received_on=document.arrived_on)
        sentence = str(item.get("sentence") or "")
        where = locate(body, sentence, item.get("span"))
        raw.append(Proposal(
            title=_title(str(item.get("action") or ""), sentence),
            lead_unit_ids=lead, coordinating_unit_ids=partners,
            due_on=getattr(due, "due_on", None),
            deadline_phrase=str(getattr(due, "phrase", "") or (deadline or {}).get("phrase") or ""),
            deadline_kind=str((deadline or {}).get("kind") or ""),
            due_rule=str(getattr(due, "rule", "") or ""),
            sentence=sentence, spans=[where] if where else [], assignee_phrases=phrases,
            unresolved=list(dict.fromkeys(unresolved)),
            description=" ".join(sentence.split()),
        ))
    return merge(raw)


def _same_units(a: Proposal, b: Proposal) -> bool:
    return bool(a.lead_unit_ids) and set(a.lead_unit_ids) == set(b.lead_unit_ids)


def _absorb(into: Proposal, other: Proposal, *, take_deadline: bool = False) -> None:
    for span in other.spans:
        if span not in into.spans:
            into.spans.append(span)
    if other.sentence and other.sentence not in into.description:
        into.description = f"{into.description} {other.sentence}".strip()
    into.coordinating_unit_ids = [u for u in dict.fromkeys(into.coordinating_unit_ids + other.coordinating_unit_ids)
                                  if u not in into.lead_unit_ids]
    into.unresolved = list(dict.fromkeys(into.unresolved + other.unresolved))
    if take_deadline:
        into.due_on, into.deadline_phrase = other.due_on, other.deadline_phrase
        into.deadline_kind, into.due_rule = other.deadline_kind, other.due_rule


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", fold(text)))


def merge(proposals: list[Proposal]) -> list[Proposal]:
    """Merge proposals that are one obligation (see the module docstring)."""
    out: list[Proposal] = []
    for p in proposals:
        prev = out[-1] if out else None
        deadline_only = bool(_DEADLINE_ONLY.match(fold(p.title)))
        if (prev is not None and deadline_only and p.due_on is not None and prev.due_on is None
                and not prev.deadline_phrase and _same_units(prev, p)):
            _absorb(prev, p, take_deadline=True)
            continue
        twin = next((q for q in out if _same_units(q, p) and q.due_on == p.due_on
                     and _words(p.title) <= _words(q.title)), None)
        if twin is not None:
            _absorb(twin, p)
            continue
        out.append(p)
    return out


def highlight(body: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``body`` cut into (text, marked) pieces, marking the union of ``spans``."""
    cuts = sorted((max(0, s), min(len(body), e)) for s, e in spans if s < e)
    merged: list[list[int]] = []
    for s, e in cuts:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    pieces: list[tuple[str, bool]] = []
    at = 0
    for s, e in merged:
        if s > at:
            pieces.append((body[at:s], False))
        pieces.append((body[s:e], True))
        at = e
    if at < len(body):
        pieces.append((body[at:], False))
    return pieces

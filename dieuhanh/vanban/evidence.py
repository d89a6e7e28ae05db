"""Where each parsed field came from, and how sure the parser is of it.

``evidence(prep, header, closing)`` gives ``{field: {"start", "end", "span", "line", "confidence"}}``
for every field the parser filled: ``start``/``end`` are offsets into the prepared
text (``Prepared.text``), ``line`` is its 1-based line number, ``confidence`` is in
[0, 1]. The confidence is a rule of thumb by the kind of source, not a probability:
a field read from its Decree 30 place (the "Số:" line, the "…, ngày … tháng … năm …"
line under the motto, a type title set in capitals) is trusted; one taken from a
portal headline or citation, or inferred (a Công văn by default), is flagged for the
clerk to check.
"""

from __future__ import annotations

from typing import Any

from dieuhanh.lib.vntext import fold
from dieuhanh.vanban.closing import Closing
from dieuhanh.vanban.header import Header
from dieuhanh.vanban.textprep import Prepared

Span = tuple[int, int]
HIGH, MEDIUM, LOW = 0.95, 0.75, 0.5


def _entry(text: str, span: Span, confidence: float) -> dict[str, Any]:
    start, end = span
    return {"start": start, "end": end, "span": [start, end], "line": text.count("\n", 0, start) + 1,
            "confidence": confidence}


def _line_start(text: str, pos: int) -> str:
    begin = text.rfind("\n", 0, pos) + 1
    return fold(text[begin:pos + 8]).lstrip(" |*")


def evidence(prep: Prepared, header: Header, closing: Closing) -> dict[str, dict[str, Any]]:
    text = prep.text
    out: dict[str, dict[str, Any]] = {}
    formal = header.quoc_hieu_span is not None  # a real Decree 30 header, not a portal page

    def put(field: str, value: Any, span: Span | None, confidence: float) -> None:
        if value not in (None, "", []) and span:
            out[field] = _entry(text, span, round(confidence, 2))

    if header.number_span:
        own = _line_start(text, header.number_span[0]).startswith("so")
        sure = HIGH if own else LOW
        for field in ("number", "symbol", "number_symbol"):
            put(field, getattr(header, field), header.number_span, sure if header.number is not None or field != "number" else LOW)
    if header.date_span:
        sure = HIGH if header.place and formal else MEDIUM if header.place else LOW
        put("date", header.date, header.date_span, sure)
        put("place", header.place, header.date_span, sure)
    put("issuer", header.issuer, header.issuer_span, HIGH if formal else MEDIUM)
    put("issuer_parent", header.issuer_parent, header.issuer_span, HIGH if formal else MEDIUM)
    if header.type_span:
        put("doc_type", header.doc_type, header.type_span, HIGH if formal else MEDIUM)
    elif header.doc_type and header.number_span:
        put("doc_type", header.doc_type, header.number_span, MEDIUM if header.symbol else LOW)
    put("subject", header.subject, header.subject_span, HIGH if (header.type_span or header.has_vv) and formal else MEDIUM)
    put("recipients", header.recipients, header.kinh_gui_span, HIGH)
    if closing.signature_span:
        sure = HIGH if closing.name else MEDIUM
        for field in ("authority", "position", "name"):
            put(f"signer_{field}", getattr(closing, field), closing.signature_span, sure)
    if closing.noi_nhan_span:
        headed = fold(text[closing.noi_nhan_span[0]:closing.noi_nhan_span[0] + 12]).lstrip(" |*").startswith("noi nhan")
        put("distribution", closing.distribution, closing.noi_nhan_span, HIGH if headed else MEDIUM)
    return out

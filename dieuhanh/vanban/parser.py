"""Parse one document's text into the label schema of ``shared/corpus/dev``.

A chain of small steps over one prepared text: header → closing → body →
references → obligations → format checks. Each step reads what the earlier
ones found; none re-reads the file.
"""

from __future__ import annotations

from typing import Any

from dieuhanh.lib.vntext import fold_same_length, tidy
from dieuhanh.vanban.closing import parse_closing
from dieuhanh.vanban.evidence import evidence
from dieuhanh.vanban.header import HeaderParser
from dieuhanh.vanban.references import find_references
from dieuhanh.vanban.textprep import Prepared


def parse_text(raw: str, source: str | None = None) -> dict[str, Any]:
    prep = Prepared.from_text(raw)
    folded = fold_same_length(prep.masked)
    header = HeaderParser(prep.text, prep.masked, folded).parse()
    closing = parse_closing(prep.text, prep.masked, folded, header.body_start)
    body_end = len(prep.text)
    ends = [s[0] for s in (closing.noi_nhan_span, closing.signature_span) if s and s[0] > header.body_start]
    if ends:
        body_end = min(ends)
    refs = find_references(prep.text, prep.masked, folded, header.number_symbol, header.date)
    obligations, capped = _collect_obligations(prep, folded, header, closing, body_end)
    from dieuhanh.vanban.checks import Finding, check_format

    warnings = check_format(prep, folded, header, closing)
    if capped:
        from dieuhanh.vanban.obligations import MAX_OBLIGATIONS

        warnings.append(Finding(
            "too_many_tasks", f"Văn bản có hơn {MAX_OBLIGATIONS} nhiệm vụ; chỉ đọc {MAX_OBLIGATIONS} nhiệm vụ đầu, "
            "cần kiểm tra và giao phần còn lại bằng tay.", None, "warning", ""))
    result: dict[str, Any] = {
        "source": source,
        "truncated": closing.signature_span is None and closing.noi_nhan_span is None,
        # Fields cut at a safety limit (the text had more than the parser reads): ["tasks"] or [].
        "capped": ["tasks", "deadlines"] if capped else [],
        "issuer": header.issuer,
        "issuer_parent": header.issuer_parent,
        "doc_type": header.doc_type,
        "number": header.number,
        "symbol": header.symbol,
        "number_symbol": header.number_symbol,
        "place": header.place,
        "date": header.date.isoformat() if header.date else None,
        "subject": header.subject,
        "recipients": header.recipients,
        "signer_authority": closing.authority,
        "signer_position": closing.position,
        "signer_name": closing.name,
        "distribution": closing.distribution,
        "references": [{"number_symbol": r.number_symbol, "date": r.date.isoformat() if r.date else None}
                       for r in refs],
        "deadlines": [t.as_deadline() for t in obligations if t.deadline and t.deadline.date],
        "urgency": header.urgency,
        "tasks": [t.as_dict() for t in obligations],
        "warnings": [w.as_dict() for w in warnings],
        "body": collapse_lines(prep.masked[header.body_start:body_end]),
        # {field: {start, end, line, confidence}}: offsets into the prepared text (see vanban.evidence)
        "evidence": evidence(prep, header, closing),
    }
    return result


def _collect_obligations(prep: Prepared, folded: str, header, closing, body_end: int) -> tuple[list, bool]:
    """Obligations of the body (and of a plan after the signature), at most MAX_OBLIGATIONS;
    the flag says the text had more."""
    from dieuhanh.vanban.obligations import MAX_OBLIGATIONS, find_obligations, invitation_reports

    obligations: list = []
    issuer = " ".join(filter(None, (header.issuer_parent, header.issuer)))
    for start, end in _obligation_regions(header.body_start, body_end, closing, len(prep.text)):
        obligations += find_obligations(prep.text, prep.masked, folded, start, end, header.date,
                                        limit=MAX_OBLIGATIONS - len(obligations), issuer=issuer)
        if len(obligations) > MAX_OBLIGATIONS:
            break
    if header.doc_type == "Giấy mời":
        obligations += invitation_reports(prep.masked, folded, header.date)
    return obligations[:MAX_OBLIGATIONS], len(obligations) > MAX_OBLIGATIONS


def _obligation_regions(body_start: int, body_end: int, closing, text_end: int) -> list[tuple[int, int]]:
    """The body, and whatever follows the signature (a plan issued by a Quyết định)."""
    regions = [(body_start, body_end)]
    spans = [s for s in (closing.noi_nhan_span, closing.signature_span) if s]
    if spans:
        after = max(s[1] for s in spans)
        if after > body_end and after < text_end:
            regions.append((after, text_end))
    return regions


def collapse_lines(text: str) -> str:
    return "\n".join(tidy(line) for line in text.strip().splitlines() if line.strip())

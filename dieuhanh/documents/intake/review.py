"""What the review form shows beside the fields: where each value came from, how sure the
reader is, what could not be read, and which deadlines belong to another body.

* ``parsed["evidence"]`` (when the parser gives it): per field a ``span`` (character
  offsets into the text), the source ``line`` and a ``confidence`` (0–1). The line is
  shown under the field; a field under ``LOW_CONFIDENCE`` is highlighted for checking.
  Parses without evidence (older ones, pasted text) show the form without it.
* ``parsed["unreadable"]`` (``vanban.scanfields``): a handwritten number or day that OCR
  could not read is left empty and says so ("Số: chưa đọc được (viết tay)").
* a deadline with ``for_other_body`` is listed as such and not put into "Hạn giải quyết".
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dieuhanh.documents.intake.fields import fields_from_parse, iso_date
from dieuhanh.documents.models import IntakeJob

LOW_CONFIDENCE = 0.6
BODY_PREVIEW_CHARS = 20000
# Review-form field → the parse's key for it.
_PARSE_KEY = {"issued_on": "date", "due_on": "deadlines"}
_UNREADABLE = {"number": ("number", "number_symbol"), "date": ("issued_on",)}


def initial_fields(job: IntakeJob) -> dict[str, Any]:
    return fields_from_parse(job.parsed)


def _line_at(body: str, span: Any) -> str:
    try:
        start = int(span[0])
    except (TypeError, ValueError, IndexError, KeyError):
        return ""
    if not 0 <= start < len(body):
        return ""
    begin = body.rfind("\n", 0, start) + 1
    end = body.find("\n", start)
    return " ".join(body[begin:end if end >= 0 else len(body)].split())[:300]


def _confidence(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number / 100 if number > 1 else number


def field_evidence(parsed: dict[str, Any], body: str) -> dict[str, dict[str, Any]]:
    """``{form field: {"line": str, "confidence": float | None, "low": bool}}`` from the parse."""
    evidence = parsed.get("evidence")
    if not isinstance(evidence, dict):
        return {}
    result = {}
    for name in (*fields_from_parse(parsed), "number_symbol"):
        item = evidence.get(_PARSE_KEY.get(name, name))
        if isinstance(item, list):
            item = item[0] if item and isinstance(item[0], dict) else None
        if not isinstance(item, dict):
            continue
        line = item.get("line") if isinstance(item.get("line"), str) else _line_at(body, item.get("span"))
        confidence = _confidence(item.get("confidence"))
        if line or confidence is not None:
            result[name] = {"line": " ".join(str(line or "").split())[:300], "confidence": confidence,
                            "low": confidence is not None and confidence < LOW_CONFIDENCE}
    return result


def other_body_deadlines(parsed: dict[str, Any]) -> list[dict[str, Any]]:
    """Deadlines the text sets for another body: shown, never filled into "Hạn giải quyết"."""
    found = []
    for item in parsed.get("deadlines") or []:
        if isinstance(item, dict) and item.get("for_other_body"):
            whom = item["for_other_body"] if isinstance(item["for_other_body"], str) else ""
            found.append({"date": iso_date(item.get("date")), "whom": whom,
                          "text": " ".join(str(item.get("text") or item.get("source") or "").split())[:300]})
    return found


def _annotate(form: Any, evidence: dict[str, dict[str, Any]], unreadable: list[str]) -> None:
    for name, item in evidence.items():
        if name not in form.fields:
            continue
        field = form.fields[name]
        notes = [str(field.help_text)] if field.help_text else []
        if item["line"]:
            notes.append(_("Nguồn: «%(line)s»") % {"line": item["line"]})
        if item["low"]:
            notes.append(_("Độ tin cậy thấp (%(pct)s%%): hãy kiểm tra.") % {"pct": round(item["confidence"] * 100)})
            field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " low-confidence").strip()
            field.widget.attrs["aria-invalid"] = "true"
        field.help_text = " · ".join(notes)
    for key in unreadable:
        for name in _UNREADABLE.get(key, ()):
            if name in form.fields:
                text = _("Số: chưa đọc được (viết tay)") if key == "number" else _(
                    "Ngày ban hành: chưa đọc được (viết tay)")
                form.fields[name].help_text = text
                form.fields[name].widget.attrs.update(placeholder=_("chưa đọc được (viết tay)"),
                                                      **{"class": "low-confidence"})


def signature_rows(parsed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The PDF signatures of a parse, with the signing time as dd/mm/yyyy hh:mm (Vietnam time)."""
    import datetime

    rows = []
    for item in (parsed or {}).get("signatures") or []:
        if not isinstance(item, dict):
            continue
        row = dict(item)
        try:
            moment = datetime.datetime.fromisoformat(str(item.get("signed_at")))
            row["signed_at_display"] = moment.strftime("%H:%M %d/%m/%Y")
        except ValueError:
            row["signed_at_display"] = ""
        rows.append(row)
    return rows


def context(job: IntakeJob, form: Any) -> dict[str, Any]:
    """The review template's context for ``job`` (``form`` gets its help texts here)."""
    parsed = job.parsed or {}
    unreadable = [u for u in parsed.get("unreadable") or [] if isinstance(u, str)]
    evidence = field_evidence(parsed, job.body)
    _annotate(form, evidence, unreadable)
    signatures = signature_rows(parsed)
    reading = parsed.get("reading") if isinstance(parsed.get("reading"), dict) else {}
    return {
        "form": form, "job": job, "evidence": evidence, "unreadable": unreadable,
        "other_deadlines": other_body_deadlines(parsed),
        "review_notes": [n for n in parsed.get("review_notes") or [] if isinstance(n, str)],
        "notes": [n for n in reading.get("notes") or [] if isinstance(n, str)],
        "stamps": [s for s in reading.get("stamps") or [] if isinstance(s, str)],
        "signatures": signatures,
        "issuer_printed": parsed.get("issuer_printed"),
        "warnings": [w for w in parsed.get("warnings") or [] if isinstance(w, dict)],
        "references": [{"number_symbol": r.get("number_symbol"), "date": iso_date(r.get("date"))}
                       for r in parsed.get("references") or [] if isinstance(r, dict)],
        "body_preview": job.body[:BODY_PREVIEW_CHARS], "body_length": len(job.body),
        "body_cut": len(job.body) > BODY_PREVIEW_CHARS,
    }

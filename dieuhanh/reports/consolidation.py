"""The consolidated report (báo cáo tổng hợp): build, edit, render, issue.

Public API (service functions; every write runs in ``transaction.atomic`` with its audit row)::

    consolidate(user, request, *, reset=False) -> Consolidation
    update_consolidation(user, consolidation, *, texts=None, subject=None, signer_authority=None,
                         signer_position=None, signer_name=None, distribution=None) -> Consolidation
    consolidated_docx(consolidation) -> bytes          # Decree 30 BÁO CÁO, python-docx
    consolidated_xlsx(consolidation) -> bytes          # aggregated tables + per-unit sheets
    issue_consolidation(user, consolidation, *, register=None) -> Document
    issuer_for(unit) -> Issuer                         # who issues a report asked for by ``unit``
    edited_sections(consolidation) -> set[str]

Stored shape of :class:`~dieuhanh.reports.models.Consolidation`:

- ``figures``: ``{"tables": {table: {row: {col: value}}}, "count": N, "edited": [section keys]}`` —
  the ``tables`` and ``count`` of :func:`dieuhanh.reports.outline.aggregate` over the ACCEPTED
  submissions, each unit labelled by its short name (:func:`short_unit_name`: "Phường Lê Bình"
  for "Ủy ban nhân dân phường Lê Bình"; note lists read "Phường Lê Bình: …"). The per-unit narrative (``aggregate``'s ``"sections"``) is not kept twice: it is
  compiled into ``texts``. ``"edited"`` lists the sections whose text the specialist changed;
  a rebuild keeps those texts (unless ``reset=True``).
- ``texts``: ``{section key: text}`` for every narrative section: each unit's text in unit
  order (alphabetical by short name, "Phường Ba Láng" before "Phường Lê Bình"), opened by an attribution line ``"— Phường Lê Bình:"``.
- ``units_included``: ids of the units whose accepted submission was aggregated, same order.

Who acts: the requester (:func:`dieuhanh.reports.permissions.is_requester`: the requesting
unit's specialists and leaders, administrators). ``user=None`` is a system action (the CLI).

Issuer: a request made by an office (Phòng, Văn phòng…) of a People's Committee is reported
by that committee ("ỦY BAN NHÂN DÂN / QUẬN CÁI RĂNG", symbol "BC-UBND", signed
"TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"), numbered in the committee's outgoing register; a
committee or a department (Sở) reports in its own name.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction
from dieuhanh.lib.vntext import fold
from dieuhanh.reports.models import Consolidation, ReportRequest, Submission, SubmissionStatus

__all__ = [
    "APPENDIX_MAX_UNITS", "Issuer", "consolidate", "consolidated_docx", "consolidated_xlsx", "default_subject",
    "edited_sections",
    "issue_consolidation", "issuer_for", "short_unit_name", "update_consolidation",
]

#: Above this many units the DOCX appendix refers to the XLSX instead of listing every unit
#: (a Word table of 10,000 units × indicators is unreadable and takes minutes to build).
APPENDIX_MAX_UNITS = 200
# Tables with more columns than this go on a landscape page (an A4 portrait text width is 16 cm).
PORTRAIT_MAX_COLUMNS = 6
CHUNK = 2000
SYSTEM_ACTOR = "hệ thống"
_COMMITTEE_PREFIX = re.compile(r"^\s*(ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+", re.IGNORECASE)
_ATTRIBUTION = re.compile(r"^\s*[—–-]\s*(.+?)\s*:\s*$")
_LOWER_WORDS = ("quận", "huyện", "thị xã", "thành phố", "tỉnh", "phường", "xã", "thị trấn")


# --- small helpers ------------------------------------------------------------------------------

def _upper(text: str) -> str:
    return " ".join(str(text or "").split()).upper()


def _cap(text: str) -> str:
    text = " ".join(str(text or "").split())
    return text[:1].upper() + text[1:]


def short_unit_name(name: str) -> str:
    """"Ủy ban nhân dân phường Lê Bình" → "Phường Lê Bình"; other names unchanged."""
    return _cap(_COMMITTEE_PREFIX.sub("", name or "")) or (name or "")


def _initials(name: str) -> str:
    """"Sở Nội vụ thành phố Cần Thơ" → "SNV": initials of the words before the locality."""
    words = " ".join(str(name or "").split())
    lowered = words.lower()
    for locality in _LOWER_WORDS:
        at = lowered.find(" " + locality + " ")
        if at > 0:
            words = words[:at]
            lowered = lowered[:at]
    letters = "".join(w[0] for w in words.split() if w and w[0].isalpha())
    return fold(letters).upper().replace("Đ", "D")


def _is_committee(unit: Any) -> bool:
    from dieuhanh.orgs.models import COMMITTEE_KINDS

    return unit is not None and unit.kind in COMMITTEE_KINDS


def _place_of(unit: Any) -> str:
    seen = 0
    while unit is not None and seen < 10:
        if unit.place:
            return unit.place
        unit, seen = unit.parent, seen + 1
    return ""


@dataclass(frozen=True)
class Issuer:
    """Who issues (and numbers, and signs) a report asked for by a unit."""

    unit: Any  # orgs.Unit that issues the report (owns the outgoing register)
    lines: str  # "ỦY BAN NHÂN DÂN\nQUẬN CÁI RĂNG"
    parent: str  # "UBND THÀNH PHỐ CẦN THƠ" above a department; "" for a committee
    name: str  # the issuing unit's official name, for Document.issuer
    place: str  # "Cái Răng"
    agency_symbol: str  # "UBND", "SNV"
    authority: str  # "TM. ỦY BAN NHÂN DÂN"
    position: str  # "CHỦ TỊCH"


def issuer_for(unit: Any) -> Issuer:
    """The issuing body for a report requested by ``unit``.

    An office (Phòng, Văn phòng, Bộ phận) of a People's Committee prepares the report but the
    committee issues it; a committee and a department (Sở) issue in their own name.
    """
    from dieuhanh.orgs.models import UnitKind

    issuing = unit
    if not _is_committee(unit) and unit.kind in (UnitKind.PHONG, UnitKind.VAN_PHONG, UnitKind.BO_PHAN) \
            and _is_committee(unit.parent):
        issuing = unit.parent
    if _is_committee(issuing):
        rest = _COMMITTEE_PREFIX.sub("", issuing.name)
        lines = "ỦY BAN NHÂN DÂN" + (f"\n{_upper(rest)}" if rest != issuing.name else f"\n{_upper(issuing.name)}")
        return Issuer(issuing, lines, "", issuing.name, _place_of(issuing), issuing.symbol or "UBND",
                      "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    parent = issuing.parent
    parent_line = ""
    if parent is not None:
        rest = _COMMITTEE_PREFIX.sub("", parent.name)
        parent_line = f"UBND {_upper(rest)}" if rest != parent.name else _upper(parent.name)
    short = next((s for s in (issuing.short_names or []) if isinstance(s, str) and s.strip()), "")
    lines = _upper(short or issuing.name)
    position = {UnitKind.SO: "GIÁM ĐỐC", UnitKind.PHONG: "TRƯỞNG PHÒNG",
                UnitKind.VAN_PHONG: "CHÁNH VĂN PHÒNG"}.get(issuing.kind, "THỦ TRƯỞNG CƠ QUAN")
    return Issuer(issuing, lines, parent_line, issuing.name, _place_of(issuing),
                  issuing.symbol or _initials(short or issuing.name), "", position)


def _report_symbol(outline: Any, issuer: Issuer) -> str:
    """"BC-UBND" from the outline; a department gets its own agency symbol ("BC-SNV")."""
    suffix = (getattr(outline, "symbol_suffix", "") or "BC-UBND").replace(" ", "")
    head, _sep, agency = suffix.partition("-")
    if _is_committee(issuer.unit) or not agency:
        if _is_committee(issuer.unit) and issuer.agency_symbol and agency == "UBND":
            return f"{head}-{issuer.agency_symbol}"
        return suffix
    return f"{head}-{issuer.agency_symbol}" if issuer.agency_symbol else suffix


def _archive_line(request: ReportRequest, issuer: Issuer) -> str:
    drafter = request.requested_by_unit
    abbr = "" if drafter.pk == issuer.unit.pk else (drafter.symbol or _initials(
        next((s for s in (drafter.short_names or []) if isinstance(s, str) and s.strip()), "") or drafter.name))
    return f"Lưu: VT, {abbr}" if abbr else "Lưu: VT"


def default_subject(outline: Any, request: ReportRequest) -> str:
    """The outline's title without the type name it repeats: "Báo cáo tổng kết X" → "Tổng kết X"
    (the type "BÁO CÁO" is printed on the line above)."""
    title = " ".join(str(outline.title or request.title or "").split())
    doc_type = " ".join(str(outline.doc_type or "Báo cáo").split())
    if title.lower().startswith(doc_type.lower() + " ") and len(title) > len(doc_type) + 1:
        title = _cap(title[len(doc_type) + 1:])
    return title


def _check_requester(user: Any, request: ReportRequest) -> None:
    if user is None:
        return  # a system action (command line)
    from dieuhanh.reports.permissions import is_requester, requests_visible_to

    if not is_requester(user, request):
        if not requests_visible_to(user).filter(pk=request.pk).exists():
            from django.http import Http404

            raise Http404(_("Không tìm thấy yêu cầu báo cáo."))
        raise PermissionDenied(_("Chỉ đơn vị yêu cầu báo cáo mới tổng hợp, sửa và phát hành được báo cáo tổng hợp."))


def _audit(user: Any, action: str, obj: Any, unit_id: int, **kwargs: Any) -> None:
    record(user, action, obj, unit_id=unit_id, actor_name=None if user is not None else SYSTEM_ACTOR, **kwargs)


# --- building ---------------------------------------------------------------------------------------

def _narrative_sections(outline: Any) -> list[Any]:
    return [s for _depth, s in outline.walk() if s.narrative]


def compile_text(entries: Iterable[tuple[str, str]]) -> str:
    """Each unit's text under its attribution line "— Phường Lê Bình:" (the label as given),
    a blank line between units."""
    parts = []
    for label, text in entries:
        text = str(text or "").strip()
        if "\r" in text or " \n" in text or "\t" in text:
            text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").splitlines())
        if text:
            parts.append(f"— {label}:\n{text}")
    return "\n\n".join(parts)


def _accepted_rows(request: ReportRequest) -> Iterator[tuple[int, str, dict]]:
    """(unit id, unit name, data) of the accepted submissions, streamed (tuples, no model objects)."""
    return (Submission.objects.filter(request=request, status=SubmissionStatus.ACCEPTED)
            .order_by().values_list("unit_id", "unit__name", "data").iterator(chunk_size=CHUNK))


def _stored_edited(pk: int) -> set[str]:
    found = Consolidation.objects.filter(pk=pk).values_list("figures__edited", flat=True).first()
    return {str(k) for k in found} if isinstance(found, list) else set()


def _stored_texts(pk: int, keys: set[str]) -> dict[str, str]:
    """The stored texts of ``keys`` only (a JSON key lookup, not the whole column)."""
    if not keys:
        return {}
    from django.db.models.fields.json import KeyTextTransform

    ordered = sorted(keys)
    names = {f"t{i}": key for i, key in enumerate(ordered)}
    row = (Consolidation.objects.filter(pk=pk)
           .annotate(**{alias: KeyTextTransform(key, "texts") for alias, key in names.items()})
           .values(*names).first()) or {}
    return {key: row.get(alias) or "" for alias, key in names.items()}


def edited_sections(consolidation: Consolidation) -> set[str]:
    return set((consolidation.figures or {}).get("edited") or [])


def consolidate(user: Any, request: ReportRequest, *, reset: bool = False, http_request: Any = None) -> Consolidation:
    """Aggregate the request's ACCEPTED submissions into its consolidation (created or rebuilt).

    Texts the specialist edited survive a rebuild unless ``reset``; subject, signer and
    distribution get defaults only when empty (or on ``reset``). Raises PermissionDenied
    (Http404 for a user who cannot see the request at all).
    """
    from dieuhanh.reports.outline import aggregate

    _check_requester(user, request)
    outline = request.outline_version.schema()
    labels: dict[str, str] = {}
    keyed = []
    for unit_id, name, data in _accepted_rows(request):
        short = labels.get(name)
        if short is None:
            short = labels[name] = short_unit_name(name)
        keyed.append((fold(short).lower(), unit_id, name, data if isinstance(data, dict) else {}))
    keyed.sort(key=lambda r: (r[0], r[1]))
    unit_ids = [r[1] for r in keyed]
    result = aggregate(outline, [(labels[r[2]], r[3]) for r in keyed])
    del keyed
    sections = result.get("sections") or {}
    compiled = {s.key: compile_text(sections.get(s.key) or ()) for s in _narrative_sections(outline)}
    issuer = issuer_for(request.requested_by_unit)
    with transaction.atomic():
        # The big JSON columns are not read back: only the edited list and the edited texts.
        existing = (Consolidation.objects.select_for_update().filter(request=request)
                    .defer("texts", "figures").first())
        created = existing is None
        consolidation = existing or Consolidation(request=request)
        if consolidation.document_id is not None:
            raise ValidationError(_("Báo cáo tổng hợp đã được phát hành với số %(number)s, không tổng hợp lại được.")
                                  % {"number": consolidation.document.number_symbol})
        kept = set() if (reset or created) else _stored_edited(consolidation.pk) & set(compiled)
        old_texts = _stored_texts(consolidation.pk, kept)
        consolidation.texts = {key: (old_texts.get(key) or "" if key in kept else text)
                               for key, text in compiled.items()}
        consolidation.figures = {"tables": result.get("tables") or {}, "count": result.get("count", len(unit_ids)),
                                 "edited": sorted(kept)}
        consolidation.units_included = unit_ids
        consolidation.built_at = timezone.now()
        consolidation.built_by = user if getattr(user, "is_authenticated", False) else None
        if reset or not consolidation.subject:
            consolidation.subject = default_subject(outline, request)
        if reset or not (consolidation.signer_authority or consolidation.signer_position):
            consolidation.signer_authority, consolidation.signer_position = issuer.authority, issuer.position
        if reset or not consolidation.distribution:
            consolidation.distribution = [x for x in (request.recipient.strip(), _archive_line(request, issuer)) if x]
        consolidation.save()
        _audit(user, AuditAction.CREATE if created else AuditAction.UPDATE, consolidation,
               request.requested_by_unit_id,
               after={"units_included": len(unit_ids), "edited_kept": sorted(kept), "reset": reset},
               note=_("Tổng hợp báo cáo từ %(n)d đơn vị") % {"n": len(unit_ids)}, request=http_request)
    return consolidation


def update_consolidation(user: Any, consolidation: Consolidation, *, texts: dict[str, str] | None = None,
                         subject: str | None = None, signer_authority: str | None = None,
                         signer_position: str | None = None, signer_name: str | None = None,
                         distribution: list[str] | str | None = None, http_request: Any = None) -> Consolidation:
    """The specialist's edits; ``None`` leaves a field as it is. A changed section text is
    marked edited (kept by later rebuilds). Refused once the report is issued."""
    request = consolidation.request
    _check_requester(user, request)
    if consolidation.document_id is not None:
        raise ValidationError(_("Báo cáo tổng hợp đã được phát hành, không sửa được nữa."))
    outline = request.outline_version.schema()
    narrative = {s.key for s in _narrative_sections(outline)}
    fields = ("texts", "subject", "signer_authority", "signer_position", "signer_name", "distribution")
    before = snapshot(consolidation, list(fields))
    edited = edited_sections(consolidation)
    if texts is not None:
        unknown = sorted(set(texts) - narrative)
        if unknown:
            raise ValidationError(_("Mục không có trong đề cương: %(keys)s") % {"keys": ", ".join(unknown)})
        new_texts = dict(consolidation.texts or {})
        for key, text in texts.items():
            text = "\n".join(line.rstrip() for line in str(text or "").replace("\r\n", "\n").split("\n")).strip()
            if text != (new_texts.get(key) or ""):
                new_texts[key] = text
                edited.add(key)
        consolidation.texts = new_texts
    for name, value, limit in (("subject", subject, 10_000), ("signer_authority", signer_authority, 150),
                               ("signer_position", signer_position, 150), ("signer_name", signer_name, 100)):
        if value is None:
            continue
        value = "\n".join(" ".join(line.split()) for line in str(value).splitlines() if line.strip()) \
            if name == "signer_authority" else " ".join(str(value).split())
        if len(value) > limit:
            raise ValidationError({name: _("Quá dài (tối đa %(n)d ký tự).") % {"n": limit}})
        setattr(consolidation, name, value)
    if not (consolidation.subject or "").strip():
        raise ValidationError({"subject": _("Phải có trích yếu của báo cáo.")})
    if distribution is not None:
        items = distribution.splitlines() if isinstance(distribution, str) else list(distribution)
        consolidation.distribution = [" ".join(str(x).split()).lstrip("-–• ").rstrip(" ;.,") for x in items
                                      if str(x).strip(" -–•;.,")]
    consolidation.figures = {**(consolidation.figures or {}), "edited": sorted(edited & narrative)}
    after = snapshot(consolidation, list(fields))
    changed = [k for k in fields if after.get(k) != before.get(k)]
    with transaction.atomic():
        consolidation.save()
        _audit(user, AuditAction.UPDATE, consolidation, request.requested_by_unit_id,
               before={k: before[k] for k in changed if k != "texts"} | ({"texts": "…"} if "texts" in changed else {}),
               after={k: after[k] for k in changed if k != "texts"}
               | ({"texts": sorted(edited)} if "texts" in changed else {}),
               note=_("Sửa báo cáo tổng hợp"), request=http_request)
    return consolidation


# --- rendering ---------------------------------------------------------------------------------------

def _heading_level(no: str, depth: int) -> int:
    """Top-level sections (Phần, Kèm theo, Phụ lục) are centred level 1; "Mục" level 2;
    "I."/"1." bold level 3; "a)" and anything deeper italic level 4."""
    label = (no or "").strip().lower()
    if depth == 0 or label.startswith(("phần", "chương")):
        return 1
    if label.startswith("mục"):
        return 2
    if re.fullmatch(r"[a-zđ]\)", label):  # điểm "a)"; a bare "i" is the Roman numeral I
        return 4
    return 3 if depth <= 2 else 4


def _heading_text(no: str, title: str, level: int) -> str:
    no = (no or "").strip()
    if not no:
        return title
    if level <= 2:
        return f"{no}\n{title}"
    if no.endswith((".", ")")):
        return f"{no} {title}"
    return f"{no}. {title}"


def _paragraphs(text: str) -> list[Any]:
    """A section text → Paragraph blocks; each "— Đơn vị:" line becomes the next block's attribution."""
    from dieuhanh.reports.decree30_docx import Paragraph

    blocks: list[Any] = []
    attribution, lines = "", []

    def flush() -> None:
        body = "\n".join(x for x in lines if x.strip())
        if body or attribution:
            blocks.append(Paragraph(body, attribution))

    for line in str(text or "").splitlines():
        m = _ATTRIBUTION.match(line)
        if m:
            flush()
            attribution, lines = m.group(1), []
        else:
            lines.append(line)
    flush()
    return blocks


def _per_unit_rows(request: ReportRequest, units: list[int]) -> Iterator[tuple[str, dict]]:
    """(unit name, data) of the included units' accepted submissions, in the build order.

    Read from the submissions (not stored a second time in ``figures``): a submission stays
    ACCEPTED with the same data unless it is returned, which rebuilding would pick up."""
    order = {unit_id: i for i, unit_id in enumerate(units)}
    found = sorted((row for row in _accepted_rows(request) if row[0] in order), key=lambda r: order[r[0]])
    for _unit_id, name, data in found:
        yield name, data if isinstance(data, dict) else {}


def _unit_tables(data: dict) -> dict:
    tables = data.get("tables") if isinstance(data, dict) else None
    return tables if isinstance(tables, dict) else {}


def _indicator_rows(table: Any, values: dict) -> list[list[Any]]:
    """One unit's rows of ``table``: [indicator label, unit of measure, *cell values]."""
    rows = []
    for row in table.rows:
        cells = values.get(row.key) if isinstance(values, dict) else None
        cells = cells if isinstance(cells, dict) else {}
        rows.append([row.label, row.unit, *(_plain(cells.get(c.key)) for c in table.columns)])
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, list):  # a text cell aggregated as [[unit, value], ...]
        return "\n".join(f"{short_unit_name(str(v[0]))}: {v[1]}" if isinstance(v, list | tuple) and len(v) == 2
                         else str(v) for v in value)
    return value


def _unit_header(table: Any) -> list[str]:
    return ["Đơn vị", "Chỉ tiêu", "Đơn vị tính", *(c.label for c in table.columns)]


#: A text cell of the aggregated table lists each unit's note ("Phường A: …; Phường B: …") up to
#: this many notes; beyond, it says how many units wrote one (the notes are in the per-unit part).
LIST_MAX = 10


def _capped(values: dict) -> dict:
    out = {}
    for row_key, cells in values.items():
        if not isinstance(cells, dict):
            out[row_key] = cells
            continue
        row = {}
        for col_key, value in cells.items():
            if isinstance(value, list) and len(value) > LIST_MAX:
                value = f"{len(value)} đơn vị có ghi chú (xem số liệu theo từng đơn vị)"
            elif isinstance(value, list):
                value = [[short_unit_name(str(v[0])), v[1]] if isinstance(v, list | tuple) and len(v) == 2 else v
                         for v in value]
            row[col_key] = value
        out[row_key] = row
    return out


def _matrix(outline: Any, table: Any, figures: dict) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of an aggregated table (``outline.table_matrix``); long note lists are
    summarised (a Word/Excel cell cannot hold 10,000 units' notes: Excel stops at 32,767 characters)."""
    from dieuhanh.reports.outline import table_matrix

    values = ((figures or {}).get("tables") or {}).get(table.key) or {}
    headers, rows = table_matrix(outline, table.key, _capped(values))
    return list(headers), [[_plain(v) for v in row] for row in rows]


def _context(consolidation: Consolidation) -> tuple[ReportRequest, Any, Issuer]:
    request = (ReportRequest.objects.select_related("outline_version", "requested_by_unit__parent__parent")
               .get(pk=consolidation.request_id))
    return request, request.outline_version.schema(), issuer_for(request.requested_by_unit)


def _docx_bytes(consolidation: Consolidation, *, number: str | None = None, date: datetime.date | None = None,
                signature: Any = None) -> bytes:
    from dieuhanh.reports.completeness import completeness
    from dieuhanh.reports.decree30_docx import Appendix, Header, Heading, Paragraph, Signature, build_docx

    request, outline, issuer = _context(consolidation)
    document = consolidation.document
    if document is not None:
        number = number or (str(document.number) if document.number else None)
        date = date or document.issued_on
    year = (date or timezone.localdate()).year
    header = Header(issuer=issuer.lines, issuer_parent=issuer.parent, number=number,
                    symbol=_report_symbol(outline, issuer), place=issuer.place, date=date, year=year,
                    type_name=_upper(outline.doc_type or "Báo cáo"), subject=consolidation.subject or outline.title)
    blocks: list[Any] = []
    texts = consolidation.texts or {}
    figures = consolidation.figures or {}
    units = list(consolidation.units_included or [])
    # Which units the figures rest on comes first, so nobody reads 16 units' sums as the district's.
    blocks.append(Paragraph(completeness(request, units, on=timezone.localdate(consolidation.built_at)).sentence()))
    placed: set[str] = set()
    for depth, section in outline.walk():
        level = _heading_level(section.no, depth)
        blocks.append(Heading(_heading_text(section.no, section.title, level), level))
        if section.narrative:
            blocks.extend(_paragraphs(texts.get(section.key, "")))
        for key in section.tables:  # the tables the outline shows in this section
            if key not in placed:
                placed.add(key)
                blocks.append(_table_block(outline, outline.table(key), figures, len(units)))
    appendices = []
    rest = [t for t in outline.tables if t.key not in placed]
    if rest:
        tables = [_table_block(outline, t, figures, len(units)) for t in rest]
        appendices.append(Appendix("SỐ LIỆU TỔNG HỢP", tables, landscape=any(_wide(t) for t in tables)))
    if outline.tables:
        appendices.append(Appendix("SỐ LIỆU THEO TỪNG ĐƠN VỊ", _unit_appendix(request, outline, units), landscape=True))
    if signature is None:
        signature = Signature(consolidation.signer_authority, consolidation.signer_position, consolidation.signer_name)
    greeting = f"Kính gửi: {request.recipient.strip().rstrip('.')}." if request.recipient.strip() else ""
    return build_docx(header, blocks, list(consolidation.distribution or []), signature, greeting=greeting,
                      appendices=appendices)


def _wide(table: Any) -> bool:
    """More value columns than a portrait A4 page holds legibly at 11 pt."""
    return len(table.headers) > PORTRAIT_MAX_COLUMNS


def _table_block(outline: Any, table: Any, figures: dict, n_units: int) -> Any:
    from dieuhanh.reports.decree30_docx import TableBlock

    headers, rows = _matrix(outline, table, figures)
    return TableBlock(f"{table.key}. {table.title}", headers, rows,
                      note=f"Tổng hợp từ báo cáo của {n_units} đơn vị.")


def _unit_appendix(request: ReportRequest, outline: Any, units: list[int]) -> list[Any]:
    """"Phụ lục: số liệu theo từng đơn vị" — per outline table, one table in long form.

    Layout: one row per (unit, indicator): columns "Đơn vị", "Chỉ tiêu", "Đơn vị tính" and the
    table's own value columns, the unit name only on its first row. It is as wide as the
    aggregated table plus one column, so it stays on an A4 page whatever the number of units
    (units as rows with one column per (indicator, column) would be unreadably wide).
    Above :data:`APPENDIX_MAX_UNITS` units the appendix only points to the XLSX.
    """
    from dieuhanh.reports.decree30_docx import Heading, Paragraph, TableBlock

    blocks: list[Any] = []
    if not units:
        blocks.append(Paragraph("Chưa có đơn vị nào được tiếp nhận báo cáo."))
        return blocks
    if len(units) > APPENDIX_MAX_UNITS:
        blocks.append(Paragraph(f"Số liệu chi tiết của {len(units)} đơn vị xem tại tệp Excel (XLSX) kèm theo "
                                "báo cáo này."))
        return blocks
    per_table: dict[str, list[list[Any]]] = {t.key: [] for t in outline.tables}
    for name, data in _per_unit_rows(request, units):
        tables = _unit_tables(data)
        label = short_unit_name(name)
        for table in outline.tables:
            rows = _indicator_rows(table, tables.get(table.key) or {})
            for i, row in enumerate(rows):
                per_table[table.key].append([label if i == 0 else "", *row])
    for table in outline.tables:
        blocks.append(TableBlock(f"{table.key}. {table.title} — theo đơn vị", _unit_header(table), per_table[table.key]))
    return blocks


def consolidated_docx(consolidation: Consolidation) -> bytes:
    """The report per Decree 30 (number and date filled in once issued, else left blank)."""
    return _docx_bytes(consolidation)


def signed_docx(consolidation: Consolidation, *, subject: str, signature: Any, distribution: list[str],
                number: str | None = None, date: datetime.date | None = None) -> bytes:
    """The report as its draft renders it (``dieuhanh.drafts``): the draft's trích yếu, Nơi nhận and
    the signer's block from the signer's account; number and date once the văn thư issues it."""
    copy = Consolidation(pk=consolidation.pk, request_id=consolidation.request_id, texts=consolidation.texts,
                         figures=consolidation.figures, units_included=consolidation.units_included,
                         subject=subject, distribution=list(distribution or []))
    return _docx_bytes(copy, number=number, date=date, signature=signature)


def consolidated_xlsx(consolidation: Consolidation) -> bytes:
    """One sheet per outline table with the aggregated figures ("PL3 tổng hợp"), then per table
    a "PL3 theo đơn vị" sheet: one row per unit, one column per (indicator, value column) —
    the usual "biểu tổng hợp theo đơn vị", sortable and filterable, one line per unit however
    many units there are."""
    from dieuhanh.reports.xlsx import Sheet, build_xlsx

    request, outline, _issuer = _context(consolidation)
    figures = consolidation.figures or {}
    units = list(consolidation.units_included or [])
    sheets = []
    for table in outline.tables:
        headers, rows = _matrix(outline, table, figures)
        sheets.append(Sheet(f"{table.key} tổng hợp", headers, rows,
                            caption=f"{table.key}. {table.title} (tổng hợp {len(units)} đơn vị)"))
    cells = {t.key: [(r.key, c.key) for r in t.rows for c in t.columns] for t in outline.tables}
    per_table: dict[str, list[list[Any]]] = {t.key: [] for t in outline.tables}
    for n, (name, data) in enumerate(_per_unit_rows(request, units), start=1):
        tables = _unit_tables(data)
        label = short_unit_name(name)
        for table in outline.tables:
            values = tables.get(table.key)
            values = values if isinstance(values, dict) else {}
            line: list[Any] = [n, label]
            for row_key, col_key in cells[table.key]:
                row = values.get(row_key)
                line.append(row.get(col_key) if isinstance(row, dict) else None)
            per_table[table.key].append(line)
    for table in outline.tables:
        headers = ["STT", "Đơn vị", *(f"{r.label}{f' ({r.unit})' if r.unit else ''} — {c.label}"
                                      for r in table.rows for c in table.columns)]
        sheets.append(Sheet(f"{table.key} theo đơn vị", headers, per_table[table.key],
                            caption=f"{table.key}. {table.title} — số liệu theo từng đơn vị"))
    return build_xlsx(sheets)


# --- issuing -------------------------------------------------------------------------------------------

def check_number_right(user: Any, register: Any) -> None:
    """Drawing a number from ``register`` needs the register's own right: the one the register
    checks when a document is filed into it directly (``documents.permissions.can_register``:
    its unit's clerk, or an administrator). ``user=None``: a system action (command line)."""
    from dieuhanh.documents.permissions import can_register

    if user is not None and not can_register(user, register):
        raise PermissionDenied(_("Chỉ văn thư của %(unit)s (người có quyền vào sổ văn bản đi của đơn vị) mới cấp "
                                 "số và phát hành được báo cáo này.") % {"unit": register.unit.name})


def _outgoing_register(user: Any, issuer: Issuer, register: Any) -> Any:
    from dieuhanh.documents.models import Direction, Register
    from dieuhanh.documents.services import ensure_registers

    if register is not None:
        if register.direction != Direction.OUTGOING or not register.active:
            raise ValidationError(_("Phải chọn sổ văn bản đi đang dùng."))
        if register.unit_id != issuer.unit.pk:
            raise ValidationError(_("Sổ văn bản đi phải là sổ của %(unit)s.") % {"unit": issuer.name})
        return register
    found = Register.objects.filter(unit=issuer.unit, direction=Direction.OUTGOING, active=True).order_by("id").first()
    if found is None:  # the right is checked before the unit's registers are created
        check_number_right(user, Register(unit=issuer.unit, direction=Direction.OUTGOING))
        found = next(r for r in ensure_registers(issuer.unit, actor=user) if r.direction == Direction.OUTGOING)
    return found


def issue_consolidation(user: Any, consolidation: Consolidation, *, register: Any = None,
                        http_request: Any = None) -> Any:
    """Issue the report: an OUTGOING document numbered in the issuer's outgoing register.

    The number is drawn with :func:`dieuhanh.documents.numbering.next_number` inside the
    transaction (gap-free: a failure rolls the number back); the DOCX, regenerated with the
    number and today's date, is the main attachment. When the request came from an
    assignment (``source_task``) that is workable, the document is submitted as its result.
    Refuses a second issue, and anyone without the register's own right (PermissionDenied:
    :func:`check_number_right`). Returns the Document.
    """
    from dieuhanh.documents import storage
    from dieuhanh.documents.intake import safe_filename
    from dieuhanh.documents.models import Attachment, Direction, Document
    from dieuhanh.documents.numbering import next_number

    request = consolidation.request
    _check_requester(user, request)
    if consolidation.document_id is not None:
        raise ValidationError(_("Báo cáo tổng hợp đã được phát hành với số %(number)s.")
                              % {"number": consolidation.document.number_symbol})
    _request, outline, issuer = _context(consolidation)
    if not (consolidation.subject or "").strip():
        raise ValidationError({"subject": _("Phải có trích yếu của báo cáo.")})
    register = _outgoing_register(user, issuer, register)
    check_number_right(user, register)
    today = timezone.localdate()
    symbol = _report_symbol(outline, issuer)
    created: list[str] = []
    try:
        with transaction.atomic():
            locked = Consolidation.objects.select_for_update().get(pk=consolidation.pk)
            if locked.document_id is not None:  # issued meanwhile by someone else
                raise ValidationError(_("Báo cáo tổng hợp đã được phát hành với số %(number)s.")
                                      % {"number": locked.document.number_symbol})
            number = next_number(register.pk, today.year)
            document = Document(
                register=register, direction=Direction.OUTGOING, owner_unit_id=register.unit_id,
                doc_type=outline.doc_type or "Báo cáo", number=number, symbol=symbol,
                number_symbol=f"{number}/{symbol}", issuer=issuer.name[:255], issuer_parent=issuer.parent[:255],
                place=issuer.place[:100], issued_on=today, subject=consolidation.subject,
                recipients=[request.recipient.strip()] if request.recipient.strip() else [],
                distribution=list(consolidation.distribution or []),
                signer_authority=consolidation.signer_authority, signer_position=consolidation.signer_position,
                signer_name=consolidation.signer_name, reg_year=today.year, reg_number=number,
                created_by=user if getattr(user, "is_authenticated", False) else None)
            document.issuer_unit_id = issuer.unit.pk
            document.save()
            _audit(user, AuditAction.CREATE, document, register.unit_id, after=snapshot(document),
                   note=f"{document.get_direction_display()} {number}/{today.year} — báo cáo tổng hợp",
                   request=http_request)
            consolidation.document = document
            data = _docx_bytes(consolidation, number=str(number), date=today)
            checksum = storage.sha256(data)
            name = safe_filename(f"{number}-{symbol}.docx")
            attachment = Attachment(
                document=document, original_name=name, size=len(data), checksum=checksum, is_main=True,
                content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            attachment.file = storage.store_blob(data, checksum, created)
            attachment.save()
            _audit(user, AuditAction.CREATE, attachment, register.unit_id, after=snapshot(attachment),
                   request=http_request)
            document.checksum = checksum
            document.save(update_fields=["checksum"])
            consolidation.save(update_fields=["document", "updated_at"])
            _audit(user, AuditAction.STATE, consolidation, request.requested_by_unit_id,
                   before={"document": None}, after={"document": document.pk},
                   note=_("Phát hành báo cáo tổng hợp số %(number)s") % {"number": document.number_symbol},
                   request=http_request)
            _submit_to_source_task(user, request, document, http_request)
    except BaseException:
        consolidation.document = None
        storage.discard(created)
        raise
    return document


def _submit_to_source_task(user: Any, request: ReportRequest, document: Any, http_request: Any = None) -> None:
    assignment = request.source_task
    if assignment is None or assignment.status not in assignment.WORKABLE:
        return
    from dieuhanh.tasks.services import acts_for_doer, submit_result

    note = _("Báo cáo tổng hợp số %(number)s") % {"number": document.number_symbol}
    if user is not None and acts_for_doer(user, assignment):
        submit_result(user, assignment, note=note, document=document, request=http_request)
    else:  # a system action, or a requester who is not the doer: recorded on the assignment directly
        assignment.submit_result(user, note=note, document=document, request=http_request)


def link_issued(user: Any, consolidation: Consolidation, document: Any, *, doer: Any = None,
                http_request: Any = None) -> None:
    """The report went out through the document workflow (``dieuhanh.drafts``): its draft was signed and
    the văn thư issued it as ``document``. Recorded on the consolidation and, when the request came
    from an assignment, submitted as its result (by the drafter, who works for the doing unit)."""
    locked = Consolidation.objects.select_for_update(of=("self",)).select_related("request__source_task").get(pk=consolidation.pk)
    if locked.document_id is not None:
        raise ValidationError(_("Báo cáo tổng hợp đã được phát hành với số %(number)s.")
                              % {"number": locked.document.number_symbol})
    locked.document = document
    locked.save(update_fields=["document", "updated_at"])
    _audit(user, AuditAction.STATE, locked, locked.request.requested_by_unit_id, before={"document": None},
           after={"document": document.pk},
           note=_("Phát hành báo cáo tổng hợp số %(number)s") % {"number": document.number_symbol},
           request=http_request)
    _submit_to_source_task(doer or user, locked.request, document, http_request)

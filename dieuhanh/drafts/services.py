"""Service functions of the drafts app: the only way views change drafts.

Each one checks who acts, locks the draft row, calls the model method for the state change,
keeps a version / a timeline event, and writes the audit row, all in one transaction::

    drafts_visible_to(user) / get_draft_for_user(user, pk)            # Http404 outside scope
    can_draft(user) / can_manage_chain(user, unit) / can_issue(user, draft)
    create_draft(user, doc_type, subject, ...) -> Draft
    save_version(user, draft, fields, upload=None) -> DraftVersion    # drafter, or the reviewer in turn
    restore_version(user, draft, version) -> DraftVersion
    submit / approve / send_back / sign(user, draft, ...) -> Draft
    issue(user, draft, issued_on=None) -> documents.Document          # the văn thư with the register right
    set_chain(user, unit, reviewer_ids, labels, issuer_unit=None) -> ReviewChain
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction, Role
from dieuhanh.accounts.scope import can_see_unit, visible_unit_ids
from dieuhanh.drafts import layout
from dieuhanh.drafts.models import (Draft, DraftEvent, DraftType, DraftVersion, EventKind, PdfState, RenderJob,
                                    ReviewChain, ReviewStep, State)

DOCX_MAGIC = b"PK\x03\x04"
MAX_SUBJECT = 500
MAX_BODY = 200_000


# --- reading --------------------------------------------------------------------------------------


def _is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin_role)


def drafts_visible_to(user: Any) -> QuerySet[Draft]:
    """Drafts of a unit in scope; drafts the user reviews; signed and issued drafts of a body whose
    register the user keeps (the issuing committee's văn thư)."""
    ids = visible_unit_ids(user)
    qs = Draft.objects.all()
    if ids is None:
        return qs
    if not ids:
        return qs.none()
    uid = user.pk
    reviewing = Q(route__contains=[{"user": uid}]) if _json_contains() else Q(pk__in=_reviewed_ids(uid))
    clerk = Q(issuer_unit_id__in=ids, state__in=(State.SIGNED, State.ISSUED))
    return qs.filter(Q(unit_id__in=ids) | reviewing | clerk)


def _json_contains() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def _reviewed_ids(uid: int) -> list[int]:
    # SQLite has no JSON containment: the few drafts in review are read and matched in Python.
    rows = Draft.objects.exclude(route=[]).values_list("pk", "route")
    return [pk for pk, route in rows if any(int(s.get("user", 0)) == uid for s in route or [])]


def get_draft_for_user(user: Any, pk: Any) -> Draft:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    draft = (drafts_visible_to(user).select_related("unit", "issuer_unit", "created_by", "signer", "document")
             .filter(pk=key).first())
    if draft is None:
        raise Http404(_("Không tìm thấy dự thảo."))
    return draft


def can_draft(user: Any) -> bool:
    """Specialists and leaders of a unit write drafts (clerks number and issue them)."""
    return _is_admin(user) or (getattr(user, "is_authenticated", False) and user.unit_id is not None
                               and user.role in (Role.CHUYEN_VIEN, Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND))


def can_manage_chain(user: Any, unit: Any) -> bool:
    """The unit's leaders (or leaders above it) and administrators set its review chain."""
    if _is_admin(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and user.is_leader and can_see_unit(user, unit.pk))


def issue_register(draft: Draft) -> Any:
    from dieuhanh.documents.models import Direction, Register

    return (Register.objects.filter(unit_id=draft.issuer_unit_id, direction=Direction.OUTGOING, active=True)
            .order_by("id").first() or Register(unit=draft.issuer_unit, direction=Direction.OUTGOING))


def can_issue(user: Any, draft: Draft) -> bool:
    from dieuhanh.documents.permissions import can_register

    return draft.state == State.SIGNED and can_register(user, issue_register(draft))


# --- helpers --------------------------------------------------------------------------------------


def _audit(user: Any, action: str, draft: Draft, note: str, *, before: dict | None = None,
           after: dict | None = None, request: Any = None) -> None:
    record(user, action, draft, unit_id=draft.unit_id, before=before, after=after, note=note[:255], request=request)


def _event(draft: Draft, kind: str, user: Any, comment: str = "", version: int | None = None) -> None:
    DraftEvent.objects.create(draft=draft, kind=kind, actor=user, comment=comment, version=version)


def _locked(draft: Draft) -> Draft:
    return Draft.objects.select_for_update().select_related("issuer_unit", "unit").get(pk=draft.pk)


def _clean_list(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    return [" ".join(str(v).split()).lstrip("- ").rstrip(" ;.") for v in values or [] if str(v).strip(" -;.")]


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    subject = " ".join(str(values.get("subject") or "").split())
    body = str(values.get("body") or "").replace("\r\n", "\n")
    if not subject:
        raise ValidationError({"subject": _("Phải có trích yếu của văn bản.")})
    if len(subject) > MAX_SUBJECT:
        raise ValidationError({"subject": _("Trích yếu quá dài (tối đa %(n)d ký tự).") % {"n": MAX_SUBJECT}})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": _("Nội dung quá dài (tối đa %(n)d ký tự).") % {"n": MAX_BODY}})
    return {"subject": subject, "body": body, "recipients": _clean_list(values.get("recipients")),
            "distribution": _clean_list(values.get("distribution"))}


def read_docx_upload(upload: Any) -> tuple[bytes, str, dict[str, Any]]:
    """The bytes, the safe name and the fields (trích yếu, Kính gửi, Nơi nhận, nội dung) of an uploaded
    DOCX; ValidationError for anything that is not a readable DOCX."""
    from dieuhanh.documents.intake import check_size, preview_intake, safe_filename

    check_size(getattr(upload, "size", 0) or 0)
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else bytes(upload)
    name = safe_filename(getattr(upload, "name", "") or "du-thao.docx")
    if not data.startswith(DOCX_MAGIC) or not name.lower().endswith(".docx"):
        raise ValidationError({"upload": _("Chỉ tải lên được tệp Word .docx.")})
    preview = preview_intake(data=data, filename=name)
    fields = preview["fields"]
    return data, name, {"subject": fields.get("subject") or "", "body": fields.get("body") or "",
                        "recipients": fields.get("recipients") or [], "distribution": fields.get("distribution") or []}


def _new_version(user: Any, draft: Draft, note: str, source: tuple[bytes, str] | None = None) -> DraftVersion:
    last = draft.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = DraftVersion(draft=draft, number=last + 1, subject=draft.subject, body=draft.body,
                           recipients=draft.recipients, distribution=draft.distribution, note=note[:255],
                           created_by=user)
    if source is not None:
        data, name = source
        version.source_name = name
        version.source.save(f"{draft.pk}-{last + 1}.docx", ContentFile(data), save=False)
    version.save()
    return version


def draft_from_consolidation(user: Any, consolidation: Any, *, request: Any = None) -> Draft:
    """"Phát hành" of a consolidated report: a Báo cáo draft of the requesting unit made from the report
    (its texts, trích yếu, Kính gửi, Nơi nhận; rendered in the report's own layout), which then goes
    through review, signing and issuing like any draft. A second call returns the same draft."""
    existing = Draft.objects.filter(consolidation=consolidation).first()
    if existing is not None:
        return existing
    if consolidation.document_id is not None:
        raise ValidationError(_("Báo cáo tổng hợp đã được phát hành với số %(number)s.")
                              % {"number": consolidation.document.number_symbol})
    req = consolidation.request
    outline = req.outline_version.schema()
    texts = consolidation.texts or {}
    lines = []
    for _depth, section in outline.walk():
        lines.append(f"{section.no} {section.title}".strip())
        if section.narrative and str(texts.get(section.key) or "").strip():
            lines.append(str(texts[section.key]).strip())
    body = "\n".join(lines)
    values = {"subject": consolidation.subject or req.title, "body": body,
              "recipients": [req.recipient] if (req.recipient or "").strip() else [],
              "distribution": list(consolidation.distribution or [])}
    return create_draft(user, "Báo cáo", values, consolidation=consolidation, unit=req.requested_by_unit,
                        request=request)


# --- drafting ------------------------------------------------------------------------------------


def chain_route(unit: Any) -> list[dict[str, Any]]:
    chain = ReviewChain.objects.filter(unit=unit).first()
    if chain is None:
        return []
    return [{"user": s.reviewer_id, "label": s.label, "name": s.reviewer.get_full_name() or s.reviewer.username}
            for s in chain.steps.select_related("reviewer").order_by("order")]


def _issuer_unit(unit: Any) -> Any:
    chain = ReviewChain.objects.filter(unit=unit).select_related("issuer_unit").first()
    if chain is not None and chain.issuer_unit is not None:
        return chain.issuer_unit
    from dieuhanh.reports.consolidation import issuer_for

    return issuer_for(unit).unit


def create_draft(user: Any, doc_type: str, values: dict[str, Any], *, upload: Any = None, symbol: str = "",
                 consolidation: Any = None, unit: Any = None, request: Any = None) -> Draft:
    """A new draft of ``doc_type`` in the user's unit (``unit``: an administrator drafting for a unit):
    from the type's template (``values`` filled in, the body defaulting to the template's text) or
    from an uploaded DOCX; version 1 is kept."""
    if not can_draft(user) or user.unit_id is None:
        raise PermissionDenied(_("Chỉ chuyên viên và lãnh đạo của một đơn vị mới soạn được dự thảo."))
    unit = unit or user.unit
    if unit.pk != user.unit_id and not _is_admin(user):
        raise PermissionDenied(_("Bạn chỉ soạn được dự thảo của đơn vị mình."))
    if doc_type not in DraftType.values:
        raise ValidationError({"doc_type": _("Loại văn bản không hợp lệ.")})
    source = None
    if upload is not None:
        data, name, read = read_docx_upload(upload)
        values = {**read, **{k: v for k, v in values.items() if v}}
        source = (data, name)
    values = dict(values)
    values.setdefault("body", "")
    if not str(values.get("body") or "").strip() and source is None:
        values["body"] = layout.STARTERS.get(doc_type, "")
    fields = _fields(values)
    issuer_unit = _issuer_unit(unit)
    from dieuhanh.reports.consolidation import issuer_for

    symbol = " ".join((symbol or "").split()).replace(" ", "") or layout.default_symbol(
        doc_type, issuer_for(issuer_unit), unit)
    with transaction.atomic():
        draft = Draft.objects.create(unit=unit, issuer_unit=issuer_unit, doc_type=doc_type, symbol=symbol[:64],
                                     created_by=user, consolidation=consolidation, **fields)
        version = _new_version(user, draft, _("Tạo từ tệp tải lên") if source else _("Tạo từ mẫu"), source)
        _event(draft, EventKind.CREATED, user, version=version.number)
        _audit(user, AuditAction.CREATE, draft, _("Tạo dự thảo"), after=snapshot(draft), request=request)
    return draft


def save_version(user: Any, draft: Draft, values: dict[str, Any], *, upload: Any = None,
                 request: Any = None) -> DraftVersion:
    """Save the text as a new version (the drafter, or the reviewer whose turn it is: "sửa")."""
    source = None
    if upload is not None:
        data, name, read = read_docx_upload(upload)
        values = {**values, **read}
        source = (data, name)
    fields = _fields(values)
    with transaction.atomic():
        locked = _locked(draft)
        if not locked.can_edit(user):
            raise PermissionDenied(_("Bạn không sửa được dự thảo này ở trạng thái “%(state)s”.")
                                   % {"state": locked.get_state_display()})
        before = snapshot(locked, ["subject", "recipients", "distribution"])
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        reviewer = not locked.is_drafter(user)
        version = _new_version(user, locked, _("Người duyệt sửa") if reviewer else _("Lưu"), source)
        _event(locked, EventKind.EDITED if reviewer else EventKind.SAVED, user, version=version.number)
        _audit(user, AuditAction.UPDATE, locked, _("Lưu phiên bản %(n)d") % {"n": version.number}, before=before,
               after=snapshot(locked, ["subject", "recipients", "distribution"]), request=request)
    draft.refresh_from_db()
    return version


def restore_version(user: Any, draft: Draft, version: DraftVersion, *, request: Any = None) -> DraftVersion:
    """Make an old version the current text again (kept as a new version; nothing is lost)."""
    if version.draft_id != draft.pk:
        raise Http404
    with transaction.atomic():
        locked = _locked(draft)
        if not locked.can_edit(user):
            raise PermissionDenied(_("Bạn không sửa được dự thảo này ở trạng thái “%(state)s”.")
                                   % {"state": locked.get_state_display()})
        for name in ("subject", "body", "recipients", "distribution"):
            setattr(locked, name, getattr(version, name))
        locked.save()
        new = _new_version(user, locked, _("Khôi phục phiên bản %(n)d") % {"n": version.number})
        _event(locked, EventKind.RESTORED, user, comment=f"v{version.number}", version=new.number)
        _audit(user, AuditAction.UPDATE, locked, _("Khôi phục phiên bản %(n)d") % {"n": version.number},
               request=request)
    draft.refresh_from_db()
    return new


# --- review ----------------------------------------------------------------------------------------


def _transition(user: Any, draft: Draft, kind: str, change: Any, note: str, comment: str = "",
                request: Any = None) -> Draft:
    with transaction.atomic():
        locked = _locked(draft)
        before = {"state": locked.state, "step": locked.step}
        change(locked)
        locked.save()
        _event(locked, kind, user, comment=comment)
        _audit(user, AuditAction.STATE, locked, note, before=before,
               after={"state": locked.state, "step": locked.step}, request=request)
        if kind == EventKind.SIGNED:
            RenderJob.objects.create(draft=locked, kind=RenderJob.KIND_SIGNED)
    draft.refresh_from_db()
    return draft


def submit(user: Any, draft: Draft, *, request: Any = None) -> Draft:
    route = chain_route(draft.unit)
    return _transition(user, draft, EventKind.SUBMITTED, lambda d: d.submit(user, route), _("Trình duyệt dự thảo"),
                       request=request)


def approve(user: Any, draft: Draft, comment: str = "", *, request: Any = None) -> Draft:
    return _transition(user, draft, EventKind.APPROVED, lambda d: d.approve(user), _("Đồng ý dự thảo"),
                       comment=comment.strip(), request=request)


def send_back(user: Any, draft: Draft, comment: str, *, request: Any = None) -> Draft:
    return _transition(user, draft, EventKind.RETURNED, lambda d: d.send_back(user, comment),
                       _("Trả lại dự thảo"), comment=(comment or "").strip(), request=request)


def sign(user: Any, draft: Draft, *, request: Any = None) -> Draft:
    """The last reviewer signs: the block comes from their account; the PDF is made by the worker."""
    draft.refresh_from_db()
    draft._check_turn(user)  # who may sign is said before what their account lacks
    block = layout.signer_block(user, layout.draft_issuer(draft)).as_tuple()
    return _transition(user, draft, EventKind.SIGNED, lambda d: d.sign(user, block), _("Ký duyệt dự thảo"),
                       request=request)


# --- issuing ---------------------------------------------------------------------------------------


def issue(user: Any, draft: Draft, *, issued_on: datetime.date | None = None, request: Any = None) -> Any:
    """The issuing body's văn thư gives the number (the outgoing register's next, gapless) and the date,
    and issues: a registered outgoing Document with the numbered DOCX, linked to the draft. The
    numbered PDF is made by the worker and attached to the document."""
    from dieuhanh.documents.services import IntakeFile, ensure_registers, register_document
    from dieuhanh.reports.consolidation import check_number_right
    from dieuhanh.vanban import parse_text

    register = issue_register(draft)
    check_number_right(user, register)
    if register.pk is None:
        register = next(r for r in ensure_registers(draft.issuer_unit, actor=user) if r.direction == "di")
    today = timezone.localdate()
    issued_on = issued_on or today
    with transaction.atomic():
        locked = _locked(draft)
        if locked.state != State.SIGNED:
            locked.mark_issued(None)  # raises the message of the state it is in
        if locked.signed_at and issued_on < timezone.localdate(locked.signed_at):
            raise ValidationError({"issued_on": _("Ngày ban hành không được trước ngày ký (%(day)s).")
                                   % {"day": timezone.localdate(locked.signed_at).strftime("%d/%m/%Y")}})
        document = register_document(user, register, _document_fields(locked, issued_on), request=request)
        number = str(document.number)
        parsed = parse_text(layout.compose_text(locked, number=number, date=issued_on), source=document.number_symbol)
        _finish_document(user, document, locked, parsed, number, issued_on, request)
        locked.mark_issued(document)
        locked.save()
        _event(locked, EventKind.ISSUED, user, comment=document.number_symbol)
        _audit(user, AuditAction.STATE, locked, _("Phát hành số %(n)s") % {"n": document.number_symbol},
               before={"state": State.SIGNED}, after={"state": State.ISSUED, "document": document.pk},
               request=request)
        RenderJob.objects.create(draft=locked, kind=RenderJob.KIND_ISSUED)
        _share_with_drafting_unit(user, document, locked.unit, request)
        if locked.consolidation_id is not None:
            from dieuhanh.reports.consolidation import link_issued

            link_issued(user, locked.consolidation, document, doer=locked.created_by, http_request=request)
        _deliver_to_units(document, user)
    draft.refresh_from_db()
    return document


def _share_with_drafting_unit(user: Any, document: Any, unit: Any, request: Any) -> None:
    """The office that drafted the document (under the issuing body) keeps seeing it once issued."""
    from dieuhanh.documents.services import share_candidates, share_document

    if unit.pk != document.owner_unit_id and share_candidates(document).filter(pk=unit.pk).exists():
        share_document(user, document, [*document.shared_with.all(), unit], request=request)


def _document_fields(draft: Draft, issued_on: datetime.date) -> dict[str, Any]:
    issuer = layout.draft_issuer(draft)
    return {"doc_type": draft.doc_type, "symbol": draft.symbol, "issuer": issuer.name[:255],
            "issuer_parent": issuer.parent[:255], "place": issuer.place[:100], "issued_on": issued_on,
            "subject": draft.subject, "recipients": draft.recipients, "distribution": draft.distribution,
            "signer_authority": draft.signer_authority, "signer_position": draft.signer_position,
            "signer_name": draft.signer_name, "urgency": draft.urgency, "body": draft.body}


def _finish_document(user: Any, document: Any, draft: Draft, parsed: dict, number: str,
                     issued_on: datetime.date, request: Any) -> None:
    """The numbered DOCX as the main file, the parse (citations, tasks) as if read from it."""
    from dieuhanh.documents import citations
    from dieuhanh.documents.services import IntakeFile, add_attachment

    data = layout.render_docx(draft, number=number, date=issued_on)
    name = f"{document.number_symbol.replace('/', '-')}.docx"
    add_attachment(user, document, IntakeFile(data, name), is_main=True, request=request)
    document.parsed = {k: v for k, v in parsed.items() if k != "body"}
    document.checksum = IntakeFile(data, name).checksum
    document.save(update_fields=["parsed", "checksum"])
    citations.create_citations(document, parsed.get("references"))
    citations.link_back(document)


def _deliver_to_units(document: Any, by: Any) -> None:
    """Liên thông: the issued document reaches, in their incoming registers, the units of the system its
    Kính gửi / Nơi nhận name (``documents.exchange``), in the transaction that issues it."""
    from dieuhanh.documents import exchange

    units = exchange.resolve_recipients(document)
    if units:
        exchange.deliver_internal(document, units, by)


# --- review chains -----------------------------------------------------------------------------------


def set_chain(user: Any, unit: Any, steps: list[tuple[str, Any]], *, issuer_unit: Any = None,
              request: Any = None) -> ReviewChain:
    """Replace the review chain of ``unit`` by ``steps`` = [(label, reviewer), ...] in order."""
    if not can_manage_chain(user, unit):
        raise PermissionDenied(_("Chỉ lãnh đạo đơn vị hoặc quản trị mới thiết lập được quy trình duyệt."))
    if not steps:
        raise ValidationError(_("Quy trình duyệt phải có ít nhất một người duyệt."))
    seen = set()
    for label, reviewer in steps:
        if not label.strip():
            raise ValidationError(_("Mỗi bước duyệt phải có tên bước."))
        if reviewer.pk in seen:
            raise ValidationError(_("%(name)s có mặt hai lần trong quy trình duyệt.")
                                  % {"name": reviewer.get_full_name() or reviewer.username})
        if not reviewer.is_active:
            raise ValidationError(_("Tài khoản %(name)s đã bị khóa.") % {"name": reviewer.username})
        seen.add(reviewer.pk)
    with transaction.atomic():
        chain, _created = ReviewChain.objects.get_or_create(unit=unit)
        before = [f"{s.label}: {s.reviewer.get_full_name() or s.reviewer.username}"
                  for s in chain.steps.select_related("reviewer").order_by("order")]
        chain.steps.all().delete()
        ReviewStep.objects.bulk_create([ReviewStep(chain=chain, order=i + 1, label=label.strip()[:100],
                                                   reviewer=reviewer) for i, (label, reviewer) in enumerate(steps)])
        chain.issuer_unit = issuer_unit
        chain.save()
        # "quy_trinh" is not a field name: the audit page shows the readable list as it is.
        record(user, AuditAction.UPDATE, chain, unit_id=unit.pk, before={"quy_trinh": before},
               after={"quy_trinh": [f"{label}: {r.get_full_name() or r.username}" for label, r in steps],
                      "issuer_unit": getattr(issuer_unit, "pk", None)},
               note=_("Thiết lập quy trình duyệt dự thảo"), request=request)
    return chain


def format_findings(draft: Draft, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The ``vanban`` Decree 30 findings on the draft as it would print (``values`` overrides the text
    being typed). The number is not given yet, so findings about it are left out."""
    from dieuhanh.vanban import parse_text

    probe = Draft(unit=draft.unit, issuer_unit=draft.issuer_unit, doc_type=draft.doc_type, symbol=draft.symbol,
                  subject=draft.subject, body=draft.body, recipients=draft.recipients,
                  distribution=draft.distribution, signer_authority=draft.signer_authority,
                  signer_position=draft.signer_position, signer_name=draft.signer_name)
    if values:
        probe.subject = " ".join(str(values.get("subject", probe.subject)).split())
        probe.body = str(values.get("body", probe.body)).replace("\r\n", "\n")[:MAX_BODY]
        probe.recipients = _clean_list(values.get("recipients", probe.recipients))
        probe.distribution = _clean_list(values.get("distribution", probe.distribution))
    signature = None
    if not probe.signer_name:
        from dieuhanh.reports.decree30_docx import Signature

        issuer = layout.draft_issuer(probe)
        signature = Signature(issuer.authority, issuer.position, "Người Ký")
    text = layout.compose_text(probe, number="01", signature=signature)
    found = parse_text(text).get("warnings") or []
    return [f for f in found if isinstance(f, dict) and not str(f.get("code", "")).startswith("number")]


def pdf_status(draft: Draft) -> str:
    if draft.pdf_state == PdfState.DONE:
        return _("PDF đã ký số") if draft.pdf_signed else _("PDF không được ký số")
    return draft.get_pdf_state_display()

"""The consolidated report of a request: "Tổng hợp", the editable text, DOCX / XLSX and
"Phát hành văn bản đi"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dieuhanh.accounts.scope import can_see_unit
from dieuhanh.lib.filenames import document_filename
from dieuhanh.reports import consolidation as consolidating
from dieuhanh.reports import forms
from dieuhanh.reports import permissions as perms
from dieuhanh.reports import services as reports
from dieuhanh.reports.completeness import completeness
from dieuhanh.reports.models import Consolidation, ReportRequest
from dieuhanh.reports.views import SERVICE_ERRORS, download, error_texts, flash_errors

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"




def _load(request: HttpRequest, pk: int) -> ReportRequest:
    """The request, for those who follow it as (or above) the requesting unit; a reporting unit
    sees the request but not the other units' figures (403)."""
    req = perms.get_request_for_user(request.user, pk)
    if not can_see_unit(request.user, req.requested_by_unit_id):
        raise PermissionDenied(_("Chỉ đơn vị yêu cầu báo cáo mới xem được báo cáo tổng hợp."))
    return req


def _acting(request: HttpRequest, req: ReportRequest) -> None:
    if not perms.is_requester(request.user, req):
        raise PermissionDenied(_("Bạn chỉ được xem báo cáo tổng hợp này."))


def _existing(req: ReportRequest) -> Consolidation | None:
    return Consolidation.objects.filter(request=req).select_related("document", "built_by").first()


def _section_choices(schema: Any) -> list[tuple[str, str]]:
    return [(s.key, f"{s.no} {s.title}".strip()) for _depth, s in schema.walk() if s.narrative]


def _figure_tables(schema: Any, c: Consolidation) -> list[dict[str, Any]]:
    """Each table of the outline with its aggregated values, ready for the template."""
    from dieuhanh.reports.outline import table_matrix

    values = (c.figures or {}).get("tables", c.figures or {})
    found = []
    for table in schema.tables:
        header, body = table_matrix(schema, table.key, values.get(table.key))
        found.append({"key": table.key, "title": table.title, "header": header,
                      "rows": [[forms._format_value(v) for v in line] for line in body]})
    return found


def _render(request: HttpRequest, req: ReportRequest, c: Consolidation | None, form: Any = None,
            errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    schema = req.outline_version.schema()
    sections = _section_choices(schema)
    if c is not None and form is None:
        form = forms.ConsolidationForm(initial=forms.ConsolidationForm.initial_from(c), sections=sections)
    ctx = {"req": req, "c": c, "form": form, "errors": errors or [], "acting": perms.is_requester(request.user, req),
           "draft": getattr(c, "draft", None) if c is not None else None,
           "tables": _figure_tables(schema, c) if c is not None else [],
           "text_fields": [form[name] for _key, name in form.section_keys] if form is not None else [],
           "meta_fields": [form[n] for n in ("subject", "signer_authority", "signer_position", "signer_name",
                                             "distribution")] if form is not None else [],
           "units_included": (c.units_included or []) if c is not None else [],
           "completeness": completeness(req, c.units_included or []) if c is not None else None}
    return render(request, "reports/consolidation.html", ctx, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def consolidation(request: HttpRequest, pk: int) -> HttpResponse:
    req = _load(request, pk)
    c = _existing(req)
    if request.method == "GET":
        return _render(request, req, c)
    _acting(request, req)
    if c is None:
        messages.warning(request, _("Chưa tổng hợp báo cáo."))
        return redirect("reports:consolidation", pk=req.pk)
    schema = req.outline_version.schema()
    form = forms.ConsolidationForm(request.POST, sections=_section_choices(schema))
    if not form.is_valid():
        return _render(request, req, c, form, [e for errs in form.errors.values() for e in errs])
    d = form.cleaned_data
    try:
        consolidating.update_consolidation(request.user, c, texts=form.texts(), subject=d.get("subject") or "",
                                           signer_authority=d.get("signer_authority") or "",
                                           signer_position=d.get("signer_position") or "",
                                           signer_name=d.get("signer_name") or "",
                                           distribution=d.get("distribution") or [], http_request=request)
    except SERVICE_ERRORS as exc:
        return _render(request, req, c, form, error_texts(exc))
    messages.success(request, _("Đã lưu báo cáo tổng hợp."))
    return redirect("reports:consolidation", pk=req.pk)


@require_POST
@login_required
def consolidate(request: HttpRequest, pk: int) -> HttpResponse:
    """"Tổng hợp báo cáo" (first time) and "Tổng hợp lại" (``lam_lai``: figures and texts rebuilt)."""
    req = _load(request, pk)
    _acting(request, req)
    reset = bool(request.POST.get("lam_lai"))
    try:
        consolidating.consolidate(request.user, req, reset=reset, http_request=request)
    except SERVICE_ERRORS as exc:
        flash_errors(request, exc)
        return redirect("reports:detail", pk=req.pk)
    messages.success(request, _("Đã tổng hợp lại báo cáo.") if reset else _("Đã tổng hợp báo cáo."))
    return redirect("reports:consolidation", pk=req.pk)


def _built(request: HttpRequest, pk: int) -> tuple[ReportRequest, Consolidation]:
    req = _load(request, pk)
    c = _existing(req)
    if c is None:
        raise Http404
    return req, c


def _file(request: HttpRequest, pk: int, build: Any, content_type: str, suffix: str) -> HttpResponse:
    req, c = _built(request, pk)
    try:
        content = build(c)
    except SERVICE_ERRORS as exc:
        flash_errors(request, exc)
        return redirect("reports:consolidation", pk=req.pk)
    return download(content, content_type, consolidation_filename(req, c, suffix))


def consolidation_filename(req: ReportRequest, c: Consolidation, suffix: str) -> str:
    """"BC-UBND-2020-04-tong-ket-chuong-trinh-tong-the-CCHC-2011-2020.docx": kind, issuing body, month
    (of issue once issued, else of the due date) and the whole subject, never cut through a word."""
    issued = getattr(c.document, "issued_on", None) if c.document_id else None
    agency = consolidating.issuer_for(req.requested_by_unit).agency_symbol
    return document_filename("BC", agency, issued or req.due_on, c.subject or req.title, suffix)


@require_GET
@login_required
def consolidation_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _file(request, pk, consolidating.consolidated_docx, DOCX, ".docx")


@require_GET
@login_required
def consolidation_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return _file(request, pk, consolidating.consolidated_xlsx, XLSX, ".xlsx")


@require_POST
@login_required
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    """"Phát hành": the report becomes a Báo cáo draft that goes through review, signing and the văn
    thư's numbering (``dieuhanh.drafts``), never straight into the outgoing register."""
    from dieuhanh.drafts.services import draft_from_consolidation

    req, c = _built(request, pk)
    _acting(request, req)
    try:
        draft = draft_from_consolidation(request.user, c, request=request)
    except SERVICE_ERRORS as exc:
        flash_errors(request, exc)
        return redirect("reports:consolidation", pk=req.pk)
    messages.success(request, _("Đã tạo dự thảo báo cáo; hãy trình duyệt để lãnh đạo ký và văn thư phát hành."))
    return redirect("drafts:detail", pk=draft.pk)

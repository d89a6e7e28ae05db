"""Register lists (sổ đến, sổ đi, dự thảo), the document page, downloads and corrections.

The intake (upload → review → save) is in ``intake_views``.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dieuhanh.documents import registers, services
from dieuhanh.documents.handling import handling_context
from dieuhanh.documents.forms import DocumentFieldsForm, ShareForm
from dieuhanh.documents.forms_routing import VoidForm
from dieuhanh.documents.intake import FIELDS
from dieuhanh.documents.intake.review import signature_rows
from dieuhanh.documents.models import Citation, Direction, Document, Urgency
from dieuhanh.web.downloads import file_download

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLES = {
    Direction.INCOMING: gettext_lazy("Sổ văn bản đến"),
    Direction.OUTGOING: gettext_lazy("Sổ văn bản đi"),
    Direction.DRAFT: gettext_lazy("Dự thảo nội bộ"),
}


def _year(raw: str | None, default: int) -> int:
    try:
        year = int(raw or default)
    except ValueError:
        return default
    return year if 1900 <= year <= 9999 else default


def _register_list(request: HttpRequest, direction: str) -> HttpResponse:
    """The internal drafts' list ("Dự thảo nội bộ"); incoming and outgoing use :func:`_register`."""
    user = request.user
    documents = services.documents_visible_to(user).filter(direction=direction)
    register = None
    if request.GET.get("so"):
        register = services.get_register_for_user(user, request.GET["so"])
        if register.direction != direction:
            raise Http404(_("Không tìm thấy sổ văn bản."))
        documents = documents.filter(register=register)
    this_year = timezone.localdate().year
    year = _year(request.GET.get("nam"), this_year)
    years = set(documents.order_by().values_list("reg_year", flat=True).distinct()) | {this_year, year}
    rows = documents.filter(reg_year=year).defer(*Document.LIST_DEFER).order_by("-reg_number", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "documents/register_list.html", {
        "title": TITLES[direction], "direction": direction, "page": page, "year": year,
        "years": sorted(years, reverse=True), "register": register,
        "registers": list(services.registers_for_user(user, direction, writable=False)),
        "can_intake": services.registers_for_user(user, direction).exists(),
    })


def _register(request: HttpRequest, direction: str) -> HttpResponse:
    """Sổ đăng ký văn bản đến / đi with the Decree's columns; ``?xuat=xlsx`` or ``?xuat=in``."""
    f = registers.parse_filter(request.user, direction, request.GET)
    incoming = direction == Direction.INCOMING
    entries = (registers.incoming_entries if incoming else registers.outgoing_entries)(request.user, f)
    to_row = registers.incoming_row if incoming else registers.outgoing_row
    output = request.GET.get("xuat")
    if output == "xlsx":
        rows = [to_row(e) for e in entries[:registers.PRINT_LIMIT]]
        name = f"so-van-ban-{'den' if incoming else 'di'}-{f.year}.xlsx"
        return file_download(io.BytesIO(registers.xlsx_bytes(f, rows)), name, XLSX_TYPE)
    if output == "in":
        shown = list(entries[:registers.PRINT_LIMIT + 1])
        return render(request, "documents/register_print.html", {
            "title": TITLES[direction], "filter": f, "incoming": incoming,
            "columns": registers.INCOMING_COLUMNS if incoming else registers.OUTGOING_COLUMNS,
            "rows": [(e, to_row(e)) for e in shown[:registers.PRINT_LIMIT]],
            "truncated": len(shown) > registers.PRINT_LIMIT, "limit": registers.PRINT_LIMIT,
            "query": urlencode(f.query()),
            "units": sorted({r.unit.name for r in f.registers if r.pk in registers._scope(f)})})
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("trang"))
    years = sorted(set(f.years) | {f.year}, reverse=True)
    return render(request, "documents/register.html", {
        "title": TITLES[direction], "direction": direction, "incoming": incoming, "filter": f,
        "page": page, "rows": [(e, to_row(e)) for e in page.object_list], "years": years,
        "columns": registers.INCOMING_COLUMNS if incoming else registers.OUTGOING_COLUMNS,
        "query": urlencode(f.query()), "units": _units_of(f.registers),
        "statuses": registers.INCOMING_STATUSES if incoming else registers.OUTGOING_STATUSES,
        "urgencies": [("thuong" if v == "" else v, label) for v, label in Urgency.choices],
        "urgency_value": None if f.urgency is None else (f.urgency or "thuong"),
        "can_intake": services.registers_for_user(request.user, direction).exists(),
        "void_kind": "den" if incoming else "di",
        "can_void": {r.pk for r in f.registers if services.can_register(request.user, r)},
    })


def _units_of(found: list[Any]) -> list[Any]:
    units = {r.unit.pk: r.unit for r in found}
    return sorted(units.values(), key=lambda u: u.name)


@require_GET
@login_required
def incoming(request: HttpRequest) -> HttpResponse:
    return _register(request, Direction.INCOMING)


@require_GET
@login_required
def outgoing(request: HttpRequest) -> HttpResponse:
    return _register(request, Direction.OUTGOING)


@require_http_methods(["GET", "POST"])
@login_required
def void(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    entry = registers.get_entry_for_user(request.user, kind, pk)
    if not services.can_register(request.user, entry.register):
        raise PermissionDenied(_("Chỉ văn thư của đơn vị giữ sổ mới hủy được số trong sổ."))
    document = entry.document if kind == "den" else entry
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registers.void_entry(request.user, entry, form.cleaned_data["reason"], request=request)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Đã hủy số %(n)d/%(y)d trong sổ.") % {"n": entry.reg_number,
                                                                              "y": entry.reg_year})
            return redirect(("documents:incoming" if kind == "den" else "documents:outgoing"))
    return render(request, "documents/void.html", {"entry": entry, "document": document, "form": form})


@require_GET
@login_required
def drafts(request: HttpRequest) -> HttpResponse:
    return _register_list(request, Direction.DRAFT)


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    document = services.get_document_for_user(user, pk)
    cites = list(document.citations.select_related("cited"))
    linked = {c.cited_id for c in cites if c.cited_id}
    visible = set(services.documents_visible_to(user).filter(pk__in=linked).values_list("pk", flat=True))
    citing_ids = Citation.objects.filter(cited=document).values("citing_id")
    cited_by = (services.documents_visible_to(user).filter(pk__in=citing_ids).defer(*Document.LIST_DEFER)
                .order_by("issued_on", "pk"))
    return render(request, "documents/detail.html", {
        "document": document,
        "attachments": list(document.attachments.all()),
        "citations": [{"citation": c, "linked": c.cited if c.cited_id in visible else None} for c in cites],
        "cited_by": list(cited_by),
        "can_edit": services.can_edit(user, document),
        **handling_context(request, document),
        "signatures": signature_rows(document.parsed),
    })


@require_GET
@login_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    found = services.get_attachment_for_user(request.user, pk, attachment_pk)
    try:
        handle = found.file.open("rb")
    except OSError:
        raise Http404(_("Tệp không còn trên máy chủ.")) from None
    services.record_download(request.user, found, request=request)
    # The type stored at upload (read from the bytes), re-checked: rows stored before that rule
    # kept the client's declared type.
    return file_download(handle, found.original_name, found.content_type or None)


def initial_for(document: Document) -> dict[str, Any]:
    return {name: getattr(document, name) for name in FIELDS}


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = services.get_document_for_user(request.user, pk)
    if not services.can_edit(request.user, document):
        raise PermissionDenied(_("Bạn chỉ được xem văn bản này."))
    form = DocumentFieldsForm(request.POST or None, initial=initial_for(document), direction=document.direction,
                              editing=True)
    share = ShareForm(request.POST or None, units=services.share_candidates(document),
                      initial={"shared_with": list(document.shared_with.all())})
    if request.method == "POST" and form.is_valid() and share.is_valid():
        try:
            with transaction.atomic():
                services.update_document(request.user, document, form.service_fields(), request=request)
                services.share_document(request.user, document, share.cleaned_data["shared_with"], request=request)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Đã lưu các sửa đổi."))
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/edit.html", {"document": document, "form": form, "share": share})

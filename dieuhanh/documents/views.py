"""Register lists (sổ đến, sổ đi, dự thảo), the document page, downloads and corrections.

The intake (upload → review → save) is in ``intake_views``.
"""

from __future__ import annotations

from typing import Any

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

from dieuhanh.documents import services
from dieuhanh.documents.forms import DocumentFieldsForm, ShareForm
from dieuhanh.documents.intake import FIELDS
from dieuhanh.documents.intake.review import signature_rows
from dieuhanh.documents.models import Citation, Direction, Document
from dieuhanh.web.downloads import file_download

PAGE_SIZE = 50
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


@require_GET
@login_required
def incoming(request: HttpRequest) -> HttpResponse:
    return _register_list(request, Direction.INCOMING)


@require_GET
@login_required
def outgoing(request: HttpRequest) -> HttpResponse:
    return _register_list(request, Direction.OUTGOING)


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

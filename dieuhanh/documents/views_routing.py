"""Pages of the routing (Văn bản chờ xử lý, trình, bút phê, xử lý xong) and of the exchange (gửi liên thông)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dieuhanh.documents import exchange, routing, services
from dieuhanh.documents.forms_routing import DeliverForm, FinishForm, InstructionForm, SubmitForm
from dieuhanh.documents.models import Document, Receipt, Route

PAGE_SIZE = 50


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    done = request.GET.get("xem") == "da-xu-ly"
    rows = routing.inbox(request.user, done=done)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "documents/inbox.html", {"page": page, "done": done,
                                                    "today": timezone.localdate()})


def _receipt_for(user: Any, document: Document) -> Receipt:
    receipt = routing.own_receipt(user, document)
    if receipt is None and getattr(user, "is_admin_role", False):
        receipt = Receipt.objects.filter(document=document).select_related("unit").order_by("pk").first()
    if receipt is None:
        raise PermissionDenied(_("Đơn vị của bạn chưa nhận văn bản này vào sổ văn bản đến."))
    return receipt


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    document = services.get_document_for_user(request.user, pk)
    receipt = _receipt_for(request.user, document)
    if not routing.can_submit(request.user, receipt):
        raise PermissionDenied(_("Chỉ văn thư của đơn vị nhận mới trình được văn bản này."))
    form = SubmitForm(request.POST, candidates=routing.submit_candidates(receipt))
    if form.is_valid():
        try:
            routing.submit(request.user, receipt, form.cleaned_data["to"], note=form.cleaned_data["note"],
                           request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã trình văn bản."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("documents:detail", pk=document.pk)


def _instruction_form(request: HttpRequest, receipt: Receipt) -> InstructionForm:
    from dieuhanh.accounts.models import User
    from dieuhanh.accounts.scope import subtree_ids
    from dieuhanh.orgs.models import Unit

    ids = subtree_ids(receipt.unit_id)
    units = list(Unit.objects.filter(id__in=ids).in_force(timezone.localdate()).order_by("kind", "name"))
    people = list(User.objects.filter(unit_id__in=ids, is_active=True).exclude(pk=request.user.pk)
                  .select_related("unit").order_by("unit__name", "last_name", "first_name"))
    return InstructionForm(request.POST or None, units=units, people=people)


@require_http_methods(["GET", "POST"])
@login_required
def instruct(request: HttpRequest, pk: int) -> HttpResponse:
    document = services.get_document_for_user(request.user, pk)
    receipt = _receipt_for(request.user, document)
    if not routing.can_instruct(request.user, receipt):
        raise PermissionDenied(_("Chỉ lãnh đạo được trình văn bản mới cho ý kiến chỉ đạo được."))
    form = _instruction_form(request, receipt)
    if request.method == "POST" and form.is_valid():
        lead = form.targets("lead")
        try:
            routing.instruct(request.user, receipt, text=form.cleaned_data["text"],
                             lead=lead[0] if lead else None, coordinate=form.targets("coordinate"),
                             inform=form.targets("inform"), due_on=form.cleaned_data["due_on"], request=request)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Đã ghi ý kiến chỉ đạo và chuyển văn bản."))
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/instruct.html", {"document": document, "receipt": receipt, "form": form})


@require_POST
@login_required
def finish(request: HttpRequest, pk: int, route_pk: int) -> HttpResponse:
    document = services.get_document_for_user(request.user, pk)
    route = Route.objects.filter(document=document, pk=route_pk).select_related("document", "receipt").first()
    if route is None:
        raise Http404(_("Không tìm thấy việc xử lý."))
    form = FinishForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("documents:detail", pk=document.pk)
    try:
        routing.finish(request.user, route, note=form.cleaned_data["note"], request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã đánh dấu xử lý xong."))
    return redirect("documents:detail", pk=document.pk)


def _deliver_candidates(user: Any, document: Document) -> Any:
    from dieuhanh.accounts.scope import subtree_ids
    from dieuhanh.orgs.models import Unit

    units = Unit.objects.in_force(timezone.localdate()).exclude(kind="ben_ngoai").exclude(pk=document.owner_unit_id)
    if not user.is_admin_role and user.unit_id != document.owner_unit_id:
        units = units.filter(id__in=subtree_ids(user.unit_id) - {user.unit_id})  # relaying downwards
    return units.order_by("kind", "name")


@require_http_methods(["GET", "POST"])
@login_required
def deliver(request: HttpRequest, pk: int) -> HttpResponse:
    document = services.get_document_for_user(request.user, pk)
    if not exchange.can_deliver(request.user, document):
        raise PermissionDenied(_("Bạn không có quyền gửi văn bản này."))
    candidates = _deliver_candidates(request.user, document)
    received = set(Receipt.objects.filter(document=document).values_list("unit_id", flat=True))
    suggested = [u.pk for u in exchange.resolve_recipients(document) if u.pk not in received]
    form = DeliverForm(request.POST or None, units=candidates.exclude(pk__in=received),
                       initial={"units": suggested})
    if request.method == "POST" and form.is_valid():
        receipts = exchange.deliver_internal(document, form.cleaned_data["units"], request.user, request=request)
        messages.success(request, _("Đã gửi tới %(count)d đơn vị.") % {"count": len(receipts)})
        return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/deliver.html", {"document": document, "form": form,
                                                      "received": exchange.receipts_of(document)})

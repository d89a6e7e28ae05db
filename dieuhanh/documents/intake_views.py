"""Intake pages: choose a register and a file (or paste text) → review the pre-filled fields → save.

The upload is staged as an ``IntakeJob`` (``intake.chain.start``): a file that reads
quickly (text, DOCX, text PDF) shows the review form at once; a scan or a .doc goes to
the worker and the review page (``/van-ban/nhap/<id>/``) shows its progress, polling
``…/tien-do/`` with HTMX until the form can be filled. The review form carries a signed
token naming the job (never the body); the job's id is the idempotency key, so a
double-submitted review creates one document.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dieuhanh.documents import services
from dieuhanh.documents.forms import IntakeStartForm, ReviewForm
from dieuhanh.documents.intake import chain, review
from dieuhanh.documents.models import Direction, IntakeJob, IntakeStatus

TOKEN_SALT = "dieuhanh.documents.intake"
TOKEN_MAX_AGE = 24 * 3600


@require_http_methods(["GET", "POST"])
@login_required
def intake(request: HttpRequest) -> HttpResponse:
    registers = services.registers_for_user(request.user)
    chosen = None
    if request.GET.get("register"):
        chosen = services.get_register_for_user(request.user, request.GET["register"])
        if not services.can_register(request.user, chosen):
            raise PermissionDenied(_("Bạn không có quyền vào sổ này."))
    if not registers.exists():
        raise PermissionDenied(_("Bạn không có quyền vào sổ văn bản."))
    if request.method == "POST" and request.POST.get("step") == "review":
        job = _job_from_token(request)
        return _restart(request) if job is None else _save(request, job)
    if request.method == "POST":
        return _upload(request, registers)
    direction = request.GET.get("direction") or (chosen.direction if chosen else Direction.INCOMING)
    if chosen is None:  # the only register of that kind needs no choosing
        of_kind = list(registers.filter(direction=direction)[:2])
        chosen = of_kind[0] if len(of_kind) == 1 else None
    form = IntakeStartForm(initial={"direction": direction, "register": chosen}, registers=registers)
    return render(request, "documents/intake_start.html", {"form": form})


def _upload(request: HttpRequest, registers: Any) -> HttpResponse:
    form = IntakeStartForm(request.POST, request.FILES, registers=registers)
    if not form.is_valid():
        return render(request, "documents/intake_start.html", {"form": form})
    register, upload = form.cleaned_data["register"], form.cleaned_data["file"]
    try:
        if upload is not None:
            source = chain.accept(data=b"".join(upload.chunks()), filename=upload.name)
        else:
            source = chain.accept(text=form.cleaned_data["text"])
        job = chain.start(request.user, register, source)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return render(request, "documents/intake_start.html", {"form": form})
    if job.status != IntakeStatus.READY:
        return redirect("documents:intake_job", pk=job.pk)
    return _render_review(request, job, _initial_form(request, job))


def get_intake_for_user(user: Any, pk: Any) -> IntakeJob:
    """The user's own staged intake (404 for anyone else's, or once its register is out of reach)."""
    try:
        job = IntakeJob.objects.select_related("register__unit", "document").get(pk=int(pk), user=user)
    except (IntakeJob.DoesNotExist, TypeError, ValueError):
        raise Http404(_("Không tìm thấy văn bản đang nhập.")) from None
    if not services.can_register(user, job.register):
        raise Http404(_("Không tìm thấy văn bản đang nhập."))
    return job


@require_http_methods(["GET", "POST"])
@login_required
def intake_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_intake_for_user(request.user, pk)
    if job.status == IntakeStatus.SAVED and job.document_id:
        messages.info(request, _("Văn bản này đã được lưu."))
        return redirect("documents:detail", pk=job.document_id)
    if request.method == "POST":
        if job.status != IntakeStatus.READY:
            return redirect("documents:intake_job", pk=job.pk)
        return _save(request, job)
    if job.status != IntakeStatus.READY:
        return render(request, "documents/intake_progress.html", {"job": job})
    return _render_review(request, job, _initial_form(request, job))


@require_GET
@login_required
def intake_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment polled by the waiting page; once read, the page reloads itself."""
    job = get_intake_for_user(request.user, pk)
    if not job.pending:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("documents:intake_job", args=[job.pk])
        return response
    return render(request, "documents/_intake_progress.html", {"job": job})


def _token(request: HttpRequest, job: IntakeJob) -> str:
    return signing.dumps({"u": request.user.pk, "j": job.pk}, salt=TOKEN_SALT)


def _job_from_token(request: HttpRequest) -> IntakeJob | None:
    try:
        payload = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("u") != request.user.pk:
        return None
    return get_intake_for_user(request.user, payload.get("j"))


def _initial_form(request: HttpRequest, job: IntakeJob) -> ReviewForm:
    initial = {**review.initial_fields(job), "token": _token(request, job)}
    if job.register.direction == Direction.INCOMING:
        initial.update(arrived_on=timezone.localdate(), sender=initial.get("issuer", ""))
    return ReviewForm(initial=initial, direction=job.register.direction)


def _render_review(request: HttpRequest, job: IntakeJob, form: ReviewForm, *, duplicates: Any = None) -> HttpResponse:
    if duplicates is None:
        duplicates = chain.detect_duplicates(request.user, job)
    if not duplicates:
        del form.fields["confirm_duplicate"]
    context = review.context(job, form)
    context.update(duplicates=duplicates, register=job.register)
    return render(request, "documents/intake_review.html", context)


def _restart(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("Phiên nhập văn bản đã hết hạn hoặc không hợp lệ; hãy tải văn bản lên lại."))
    return redirect("documents:intake")


def _save(request: HttpRequest, job: IntakeJob) -> HttpResponse:
    register = job.register
    if not services.can_register(request.user, register):
        raise PermissionDenied(_("Bạn không có quyền vào sổ này."))
    if job.document_id is not None:  # the same review submitted again
        messages.info(request, _("Văn bản này đã được lưu."))
        return redirect("documents:detail", pk=job.document_id)
    if job.status != IntakeStatus.READY:
        return _restart(request)
    form = ReviewForm(request.POST, direction=register.direction)
    duplicates = chain.detect_duplicates(request.user, job)
    if not form.is_valid():
        return _render_review(request, job, form, duplicates=duplicates)
    if duplicates and not form.cleaned_data.get("confirm_duplicate"):
        form.add_error("confirm_duplicate", _("Văn bản này trùng với văn bản đã vào sổ. Hãy mở văn bản đã có để "
                                              "kiểm tra, rồi đánh dấu xác nhận nếu vẫn muốn vào sổ."))
        return _render_review(request, job, form, duplicates=duplicates)
    try:
        document = chain.register(request.user, job, form.service_fields(), request=request)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _render_review(request, job, form, duplicates=duplicates)
    messages.success(request, _("Đã vào sổ: %(doc)s (số %(n)s/%(y)s).")
                     % {"doc": document, "n": document.reg_number, "y": document.reg_year})
    return redirect("documents:detail", pk=document.pk)

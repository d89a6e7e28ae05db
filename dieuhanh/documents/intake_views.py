"""Intake: choose a register and a file (or paste text) → review the pre-filled fields → save.

Between the steps the source waits in ``MEDIA_ROOT/tmp/<sha256>``; the review form
carries a signed token naming it, the register, the user and an idempotency key,
so a double-submitted review creates one document.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dieuhanh.documents import services, storage
from dieuhanh.documents.forms import IntakeStartForm, ReviewForm
from dieuhanh.documents.intake import iso_date
from dieuhanh.documents.models import Direction, Register

TOKEN_SALT = "dieuhanh.documents.intake"
TOKEN_MAX_AGE = storage.STAGE_MAX_AGE


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
        return _save(request)
    if request.method == "POST":
        return _preview(request, registers)
    direction = request.GET.get("direction") or (chosen.direction if chosen else Direction.INCOMING)
    if chosen is None:  # the only register of that kind needs no choosing
        of_kind = list(registers.filter(direction=direction)[:2])
        chosen = of_kind[0] if len(of_kind) == 1 else None
    form = IntakeStartForm(initial={"direction": direction, "register": chosen}, registers=registers)
    return render(request, "documents/intake_start.html", {"form": form})


def _preview(request: HttpRequest, registers: Any) -> HttpResponse:
    form = IntakeStartForm(request.POST, request.FILES, registers=registers)
    if not form.is_valid():
        return render(request, "documents/intake_start.html", {"form": form})
    register, upload = form.cleaned_data["register"], form.cleaned_data["file"]
    try:
        if upload is not None:
            source = b"".join(upload.chunks())
            preview = services.preview_intake(data=source, filename=upload.name)
        else:
            source = form.cleaned_data["text"].encode("utf-8")
            preview = services.preview_intake(text=form.cleaned_data["text"])
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return render(request, "documents/intake_start.html", {"form": form})
    storage.stage(source)
    token = signing.dumps({"u": request.user.pk, "r": register.pk, "k": preview["kind"], "s": preview["checksum"],
                           "n": preview["filename"] or "", "i": uuid.uuid4().hex}, salt=TOKEN_SALT)
    initial = {**preview["fields"], "token": token}
    if register.direction == Direction.INCOMING:
        initial.update(arrived_on=timezone.localdate(), sender=initial.get("issuer", ""))
    review = ReviewForm(initial=initial, direction=register.direction)
    return _render_review(request, review, register, preview)


def _render_review(request: HttpRequest, form: ReviewForm, register: Register, preview: dict[str, Any]) -> HttpResponse:
    parsed = preview["parsed"]
    duplicates = services.find_duplicates(request.user, parsed.get("number_symbol"), parsed.get("issuer"),
                                          preview["fields"].get("issued_on"), preview["checksum"])
    return render(request, "documents/intake_review.html", {
        "form": form, "register": register, "preview": preview, "warnings": parsed.get("warnings") or [],
        "duplicates": duplicates,
        "references": [{"number_symbol": r.get("number_symbol"), "date": iso_date(r.get("date"))}
                       for r in parsed.get("references") or [] if isinstance(r, dict)],
    })


def _token(request: HttpRequest) -> dict[str, Any] | None:
    try:
        payload = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("u") != request.user.pk:
        return None
    return payload


def _restart(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("Phiên nhập văn bản đã hết hạn hoặc không hợp lệ; hãy tải văn bản lên lại."))
    return redirect("documents:intake")


def _reread(payload: dict[str, Any]) -> dict[str, Any] | None:
    source = storage.staged(str(payload.get("s", "")))
    if source is None:
        return None
    try:
        if payload.get("k") == "text":
            preview = services.preview_intake(text=source.decode("utf-8"))
        else:
            preview = services.preview_intake(data=source, filename=payload.get("n") or "")
    except (ValidationError, UnicodeDecodeError):
        return None
    preview["source"] = source
    return preview


def _save(request: HttpRequest) -> HttpResponse:
    payload = _token(request)
    if payload is None:
        return _restart(request)
    register = services.get_register_for_user(request.user, payload.get("r"))
    if not services.can_register(request.user, register):
        raise PermissionDenied(_("Bạn không có quyền vào sổ này."))
    done = services.document_for_key(request.user, payload.get("i"))
    if done is not None:  # the same review submitted again
        messages.info(request, _("Văn bản này đã được lưu."))
        return redirect("documents:detail", pk=done.pk)
    preview = _reread(payload)
    if preview is None:
        return _restart(request)
    form = ReviewForm(request.POST, direction=register.direction)
    if not form.is_valid():
        return _render_review(request, form, register, preview)
    fields = form.service_fields()
    upload = None
    if preview["kind"] == "file":
        upload = services.IntakeFile(preview["source"], preview["filename"] or "")
    else:
        fields["checksum"] = preview["checksum"]
    try:
        document = services.register_document(request.user, register, fields, upload=upload,
                                               parsed=preview["parsed"], idempotency_key=payload.get("i"),
                                               request=request)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _render_review(request, form, register, preview)
    storage.unstage(preview["checksum"])
    messages.success(request, _("Đã vào sổ: %(doc)s (số %(n)s/%(y)s).")
                     % {"doc": document, "n": document.reg_number, "y": document.reg_year})
    return redirect("documents:detail", pk=document.pk)

"""The user's own two-factor authentication: status, enrolment with a QR code, new recovery
codes, turning it off (only where the role does not require it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dieuhanh.accounts import twofactor
from dieuhanh.accounts.forms_security import CodeForm, PasswordConfirmForm


@require_GET
@never_cache
@login_required
def status(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "accounts/twofactor.html", {
        "enrolled": twofactor.has_device(user), "required": twofactor.required_for(user),
        "recovery_left": twofactor.recovery_left(user), "disable_form": PasswordConfirmForm(user),
    })


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
@never_cache
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = twofactor.enrolment_device(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        codes = twofactor.enrol(user, device, form.cleaned_data["code"], request)
        if codes is not None:
            messages.success(request, _("Đã bật xác thực hai bước."))
            return render(request, "accounts/twofactor_codes.html", {"codes": codes})
        form.add_error("code", _("Mã không đúng. Hãy nhập mã đang hiện trong ứng dụng (mã đổi sau mỗi 30 giây)."))
    return render(request, "accounts/twofactor_enrol.html", {
        "form": form, "qr": twofactor.qr_svg(device), "secret": twofactor.secret_text(device),
        "required": twofactor.required_for(user), "enrolled": twofactor.has_device(user),
    })


@require_POST
@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not twofactor.has_device(request.user):
        messages.warning(request, _("Hãy bật xác thực hai bước trước."))
        return redirect("accounts:twofactor")
    codes = twofactor.regenerate(request.user, request)
    return render(request, "accounts/twofactor_codes.html", {"codes": codes})


@require_POST
@sensitive_post_parameters("password")
@login_required
def disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if twofactor.required_for(user):
        raise PermissionDenied
    form = PasswordConfirmForm(user, request.POST)
    if not twofactor.has_device(user):
        return redirect("accounts:twofactor")
    if form.is_valid():
        twofactor.turn_off(user, request)
        messages.success(request, _("Đã tắt xác thực hai bước."))
        return redirect("accounts:twofactor")
    return render(request, "accounts/twofactor.html", {
        "enrolled": True, "required": False, "recovery_left": twofactor.recovery_left(user), "disable_form": form,
    }, status=200)

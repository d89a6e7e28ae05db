"""Forgotten password: ask for a link by e-mail, then set a new password through it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from dieuhanh.accounts import recovery
from dieuhanh.accounts.forms_security import PasswordResetRequestForm, SetPasswordForm


@require_http_methods(["GET", "POST"])
@csrf_protect
@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    """The answer is the same whether or not the address belongs to an account."""
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        recovery.request_reset(form.cleaned_data["email"], request)
        return render(request, "accounts/password_reset_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("new_password1", "new_password2")
@csrf_protect
@never_cache
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the mail. Its token moves into the session and the browser is sent to the
    same address without it, so the token never leaks through a Referer header."""
    user = recovery.user_from_link(uidb64)
    if token != recovery.SET_TOKEN:
        if recovery.token_is_valid(user, token):
            request.session[recovery.SESSION_TOKEN] = token
            return redirect("accounts:password_reset_confirm", uidb64=uidb64, token=recovery.SET_TOKEN)
        return render(request, "accounts/password_reset_invalid.html")
    if user is None or not recovery.token_is_valid(user, request.session.get(recovery.SESSION_TOKEN, "")):
        return render(request, "accounts/password_reset_invalid.html")
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        recovery.complete_reset(user, form, request)
        request.session.pop(recovery.SESSION_TOKEN, None)
        messages.success(request, _("Đã đặt mật khẩu mới. Hãy đăng nhập bằng mật khẩu mới."))
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})

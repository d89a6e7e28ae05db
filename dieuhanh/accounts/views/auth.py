"""Login (with throttling and the second factor), logout (POST only) and password change."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dieuhanh.accounts import devices, lockout, services, sign_in, twofactor
from dieuhanh.accounts.forms import LoginForm, PasswordChangeForm
from dieuhanh.accounts.forms_security import CodeForm


def safe_next(request: HttpRequest) -> str:
    """The ``next`` target if it is a path on this site, else ''."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return ""
    if target.startswith(reverse("accounts:logout")):
        return ""
    return target


def refusal_message(refusal: lockout.Refusal) -> str:
    """The same words whether or not the username exists."""
    if refusal.scope == "slow":
        return _("Tên đăng nhập này vừa bị nhập sai nhiều lần. Vui lòng chờ %(seconds)d giây rồi thử lại.") % {
            "seconds": refusal.seconds}
    return _("Tạm thời chưa đăng nhập được vì đã nhập sai nhiều lần. Vui lòng thử lại sau %(minutes)d phút.") % {
        "minutes": refusal.minutes}


def _logged_in(request: HttpRequest, username: str, next_url: str) -> HttpResponse:
    response = redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    devices.remember(request, response, username)
    return response


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    form = LoginForm(request.POST if request.method == "POST" else None)
    error = ""
    if form.is_bound and form.is_valid():
        username = form.cleaned_data["username"]
        result = sign_in.attempt_login(request, username, form.cleaned_data["password"], next_url)
        if result.second_factor:
            return redirect("accounts:login_verify")
        if result.user is not None:
            return _logged_in(request, result.user.username, next_url)
        error = refusal_message(result.refusal) if result.refusal else _("Tên đăng nhập hoặc mật khẩu không đúng.")
    return render(request, "accounts/login.html", {"form": form, "error": error, "next": next_url})


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: the code from the authenticator app, or a recovery code."""
    pending = twofactor.pending(request)
    if pending is None:
        if request.user.is_authenticated:
            return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
        messages.warning(request, _("Phiên đăng nhập đã hết hạn. Vui lòng nhập lại tên đăng nhập và mật khẩu."))
        return redirect("accounts:login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    error = ""
    if form.is_bound and form.is_valid():
        user, reason = sign_in.complete_second_factor(request, form.cleaned_data["code"])
        if user is not None:
            return _logged_in(request, user.username, pending.get("next") or "")
        if reason == "expired":
            messages.warning(request, _("Phiên đăng nhập đã hết hạn. Vui lòng nhập lại tên đăng nhập và mật khẩu."))
            return redirect("accounts:login")
        if reason.startswith("wait:"):
            error = _("Đã nhập sai mã nhiều lần. Vui lòng chờ %(seconds)d giây rồi thử lại.") % {
                "seconds": int(reason[5:])}
        else:
            error = _("Mã xác thực không đúng hoặc đã hết hạn.")
    return render(request, "accounts/login_verify.html", {"form": form, "error": error})


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.log_out(request)
        messages.success(request, _("Bạn đã đăng xuất."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        services.change_password(request, form)
        return redirect("accounts:password_change_done")
    return render(request, "accounts/password_change.html",
                  {"form": form, "temporary": request.user.must_change_password})


@require_GET
@login_required
def password_change_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_change_done.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a Vietnamese 403 instead of Django's English page."""
    return render(request, "accounts/csrf_failure.html", status=403)

"""An administrator's page for one account: edit details, role and unit; deactivate or
reactivate; a temporary password or a reset link; reset two-factor; end login lockouts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dieuhanh.accounts import lockout, twofactor, user_admin
from dieuhanh.accounts.forms import UserEditForm
from dieuhanh.accounts.models import ApiToken, AuditLog, User
from dieuhanh.accounts.permissions import admin_required

HISTORY = 20


def _context(user: User, form: UserEditForm, **extra: Any) -> dict[str, Any]:
    history = AuditLog.objects.filter(object_type="accounts.user", object_id=str(user.pk)) \
        .select_related("actor")[:HISTORY]
    return {"account": user, "form": form, "locks": lockout.active_locks(user.username),
            "two_factor": twofactor.has_device(user), "two_factor_required": twofactor.required_for(user),
            "active_tokens": ApiToken.objects.filter(user=user, revoked=False).count(),
            "history": history, **extra}


@require_http_methods(["GET", "POST"])
@never_cache
@admin_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_admin.get_user_for_admin(request.user, pk)
    form = UserEditForm(request.POST, user=user) if request.method == "POST" else UserEditForm(user=user)
    if form.is_bound and form.is_valid():
        try:
            changed = user_admin.update_user(request.user, user, form.changes(), request)
        except user_admin.Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            if changed:
                messages.success(request, _("Đã lưu thay đổi của tài khoản “%(username)s”.") % {
                    "username": user.username})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_detail.html", _context(user, form))


def _action(request: HttpRequest, pk: int, run: Callable[[User], str]) -> HttpResponse:
    user = user_admin.get_user_for_admin(request.user, pk)
    try:
        message = run(user)
    except user_admin.Refused as refusal:
        messages.error(request, str(refusal.message))
    else:
        if message:
            messages.success(request, message)
    return redirect("accounts:user_detail", pk=user.pk)


@require_POST
@admin_required
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User) -> str:
        if not user.is_active:
            return ""
        revoked = user_admin.deactivate(request.user, user, request)
        return _("Đã khóa tài khoản “%(username)s”; thu hồi %(count)d mã API.") % {
            "username": user.username, "count": revoked}

    return _action(request, pk, run)


@require_POST
@admin_required
def user_activate(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User) -> str:
        if not user_admin.activate(request.user, user, request):
            return ""
        return _("Đã mở lại tài khoản “%(username)s”.") % {"username": user.username}

    return _action(request, pk, run)


@require_POST
@never_cache
@admin_required
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    """``cach=tam-thoi``: a temporary password shown once on the page (never put in a message
    cookie); ``cach=thu``: a reset link by e-mail."""
    user = user_admin.get_user_for_admin(request.user, pk)
    if request.POST.get("cach") != "thu":
        try:
            password = user_admin.set_temporary_password(request.user, user, request)
        except user_admin.Refused as refusal:
            messages.error(request, str(refusal.message))
            return redirect("accounts:user_detail", pk=user.pk)
        user.refresh_from_db()
        return render(request, "accounts/user_detail.html",
                      _context(user, UserEditForm(user=user), temporary_password=password))

    def run(account: User) -> str:
        if user_admin.send_reset_link(request.user, account, request):
            return _("Đã gửi liên kết đặt lại mật khẩu tới %(email)s.") % {"email": account.email}
        raise user_admin.Refused(_("Không gửi được thư. Hãy kiểm tra cấu hình thư điện tử, "
                                   "hoặc đặt mật khẩu tạm thời."))

    return _action(request, pk, run)


@require_POST
@admin_required
def user_twofactor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User) -> str:
        if not user_admin.reset_two_factor(request.user, user, request):
            return ""
        return _("Đã hủy xác thực hai bước của “%(username)s”.") % {"username": user.username}

    return _action(request, pk, run)


@require_POST
@admin_required
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    def run(user: User) -> str:
        user_admin.unlock(request.user, user, request)
        return _("Đã mở khóa đăng nhập của “%(username)s”.") % {"username": user.username}

    return _action(request, pk, run)

"""The login: throttling, the password, the second factor; one audit row per password check
that failed, per lockout, per login — never one per refused attempt.

Audit notes are Vietnamese (``gettext_noop``), translated when shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import authenticate, get_user_model, login
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_noop as N_
from django_otp import login as otp_login

from dieuhanh.accounts import devices, lockout, twofactor
from dieuhanh.accounts.audit import client_ip, record
from dieuhanh.accounts.models import AuditAction, LockScope, User

LOCK_NOTES = {
    LockScope.PAIR: N_("Tạm khóa đăng nhập tên này từ địa chỉ này"),
    LockScope.IP: N_("Tạm khóa đăng nhập từ địa chỉ này"),
}


@dataclass
class LoginResult:
    user: User | None = None
    refusal: lockout.Refusal | None = None  # throttled: the password was not checked
    second_factor: bool = False             # password right; the code is asked next

    @property
    def locked_minutes(self) -> int:
        return self.refusal.minutes if self.refusal else 0


def attempt_login(request: HttpRequest, username: str, password: str, next_url: str = "") -> LoginResult:
    """Throttle, check the password; log in, or start the second step for users with a device."""
    ip = client_ip(request)
    known = devices.is_known(request, username)
    refusal = lockout.check(username, ip, known_device=known)
    if refusal is not None:
        return LoginResult(refusal=refusal)
    user = authenticate(request, username=username, password=password)
    if user is None:
        with transaction.atomic():
            outcome = lockout.record_failure(username, ip, known_device=known)
            target = _record_failed(request, username, N_("Sai tên đăng nhập hoặc mật khẩu"))
            _record_throttling(request, username, target, outcome)
        refusal = lockout.check(username, ip, known_device=known)
        return LoginResult(refusal=refusal if refusal and refusal.scope != "slow" else None)
    with transaction.atomic():
        lockout.clear_failures(username, ip, known_device=known)
        if twofactor.has_device(user):
            twofactor.begin_pending(request, user, next_url, known)
            return LoginResult(user=user, second_factor=True)
        _log_in(request, user, note="", verified=False)
    return LoginResult(user=user)


def complete_second_factor(request: HttpRequest, code: str) -> tuple[User | None, str]:
    """The second step: ``(user, "")`` when logged in; ``(None, reason)`` otherwise, the reason
    being "expired", "wrong" or "wait:<seconds>"."""
    data = twofactor.pending(request)
    user = _pending_user(data)
    if user is None:
        twofactor.clear_pending(request)
        return None, "expired"
    try:
        device = twofactor.check_code(user, code)
    except twofactor.Throttled as wait:
        return None, f"wait:{wait.seconds}"
    if device is None:
        with transaction.atomic():
            record(None, AuditAction.LOGIN_FAILED, user, request=request, actor_name=user.username,
                   note=N_("Sai mã xác thực hai bước"))
        return None, "wrong"
    user.backend = data["backend"]  # type: ignore[index]
    with transaction.atomic():
        twofactor.clear_pending(request)
        recovery = device.__class__.__name__ == "StaticDevice"
        _log_in(request, user, note=N_("Đăng nhập bằng mã dự phòng") if recovery else N_("Xác thực hai bước"),
                verified=True)
        otp_login(request, device)
    return user, ""


def _pending_user(data: dict[str, Any] | None) -> User | None:
    if not data:
        return None
    user = get_user_model()._default_manager.filter(pk=data.get("uid"), is_active=True).first()
    return user if user is not None and data.get("backend") else None


def _log_in(request: HttpRequest, user: User, note: str, verified: bool) -> None:
    login(request, user)
    if verified:
        request.session[twofactor.VERIFIED_KEY] = True
    record(user, AuditAction.LOGIN, user, request=request, note=note)


def _record_failed(request: HttpRequest, username: str, note: str) -> User | None:
    known = User.objects.filter(username=username).only("id", "username", "unit_id").first()
    record(None, AuditAction.LOGIN_FAILED, known, request=request, note=note,
           object_type="accounts.user", actor_name=username)
    return known


def _record_throttling(request: HttpRequest, username: str, target: User | None,
                       outcome: lockout.FailureOutcome) -> None:
    for lock in outcome.locks:
        record(None, AuditAction.LOGIN_FAILED, target if lock.scope == LockScope.PAIR else None, request=request,
               object_type="accounts.user" if lock.scope == LockScope.PAIR else "accounts.loginlock",
               actor_name=username, note=LOCK_NOTES[lock.scope],
               after={"scope": lock.scope, "ip": lock.ip, "until": lock.until.isoformat(), "level": lock.level})
    if outcome.slowed:
        record(None, AuditAction.LOGIN_FAILED, target, request=request, object_type="accounts.user",
               actor_name=username, note=N_("Tên đăng nhập bị thử sai nhiều lần từ nhiều nơi: làm chậm đăng nhập"))

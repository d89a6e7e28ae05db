"""An administrator's changes to accounts: details, role and unit, deactivation, a temporary
password or a reset link, the second factor, login lockouts. Each writes one audit row with
the state before and after, in the same transaction.

Guards keep an installation administrable: nobody deactivates, demotes or resets themselves
here (their own pages do that), and the last active administrator cannot be deactivated or
demoted.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as N_

from dieuhanh.accounts import lockout, recovery, twofactor
from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import ApiToken, AuditAction, Role, User
from dieuhanh.accounts.services import USER_AUDIT_FIELDS

EDITABLE = ["first_name", "last_name", "email", "phone", "unit", "role", "position"]
# No 0/O, 1/l/I: read aloud over the phone to a ward's officer.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class Refused(Exception):
    """A change the guards refuse; ``message`` is shown to the administrator."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def get_user_for_admin(actor: Any, pk: Any) -> User:
    """Any account, for an administrator (the views are already limited to them)."""
    if not getattr(actor, "is_admin_role", False):
        raise Http404
    user = User.objects.select_related("unit").filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def _active_admins() -> Any:
    from django.db.models import Q

    return User.objects.filter(Q(role=Role.QUAN_TRI) | Q(is_superuser=True), is_active=True)


def _refuse_self(actor: Any, user: User, message: Any) -> None:
    if actor is not None and actor.pk == user.pk:
        raise Refused(message)


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def update_user(actor: Any, user: User, data: dict[str, Any], request: HttpRequest | None = None) -> bool:
    """Apply the edit form's fields; ``False`` if nothing changed (no audit row then)."""
    with transaction.atomic():
        user = _locked(user)
        before = snapshot(user, USER_AUDIT_FIELDS)
        demoted = user.role == Role.QUAN_TRI and data["role"] != Role.QUAN_TRI and not user.is_superuser
        if demoted:
            _refuse_self(actor, user, _("Bạn không thể tự bỏ vai trò quản trị của mình."))
            if user.is_active and _active_admins().exclude(pk=user.pk).count() == 0:
                raise Refused(_("Đây là quản trị viên cuối cùng đang hoạt động: hãy giao vai trò quản trị "
                                "cho người khác trước."))
        for name in EDITABLE:
            setattr(user, name, data[name])
        after = snapshot(user, USER_AUDIT_FIELDS)
        if after == before:
            return False
        user.save()
        changed = sorted(k for k in after if after[k] != before[k])
        note = N_("Đổi vai trò") if changed == ["role"] else N_("Chuyển đơn vị") if changed == ["unit"] \
            else N_("Cập nhật tài khoản")
        record(actor, AuditAction.UPDATE, user, before={k: before[k] for k in changed},
               after={k: after[k] for k in changed}, request=request, unit_id=user.unit_id, note=note)
    return True


def deactivate(actor: Any, user: User, request: HttpRequest | None = None, *, actor_name: str | None = None) -> int:
    """Lock the account: its sessions end at their next request (the login backend refuses
    inactive users) and its API tokens are revoked. Returns the number of tokens revoked."""
    with transaction.atomic():
        user = _locked(user)
        if not user.is_active:
            return 0
        _refuse_self(actor, user, _("Bạn không thể tự khóa tài khoản của mình."))
        if (user.role == Role.QUAN_TRI or user.is_superuser) and _active_admins().exclude(pk=user.pk).count() == 0:
            raise Refused(_("Đây là quản trị viên cuối cùng đang hoạt động: không thể khóa."))
        user.is_active = False
        user.save(update_fields=["is_active"])
        tokens = ApiToken.objects.filter(user=user, revoked=False)
        revoked = [t.prefix for t in tokens]
        tokens.update(revoked=True)
        record(actor, AuditAction.STATE, user, before={"is_active": True},
               after={"is_active": False, "api_tokens_revoked": revoked}, request=request,
               unit_id=user.unit_id, note=N_("Khóa tài khoản"), actor_name=actor_name)
    return len(revoked)


def activate(actor: Any, user: User, request: HttpRequest | None = None, *, actor_name: str | None = None) -> bool:
    with transaction.atomic():
        user = _locked(user)
        if user.is_active:
            return False
        user.is_active = True
        user.save(update_fields=["is_active"])
        record(actor, AuditAction.STATE, user, before={"is_active": False}, after={"is_active": True},
               request=request, unit_id=user.unit_id, note=N_("Mở lại tài khoản"), actor_name=actor_name)
    return True


def temporary_password() -> str:
    raw = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def set_temporary_password(actor: Any, user: User, request: HttpRequest | None = None) -> str:
    """A new random password, shown once to the administrator; the user must change it at the
    next login. Every session of the user ends (Django ties sessions to the password hash)."""
    _refuse_self(actor, user, _("Hãy đổi mật khẩu của chính bạn ở trang “Đổi mật khẩu”."))
    password = temporary_password()
    with transaction.atomic():
        user = _locked(user)
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        lockout.unlock_username(user.username)
        record(actor, AuditAction.UPDATE, user, request=request, unit_id=user.unit_id,
               note=N_("Quản trị đặt mật khẩu tạm thời"),
               after={"password": N_("(đã đổi)"), "must_change_password": True})
    return password


def send_reset_link(actor: Any, user: User, request: HttpRequest | None = None) -> bool:
    if not user.email:
        raise Refused(_("Tài khoản này chưa có địa chỉ thư điện tử: hãy nhập địa chỉ trước, "
                        "hoặc đặt mật khẩu tạm thời."))
    return recovery.send_link(user, request, actor=actor)


def reset_two_factor(actor: Any, user: User, request: HttpRequest | None = None, *,
                     actor_name: str | None = None) -> bool:
    """Remove the user's authenticator app and recovery codes (a lost phone); a user whose role
    requires two factors enrols again at the next login."""
    with transaction.atomic():
        user = _locked(user)
        had = twofactor.has_device(user)
        if not twofactor.remove_devices(user) and not had:
            return False
        record(actor, AuditAction.STATE, user, before={"two_factor": had}, after={"two_factor": False},
               request=request, unit_id=user.unit_id, note=N_("Hủy xác thực hai bước"), actor_name=actor_name)
    return True


def unlock(actor: Any, user: User, request: HttpRequest | None = None, *, actor_name: str | None = None) -> int:
    with transaction.atomic():
        ended = lockout.unlock_username(user.username)
        record(actor, AuditAction.STATE, user, after={"locks_ended": ended}, request=request,
               unit_id=user.unit_id, note=N_("Mở khóa đăng nhập"), actor_name=actor_name)
    return ended

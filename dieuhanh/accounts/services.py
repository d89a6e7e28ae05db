"""Account operations that write more than one row; each records its audit row in
the same transaction (see ``dieuhanh.accounts.audit``).

Audit notes are stored in Vietnamese, the source language (``gettext_noop``), and
translated when shown."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout, update_session_auth_hash
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_noop as N_

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import ApiToken, AuditAction, User

USER_AUDIT_FIELDS = ["username", "first_name", "last_name", "email", "phone", "unit", "role", "position",
                     "is_active", "must_change_password"]
TOKEN_AUDIT_FIELDS = ["user", "name", "prefix", "revoked"]
MAX_ACTIVE_TOKENS = 20


def log_out(request: HttpRequest, note: str = "") -> None:
    user = request.user
    if user.is_authenticated:
        with transaction.atomic():
            record(user, AuditAction.LOGOUT, user, request=request, note=note)
    logout(request)


def change_password(request: HttpRequest, form: Any) -> None:
    """Save a valid PasswordChangeForm, keep the session, audit the change."""
    with transaction.atomic():
        user = form.save(commit=False)
        was_temporary = user.must_change_password
        user.must_change_password = False
        user.save()
        record(user, AuditAction.UPDATE, user, request=request,
               note=N_("Đổi mật khẩu tạm thời") if was_temporary else N_("Đổi mật khẩu"),
               after={"password": N_("(đã đổi)")})
    update_session_auth_hash(request, user)


def create_user(actor: User | None, data: dict[str, Any], request: HttpRequest | None = None,
                note: str = "", actor_name: str | None = None) -> User:
    """A new account from cleaned form data (username, full_name or first/last name,
    unit, role, position, password; optional email, phone, must_change_password)."""
    from dieuhanh.accounts.forms import split_full_name

    names = split_full_name(data["full_name"]) if "full_name" in data else {
        "first_name": data.get("first_name", ""), "last_name": data.get("last_name", "")}
    with transaction.atomic():
        user = User(username=data["username"], unit=data.get("unit"), role=data["role"],
                    position=data.get("position", ""), email=data.get("email", ""), phone=data.get("phone", ""),
                    must_change_password=bool(data.get("must_change_password")), **names)
        user.set_password(data["password"])
        user.save()
        record(actor, AuditAction.CREATE, user, after=snapshot(user, USER_AUDIT_FIELDS), request=request,
               unit_id=user.unit_id, note=note, actor_name=actor_name)
    return user


class TooManyTokens(Exception):
    pass


def issue_token(user: User, name: str, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; the plain token is returned once and never stored."""
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user=user, revoked=False)
        if len(active) >= MAX_ACTIVE_TOKENS:
            raise TooManyTokens
        token, plain = ApiToken.issue(user, name)
        record(user, AuditAction.CREATE, token, after=snapshot(token, TOKEN_AUDIT_FIELDS), request=request,
               unit_id=user.unit_id)
    return token, plain


def get_token_for_user(user: User, pk: int) -> ApiToken:
    """One of the user's own tokens; anyone else's is a 404."""
    token = ApiToken.objects.filter(pk=pk, user_id=user.pk).first()
    if token is None:
        raise Http404
    return token


def revoke_token(user: User, token: ApiToken, request: HttpRequest | None = None) -> bool:
    """Revoke one of the user's tokens; ``False`` if it was already revoked."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk, user_id=user.pk)
        before = snapshot(token, TOKEN_AUDIT_FIELDS)
        if not token.revoke():
            return False
        record(user, AuditAction.STATE, token, before=before, after=snapshot(token, TOKEN_AUDIT_FIELDS),
               request=request, unit_id=user.unit_id, note=N_("Thu hồi mã truy cập API"))
    return True

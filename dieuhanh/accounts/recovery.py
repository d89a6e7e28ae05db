"""Password reset by e-mail, with Django's token machinery.

The link carries the user's id and a token that is an HMAC of the user's password hash, last
login and e-mail address with a timestamp: it stops working once used (the password changes),
after any login, and after ``PASSWORD_RESET_TIMEOUT`` seconds. The request page answers the same
whether or not the address belongs to someone, and sends at most one mail per account every
``RESEND_MINUTES`` (no mail bombing through the form).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from dieuhanh.accounts import lockout
from dieuhanh.accounts.audit import record
from dieuhanh.accounts.models import AuditAction, AuditLog, User

log = logging.getLogger(__name__)

RESEND_MINUTES = 5
MAX_ACCOUNTS_PER_ADDRESS = 5
SENT_NOTE = N_("Gửi thư đặt lại mật khẩu")
SET_TOKEN = "dat-mat-khau"  # the URL's token once the real one is in the session (no token in Referer)
SESSION_TOKEN = "_dh_reset_token"


def link_for(user: User, request: HttpRequest | None) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    base = (settings.SITE_URL or "").rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


def send_link(user: User, request: HttpRequest | None, *, actor: Any = None) -> bool:
    """Mail the reset link to ``user``; ``False`` if no mail could be sent (logged, not raised)."""
    if not user.email:
        return False
    context = {"user": user, "link": link_for(user, request),
               "minutes": max(1, settings.PASSWORD_RESET_TIMEOUT // 60)}
    subject = _("Đặt lại mật khẩu tài khoản Điều hành")
    message = EmailMultiAlternatives(subject, render_to_string("accounts/email/password_reset.txt", context),
                                     settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(render_to_string("accounts/email/password_reset.html", context), "text/html")
    try:
        message.send()
    except Exception:  # noqa: BLE001 - an SMTP outage must not become a 500 or reveal the account
        log.exception("password reset mail to user %s failed", user.pk)
        return False
    with transaction.atomic():
        record(actor, AuditAction.STATE, user, request=request, note=SENT_NOTE,
               actor_name=None if actor is not None else user.username)
    return True


def request_reset(email: str, request: HttpRequest) -> None:
    """Send a link to each active account with this address (case-insensitive); say nothing."""
    email = email.strip()
    if not email:
        return
    since = timezone.now() - timedelta(minutes=RESEND_MINUTES)
    for user in User.objects.filter(email__iexact=email, is_active=True).order_by("pk")[:MAX_ACCOUNTS_PER_ADDRESS]:
        recent = AuditLog.objects.filter(object_type="accounts.user", object_id=str(user.pk), note=SENT_NOTE,
                                         at__gt=since).exists()
        if not recent:
            send_link(user, request)


def user_from_link(uidb64: str) -> User | None:
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def token_is_valid(user: User | None, token: str) -> bool:
    return user is not None and default_token_generator.check_token(user, token)


def complete_reset(user: User, form: Any, request: HttpRequest) -> None:
    """Save a valid SetPasswordForm: the new password, no forced change, lockouts released."""
    with transaction.atomic():
        user = form.save(commit=False)
        user.must_change_password = False
        user.save()
        lockout.unlock_username(user.username)
        record(None, AuditAction.UPDATE, user, request=request, actor_name=user.username,
               note=N_("Đặt lại mật khẩu qua thư"), after={"password": N_("(đã đổi)")})

"""Two-factor authentication: a TOTP app (django-otp's TOTPDevice) and ten recovery codes
(a StaticDevice), the login's second step, and who must use it.

A user with a confirmed TOTP device is never logged in on the password alone: the login
keeps only a *pending* marker in the session (user id, time, where to go next), and the
session becomes a login after a valid code (``services.complete_second_factor``). Users whose
role is in ``TWO_FACTOR_REQUIRED_ROLES`` and who have no device yet are logged in but kept on
the enrolment page (``gate``). API bearer tokens are not affected.

The QR code is drawn here, as inline SVG (``qrcode``): no image service, no internet.
"""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_noop as N_
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dieuhanh.accounts.audit import record
from dieuhanh.accounts.models import AuditAction, Role

PENDING_KEY = "_dh_2fa_pending"
VERIFIED_KEY = "_dh_2fa"
PENDING_SECONDS = 5 * 60
RECOVERY_CODES = 10
DEVICE_NAME = "Ứng dụng xác thực"
RECOVERY_NAME = "Mã dự phòng"


def required_for(user: Any) -> bool:
    roles = set(getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", ()) or ())
    if not roles or not getattr(user, "is_authenticated", False):
        return False
    return user.role in roles or (user.is_superuser and Role.QUAN_TRI in roles)


def totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def has_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def recovery_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


# --- enrolment -------------------------------------------------------------------------------


def enrolment_device(user: Any) -> TOTPDevice:
    """The user's unconfirmed device (made once, so the QR code scanned stays valid)."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Our own markup from a URL we built (no user input reaches it unescaped: qrcode draws paths).
    return mark_safe(svg)  # noqa: S308


def normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())[:16]


def confirm_enrolment(user: Any, device: TOTPDevice, code: str) -> list[str] | None:
    """Check the first code from the app; on success the device is the user's only TOTP device
    and new recovery codes are returned (shown once). ``None``: the code was wrong."""
    token = normalise(code)
    if not token.isdigit() or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(user)


def new_recovery_codes(user: Any) -> list[str]:
    """Replace the user's recovery codes; each works once."""
    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return [f"{c[:4]}-{c[4:]}" for c in codes]


def remove_devices(user: Any) -> int:
    """Every TOTP device and recovery code of the user (reset or turned off)."""
    deleted = TOTPDevice.objects.filter(user_id=user.pk).delete()[0]
    StaticDevice.objects.filter(user_id=user.pk).delete()
    return deleted


# --- the login's second step -----------------------------------------------------------------


def begin_pending(request: HttpRequest, user: Any, next_url: str, known_device: bool) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"uid": user.pk, "backend": getattr(user, "backend", ""),
                                    "at": int(time.time()), "next": next_url, "known": known_device}


def pending(request: HttpRequest) -> dict[str, Any] | None:
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("at"), int):
        return None
    if time.time() - data["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return data


def clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


class Throttled(Exception):
    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def check_code(user: Any, code: str) -> Any:
    """The device that accepts ``code`` (a 6-digit app code or a recovery code), else ``None``.
    Raises :class:`Throttled` while django-otp's exponential backoff after wrong codes runs."""
    token = normalise(code)
    if not token:
        return None
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    device = model.objects.filter(user_id=user.pk, confirmed=True).first()
    if device is None:
        return None
    allowed, data = device.verify_is_allowed()
    if not allowed:
        until = (data or {}).get("locked_until")
        seconds = int((until - timezone.now()).total_seconds()) + 1 if until else 1
        raise Throttled(max(1, seconds))
    with transaction.atomic():
        return verify_token(user, device.persistent_id, token)


# --- the user's own changes, audited -----------------------------------------------------------


def enrol(user: Any, device: TOTPDevice, code: str, request: HttpRequest) -> list[str] | None:
    with transaction.atomic():
        codes = confirm_enrolment(user, device, code)
        if codes is None:
            return None
        record(user, AuditAction.STATE, user, before={"two_factor": False}, after={"two_factor": True},
               request=request, note=N_("Bật xác thực hai bước"))
    request.session[VERIFIED_KEY] = True
    return codes


def regenerate(user: Any, request: HttpRequest) -> list[str]:
    with transaction.atomic():
        codes = new_recovery_codes(user)
        record(user, AuditAction.UPDATE, user, request=request, note=N_("Tạo lại mã dự phòng"))
    return codes


def turn_off(user: Any, request: HttpRequest) -> None:
    with transaction.atomic():
        remove_devices(user)
        record(user, AuditAction.STATE, user, before={"two_factor": True}, after={"two_factor": False},
               request=request, note=N_("Tắt xác thực hai bước"))
    request.session.pop(VERIFIED_KEY, None)

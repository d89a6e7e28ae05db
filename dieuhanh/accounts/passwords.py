"""Django's password validators with our own Vietnamese messages.

Django 5.2's Vietnamese catalogue lags its English source (the "too short"
message is shown in English), so the messages of the built-in validators are
replaced here by error code; anything else passes through unchanged.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "password_too_short": _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự."),
    "password_too_similar": _("Mật khẩu quá giống %(verbose_name)s."),
    "password_too_common": _("Mật khẩu này quá phổ biến, dễ bị đoán ra."),
    "password_entirely_numeric": _("Mật khẩu không được chỉ gồm chữ số."),
}


def _vietnamese(error: ValidationError) -> ValidationError:
    message = MESSAGES.get(error.code or "")
    if message is None:
        return error
    params = error.params or {}
    if error.code == "password_too_similar":
        params = {"verbose_name": str(params.get("verbose_name", _("thông tin cá nhân"))).lower()}
    return ValidationError(message, code=error.code, params=params)


def validate_password(password: str, user: Any = None) -> None:
    """Run the configured validators; raise one ValidationError with every problem."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError([_vietnamese(item) for item in error.error_list]) from None

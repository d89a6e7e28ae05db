"""Forms of the password reset and two-factor pages (Vietnamese labels and messages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.passwords import validate_password


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Địa chỉ thư điện tử của tài khoản"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={"required": _("Hãy nhập địa chỉ thư điện tử."),
                        "invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )


class SetPasswordForm(auth_forms.SetPasswordForm):
    """Django's form (a new password twice) with our labels and Vietnamese validators."""

    error_messages = {"password_mismatch": _("Hai lần nhập mật khẩu mới không khớp nhau.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.fields["new_password2"].help_text = _("Nhập lại đúng mật khẩu mới để kiểm tra.")
        for name in ("new_password1", "new_password2"):
            self.fields[name].error_messages["required"] = _("Trường này bắt buộc.")

    def validate_password_for_user(self, user: Any, password_field_name: str = "password2") -> None:
        password = self.cleaned_data.get(password_field_name)
        if password:
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.add_error(password_field_name, error)


class CodeForm(forms.Form):
    """A 6-digit code from the authenticator app (or, at login, a recovery code)."""

    code = forms.CharField(
        label=_("Mã xác thực"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
                                      "autocapitalize": "none"}),
        error_messages={"required": _("Hãy nhập mã xác thực.")},
    )


class PasswordConfirmForm(forms.Form):
    """The current password again, before turning two-factor authentication off."""

    password = forms.CharField(
        label=_("Mật khẩu hiện tại"), strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Hãy nhập mật khẩu.")},
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("Mật khẩu hiện tại không đúng. Hãy nhập lại."), code="password_incorrect")
        return password

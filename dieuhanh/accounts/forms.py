"""Forms of the accounts pages. Labels and messages are Vietnamese (the source language)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import AuditAction, Role, User
from dieuhanh.accounts.passwords import validate_password
from dieuhanh.orgs.models import Unit
from dieuhanh.web.forms import VnDateInput

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATE_ERROR = _("Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy (ví dụ 05/03/2024).")


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}),
        error_messages={"required": _("Hãy nhập tên đăng nhập.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu"), strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Hãy nhập mật khẩu.")},
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form (its validators, their messages in Vietnamese) with our labels."""

    error_messages = {
        "password_mismatch": _("Hai lần nhập mật khẩu mới không khớp nhau."),
        "password_incorrect": _("Mật khẩu hiện tại không đúng. Hãy nhập lại."),
        "password_unchanged": _("Mật khẩu mới phải khác mật khẩu hiện tại."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.fields["new_password2"].help_text = _("Nhập lại đúng mật khẩu mới để kiểm tra.")
        for name in ("old_password", "new_password1", "new_password2"):
            self.fields[name].error_messages["required"] = _("Trường này bắt buộc.")

    def validate_password_for_user(self, user: Any, password_field_name: str = "password2") -> None:
        password = self.cleaned_data.get(password_field_name)
        if password:
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.add_error(password_field_name, error)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", ValidationError(self.error_messages["password_unchanged"],
                                                            code="password_unchanged"))
        return cleaned


def _unit_label(unit: Unit) -> str:
    return f"{unit.name} ({unit.code})"


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"), max_length=150,
        help_text=_("Chữ, số và các ký tự @ . + - _; không có dấu cách."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=300)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"), queryset=Unit.objects.none(), empty_label=_("— Chọn đơn vị —"),
        error_messages={"invalid_choice": _("Đơn vị đã chọn không tồn tại.")},
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices,
                             error_messages={"invalid_choice": _("Vai trò không hợp lệ.")})
    position = forms.CharField(label=_("Chức vụ"), max_length=100, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False,
                             help_text=_("Để nhận thư nhắc việc và tự đặt lại mật khẩu khi quên."),
                             error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")})
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("name")
        self.fields["unit"].label_from_instance = _unit_label
        for field in self.fields.values():
            field.error_messages["required"] = _("Trường này bắt buộc.")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            raise ValidationError(_("Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _."), code="invalid")
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Đã có người dùng với tên đăng nhập này."), code="duplicate")
        return username

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = User(username=cleaned.get("username", ""), **split_full_name(cleaned.get("full_name", "")))
            try:
                validate_password(password, probe)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class UserEditForm(forms.Form):
    """An administrator's edit of an account: name, contact, unit, role, position."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=300)
    email = forms.EmailField(label=_("Thư điện tử"), required=False,
                             error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")})
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False)
    unit = forms.ModelChoiceField(
        label=_("Đơn vị"), queryset=Unit.objects.none(), required=False, empty_label=_("— Chọn đơn vị —"),
        error_messages={"invalid_choice": _("Đơn vị đã chọn không tồn tại.")},
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices,
                             error_messages={"invalid_choice": _("Vai trò không hợp lệ.")})
    position = forms.CharField(label=_("Chức vụ"), max_length=100, required=False)

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        if user is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {"full_name": user.get_full_name(), "email": user.email, "phone": user.phone,
                                 "unit": user.unit_id, "role": user.role, "position": user.position}
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("name")
        self.fields["unit"].label_from_instance = _unit_label
        for field in self.fields.values():
            field.error_messages["required"] = _("Trường này bắt buộc.")

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("unit") and cleaned.get("role") not in (None, Role.QUAN_TRI):
            self.add_error("unit", _("Người dùng (trừ quản trị) phải thuộc một đơn vị."))
        return cleaned

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.update(split_full_name(data.pop("full_name")))
        return data


def split_full_name(full_name: str) -> dict[str, str]:
    """'Nguyễn Văn An' → family name in first_name, the rest in last_name, so that
    ``get_full_name()`` reads in Vietnamese order."""
    family, _sep, rest = full_name.strip().partition(" ")
    return {"first_name": family[:150], "last_name": rest[:150]}


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Tên gợi nhớ"), max_length=100,
        help_text=_("Để nhận ra mã này sau, ví dụ: “Máy chủ báo cáo của Phòng Nội vụ”."),
        error_messages={"required": _("Hãy đặt tên cho mã truy cập."),
                        "max_length": _("Tên dài tối đa 100 ký tự.")},
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


def object_type_choices() -> list[tuple[str, str]]:
    """Models of this project, by their Vietnamese names (no database query)."""
    found = []
    for model in apps.get_models():
        if model.__module__.startswith("dieuhanh."):
            name = str(model._meta.verbose_name)
            found.append((model._meta.label_lower, name[:1].upper() + name[1:]))
    found.sort(key=lambda item: item[1])
    return [("", _("Tất cả"))] + found


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Người thực hiện"), max_length=150, required=False,
                            widget=forms.TextInput(attrs={"type": "search"}))
    action = forms.ChoiceField(label=_("Hành động"), required=False,
                               choices=[("", _("Tất cả"))] + list(AuditAction.choices),
                               error_messages={"invalid_choice": _("Hành động không hợp lệ.")})
    object_type = forms.ChoiceField(label=_("Loại đối tượng"), required=False,
                                    error_messages={"invalid_choice": _("Loại đối tượng không hợp lệ.")})
    date_from = forms.DateField(label=_("Từ ngày"), required=False, input_formats=DATE_FORMATS,
                                widget=VnDateInput(), error_messages={"invalid": DATE_ERROR})
    date_to = forms.DateField(label=_("Đến ngày"), required=False, input_formats=DATE_FORMATS,
                              widget=VnDateInput(), error_messages={"invalid": DATE_ERROR})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = object_type_choices()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in ("date_from", "date_to"):
            value = cleaned.get(name)
            if value and not 1900 <= value.year <= 2100:
                self.add_error(name, DATE_ERROR)
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("“Đến ngày” phải sau hoặc bằng “Từ ngày”."))
        return cleaned

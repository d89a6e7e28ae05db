"""Forms of the intake (choose a source, review the fields) and of corrections."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dieuhanh.documents.intake import FIELDS, human_size
from dieuhanh.documents.models import Direction, Document, Register
from dieuhanh.web.forms import vn_date_field

DATE_ERROR = _("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 02/03/2020.")
_BULLET = re.compile(r"^\s*(?:[-–•+*]|\d+[.)])\s*")


class RegisterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Register) -> str:
        return f"{obj.get_direction_display()} · {obj.name} — {obj.unit.name}"


class IntakeStartForm(forms.Form):
    """Step 1: which register, and the document as a file or as pasted text."""

    direction = forms.ChoiceField(label=_("Loại văn bản"), choices=Direction.choices)
    register = RegisterChoiceField(label=_("Sổ văn bản"), queryset=Register.objects.none(),
                                   error_messages={"invalid_choice": _("Sổ đã chọn không hợp lệ.")})
    file = forms.FileField(
        label=_("Tệp văn bản (.txt, .md, .docx, .doc, .odt, .rtf, .pdf, ảnh quét)"), required=False, max_length=255,
        error_messages={"empty": _("Tệp rỗng, không có nội dung."), "invalid": _("Không đọc được tệp tải lên.")})
    text = forms.CharField(label=_("Hoặc dán nội dung văn bản"), required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 12}))

    def __init__(self, *args: Any, registers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["register"].queryset = registers

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("Tệp quá lớn (%(size)s); giới hạn là %(limit)s.")
                                        % {"size": human_size(upload.size),
                                           "limit": human_size(settings.UPLOAD_MAX_BYTES)})
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        register, direction = data.get("register"), data.get("direction")
        if register is not None and direction and register.direction != direction:
            self.add_error("register", _("Sổ đã chọn không dùng cho loại văn bản này."))
        has_file, has_text = data.get("file") is not None, bool((data.get("text") or "").strip())
        if "file" in self.errors:
            return data
        if has_file == has_text:
            raise forms.ValidationError(_("Hãy chọn một tệp hoặc dán nội dung văn bản (chỉ một trong hai)."))
        return data


class LinesField(forms.CharField):
    """A list edited one item per line (Kính gửi, Nơi nhận); bullets and trailing ';' dropped."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, (list, tuple)):
            lines = [str(item) for item in value]
        else:
            lines = str(value or "").splitlines()
        items = [_BULLET.sub("", line).strip().rstrip(";").strip() for line in lines]
        return [item for item in items if item]


def _date_field(label: str, required: bool = False) -> forms.DateField:
    return vn_date_field(label, required=required, error=DATE_ERROR)


class DocumentFieldsForm(forms.ModelForm):
    """Every register field of a document, as the clerk reviews or corrects it."""

    number = forms.IntegerField(label=_("Số"), required=False, min_value=1, max_value=2_147_483_647,
                                error_messages={"min_value": _("Số văn bản phải là số nguyên dương."),
                                                "invalid": _("Số văn bản phải là số nguyên dương.")})
    issued_on = _date_field(_("Ngày ban hành"))
    arrived_on = _date_field(_("Ngày đến"))
    due_on = _date_field(_("Hạn giải quyết"))
    recipients = LinesField(label=_("Kính gửi (mỗi dòng một nơi)"), required=False)
    distribution = LinesField(label=_("Nơi nhận (mỗi dòng một nơi)"), required=False)

    class Meta:
        model = Document
        fields = list(FIELDS)
        widgets = {
            "subject": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 16}),
        }

    def __init__(self, *args: Any, direction: str, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.direction = direction
        if direction != Direction.INCOMING:
            del self.fields["arrived_on"], self.fields["sender"]
        elif editing:
            self.fields["arrived_on"].required = True
        else:
            self.fields["arrived_on"].help_text = _("Để trống: hôm nay.")
        if direction == Direction.OUTGOING and not editing:
            self.fields["number"].help_text = _("Để trống để lấy số tiếp theo của sổ văn bản đi.")

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values under the names the services take."""
        return {name: self.cleaned_data.get(name) for name in self.fields}


class ReviewForm(DocumentFieldsForm):
    """Step 2 of the intake: the fields plus the signed token naming the staged intake.

    The body is not a field: it stays on the server with the staged upload (a 20 MB text
    would not fit in a request), the page only shows it."""

    token = forms.CharField(widget=forms.HiddenInput)
    confirm_duplicate = forms.BooleanField(
        label=_("Tôi đã xem văn bản đã có và vẫn muốn vào sổ văn bản này"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["body"]

    def service_fields(self) -> dict[str, Any]:
        fields = super().service_fields()
        fields.pop("token", None)
        fields.pop("confirm_duplicate", None)
        return fields


class ShareForm(forms.Form):
    """Distribute a document to units under its owner (Phòng Nội vụ, the wards…) so they can see it."""

    shared_with = forms.ModelMultipleChoiceField(
        label=_("Chuyển cho đơn vị"), required=False, queryset=None,  # set in __init__
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Các đơn vị được chọn thấy văn bản này và có thể giao việc từ văn bản."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = units

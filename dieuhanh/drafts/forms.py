"""Forms of the drafts pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.drafts.models import DraftType

LIST_HELP = _("Mỗi dòng một mục.")


class DraftTextForm(forms.Form):
    subject = forms.CharField(label=_("Trích yếu"), max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "dt-check"}))
    recipients = forms.CharField(label=_("Kính gửi"), required=False, help_text=LIST_HELP,
                                 widget=forms.Textarea(attrs={"rows": 3, "class": "dt-check"}))
    body = forms.CharField(label=_("Nội dung"), required=False, max_length=200_000,
                           widget=forms.Textarea(attrs={"rows": 18, "class": "dt-check dt-body"}))
    distribution = forms.CharField(label=_("Nơi nhận"), required=False, help_text=LIST_HELP,
                                   widget=forms.Textarea(attrs={"rows": 4, "class": "dt-check"}))
    upload = forms.FileField(label=_("Hoặc tải lên tệp Word (.docx)"), required=False)

    @classmethod
    def initial_from(cls, draft: Any) -> dict[str, Any]:
        return {"subject": draft.subject, "body": draft.body, "recipients": "\n".join(draft.recipients or []),
                "distribution": "\n".join(draft.distribution or [])}

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"subject": d.get("subject") or "", "body": d.get("body") or "",
                "recipients": (d.get("recipients") or "").splitlines(),
                "distribution": (d.get("distribution") or "").splitlines()}


class DraftCreateForm(DraftTextForm):
    doc_type = forms.ChoiceField(label=_("Loại văn bản"), choices=DraftType.choices)
    symbol = forms.CharField(label=_("Ký hiệu"), required=False, max_length=64,
                             help_text=_("Để trống: theo mẫu của loại văn bản (ví dụ KH-UBND)."))
    subject = forms.CharField(label=_("Trích yếu"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["doc_type", "symbol", "subject", "recipients", "body", "distribution", "upload"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("subject") or "").strip() and not data.get("upload"):
            self.add_error("subject", _("Phải có trích yếu của văn bản."))
        return data


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Ý kiến"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class IssueForm(forms.Form):
    issued_on = forms.DateField(label=_("Ngày ban hành"), input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    confirm = forms.BooleanField(label=_("Tôi xác nhận cấp số và phát hành; việc này không hoàn tác được."))


class ChainForm(forms.Form):
    """Up to five steps: a label and a reviewer each; empty rows are skipped."""

    STEPS = 5

    def __init__(self, *args: Any, reviewers: Any, issuers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(self.STEPS):
            self.fields[f"label_{i}"] = forms.CharField(label=_("Bước %(n)d") % {"n": i + 1}, required=False,
                                                        max_length=100)
            self.fields[f"reviewer_{i}"] = forms.ModelChoiceField(label=_("Người duyệt"), queryset=reviewers,
                                                                  required=False)
        self.fields["issuer_unit"] = forms.ModelChoiceField(label=_("Cơ quan ban hành"), queryset=issuers,
                                                            required=False,
                                                            help_text=_("Để trống: theo đơn vị (phòng của UBND "
                                                                        "thì UBND ban hành)."))

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"label_{i}"], self[f"reviewer_{i}"]) for i in range(self.STEPS)]

    def steps(self) -> list[tuple[str, Any]]:
        found = []
        for i in range(self.STEPS):
            label, reviewer = self.cleaned_data.get(f"label_{i}") or "", self.cleaned_data.get(f"reviewer_{i}")
            if reviewer is not None:
                found.append((label.strip() or str(reviewer.position or reviewer.get_role_display()), reviewer))
        return found

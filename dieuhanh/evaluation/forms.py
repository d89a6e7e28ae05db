"""Forms of the evaluation pages (dates as dd/mm/yyyy)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import User
from dieuhanh.orgs.models import Unit
from dieuhanh.reports.forms import OutlineImportForm, UnitsField, date_field

CSV_MAX_BYTES = 2_000_000


class SetImportForm(OutlineImportForm):
    """The same upload-or-paste form as report outlines (YAML, UTF-8, size limit)."""


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} — {obj.position or obj.get_role_display()}"


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Tên đợt đánh giá"), max_length=300)
    year = forms.IntegerField(label=_("Năm đánh giá"), min_value=2000, max_value=2100)
    units = UnitsField(label=_("Đơn vị được đánh giá"), queryset=Unit.objects.none(),
                       widget=forms.CheckboxSelectMultiple)
    self_deadline = date_field(_("Hạn tự đánh giá"), required=True)
    explain_deadline = date_field(_("Hạn giải trình"), required=True)
    cutoff_on = date_field(_("Ngày chốt số liệu"), required=True)
    council = PeopleField(label=_("Hội đồng thẩm định"), queryset=User.objects.none(), required=False,
                          widget=forms.CheckboxSelectMultiple)
    plan_documents = forms.CharField(label=_("Số, ký hiệu kế hoạch CCHC (cách nhau bởi dấu phẩy)"), required=False,
                                     max_length=500)

    def __init__(self, *args: Any, units: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        self.fields["council"].queryset = people


class SurveyForm(forms.Form):
    file = forms.FileField(label=_("Tệp CSV điểm điều tra xã hội học"),
                           error_messages={"empty": _("Tệp rỗng, không có nội dung.")})

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise forms.ValidationError(_("Tệp CSV quá lớn (tối đa 2 MB)."))
        return upload


class EvidenceForm(forms.Form):
    item = forms.CharField(max_length=32, widget=forms.HiddenInput)
    file = forms.FileField(label=_("Tệp"), required=False,
                           error_messages={"empty": _("Tệp rỗng, không có nội dung.")})
    link = forms.CharField(label=_("Hoặc liên kết (van-ban:ID, nhiem-vu:ID, bao-cao:ID)"), required=False,
                           max_length=40)

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > getattr(settings, "UPLOAD_MAX_BYTES", 25 * 1024 * 1024):
            raise forms.ValidationError(_("Tệp quá lớn."))
        return upload


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Tên đợt khen thưởng"), max_length=300)
    decided_on = date_field(_("Ngày dự kiến quyết định"), required=True)
    min_index = forms.DecimalField(label=_("Chỉ số tối thiểu (%)"), min_value=0, max_value=100, initial=80)
    min_on_time = forms.DecimalField(label=_("Tỷ lệ đúng hạn tối thiểu (%)"), min_value=0, max_value=100,
                                     initial=80)
    quota_collectives = forms.IntegerField(label=_("Số tập thể tối đa"), min_value=0, max_value=500, initial=5)
    quota_individuals = forms.IntegerField(label=_("Số cá nhân tối đa"), min_value=0, max_value=500, initial=5)


class ProposalForm(forms.Form):
    name = forms.CharField(label=_("Họ tên cá nhân hoặc tên tập thể"), max_length=255)
    position = forms.CharField(label=_("Chức vụ"), max_length=255, required=False)
    reason = forms.CharField(label=_("Thành tích"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class VoteForm(forms.Form):
    approved = forms.MultipleChoiceField(label=_("Được Hội đồng thống nhất"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    votes_for = forms.IntegerField(label=_("Số phiếu tán thành"), min_value=0, max_value=200)
    votes_total = forms.IntegerField(label=_("Số thành viên dự họp"), min_value=1, max_value=200)
    minutes = forms.CharField(label=_("Biên bản họp Hội đồng Thi đua - Khen thưởng"),
                              widget=forms.Textarea(attrs={"rows": 5}), max_length=8000)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approved"].choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("votes_for") is not None and data.get("votes_total") and data["votes_for"] > data["votes_total"]:
            raise forms.ValidationError(_("Số phiếu tán thành không thể lớn hơn số thành viên dự họp."))
        return data


def default_dates(year: int) -> dict[str, datetime.date]:
    return {"self_deadline": datetime.date(year + 1, 1, 15), "explain_deadline": datetime.date(year + 1, 2, 15),
            "cutoff_on": datetime.date(year, 12, 31)}

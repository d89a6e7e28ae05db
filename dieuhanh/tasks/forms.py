"""Forms of the tasks pages: the proposals formset, a manual task, and the assignment actions."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dieuhanh.orgs.models import Unit
from dieuhanh.tasks.models import Status
from dieuhanh.tasks.proposals import Proposal
from dieuhanh.web.forms import vn_date_field

DATE_ERROR = _("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 09/04/2020.")


def date_field(label: Any, required: bool = False) -> forms.DateField:
    return vn_date_field(label, required=required, error=DATE_ERROR,
                         error_messages={"required": _("Chưa nhập ngày.")})


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


def _units_field(label: Any, required: bool) -> UnitsField:
    return UnitsField(label=label, required=required, queryset=Unit.objects.none(),
                      widget=forms.SelectMultiple(attrs={"size": 8}),
                      error_messages={"required": _("Chưa chọn đơn vị chủ trì."),
                                      "invalid_choice": _("Đơn vị đã chọn không hợp lệ."),
                                      "invalid_pk_value": _("Đơn vị đã chọn không hợp lệ.")})


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Tên nhiệm vụ"), max_length=500,
                            error_messages={"required": _("Chưa nhập tên nhiệm vụ.")},
                            widget=forms.Textarea(attrs={"rows": 2}))
    lead_units = _units_field(_("Đơn vị chủ trì"), True)
    coordinating_units = _units_field(_("Đơn vị phối hợp"), False)
    due_on = date_field(_("Hạn xử lý"))
    deadline_phrase = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)
    deadline_kind = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    due_rule = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
    sentence = forms.CharField(required=False, widget=forms.HiddenInput)
    span = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    description = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["lead_units"].queryset = units
            self.fields["coordinating_units"].queryset = units

    def clean_span(self) -> tuple[int, int] | None:
        raw = (self.cleaned_data.get("span") or "").strip()
        if not raw:
            return None
        try:
            start, end = (int(x) for x in raw.split(",", 1))
        except ValueError:
            return None
        return (start, end) if 0 <= start < end else None

    def to_proposal(self) -> Proposal:
        d = self.cleaned_data
        lead = [u.pk for u in d["lead_units"]]
        return Proposal(title=d["title"], lead_unit_ids=lead,
                        coordinating_unit_ids=[u.pk for u in d.get("coordinating_units") or [] if u.pk not in lead],
                        due_on=d.get("due_on"), deadline_phrase=d.get("deadline_phrase") or "",
                        deadline_kind=d.get("deadline_kind") or "", sentence=d.get("sentence") or "",
                        spans=[d["span"]] if d.get("span") else [], description=d.get("description") or "")

    @staticmethod
    def initial_from(p: Proposal) -> dict[str, Any]:
        return {"title": p.title, "lead_units": p.lead_unit_ids, "coordinating_units": p.coordinating_unit_ids,
                "due_on": p.due_on, "deadline_phrase": p.deadline_phrase, "deadline_kind": p.deadline_kind,
                "due_rule": p.due_rule,
                "sentence": p.sentence, "span": f"{p.span[0]},{p.span[1]}" if p.span else "",
                "description": p.description}


class BaseProposalFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        self.units = units
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "units": self.units}

    @property
    def empty_form(self) -> Any:
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, units=self.units, renderer=self.renderer)
        self.add_fields(form, None)
        return form


ProposalFormSet = forms.formset_factory(ProposalForm, formset=BaseProposalFormSet, extra=0, can_delete=True,
                                        max_num=200, validate_max=True, absolute_max=200)


class ManualTaskForm(forms.Form):
    title = forms.CharField(label=_("Tên nhiệm vụ"), max_length=500,
                            error_messages={"required": _("Chưa nhập tên nhiệm vụ.")})
    description = forms.CharField(label=_("Nội dung"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    source_note = forms.CharField(label=_("Nguồn giao (cuộc họp, điện thoại…)"), max_length=255,
                                  error_messages={"required": _("Chưa ghi nguồn giao.")})
    lead_units = _units_field(_("Đơn vị chủ trì"), True)
    coordinating_units = _units_field(_("Đơn vị phối hợp"), False)
    due_on = date_field(_("Hạn xử lý"))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_units"].queryset = units
        self.fields["coordinating_units"].queryset = units

    def clean_due_on(self) -> datetime.date | None:
        return not_before_today(self.cleaned_data.get("due_on"))


def _check_file(upload: Any) -> Any:
    limit = settings.UPLOAD_MAX_BYTES
    if upload is not None and upload.size > limit:
        raise forms.ValidationError(_("Tệp quá lớn."))
    return upload


class _Prefixed(forms.Form):
    """Several action forms share the assignment page: distinct element ids, same field names."""

    id_prefix = "f"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ProgressForm(_Prefixed):
    id_prefix = "tien_do"
    progress = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100,
                                  error_messages={"required": _("Chưa nhập tiến độ."),
                                                  "invalid": _("Tiến độ phải là số từ 0 đến 100."),
                                                  "min_value": _("Tiến độ phải là số từ 0 đến 100."),
                                                  "max_value": _("Tiến độ phải là số từ 0 đến 100.")})
    text = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Phải ghi nội dung tiến độ.")})
    file = forms.FileField(label=_("Tệp đính kèm"), required=False,
                           error_messages={"empty": _("Tệp rỗng, không có nội dung.")})

    def clean_file(self) -> Any:
        return _check_file(self.cleaned_data.get("file"))


class ResultForm(_Prefixed):
    id_prefix = "ket_qua"
    note = forms.CharField(label=_("Kết quả"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("Tệp kết quả"), required=False,
                           error_messages={"empty": _("Tệp rỗng, không có nội dung.")})
    document = forms.ModelChoiceField(label=_("Văn bản đi / báo cáo"), required=False, queryset=None,
                                      error_messages={"invalid_choice": _("Văn bản đã chọn không hợp lệ.")})

    def __init__(self, *args: Any, documents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents

    def clean_file(self) -> Any:
        return _check_file(self.cleaned_data.get("file"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not (data.get("note") or "").strip() and not data.get("file") \
                and not data.get("document"):
            raise forms.ValidationError(_("Phải có kết quả: ghi chú, tệp đính kèm hoặc văn bản đi / báo cáo."))
        return data


class ReturnForm(_Prefixed):
    id_prefix = "tra_lai"
    reason = forms.CharField(label=_("Lý do trả lại"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Phải nêu lý do trả lại.")})


def not_before_today(value: datetime.date | None) -> datetime.date | None:
    """A deadline, an extension or a delegation date is never in the past."""
    if value is not None and value < today():
        raise forms.ValidationError(_("Ngày %(day)s đã qua: hạn phải từ hôm nay (%(today)s) trở đi.")
                                    % {"day": value.strftime("%d/%m/%Y"), "today": today().strftime("%d/%m/%Y")})
    return value


class ExtensionForm(_Prefixed):
    id_prefix = "gia_han"
    proposed_due_on = date_field(_("Hạn đề nghị"), required=True)
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("Phải nêu lý do xin gia hạn.")})

    def clean_proposed_due_on(self) -> datetime.date | None:
        return not_before_today(self.cleaned_data.get("proposed_due_on"))


class DecisionForm(_Prefixed):
    id_prefix = "duyet"
    extension = forms.IntegerField(widget=forms.HiddenInput)
    # nothing preselected: the decider picks one
    decision = forms.ChoiceField(choices=[("", _("— Chọn quyết định —")), ("dong_y", _("Đồng ý")),
                                          ("tu_choi", _("Từ chối"))],
                                 error_messages={"required": _("Chưa chọn quyết định.")})
    note = forms.CharField(label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DelegateForm(_Prefixed):
    id_prefix = "giao_tiep"
    title = forms.CharField(label=_("Tên nhiệm vụ giao tiếp"), max_length=500,
                            error_messages={"required": _("Chưa nhập tên nhiệm vụ giao tiếp.")})
    units = _units_field(_("Đơn vị nhận"), False)
    people = forms.ModelMultipleChoiceField(label=_("Cán bộ"), required=False, queryset=None,
                                            error_messages={"invalid_choice": _("Người đã chọn không hợp lệ.")})
    due_on = date_field(_("Hạn xử lý"), required=True)

    def __init__(self, *args: Any, units: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        self.fields["people"].queryset = people
        self.fields["people"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean_due_on(self) -> datetime.date | None:
        return not_before_today(self.cleaned_data.get("due_on"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not data.get("units") and not data.get("people"):
            raise forms.ValidationError(_("Chưa chọn đơn vị hoặc người nhận nhiệm vụ giao tiếp."))
        return data


STATUS_FILTER = [("", _("Tất cả"))] + list(Status.choices)


def parse_status(raw: str | None) -> str | None:
    return raw if raw in Status.values else None


def today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


class NotificationSettingForm(forms.ModelForm):
    class Meta:
        from dieuhanh.tasks.models import NotificationSetting

        model = NotificationSetting
        fields = ["email_mode"]
        widgets = {"email_mode": forms.RadioSelect}

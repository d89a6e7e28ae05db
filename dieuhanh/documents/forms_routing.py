"""Forms of the routing of incoming documents, of the exchange between units and of voiding."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dieuhanh.documents.forms import DATE_ERROR
from dieuhanh.web.forms import vn_date_field


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} — {obj.get_role_display()}, {obj.unit.name}"


class SubmitForm(forms.Form):
    """Trình: to a leader of the unit, or the leader's delegate."""

    to = PersonChoiceField(label=_("Trình lãnh đạo"), queryset=None,  # set in __init__
                           empty_label=_("— Chọn lãnh đạo —"),
                           error_messages={"required": _("Hãy chọn lãnh đạo để trình."),
                                           "invalid_choice": _("Người được chọn không phải lãnh đạo của đơn vị.")})
    note = forms.CharField(label=_("Ghi chú khi trình"), required=False, max_length=255)

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = candidates


def target_choices(units: Any, people: Any) -> list[tuple[str, str]]:
    """"u:<id>" for a unit, "p:<id>" for a person: the recipients a bút phê may name."""
    choices = [(f"u:{u.pk}", str(u.name)) for u in units]
    for p in people:
        choices.append((f"p:{p.pk}", f"{p.get_full_name() or p.username} — {p.get_role_display()}, {p.unit.name}"))
    return choices


class InstructionForm(forms.Form):
    """Bút phê: free text plus xử lý chính (one), phối hợp and để biết (several), hạn xử lý."""

    text = forms.CharField(label=_("Ý kiến chỉ đạo"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    lead = forms.ChoiceField(label=_("Xử lý chính"), required=False)
    coordinate = forms.MultipleChoiceField(label=_("Phối hợp"), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    inform = forms.MultipleChoiceField(label=_("Để biết"), required=False, widget=forms.CheckboxSelectMultiple)
    due_on = vn_date_field(_("Hạn xử lý"), error=DATE_ERROR)

    def __init__(self, *args: Any, units: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = target_choices(units, people)
        self._objects = {f"u:{u.pk}": u for u in units} | {f"p:{p.pk}": p for p in people}
        self.fields["lead"].choices = [("", _("— Không có —")), *choices]
        self.fields["coordinate"].choices = choices
        self.fields["inform"].choices = choices

    def targets(self, name: str) -> list[Any]:
        value = self.cleaned_data.get(name)
        keys = [value] if isinstance(value, str) else list(value or [])
        return [self._objects[k] for k in keys if k in self._objects]


class FinishForm(forms.Form):
    note = forms.CharField(label=_("Kết quả xử lý, trả lời"), required=False, max_length=500)


class DeliverForm(forms.Form):
    """Gửi liên thông: the units the Kính gửi / Nơi nhận resolve to, ticked by default."""

    units = forms.ModelMultipleChoiceField(
        label=_("Gửi tới đơn vị"), queryset=None, widget=forms.CheckboxSelectMultiple,  # set in __init__
        error_messages={"required": _("Hãy chọn ít nhất một đơn vị nhận.")})

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Phải ghi lý do hủy số trong sổ.")})

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Phải ghi lý do hủy số trong sổ."))
        return reason

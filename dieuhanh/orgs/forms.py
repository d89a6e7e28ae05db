"""The date picker of the unit pages: "Xem cơ cấu tại ngày" (dd/mm/yyyy)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.web.forms import ISO_TOO, VnDateInput, vn_date_field


class OnDateForm(forms.Form):
    ngay = vn_date_field(
        _("Xem cơ cấu tại ngày"), widget=VnDateInput({"size": 12}), input_formats=ISO_TOO,
        error=_("Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy, ví dụ 02/03/2020."),
    )

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> tuple["OnDateForm", date | None]:
        """(form, the date asked for or None). A missing or empty date is no error; a bad
        one leaves the form bound with its message and gives None."""
        value = params.get("ngay", "").strip()
        if not value:
            return cls(initial={"ngay": timezone.localdate()}), None
        form = cls({"ngay": value})
        if form.is_valid() and form.cleaned_data["ngay"]:
            return form, form.cleaned_data["ngay"]
        return form, None

"""Reporting windows of Decree 09/2019/NĐ-CP (chế độ báo cáo của cơ quan hành chính nhà nước).

Article 12 sets the data cut-off (thời gian chốt số liệu) of periodic reports:

- monthly: from the 15th of the previous month to the 14th of the reporting month;
- quarterly: from the 15th of the month before the quarter to the 14th of its last month;
- six months: from 15/12 of the previous year to 14/06;
- annual: from 15/12 of the previous year to 14/12.

The decree has no nine-month report; by the same rule it runs 15/12 of the previous year
to 14/09. The cut-off date is the last day of the window. ``CUSTOM`` windows are given
by the caller (:func:`custom_window`).

    period_window(kind, year, number=None) -> (start, end, cutoff)
    period_label(kind, year, number=None) -> str         # "Quý I/2020", "Tháng 3/2020"
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dieuhanh.reports.models import PeriodKind

CUTOFF_DAY = 14
START_DAY = 15

__all__ = ["custom_window", "period_label", "period_window"]


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _window(year: int, first_month: int, last_month: int) -> tuple[date, date, date]:
    """15th of the month before ``first_month`` → 14th of ``last_month`` (all in ``year``'s frame)."""
    py, pm = _previous_month(year, first_month)
    start = date(py, pm, START_DAY)
    end = date(year, last_month, CUTOFF_DAY)
    return start, end, end


def _check_year(year: object) -> int:
    try:
        value = int(year)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValidationError(_("Năm báo cáo không hợp lệ.")) from None
    if not 1900 <= value <= 9999:
        raise ValidationError(_("Năm báo cáo không hợp lệ."))
    return value


def _check_number(number: object, high: int, what: str) -> int:
    try:
        value = int(number)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValidationError(_("Chưa chọn %(what)s báo cáo.") % {"what": what}) from None
    if not 1 <= value <= high:
        raise ValidationError(_("%(what)s báo cáo phải từ 1 đến %(high)d.") % {"what": what.capitalize(), "high": high})
    return value


def period_window(kind: str, year: int, number: int | None = None) -> tuple[date, date, date]:
    """``(start, end, cutoff)`` of the reporting window; ``number`` is the month (1–12) or quarter (1–4).

    >>> period_window("thang", 2020, 3)
    (datetime.date(2020, 2, 15), datetime.date(2020, 3, 14), datetime.date(2020, 3, 14))
    """
    year = _check_year(year)
    if kind == PeriodKind.MONTHLY:
        month = _check_number(number, 12, _("tháng"))
        return _window(year, month, month)
    if kind == PeriodKind.QUARTERLY:
        quarter = _check_number(number, 4, _("quý"))
        return _window(year, 3 * quarter - 2, 3 * quarter)
    if kind == PeriodKind.SIX_MONTHS:
        return _window(year, 1, 6)
    if kind == PeriodKind.NINE_MONTHS:
        return _window(year, 1, 9)
    if kind == PeriodKind.ANNUAL:
        return _window(year, 1, 12)
    if kind == PeriodKind.CUSTOM:
        raise ValidationError(_("Kỳ báo cáo tùy chọn: phải nhập từ ngày, đến ngày."))
    raise ValidationError(_("Kỳ báo cáo không hợp lệ."))


def custom_window(start: date | None, end: date | None, cutoff: date | None = None) -> tuple[date, date, date]:
    """A caller-given window, checked: start ≤ end; the cut-off defaults to ``end``."""
    if start is None or end is None:
        raise ValidationError(_("Kỳ báo cáo tùy chọn: phải nhập từ ngày, đến ngày."))
    if start > end:
        raise ValidationError(_("Ngày bắt đầu kỳ báo cáo (%(start)s) phải trước ngày kết thúc (%(end)s).")
                              % {"start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")})
    return start, end, cutoff or end


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_label(kind: str, year: int, number: int | None = None) -> str:
    """The period as written in report titles: "Tháng 3/2020", "Quý I/2020", "6 tháng đầu năm 2020"…"""
    if kind == PeriodKind.MONTHLY:
        return _("Tháng %(n)d/%(y)d") % {"n": int(number or 0), "y": year}
    if kind == PeriodKind.QUARTERLY:
        return _("Quý %(n)s/%(y)d") % {"n": _ROMAN.get(int(number or 0), str(number)), "y": year}
    if kind == PeriodKind.SIX_MONTHS:
        return _("6 tháng đầu năm %(y)d") % {"y": year}
    if kind == PeriodKind.NINE_MONTHS:
        return _("9 tháng đầu năm %(y)d") % {"y": year}
    if kind == PeriodKind.ANNUAL:
        return _("Năm %(y)d") % {"y": year}
    return _("Kỳ tùy chọn năm %(y)d") % {"y": year}

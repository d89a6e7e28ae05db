"""Decree 09/2019/NĐ-CP reporting windows (Article 12: 15th of the previous month → 14th)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from dieuhanh.reports.models import PeriodKind
from dieuhanh.reports.periods import custom_window, period_label, period_window


@pytest.mark.parametrize("kind,year,number,start,end", [
    (PeriodKind.MONTHLY, 2020, 1, date(2019, 12, 15), date(2020, 1, 14)),
    (PeriodKind.MONTHLY, 2020, 3, date(2020, 2, 15), date(2020, 3, 14)),
    (PeriodKind.MONTHLY, 2020, 12, date(2020, 11, 15), date(2020, 12, 14)),
    (PeriodKind.QUARTERLY, 2020, 1, date(2019, 12, 15), date(2020, 3, 14)),
    (PeriodKind.QUARTERLY, 2020, 2, date(2020, 3, 15), date(2020, 6, 14)),
    (PeriodKind.QUARTERLY, 2020, 4, date(2020, 9, 15), date(2020, 12, 14)),
    (PeriodKind.SIX_MONTHS, 2020, None, date(2019, 12, 15), date(2020, 6, 14)),
    (PeriodKind.NINE_MONTHS, 2020, None, date(2019, 12, 15), date(2020, 9, 14)),
    (PeriodKind.ANNUAL, 2020, None, date(2019, 12, 15), date(2020, 12, 14)),
])
def test_windows(kind, year, number, start, end):
    assert period_window(kind, year, number) == (start, end, end)


@pytest.mark.parametrize("kind,number", [
    (PeriodKind.MONTHLY, 13), (PeriodKind.MONTHLY, None), (PeriodKind.QUARTERLY, 0), (PeriodKind.QUARTERLY, "x"),
    (PeriodKind.CUSTOM, None), ("bogus", None),
])
def test_bad_periods_are_messages(kind, number):
    with pytest.raises(ValidationError):
        period_window(kind, 2020, number)


def test_custom_window():
    assert custom_window(date(2011, 1, 1), date(2020, 3, 31)) == (date(2011, 1, 1), date(2020, 3, 31),
                                                                   date(2020, 3, 31))
    with pytest.raises(ValidationError, match="phải trước"):
        custom_window(date(2020, 4, 1), date(2020, 3, 31))


def test_labels():
    assert period_label(PeriodKind.QUARTERLY, 2020, 1) == "Quý I/2020"
    assert period_label(PeriodKind.MONTHLY, 2020, 3) == "Tháng 3/2020"
    assert period_label(PeriodKind.SIX_MONTHS, 2020) == "6 tháng đầu năm 2020"

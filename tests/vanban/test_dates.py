"""Dates and deadline phrases as documents write them."""

from __future__ import annotations

from datetime import date

import pytest

from dieuhanh.lib.vntext import fold_same_length
from dieuhanh.vanban.dates import parse_date
from dieuhanh.vanban.deadlines import find_deadlines

DOC_DATE = date(2020, 3, 2)


@pytest.mark.parametrize("text, expected", [
    ("ngày 02 tháng 3 năm 2020", date(2020, 3, 2)),
    ("ngay 2 thang 3 nam 2020", date(2020, 3, 2)),
    ("02/3/2020", date(2020, 3, 2)),
    ("2-3-2020", date(2020, 3, 2)),
    ("2.3.2020", date(2020, 3, 2)),
    ("ngày 27/02", date(2020, 2, 27)),
    ("ngày 10 tháng 4", date(2020, 4, 10)),
    ("ngày\n12 tháng 7 năm 2019", date(2019, 7, 12)),
    ("ngày 31/02/2020", None),
    ("Điều 3.2 khoản 1", None),
    ("tỷ lệ 3/4 số hộ", None),
])
def test_dates(text: str, expected: date | None) -> None:
    assert parse_date(text, DOC_DATE) == expected


def test_year_rolls_over_at_year_end() -> None:
    assert parse_date("trước ngày 05/01", date(2020, 12, 20)) == date(2021, 1, 5)
    assert parse_date("ngày 28/12", date(2021, 1, 4)) == date(2020, 12, 28)


def _one(text: str, ref: date = DOC_DATE):
    found = find_deadlines(fold_same_length(text), 0, len(text), ref)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("text, kind, expected", [
    ("Thời gian tổng kết trước ngày 10 tháng 4 năm 2020", "before", date(2020, 4, 10)),
    ("gửi về Sở Nội vụ chậm nhất ngày 15/4/2020", "by", date(2020, 4, 15)),
    ("hoàn thành trong ngày 10/4/2020", "on", date(2020, 4, 10)),
    ("hạn chót nộp hồ sơ là ngày 20/3/2020", "by", date(2020, 3, 20)),
    ("báo cáo trước 17 giờ ngày 05/3/2020", "before", date(2020, 3, 5)),
    ("triển khai song song đến hết ngày 26/3/2017", "by", date(2017, 3, 26)),
    ("- Thời gian thực hiện: Ngày 09/11/2015.", "by", date(2015, 11, 9)),
    ("gửi UBND tỉnh truot ngay 25/8/2019", "before", date(2019, 8, 25)),
])
def test_deadline_phrases(text: str, kind: str, expected: date) -> None:
    found = _one(text)
    assert (found.kind, found.date) == (kind, expected)
    assert found.phrase_span[0] <= found.date_span[0] < found.date_span[1] == found.phrase_span[1]
    assert parse_date(text[found.date_span[0]:found.date_span[1]], DOC_DATE) == expected


def test_time_of_day_is_kept() -> None:
    assert _one("báo cáo trước 17 giờ ngày 05/3/2020").time == "17 gio"


def test_working_days_rule() -> None:
    found = _one("trong thời hạn 05 ngày làm việc kể từ ngày nhận được văn bản này")
    assert (found.kind, found.days, found.working_days, found.date) == ("within_working_days", 5, True, None)
    assert found.event and found.event.startswith("ngay nhan")


def test_periods_and_recurring_dates_are_not_deadlines() -> None:
    text = "phát sinh từ ngày 15 tháng 12 năm 2020 đến hết ngày 31 tháng 12 năm 2020"
    assert find_deadlines(fold_same_length(text), 0, len(text), DOC_DATE) == []
    recurring = _one("báo cáo trước ngày 25 hàng tháng")
    assert recurring.kind == "recurring" and recurring.date is None

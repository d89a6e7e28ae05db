"""resolve_due: from the parser's deadline dict to the last allowed day, with the reason."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from dieuhanh.lib.workcalendar import WorkCalendar
from dieuhanh.tasks.calendar import invalidate_calendar
from dieuhanh.tasks.deadlines import DueDate, resolve_due
from dieuhanh.tasks.models import CalendarDay

CAL = WorkCalendar()
DOC_DATE = date(2020, 4, 1)


@pytest.fixture(autouse=True)
def _frozen_today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2020-04-01 09:00 +0700", tick=False):
        yield


def deadline(kind: str, **fields) -> dict:  # type: ignore[no-untyped-def]
    base = {"date": None, "date_text": None, "phrase": None, "kind": kind, "time": None, "days": None,
            "working_days": None, "event": None}
    base.update(fields)
    return base


BEFORE = deadline("before", date="2020-04-10", date_text="10/4/2020", phrase="trước ngày 10/4/2020")


def test_before_is_strict_by_default(settings):
    settings.TASKS_BEFORE_INCLUSIVE = False
    due = resolve_due(BEFORE, document_date=DOC_DATE, calendar=CAL)
    assert due == DueDate(date(2020, 4, 9), "trước ngày 10/4/2020", "trước ngày 10/4/2020 → hạn cuối 09/04/2020")


def test_before_inclusive_setting(settings):
    settings.TASKS_BEFORE_INCLUSIVE = True
    due = resolve_due(BEFORE, document_date=DOC_DATE, calendar=CAL)
    assert due.due_on == date(2020, 4, 10)
    assert due.rule.startswith("trước ngày 10/4/2020 → hạn cuối 10/04/2020")
    assert "tính cả ngày đó" in due.rule


def test_explicit_argument_beats_the_setting(settings):
    settings.TASKS_BEFORE_INCLUSIVE = True
    assert resolve_due(BEFORE, document_date=DOC_DATE, calendar=CAL, before_inclusive=False).due_on == date(2020, 4, 9)
    settings.TASKS_BEFORE_INCLUSIVE = False
    assert resolve_due(BEFORE, document_date=DOC_DATE, calendar=CAL, before_inclusive=True).due_on == date(2020, 4, 10)


@pytest.mark.parametrize("inclusive", [False, True])
def test_before_an_hour_is_that_day_either_way(inclusive):
    d = deadline("before", date="2020-04-15", phrase="trước 17 giờ ngày 15/4/2020", time="17 gio")
    due = resolve_due(d, document_date=DOC_DATE, calendar=CAL, before_inclusive=inclusive)
    assert due.due_on == date(2020, 4, 15)
    assert due.rule == "trước 17 giờ ngày 15/4/2020 → hạn cuối 17 giờ ngày 15/04/2020"


@pytest.mark.parametrize("inclusive", [False, True])
@pytest.mark.parametrize("kind,phrase", [("by", "chậm nhất ngày 10/4/2020"), ("on", "trong ngày 10/4/2020"),
                                         ("by", "đến hết ngày 10/4/2020")])
def test_by_and_on_are_the_day_itself(kind, phrase, inclusive):
    due = resolve_due(deadline(kind, date="2020-04-10", phrase=phrase), document_date=DOC_DATE, calendar=CAL,
                      before_inclusive=inclusive)
    assert due.due_on == date(2020, 4, 10)
    assert due.phrase == phrase
    assert due.rule == f"{phrase} → hạn cuối 10/04/2020"


def test_within_working_days_counts_from_receipt_across_tet():
    d = deadline("within_working_days", days=5, working_days=True, event="ngay nhan van ban",
                 phrase="trong thời hạn 05 ngày làm việc kể từ ngày nhận văn bản")
    due = resolve_due(d, document_date=date(2020, 1, 20), received_on=date(2020, 1, 22), calendar=CAL)
    # 30/1, 31/1, 3/2, 4/2, 5/2
    assert due.due_on == date(2020, 2, 5)
    assert "ngày nhận văn bản 22/01/2020" in due.rule and "hạn cuối 05/02/2020" in due.rule
    # Without a receipt date: the document date.
    due = resolve_due(d, document_date=date(2020, 1, 22), calendar=CAL)
    assert due.due_on == date(2020, 2, 5) and "ngày ban hành văn bản" in due.rule


def test_within_working_days_from_signing_uses_the_document_date():
    d = deadline("within_working_days", days=1, working_days=True, event="ngay ky",
                 phrase="trong 01 ngày làm việc kể từ ngày ký")
    due = resolve_due(d, document_date=date(2020, 4, 29), received_on=date(2020, 5, 4), calendar=CAL)
    assert due.due_on == date(2020, 5, 4)  # skips 30/4, 1/5 and the weekend


@pytest.mark.django_db
def test_within_working_days_uses_the_app_calendar_by_default():
    invalidate_calendar()
    CalendarDay.objects.create(day=date(2020, 3, 14), is_working_day=True, name="Làm bù")
    d = deadline("within_working_days", days=1, working_days=True, phrase="trong 01 ngày làm việc")
    assert resolve_due(d, document_date=date(2020, 3, 13)).due_on == date(2020, 3, 14)
    invalidate_calendar()


def test_within_days_adds_calendar_days():
    d = deadline("within_days", days=10, phrase="trong thời hạn 10 ngày")
    due = resolve_due(d, document_date=date(2020, 1, 20), received_on=date(2020, 1, 22), calendar=CAL)
    assert due.due_on == date(2020, 2, 1)
    assert due.rule == "trong thời hạn 10 ngày: 10 ngày tính từ sau ngày nhận văn bản 22/01/2020 → hạn cuối 01/02/2020"


def test_recurring_has_no_due_date():
    d = deadline("recurring", phrase="trước ngày 25 hằng tháng")
    due = resolve_due(d, document_date=DOC_DATE, calendar=CAL)
    assert due.due_on is None and due.phrase == "trước ngày 25 hằng tháng"
    assert "định kỳ" in due.rule


def test_no_deadline_and_broken_input_never_raise():
    assert resolve_due(None, document_date=DOC_DATE, calendar=CAL) == DueDate(None, "", "Văn bản không nêu thời hạn.")
    assert resolve_due({}, document_date=DOC_DATE, calendar=CAL).due_on is None
    broken = resolve_due(deadline("before", date="2020-02-31", phrase="trước ngày 31/2/2020"),
                         document_date=DOC_DATE, calendar=CAL)
    assert broken.due_on is None and "không đọc được ngày hạn" in broken.rule
    no_days = resolve_due(deadline("within_days", phrase="trong thời hạn ít ngày"), document_date=DOC_DATE,
                          calendar=CAL)
    assert no_days.due_on is None and "không rõ số ngày" in no_days.rule
    no_start = resolve_due(deadline("within_working_days", days=3, phrase="trong 3 ngày làm việc"),
                           document_date=None, calendar=CAL)
    assert no_start.due_on is None


def test_date_objects_and_unknown_dated_kinds_are_accepted():
    due = resolve_due({"kind": "month", "date": date(2020, 6, 30), "phrase": "trong tháng 6/2020"},
                      document_date=DOC_DATE, calendar=CAL)
    assert due.due_on == date(2020, 6, 30)


def test_parser_output_end_to_end():
    from dieuhanh.vanban import parse_text

    text = ("ỦY BAN NHÂN DÂN\nQUẬN CÁI RĂNG\nSố: 313/UBND\nCái Răng, ngày 02 tháng 4 năm 2020\n\nKẾ HOẠCH\n"
            "Về việc kiểm tra\n\n1. Giao Phòng Nội vụ chủ trì báo cáo kết quả trước ngày 10/4/2020.\n"
            "2. Giao UBND phường Lê Bình hoàn thành trong thời hạn 05 ngày làm việc kể từ ngày nhận văn bản.\n")
    tasks = parse_text(text)["tasks"]
    dues = [resolve_due(t["deadline"], document_date=date(2020, 4, 2), received_on=date(2020, 4, 3),
                        calendar=CAL, before_inclusive=False).due_on for t in tasks]
    # 5 working days after Fri 3/4: 6, 7, 8, 9, 10 April.
    assert dues == [date(2020, 4, 9), date(2020, 4, 10)]

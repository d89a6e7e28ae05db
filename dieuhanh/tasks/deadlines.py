"""From a deadline phrase the parser read to the last allowed day.

The parser (``dieuhanh.vanban``) gives each task a dict
``{date, phrase, kind, time, days, working_days, event}``:

- ``before`` "trước ngày X": the last allowed day is the day before X — or X itself
  where the province reads it inclusively (``settings.TASKS_BEFORE_INCLUSIVE``).
  "trước 17 giờ ngày X" names an hour *on* X, so X is the last day either way;
- ``by`` "chậm nhất ngày X", "hạn chót", "đến hết ngày X" and ``on`` "trong ngày X": X;
- ``within_working_days`` "trong N ngày làm việc kể từ …": N working days counted
  from the day after receipt (or after the document date when receipt is unknown);
- ``within_days`` "trong N ngày": N calendar days from the same start;
- ``recurring`` "trước ngày 25 hằng tháng": no single due date.

:func:`resolve_due` also explains, in Vietnamese, how it got there (``rule``), so
every displayed deadline can show the phrase it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from dieuhanh.lib.workcalendar import CalendarError, WorkCalendar


@dataclass(frozen=True)
class DueDate:
    due_on: date | None
    phrase: str
    rule: str


def fmt(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
            try:
                return datetime.strptime(text[:10], pattern).date()
            except ValueError:
                continue
    return None


_FROM_SIGNING = re.compile(r"\b(?:ky|ban hanh)\b|ký|ban hành", re.IGNORECASE)
_HOUR = re.compile(r"(\d{1,2})\D*?(\d{1,2})?\s*(?:phut|phút)?\s*$")


def _hour(value: Any) -> str:
    """The parser's folded "17 gio", "8h30" shown as "17 giờ", "8 giờ 30"."""
    text = str(value or "").strip()
    match = _HOUR.match(text) if text else None
    if not match:
        return text
    return f"{int(match[1])} giờ" + (f" {int(match[2]):02d}" if match[2] else "")


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def resolve_due(deadline: dict[str, Any] | None, *, document_date: date | None, received_on: date | None = None,
                calendar: WorkCalendar | None = None, before_inclusive: bool | None = None) -> DueDate:
    """The due date a deadline dict means (``due_on`` None when it has none)."""
    if not deadline:
        return DueDate(None, "", _("Văn bản không nêu thời hạn."))
    kind = str(deadline.get("kind") or "")
    phrase = str(deadline.get("phrase") or "").strip()
    shown = phrase or str(deadline.get("date_text") or "").strip()
    when = _as_date(deadline.get("date"))
    if before_inclusive is None:
        before_inclusive = bool(getattr(settings, "TASKS_BEFORE_INCLUSIVE", False))

    if kind == "recurring":
        return DueDate(None, phrase, _("“%(phrase)s” là thời hạn định kỳ, không có một ngày hạn cố định.")
                       % {"phrase": shown or _("định kỳ")})

    if kind in ("within_working_days", "within_days"):
        days = _as_int(deadline.get("days"))
        event = str(deadline.get("event") or "")
        # "kể từ ngày ký / ngày ban hành" counts from the document date, whatever the receipt date.
        from_signing = bool(_FROM_SIGNING.search(event)) and document_date is not None
        start = document_date if from_signing else (received_on or document_date)
        if days is None or start is None:
            reason = (_("không rõ số ngày") if days is None
                      else _("chưa có ngày nhận hoặc ngày ban hành văn bản để tính"))
            return DueDate(None, phrase, _("“%(phrase)s”: %(reason)s.") % {"phrase": shown, "reason": reason})
        origin = _("ngày nhận văn bản") if received_on and not from_signing else _("ngày ban hành văn bản")
        if kind == "within_working_days" or deadline.get("working_days"):
            if calendar is None:
                from dieuhanh.tasks.calendar import work_calendar

                calendar = work_calendar()
            try:
                due = calendar.add_working_days(start, days)
            except CalendarError:
                return DueDate(None, phrase, _("“%(phrase)s”: không tính được ngày làm việc theo lịch hiện tại.")
                               % {"phrase": shown})
            return DueDate(due, phrase, _("%(phrase)s: %(n)d ngày làm việc tính từ sau %(origin)s %(start)s "
                                          "(không kể thứ Bảy, Chủ nhật, ngày lễ, Tết) → hạn cuối %(due)s")
                           % {"phrase": shown, "n": days, "origin": origin, "start": fmt(start), "due": fmt(due)})
        due = start + timedelta(days=days)
        return DueDate(due, phrase, _("%(phrase)s: %(n)d ngày tính từ sau %(origin)s %(start)s → hạn cuối %(due)s")
                       % {"phrase": shown, "n": days, "origin": origin, "start": fmt(start), "due": fmt(due)})

    if when is None:
        return DueDate(None, phrase, _("“%(phrase)s”: không đọc được ngày hạn.") % {"phrase": shown}
                       if shown else _("Không đọc được ngày hạn."))

    if kind == "before":
        hour = _hour(deadline.get("time"))
        if hour:
            return DueDate(when, phrase, _("%(phrase)s → hạn cuối %(time)s ngày %(due)s")
                           % {"phrase": shown, "time": hour, "due": fmt(when)})
        if before_inclusive:
            return DueDate(when, phrase, _("%(phrase)s → hạn cuối %(due)s (“trước ngày” được hiểu là "
                                           "tính cả ngày đó)") % {"phrase": shown, "due": fmt(when)})
        due = when - timedelta(days=1)
        return DueDate(due, phrase, _("%(phrase)s → hạn cuối %(due)s") % {"phrase": shown, "due": fmt(due)})

    # by, on, and any dated kind the parser may add later (month, quarter…): X is the last day.
    return DueDate(when, phrase, _("%(phrase)s → hạn cuối %(due)s")
                   % {"phrase": shown or fmt(when), "due": fmt(when)})

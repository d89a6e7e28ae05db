"""The Vietnamese working-day calendar (pure Python, no Django).

A day is a working day unless it is a Saturday or Sunday, a public holiday or a
compensatory day off — or an override says otherwise. Public holidays come from
the ``holidays`` package (``country_holidays("VN")``: New Year, the lunar Tết
days the Government gives public servants, the Hùng Kings' day, 30/4, 1/5, 2/9
and the days added to it, the observed days after a holiday that falls on a
weekend, and the swaps the Government announced: a day off "in exchange for"
a make-up working Saturday). Swaps the package does not know yet — each year's
announcement comes late — are entered by the administrator as overrides:
``{date: True}`` makes a day a working day (a make-up Saturday), ``{date: False}``
a day off (a bridge day).

Counting follows the usual reading of "trong N ngày làm việc kể từ ngày X":
day X itself does not count; the first counted day is the next working day.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays

COUNTRY = "VN"
LANGUAGE = "vi"
# Years with a published calendar; lookups outside are plain weekdays/weekends.
FIRST_YEAR = 1995
LAST_YEAR = 2100
# No stretch of days off is anywhere near this long; it only stops a runaway loop
# when overrides mark (almost) every day as a day off.
_MAX_SCAN_DAYS = 3660

_lock = threading.Lock()


class CalendarError(ValueError):
    """The calendar cannot answer (e.g. no working day within ten years)."""


@lru_cache(maxsize=256)
def _year_days_off(year: int) -> Mapping[date, str]:
    """The package's days off for one year, with their Vietnamese names."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return MappingProxyType({})
    with _lock:  # the package fills its dict lazily; build each year once
        table = holidays.country_holidays(COUNTRY, years=year, language=LANGUAGE)
        return MappingProxyType({d: str(name) for d, name in sorted(table.items())})


@lru_cache(maxsize=1)
def _makeup_working_days() -> Mapping[date, str]:
    """The Saturdays (or Sundays) worked in exchange for a day off, as announced.

    The package lists the day off (``Ngày nghỉ (thay cho ngày 04/05/2019)``) and
    keeps the worked day in its static table
    ``{year: (month, day, from_month, from_day[, from_year])}``; the worked day
    must count as a working day even though it is a weekend.
    """
    found: dict[date, str] = {}
    try:
        from holidays.countries.vietnam import VietnamStaticHolidays

        table = VietnamStaticHolidays.special_public_holidays
    except (ImportError, AttributeError):  # another package layout: overrides only
        return MappingProxyType({})
    for year, entries in table.items():
        if entries and isinstance(entries[0], int):
            entries = (entries,)
        for entry in entries:
            try:
                month, day, from_month, from_day, *rest = entry
                worked = date(rest[0] if rest else year, from_month, from_day)
                off = date(year, month, day)
            except (TypeError, ValueError):
                continue
            found[worked] = f"Làm việc bù cho ngày nghỉ {off:%d/%m/%Y}"
    return MappingProxyType(found)


class WorkCalendar:
    """Working days in Vietnam, with per-day overrides (``{date: is_working_day}``).

    ``names`` optionally gives each override its reason (shown by :meth:`holiday_name`).
    """

    def __init__(self, overrides: Mapping[date, bool] = MappingProxyType({}),
                 names: Mapping[date, str] | None = None) -> None:
        self.overrides: Mapping[date, bool] = MappingProxyType(dict(overrides))
        self.names: Mapping[date, str] = MappingProxyType(dict(names or {}))

    def __repr__(self) -> str:
        return f"WorkCalendar({len(self.overrides)} overrides)"

    # --- single days ------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        if d in self.overrides:
            return bool(self.overrides[d])
        if d in _makeup_working_days():
            return True
        if d in _year_days_off(d.year):
            return False
        return d.weekday() < 5

    def holiday_name(self, d: date) -> str | None:
        """Why ``d`` is special: the holiday, the override's reason, the make-up day; else None.

        Ordinary weekends return None.
        """
        if d in self.overrides:
            if d in self.names and self.names[d]:
                return self.names[d]
            if not self.overrides[d]:
                return _year_days_off(d.year).get(d) or "Ngày nghỉ (điều chỉnh)"
            return _makeup_working_days().get(d) or "Ngày làm việc (điều chỉnh)"
        return _year_days_off(d.year).get(d) or _makeup_working_days().get(d)

    def days_off(self, year: int) -> dict[date, str]:
        """Every non-weekend day off and every special day of ``year`` (holidays,
        make-up days, overrides), with its name — for the calendar page."""
        out: dict[date, str] = {}
        for d, name in _year_days_off(year).items():
            out[d] = name
        for d, name in _makeup_working_days().items():
            if d.year == year:
                out[d] = name
        for d in self.overrides:
            if d.year == year:
                out[d] = self.holiday_name(d) or ""
        return dict(sorted(out.items()))

    # --- counting ---------------------------------------------------------------

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        return self.add_working_days(d, -1)

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (``d`` itself is not counted).

        ``n == 0`` returns ``d`` unchanged; a negative ``n`` counts backwards.
        """
        if n == 0:
            return d
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        current = d
        scanned = 0
        while remaining:
            current += step
            scanned += 1
            if scanned > _MAX_SCAN_DAYS + abs(n) * 7:
                raise CalendarError("Không tìm thấy ngày làm việc: lịch điều chỉnh đánh dấu quá nhiều ngày nghỉ.")
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, a: date, b: date) -> int:
        """Working days ``d`` with ``a < d <= b`` (negative when ``b`` is before ``a``).

        So ``add_working_days(a, working_days_between(a, b))`` is ``b`` whenever ``b``
        is a working day.
        """
        if b == a:
            return 0
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        current = a + timedelta(days=1)
        while current <= b:
            if self.is_working_day(current):
                count += 1
            current += timedelta(days=1)
        return count

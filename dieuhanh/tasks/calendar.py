"""The working-day calendar of the app: the package's Vietnamese holidays plus the
administrator's :class:`~dieuhanh.tasks.models.CalendarDay` overrides.

:func:`work_calendar` is cached per process. Saving or deleting a CalendarDay
clears the cache in this process at once (and again on commit); other processes
(web workers, the reminder worker) pick the change up within
``CACHE_SECONDS``. Overrides change a few times a year, so that is plenty.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction
from dieuhanh.lib.workcalendar import WorkCalendar
from dieuhanh.tasks.models import CalendarDay

CACHE_SECONDS = 300

_lock = threading.Lock()
_cached: tuple[float, WorkCalendar] | None = None


def work_calendar() -> WorkCalendar:
    """The calendar with every override (cached; see the module docstring)."""
    global _cached
    entry = _cached
    now = time.monotonic()
    if entry is not None and now - entry[0] < CACHE_SECONDS:
        return entry[1]
    rows = list(CalendarDay.objects.values_list("day", "is_working_day", "name"))
    calendar = WorkCalendar({d: w for d, w, _ in rows}, names={d: n for d, _, n in rows})
    with _lock:
        _cached = (now, calendar)
    return calendar


def invalidate_calendar(**_: Any) -> None:
    global _cached
    with _lock:
        _cached = None


def _on_change(**kwargs: Any) -> None:
    invalidate_calendar()
    # A reader inside the still-open transaction may have cached the new state
    # before a rollback, or another thread the old one before the commit.
    transaction.on_commit(invalidate_calendar, using=kwargs.get("using"))


post_save.connect(_on_change, sender=CalendarDay, dispatch_uid="tasks.calendar.invalidate_on_save")
post_delete.connect(_on_change, sender=CalendarDay, dispatch_uid="tasks.calendar.invalidate_on_delete")


# --- overrides (single-row changes, audited) ---------------------------------------


def set_override(actor: Any, day: date, is_working_day: bool, name: str,
                 request: HttpRequest | None = None) -> tuple[CalendarDay, bool]:
    """Create or change the override of ``day``; returns (row, created)."""
    with transaction.atomic():
        existing = CalendarDay.objects.select_for_update().filter(day=day).first()
        if existing is None:
            row = CalendarDay.objects.create(day=day, is_working_day=is_working_day, name=name)
            record(actor, AuditAction.CREATE, row, after=snapshot(row), request=request,
                   note="Thêm ngày điều chỉnh lịch làm việc")
            return row, True
        before = snapshot(existing)
        existing.is_working_day = is_working_day
        existing.name = name
        existing.save(update_fields=["is_working_day", "name"])
        record(actor, AuditAction.UPDATE, existing, before=before, after=snapshot(existing), request=request,
               note="Sửa ngày điều chỉnh lịch làm việc")
        return existing, False


def remove_override(actor: Any, pk: Any, request: HttpRequest | None = None) -> CalendarDay | None:
    """Delete one override; None when it is already gone (a double post)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            return None
        before = snapshot(row)
        record(actor, AuditAction.DELETE, row, before=before, request=request,
               note="Xóa ngày điều chỉnh lịch làm việc")
        row.delete()
        return row

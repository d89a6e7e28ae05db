"""One definition of lateness, in working days, for every page, e-mail and export.

A deadline ``due`` is *overdue* on ``on`` when ``due < on`` and the work is still open;
it is late by the working days ``d`` with ``due < d <= on`` (the first working day after
the deadline is "1 ngày làm việc"). Finished work is late by the working days between the
original deadline and its completion. *Due soon*: due today or within
``TASKS_REMIND_DAYS_BEFORE`` working days (the reminders' window).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext

from dieuhanh.tasks.models import OPEN_STATUSES, Status


def calendar() -> Any:
    from dieuhanh.tasks.calendar import work_calendar

    return work_calendar()


def working_days_late(due: date | None, on: date | None = None) -> int:
    """Working days after ``due`` up to ``on`` (today); 0 when not late."""
    on = on or timezone.localdate()
    if due is None or due >= on:
        return 0
    return max(0, calendar().working_days_between(due, on))


def late_counter(on: date | None = None) -> Any:
    """``count(due)`` = :func:`working_days_late` for many deadlines at once: one shared walk
    back from ``on`` (a province's overdue list spans years)."""
    from dieuhanh.tasks.worker import _Days

    days = _Days(calendar(), on or timezone.localdate())
    return lambda due: days.since(due) if due is not None else 0


def working_days_left(due: date, on: date | None = None) -> int:
    on = on or timezone.localdate()
    return max(0, calendar().working_days_between(on, due))


def late_label(n: int) -> str:
    return ngettext("quá hạn %(n)d ngày làm việc", "quá hạn %(n)d ngày làm việc", n) % {"n": n}


@dataclass(frozen=True)
class DeadlineState:
    tone: str      # "late" | "soon" | "ok" | ""
    label: str     # "quá hạn 5 ngày làm việc", "đến hạn hôm nay", "còn 2 ngày làm việc", "hoàn thành trễ …"
    days: int = 0


NONE = DeadlineState("", "")


def deadline_state(status: str, due: date | None, *, original_due: date | None = None,
                   completed_on: date | None = None, on: date | None = None) -> DeadlineState:
    on = on or timezone.localdate()
    if status == Status.DONE:
        ref = original_due or due
        n = working_days_late(ref, completed_on) if ref and completed_on else 0
        if n:
            return DeadlineState("late-done", ngettext("hoàn thành trễ %(n)d ngày làm việc",
                                                      "hoàn thành trễ %(n)d ngày làm việc", n) % {"n": n}, n)
        return DeadlineState("ok", _("hoàn thành đúng hạn"))
    if status not in OPEN_STATUSES or due is None:
        return NONE
    if due < on:
        n = working_days_late(due, on)
        return DeadlineState("late", late_label(n), n)
    if due == on:
        return DeadlineState("soon", _("đến hạn hôm nay"))
    left = working_days_left(due, on)
    if left <= settings.TASKS_REMIND_DAYS_BEFORE:
        return DeadlineState("soon", ngettext("còn %(n)d ngày làm việc", "còn %(n)d ngày làm việc", left)
                             % {"n": left}, left)
    return NONE


def of(assignment: Any, on: date | None = None) -> DeadlineState:
    return deadline_state(assignment.status, assignment.due_on, original_due=assignment.original_due_on,
                          completed_on=assignment.completed_on, on=on)

"""Finished work, counted ahead: one row per unit and month of the original due date.

A finished assignment's bucket never changes (done on time or done late is settled the
day it is accepted), so a leader's dashboard need not count half a million finished rows
on every visit: it reads these tallies (hundreds of units × months) and counts only the
open assignments live, because whether an open one is overdue depends on today.

The tally follows every save of an :class:`~dieuhanh.tasks.models.Assignment` (the model
compares what it loaded with what it writes) and every delete. Bulk writes that bypass
``save()`` — the demo's simulated history, the bench, a raw SQL fix — call :func:`rebuild`,
and the worker rebuilds once a day, so a drift can never outlive a day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q

# Finished assignments without a due date count as on time (buckets.bucket_of); they are
# kept under this month, which no trend ever shows.
NO_DUE_MONTH = date(1900, 1, 1)
TRACKED_FIELDS = ("unit_id", "status", "original_due_on", "completed_on")


class Key(NamedTuple):
    unit_id: int
    month: date
    on_time: bool


def key_of(unit_id: int | None, status: str, original_due_on: date | None, completed_on: date | None) -> Key | None:
    """Where a finished assignment is counted; None for anything not finished."""
    from dieuhanh.tasks.models import Status

    if status != Status.DONE or unit_id is None:
        return None
    if original_due_on is None:
        return Key(unit_id, NO_DUE_MONTH, True)
    # Done without a completion date counts late, as in buckets.bucket_counts (nothing proves it was in time).
    on_time = completed_on is not None and completed_on <= original_due_on
    return Key(unit_id, original_due_on.replace(day=1), on_time)


def state_of(assignment: Any) -> tuple[Any, ...]:
    return tuple(getattr(assignment, name) for name in TRACKED_FIELDS)


def move(before: Key | None, after: Key | None) -> None:
    """Take one finished assignment off ``before`` and count it under ``after``."""
    if before == after:
        return
    if before is not None:
        _add(before, -1)
    if after is not None:
        _add(after, 1)


def _add(key: Key, delta: int) -> None:
    from dieuhanh.tasks.models import DoneTally

    column = "on_time" if key.on_time else "late"
    rows = DoneTally.objects.filter(unit_id=key.unit_id, month=key.month)
    if rows.update(**{column: F(column) + delta}):
        return
    try:
        with transaction.atomic():  # a savepoint: losing the race to create the row is fine
            DoneTally.objects.create(unit_id=key.unit_id, month=key.month, **{column: max(delta, 0)})
    except IntegrityError:
        rows.update(**{column: F(column) + delta})


def rebuild() -> int:
    """Count every finished assignment again; returns how many tally rows there are now."""
    from dieuhanh.tasks.models import Assignment, DoneTally, Status

    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Increments wait until the recount is written; a recount never misses one.
            with connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{DoneTally._meta.db_table}" IN EXCLUSIVE MODE')
        counts: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
        late = Q(original_due_on__isnull=False) & (Q(completed_on__isnull=True)
                                                    | Q(completed_on__gt=F("original_due_on")))
        # Grouped by day in the database (an indexed column, no per-row function), folded into months here.
        rows = (Assignment.objects.filter(status=Status.DONE).order_by()
                .values("unit_id", "original_due_on").annotate(n=Count("id"), late=Count("id", filter=late)))
        for row in rows.iterator(chunk_size=5000):
            day = row["original_due_on"]
            pair = counts[(row["unit_id"], day.replace(day=1) if day else NO_DUE_MONTH)]
            pair[0] += row["n"] - row["late"]
            pair[1] += row["late"]
        DoneTally.objects.all().delete()
        DoneTally.objects.bulk_create(
            [DoneTally(unit_id=unit_id, month=month, on_time=on_time, late=late_n)
             for (unit_id, month), (on_time, late_n) in counts.items()], batch_size=2000)
    return len(counts)

"""The four buckets of task tracking, computed the same way everywhere.

Scoring uses the original due date: an approved extension moves reminders, not
the score. "Today" is passed in (frozen in tests, the local date in production).

- done on time: completed on or before the original due date (or no due date);
- done late: completed after it;
- open within term: not completed, today on or before the original due date (or no due date);
- open overdue: not completed, today after it.

Cancelled assignments belong to no bucket.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from dieuhanh.tasks.models import Assignment, Bucket, Status


def today() -> date:
    return timezone.localdate()


def bucket_of(assignment: Assignment, on: date | None = None) -> str | None:
    on = on or today()
    due = assignment.original_due_on
    if assignment.status == Status.CANCELLED:
        return None
    if assignment.status == Status.DONE:
        done = assignment.completed_on or on
        return Bucket.DONE_ON_TIME if due is None or done <= due else Bucket.DONE_LATE
    return Bucket.OPEN_IN_TERM if due is None or on <= due else Bucket.OPEN_OVERDUE


def bucket_expression(on: date | None = None) -> Case:
    """SQL CASE giving each assignment's bucket (same rules as :func:`bucket_of`)."""
    on = on or today()
    done = Q(status=Status.DONE)
    return Case(
        When(status=Status.CANCELLED, then=Value(None)),
        When(done & (Q(original_due_on__isnull=True) | Q(completed_on__lte=F("original_due_on"))),
             then=Value(Bucket.DONE_ON_TIME.value)),
        When(done, then=Value(Bucket.DONE_LATE.value)),
        When(Q(original_due_on__isnull=True) | Q(original_due_on__gte=on), then=Value(Bucket.OPEN_IN_TERM.value)),
        default=Value(Bucket.OPEN_OVERDUE.value),
        output_field=CharField(),
    )


def bucket_counts(queryset: QuerySet[Assignment], on: date | None = None) -> dict[str, int]:
    """Counts per bucket and the on-time rate in one aggregate query."""
    on = on or today()
    done = Q(status=Status.DONE)
    on_time = done & (Q(original_due_on__isnull=True) | Q(completed_on__lte=F("original_due_on")))
    open_ = ~Q(status__in=[Status.DONE, Status.CANCELLED])
    in_term = open_ & (Q(original_due_on__isnull=True) | Q(original_due_on__gte=on))
    row = queryset.aggregate(
        total=Count("id", filter=~Q(status=Status.CANCELLED)),
        done_on_time=Count("id", filter=on_time),
        done_late=Count("id", filter=done & ~on_time),
        open_in_term=Count("id", filter=in_term),
        open_overdue=Count("id", filter=open_ & ~in_term),
    )
    finished = row["done_on_time"] + row["done_late"]
    row["on_time_rate"] = round(100 * row["done_on_time"] / finished, 1) if finished else None
    return row

"""Values computed from the work the system already tracked (the pre-filled items).

For a set of units, a year and a cut-off day, each source gives per unit a rate in % and the
rows it was computed from (the first ``MAX_ROWS`` of them, with their ids, so the score page
links each one):

- ``tasks_on_time``: the unit's assignments whose *original* due date falls in the year,
  judged by the four buckets of :mod:`dieuhanh.tasks.buckets` on the cut-off day; the rate is
  done-on-time / all (cancelled ones excluded): open overdue and late work count against it.
- ``reports_on_time``: the unit's report submissions due in the year; on time as
  :mod:`dieuhanh.reports.timeliness` judges them (first submission on or before the due date).
- ``cchc_plan_done``: the unit's assignments of the tasks issued from the round's CCHC plan
  documents; the rate is done by the cut-off / all.
- ``documents_on_time``: incoming documents in the unit's registers with a processing
  deadline (``hạn giải quyết``) in the year; processed in time when a task issued from the
  document was completed on or before that deadline.

Every reader is one query over all the units (the bench runs it for 10,000 units).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

MAX_ROWS = 100


def _year(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class Tally:
    """Counted and good rows of one unit for one source."""

    __slots__ = ("counted", "good", "rows")

    def __init__(self) -> None:
        self.counted = 0
        self.good = 0
        self.rows: list[list[Any]] = []

    def add(self, kind: str, pk: int, label: str, good: bool) -> None:
        self.counted += 1
        self.good += int(good)
        if len(self.rows) < MAX_ROWS:
            self.rows.append([kind, pk, label[:200], good])

    @property
    def rate(self) -> Decimal | None:
        if not self.counted:
            return None
        return (Decimal(100) * self.good / self.counted).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def detail(self) -> dict[str, Any]:
        return {"counted": self.counted, "good": self.good, "rate": str(self.rate) if self.rate is not None else None,
                "rows": self.rows, "more": max(self.counted - len(self.rows), 0)}


def tasks_on_time(unit_ids: Iterable[int], year: int, on: datetime.date) -> dict[int, Tally]:
    from dieuhanh.tasks.buckets import bucket_of
    from dieuhanh.tasks.models import Assignment, Bucket, Status

    start, end = _year(year)
    out: dict[int, Tally] = defaultdict(Tally)
    rows = (Assignment.objects.filter(unit_id__in=list(unit_ids), original_due_on__range=(start, end))
            .exclude(status=Status.CANCELLED).order_by("unit_id", "original_due_on", "id")
            .values_list("id", "unit_id", "status", "original_due_on", "completed_on", "task__title"))
    probe = Assignment()
    for pk, unit_id, status, original, completed, title in rows.iterator(chunk_size=5000):
        probe.status, probe.original_due_on, probe.completed_on = status, original, completed
        out[unit_id].add("task", pk, title, bucket_of(probe, on) == Bucket.DONE_ON_TIME)
    return out


def reports_on_time(unit_ids: Iterable[int], year: int, on: datetime.date) -> dict[int, Tally]:
    from dieuhanh.reports.models import Submission
    from dieuhanh.reports.timeliness import submission_state

    start, end = _year(year)
    out: dict[int, Tally] = defaultdict(Tally)
    rows = (Submission.objects.filter(unit_id__in=list(unit_ids), request__due_on__range=(start, end))
            .order_by("unit_id", "request__due_on", "id")
            .values_list("id", "unit_id", "first_submitted_at", "request__due_on", "request__title"))
    for pk, unit_id, first, due, title in rows.iterator(chunk_size=5000):
        out[unit_id].add("report", pk, title, submission_state(first, due, on)["on_time"])
    return out


def cchc_plan_done(unit_ids: Iterable[int], plan_ids: list[int], on: datetime.date) -> dict[int, Tally]:
    from dieuhanh.tasks.models import Assignment, Status

    out: dict[int, Tally] = defaultdict(Tally)
    if not plan_ids:
        return out
    rows = (Assignment.objects.filter(unit_id__in=list(unit_ids), task__document_id__in=plan_ids)
            .exclude(status=Status.CANCELLED).order_by("unit_id", "id")
            .values_list("id", "unit_id", "status", "completed_on", "task__title"))
    for pk, unit_id, status, completed, title in rows.iterator(chunk_size=5000):
        done = status == Status.DONE and (completed is None or completed <= on)
        out[unit_id].add("task", pk, title, done)
    return out


def documents_on_time(unit_ids: Iterable[int], year: int) -> dict[int, Tally]:
    from django.db.models import F

    from dieuhanh.documents.models import Direction, Document
    from dieuhanh.tasks.models import Assignment, Status

    start, end = _year(year)
    out: dict[int, Tally] = defaultdict(Tally)
    docs = list(Document.objects.filter(owner_unit_id__in=list(unit_ids), direction=Direction.INCOMING,
                                        due_on__range=(start, end))
                .order_by("owner_unit_id", "due_on", "id")
                .values_list("id", "owner_unit_id", "number_symbol", "subject"))
    if not docs:
        return out
    timely = set(Assignment.objects.filter(task__document_id__in=[d[0] for d in docs], status=Status.DONE,
                                           completed_on__lte=F("task__document__due_on"))
                 .values_list("task__document_id", flat=True))
    for pk, unit_id, number_symbol, subject in docs:
        out[unit_id].add("document", pk, f"{number_symbol} {subject}".strip(), pk in timely)
    return out


def compute(unit_ids: list[int], year: int, on: datetime.date, plan_ids: list[int],
            sources: set[str]) -> dict[str, dict[int, Tally]]:
    """Only the sources some item of the round uses."""
    readers = {
        "tasks_on_time": lambda: tasks_on_time(unit_ids, year, on),
        "reports_on_time": lambda: reports_on_time(unit_ids, year, on),
        "cchc_plan_done": lambda: cchc_plan_done(unit_ids, plan_ids, on),
        "documents_on_time": lambda: documents_on_time(unit_ids, year),
    }
    return {name: readers[name]() for name in sources if name in readers}


def points_for(tally: Tally | None, maximum: Decimal) -> Decimal | None:
    if tally is None or tally.rate is None:
        return None
    return (maximum * tally.rate / Decimal(100)).quantize(Decimal("0.01"), ROUND_HALF_UP)

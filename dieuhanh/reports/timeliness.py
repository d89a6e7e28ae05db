"""Reporting rates, DHIS2-style: how many units reported, and how many on time.

Each submission, looked at on a day ``on`` (today by default), is:

- *expected* — once the due date has passed, or earlier if it already reported (DHIS2's rule: a
  unit still within its time is not yet missing from the rate; it shows as "đang trong hạn");
- *submitted* — it was first submitted on or before ``on``;
- *on time* — submitted, and first submitted (local date, Asia/Ho_Chi_Minh) on or before
  the request's ``due_on``; *late* — submitted after ``due_on``;
- *missing* — not submitted and ``on`` is past ``due_on``; *pending* — not submitted, not yet due.

A report returned and sent again counts by its **first** submission: the unit did report
in time, the requester asked for corrections. (The alternative — counting by the date it
was accepted — would punish units for the requester's slowness.) The tasks dashboards use the
same rule: ``services.accept_submission`` completes the assignment on the first submission's day.
Returns are counted apart (``returns``: "trả lại 1 lần").

    submission_state(first_submitted_at, due_on, on) -> dict   # flags and days late
    request_timeliness(request, on=None) -> list[dict]           # one row per unit
    totals(rows) -> dict                                          # counts and rates of those rows
    timeliness_by_unit(requests, on=None) -> list[dict]          # per unit across requests

Both readers run one query (a ``values()`` pass), whatever the number of units.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dieuhanh.reports.models import ReportRequest, Submission, SubmissionStatus

FLAGS = ("submitted", "on_time", "late", "missing", "pending")

__all__ = ["rate", "request_timeliness", "submission_state", "timeliness_by_unit", "totals"]


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    if value is None:
        return None
    return timezone.localdate(value) if timezone.is_aware(value) else value.date()


def submission_state(first_submitted_at: datetime.datetime | None, due_on: datetime.date,
                     on: datetime.date) -> dict[str, Any]:
    """The flags of one submission on ``on``; ``days_late`` counts to the first submission (late)
    or to ``on`` (missing), 0 otherwise."""
    first = _local_date(first_submitted_at)
    submitted = first is not None and first <= on
    late = submitted and first > due_on  # type: ignore[operator]
    missing = not submitted and on > due_on
    if late:
        days_late = (first - due_on).days  # type: ignore[operator]
    elif missing:
        days_late = (on - due_on).days
    else:
        days_late = 0
    return {
        "expected": int(submitted or missing),
        "submitted": submitted,
        "on_time": submitted and not late,
        "late": late,
        "missing": missing,
        "pending": not submitted and not missing,
        "first_submitted_on": first if submitted else None,
        "days_late": days_late,
    }


def rate(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole``, one decimal; None when nothing was expected."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def _today(on: datetime.date | None) -> datetime.date:
    return on if on is not None else timezone.localdate()


def request_timeliness(request: ReportRequest, on: datetime.date | None = None) -> list[dict[str, Any]]:
    """One row per unit of ``request``, by unit name: ``unit_id``, ``unit_code``, ``unit``
    (name), ``submission_id``, ``status`` (code), ``status_label``, ``first_submitted_at``,
    ``due_on``, ``returns`` (times returned), the flags of :func:`submission_state` and ``days_late``."""
    on = _today(on)
    labels = dict(SubmissionStatus.choices)
    rows = []
    values = (Submission.objects.filter(request_id=request.pk)
              .values("id", "unit_id", "unit__code", "unit__name", "status", "first_submitted_at")
              .annotate(returns=Count("versions", filter=Q(versions__event=SubmissionStatus.RETURNED)))
              .order_by("unit__name", "id"))
    for v in values:
        state = submission_state(v["first_submitted_at"], request.due_on, on)
        rows.append({
            "submission_id": v["id"], "unit_id": v["unit_id"], "unit_code": v["unit__code"],
            "unit": v["unit__name"], "status": v["status"], "status_label": str(labels.get(v["status"], "")),
            "first_submitted_at": v["first_submitted_at"], "due_on": request.due_on, "returns": v["returns"],
            **state,
        })
    return rows


def totals(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Counts of ``rows`` (expected, submitted, on_time, late, missing, pending) and the two rates."""
    out: dict[str, Any] = {"expected": 0, **{f: 0 for f in FLAGS}}
    for row in rows:
        out["expected"] += row.get("expected", 1)
        for f in FLAGS:
            out[f] += bool(row.get(f))
    out["reporting_rate"] = rate(out["submitted"], out["expected"])
    out["on_time_rate"] = rate(out["on_time"], out["expected"])
    return out


def timeliness_by_unit(requests: QuerySet[ReportRequest] | Iterable[Any],
                       on: datetime.date | None = None) -> list[dict[str, Any]]:
    """Per unit across ``requests`` (a queryset, or requests / ids): ``unit_id``, ``unit_code``,
    ``unit``, ``expected``, ``submitted``, ``on_time``, ``late``, ``missing``, ``pending``,
    ``reporting_rate`` (% submitted of expected) and ``on_time_rate`` (% on time of expected),
    rounded to one decimal, None when nothing was expected. Ordered by unit name."""
    on = _today(on)
    if isinstance(requests, QuerySet):
        qs = Submission.objects.filter(request__in=requests.values("pk"))
    else:
        ids = [getattr(r, "pk", r) for r in requests]
        qs = Submission.objects.filter(request_id__in=ids)
    per_unit: dict[int, dict[str, Any]] = {}
    for v in (qs.values("unit_id", "unit__code", "unit__name", "first_submitted_at", "request__due_on")
              .order_by("unit__name", "unit_id")):
        row = per_unit.get(v["unit_id"])
        if row is None:
            row = per_unit[v["unit_id"]] = {"unit_id": v["unit_id"], "unit_code": v["unit__code"],
                                            "unit": v["unit__name"], "expected": 0, **{f: 0 for f in FLAGS}}
        state = submission_state(v["first_submitted_at"], v["request__due_on"], on)
        row["expected"] += state["expected"]
        for f in FLAGS:
            row[f] += int(state[f])
    out = list(per_unit.values())
    for row in out:
        row["reporting_rate"] = rate(row["submitted"], row["expected"])
        row["on_time_rate"] = rate(row["on_time"], row["expected"])
    return out

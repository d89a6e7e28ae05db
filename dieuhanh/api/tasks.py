"""Tasks over the API: where the caller's unit may assign work, and a task without a document.

The same rule as the web pages (``dieuhanh.tasks.permissions.assign_scope``: down, or across
within the committee an office works for; never up, never into another branch) and the same
service (``tasks.services.create_task``), so a unit refused on the form is refused here too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from dieuhanh.api.schemas import ErrorOut, UnitOut
from dieuhanh.api.units import _codes, unit_out
from dieuhanh.orgs.models import Unit
from dieuhanh.tasks import services
from dieuhanh.tasks.permissions import assign_scope

router = Router()
MAX_UNITS = 500


class ReachQuery(Schema):
    on: date | None = None  # in force on that day (YYYY-MM-DD); default today


class ReachOut(Schema):
    unit: str  # the caller's unit, which assigns
    explanation: str
    units: list[UnitOut]


class TaskIn(Schema):
    title: str = Field(..., max_length=500)
    source_note: str = Field(..., max_length=255)  # where it came from: a meeting, a phone call…
    description: str = ""
    lead_units: list[str] = Field(..., max_length=MAX_UNITS)  # unit codes
    coordinating_units: list[str] = Field(default_factory=list, max_length=MAX_UNITS)
    due_on: date | None = None


class AssignmentOut(Schema):
    id: int
    url: str
    unit: str
    role: str
    status: str
    due_on: date | None


class TaskOut(Schema):
    id: int
    title: str
    assigned_by_unit: str
    source_note: str
    assignments: list[AssignmentOut]


def _refuse_issuing(user: Any) -> Status | None:
    if not services.can_issue(user):
        return Status(403, {"detail": _("Bạn không có quyền giao việc.")})
    return None


@router.get("/tasks/units", response={200: ReachOut, 403: ErrorOut}, summary="Đơn vị được giao việc")
def assignable_units(request: HttpRequest, params: Query[ReachQuery]) -> Any:
    """Các đơn vị mà đơn vị của người gọi được giao việc (còn hiệu lực vào ngày `on`, mặc định hôm nay)."""
    user = request.auth
    refused = _refuse_issuing(user)
    if refused is not None:
        return refused
    scope = assign_scope(user.unit_id, params.on or timezone.localdate())
    codes = _codes()
    return {"unit": scope.issuer.code, "explanation": scope.explanation,
            "units": [unit_out(u, codes) for u in scope.units().order_by("code")]}


def _unit_ids(codes: list[str], field: str) -> list[int]:
    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    found = dict(Unit.objects.filter(code__in=wanted).values_list("code", "pk"))
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise DjangoValidationError(_("Không có đơn vị mã %(codes)s (%(field)s).")
                                    % {"codes": ", ".join(unknown), "field": field})
    return [found[c] for c in wanted]


def task_out(task: Any) -> dict[str, Any]:
    rows = task.assignments.select_related("unit").order_by("id")
    return {"id": task.pk, "title": task.title, "assigned_by_unit": task.assigned_by_unit.code,
            "source_note": task.source_note,
            "assignments": [{"id": a.pk, "url": reverse("tasks:assignment", args=[a.pk]), "unit": a.unit.code,
                             "role": a.role, "status": a.status, "due_on": a.due_on} for a in rows]}


@router.post("/tasks", response={201: TaskOut, 400: ErrorOut, 403: ErrorOut}, summary="Giao việc không có văn bản")
def create_task(request: HttpRequest, payload: TaskIn) -> Any:
    """Giao một nhiệm vụ không có văn bản (cuộc họp, điện thoại…) cho các đơn vị theo mã.

    Chỉ giao được cho đơn vị trong phạm vi của đơn vị người gọi (xem `GET /api/tasks/units`);
    đơn vị ngoài phạm vi: 403 và tên các đơn vị đó.
    """
    user = request.auth
    refused = _refuse_issuing(user)
    if refused is not None:
        return refused
    try:
        lead = _unit_ids(payload.lead_units, "lead_units")
        coordinating = _unit_ids(payload.coordinating_units, "coordinating_units")
        task = services.create_task(user, payload.title, lead, payload.due_on, source_note=payload.source_note,
                                    description=payload.description, coordinating=coordinating, request=request)
    except DjangoValidationError as exc:
        return Status(400, {"detail": " ".join(exc.messages)})
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc) or _("Bạn không có quyền giao việc.")})
    return Status(201, task_out(task))

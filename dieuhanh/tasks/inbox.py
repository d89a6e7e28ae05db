"""The tasks' sections of the home inbox (dieuhanh.web.inbox): new work, decisions waiting
for me, due soon, overdue. Two queries per section (a COUNT and the first rows), each over
the (unit, status, due_on) index of the user's own unit.

"Mine" is the work the user acts on (:func:`dieuhanh.tasks.services.acts_for_doer`): his
unit's assignments for its specialists and leaders, the ones given to him by name; a clerk
only follows the unit's tasks, so only what names him is his.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from dieuhanh.accounts.models import Role
from dieuhanh.tasks import lateness
from dieuhanh.tasks.models import Assignment, Extension, ExtensionStatus, Status
from dieuhanh.web.inbox import Filled, Item, Section, register

ACTING = (Role.CHUYEN_VIEN, Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND)
LEADERS = (Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND)
DOER_OPEN = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RETURNED)


def _mine(user: Any) -> Q | None:
    # Always within the user's unit, so every query walks the (unit, status, due_on) index (an
    # OR with "assignee = me" across units makes the database read every assignment).
    if not getattr(user, "is_authenticated", False) or user.unit_id is None:
        return None
    own = Q(unit_id=user.unit_id)
    if user.role in LEADERS:
        return own
    if user.role == Role.CHUYEN_VIEN:
        return own & (Q(assignee__isnull=True) | Q(assignee_id=user.pk))
    return own & Q(assignee_id=user.pk)


def _base(user: Any) -> QuerySet[Assignment] | None:
    mine = _mine(user)
    if mine is None:
        return None
    return Assignment.objects.filter(mine, task__cancelled_at__isnull=True)


def _item(a: Assignment, on: date) -> Item:
    state = lateness.of(a, on)
    due = a.due_on.strftime("%d/%m/%Y") if a.due_on else _("không có hạn")
    meta = _("%(from)s giao · hạn %(due)s") % {"from": a.task.assigned_by_unit.name, "due": due}
    return Item(a.task.title, reverse("tasks:assignment", args=[a.pk]), meta,
                state.label or a.get_status_display(), state.tone)


def _filled(qs: QuerySet[Assignment] | None, limit: int, order: tuple[str, ...] = ("due_on", "id")) -> Filled:
    if qs is None:
        return Filled(0)
    total = qs.count()
    if not limit or not total:
        return Filled(total)
    on = timezone.localdate()
    rows = qs.select_related("task", "task__assigned_by_unit").order_by(*order)[:limit]
    return Filled(total, [_item(a, on) for a in rows], reverse("tasks:list"))


def new_work(user: Any, limit: int) -> Filled:
    qs = _base(user)
    return _filled(qs.filter(status=Status.NEW) if qs is not None else None, limit, ("-created_at", "-id"))


def due_soon(user: Any, limit: int) -> Filled:
    qs = _base(user)
    if qs is None:
        return Filled(0)
    today = timezone.localdate()
    until = lateness.calendar().add_working_days(today, settings.TASKS_REMIND_DAYS_BEFORE)
    return _filled(qs.filter(status__in=DOER_OPEN, due_on__gte=today, due_on__lte=until), limit)


def overdue(user: Any, limit: int) -> Filled:
    qs = _base(user)
    if qs is None:
        return Filled(0)
    return _filled(qs.filter(status__in=DOER_OPEN, due_on__lt=timezone.localdate()), limit)


def decisions(user: Any, limit: int) -> Filled:
    """Results to accept and extensions to decide, for the assigning unit's people."""
    if not getattr(user, "is_authenticated", False) or user.unit_id is None or user.role not in ACTING:
        return Filled(0)
    results = Assignment.objects.filter(status=Status.SUBMITTED, task__assigned_by_unit_id=user.unit_id,
                                        task__cancelled_at__isnull=True)
    extensions = (Extension.objects.filter(status=ExtensionStatus.PENDING,
                                           assignment__task__assigned_by_unit_id=user.unit_id)
                  .exclude(requested_by_id=user.pk))
    total = results.count() + extensions.count()
    if not limit or not total:
        return Filled(total)
    items = []
    for ext in extensions.select_related("assignment__task", "assignment__unit").order_by("requested_at", "id")[:limit]:
        a = ext.assignment
        items.append(Item(a.task.title, reverse("tasks:assignment", args=[a.pk]),
                          _("%(unit)s xin gia hạn đến %(new)s") % {
                              "unit": a.unit.name, "new": ext.proposed_due_on.strftime("%d/%m/%Y")},
                          _("Chờ duyệt gia hạn"), "soon"))
    for a in results.select_related("task", "unit").order_by("submitted_at", "id")[:max(0, limit - len(items))]:
        items.append(Item(a.task.title, reverse("tasks:assignment", args=[a.pk]),
                          _("%(unit)s gửi kết quả") % {"unit": a.unit.name}, _("Chờ nghiệm thu"), ""))
    return Filled(total, items, reverse("tasks:list") + "?loai=da-giao&trang_thai=" + Status.SUBMITTED)


def register_sections() -> None:
    register(Section("task_new", 10, gettext_lazy("Việc mới giao, chưa tiếp nhận"), new_work,
                     gettext_lazy("Không có việc mới. Việc được giao cho đơn vị sẽ hiện ở đây để bạn tiếp nhận."),
                     counted=True))
    register(Section("task_decisions", 20, gettext_lazy("Chờ tôi quyết định"), decisions,
                     gettext_lazy("Không có kết quả hay đề nghị gia hạn nào chờ bạn duyệt."), counted=True))
    register(Section("task_due_soon", 40, gettext_lazy("Sắp đến hạn"), due_soon,
                     gettext_lazy("Không có việc nào sắp đến hạn.")))
    register(Section("task_overdue", 50, gettext_lazy("Quá hạn"), overdue,
                     gettext_lazy("Không có việc quá hạn."), counted=True, tone="late"))

"""Event notifications: who is told what when something changes.

:func:`notify_event` is the one entry point for every app (tasks, extensions, reports, and
later document routing and drafts). It writes one :class:`~dieuhanh.tasks.models.Notification`
per recipient in one bulk INSERT, inside the caller's transaction (a rolled-back change
leaves nothing), never to the person who acted::

    notify_event("document.routed", document, recipients=unit_users(unit.pk), actor=user,
                 message=_("Văn bản %(n)s được chuyển đến đơn vị") % {...}, link=url)

In-app the row shows at once (badge, inbox, centre). E-mail follows each user's
:class:`~dieuhanh.tasks.models.NotificationSetting`: the daily digest (default), one mail
per notification on the worker's next round, or none; the worker does the sending.

Other apps name their events with :func:`register_event` (a label shown in the centre and
to group the digest). The task events below are sent by ``Assignment`` transitions (every
path that changes an assignment goes through them), the fan-out and the extension services.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy, override

from dieuhanh.accounts.models import Role
from dieuhanh.tasks.models import Assignment, Notification, NotificationKind
from dieuhanh.tasks.notify import row_key

LEADER_ROLES = (Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND)
ACTING_ROLES = (Role.CHUYEN_VIEN, Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND)

# event name → label (what the centre shows beside the message and the digest groups by)
EVENTS: dict[str, Any] = {
    "task.assigned": gettext_lazy("Nhiệm vụ mới"),
    "task.acknowledged": gettext_lazy("Đã tiếp nhận"),
    "task.progress": gettext_lazy("Báo cáo tiến độ"),
    "task.submitted": gettext_lazy("Kết quả chờ nghiệm thu"),
    "task.accepted": gettext_lazy("Kết quả được nghiệm thu"),
    "task.returned": gettext_lazy("Kết quả bị trả lại"),
    "task.cancelled": gettext_lazy("Nhiệm vụ bị hủy"),
    "task.delegated": gettext_lazy("Giao tiếp"),
    "extension.requested": gettext_lazy("Đề nghị gia hạn"),
    "extension.approved": gettext_lazy("Gia hạn được đồng ý"),
    "extension.refused": gettext_lazy("Gia hạn bị từ chối"),
}


def register_event(name: str, label: Any) -> None:
    """Let another app (document routing, drafts…) name its events."""
    EVENTS[name] = label


def event_label(name: str) -> str:
    label = EVENTS.get(name)
    return str(label) if label is not None else ""


@dataclass
class Tell:
    """One event for some users (several are written together by :func:`notify_many`)."""

    event: str
    recipients: Iterable[Any]
    message: str
    key: str
    link: str = ""
    assignment_id: int | None = None


def _ids(users: Iterable[Any]) -> list[int]:
    out: dict[int, None] = {}
    for u in users:
        if u is None:
            continue
        out.setdefault(u.pk if isinstance(u, models.Model) else int(u), None)
    return list(out)


def notify_many(items: Sequence[Tell], actor: Any = None) -> int:
    """Write every item's rows in one bulk INSERT (the actor is never told of his own act)."""
    actor_id = getattr(actor, "pk", None)
    now = timezone.now()
    rows = []
    for item in items:
        if item.event not in EVENTS:
            raise ValueError(f"unknown event: {item.event!r}")
        for uid in _ids(item.recipients):
            if uid == actor_id:
                continue
            rows.append(Notification(user_id=uid, assignment_id=item.assignment_id, kind=NotificationKind.EVENT,
                                     event=item.event, link=item.link[:300], message=str(item.message),
                                     key=row_key(NotificationKind.EVENT, item.key, uid), created_at=now))
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def notify_event(event: str, obj: Any = None, *, recipients: Iterable[Any], message: str, actor: Any = None,
                 key: str = "", link: str = "") -> int:
    """Tell ``recipients`` (users or ids) that ``event`` happened to ``obj``; returns rows written.

    ``key`` names this occurrence (a retried service with the same key adds nothing); by
    default the object and the moment. ``link``: where to look (the assignment's page by default).
    """
    assignment_id = obj.pk if isinstance(obj, Assignment) else None
    if not key:
        label = obj._meta.label_lower if isinstance(obj, models.Model) else "none"
        key = f"{event}:{label}:{getattr(obj, 'pk', '')}:{time.time_ns()}"
    if not link and assignment_id:
        link = assignment_link(assignment_id)
    return notify_many([Tell(event, recipients, message, key, link, assignment_id)], actor)


def assignment_link(pk: int) -> str:
    try:
        return reverse("tasks:assignment", args=[pk])
    except NoReverseMatch:
        return ""


# --- who is concerned ------------------------------------------------------------------------


def _active_users(**filters: Any) -> Any:
    from dieuhanh.accounts.models import User

    return User.objects.filter(is_active=True, **filters).exclude(role=Role.QUAN_TRI)


def units_people(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active users (not administrators) per unit, one query."""
    out: dict[int, list[int]] = defaultdict(list)
    for uid, unit_id in _active_users(unit_id__in=list(unit_ids)).values_list("id", "unit_id").order_by("id"):
        out[unit_id].append(uid)
    return out


def doers_of(assignment: Assignment, people: dict[int, list[int]] | None = None) -> list[int]:
    """The assignee unit's leaders and staff, or the named assignee and his unit's leaders."""
    if assignment.assignee_id:
        leaders = _active_users(unit_id=assignment.unit_id, role__in=LEADER_ROLES).values_list("id", flat=True)
        return [assignment.assignee_id, *leaders]
    if people is not None:
        return people.get(assignment.unit_id, [])
    return list(_active_users(unit_id=assignment.unit_id).values_list("id", flat=True).order_by("id"))


def assigners_of(assignment: Assignment, *, deciders: bool = False) -> list[int]:
    """The person who assigned the task; with ``deciders`` also the assigning unit's leaders
    (who accept results and decide extensions)."""
    task = assignment.task
    out = [task.assigned_by_id] if task.assigned_by_id else []
    if deciders or not out:
        out += list(_active_users(unit_id=task.assigned_by_unit_id, role__in=LEADER_ROLES)
                    .values_list("id", flat=True))
    return out


# --- the task events ---------------------------------------------------------------------------


def _ctx(assignment: Assignment, actor: Any) -> dict[str, Any]:
    due = assignment.due_on
    return {"title": assignment.task.title[:200], "unit": assignment.unit.name,
            "by": (actor.get_full_name() or actor.username) if getattr(actor, "pk", None) else _("Hệ thống"),
            "due": due.strftime("%d/%m/%Y") if due else _("không có hạn"),
            "progress": assignment.progress}


MOVE_MESSAGES = {
    "task.acknowledged": gettext_lazy("%(unit)s đã tiếp nhận nhiệm vụ «%(title)s» (%(by)s)."),
    "task.progress": gettext_lazy("%(unit)s báo cáo tiến độ %(progress)s%% nhiệm vụ «%(title)s» (%(by)s)."),
    "task.submitted": gettext_lazy("%(unit)s gửi kết quả nhiệm vụ «%(title)s», chờ nghiệm thu (%(by)s)."),
    "task.accepted": gettext_lazy("Kết quả nhiệm vụ «%(title)s» của %(unit)s đã được nghiệm thu (%(by)s)."),
    "task.returned": gettext_lazy("Kết quả nhiệm vụ «%(title)s» của %(unit)s bị trả lại: %(reason)s (%(by)s)."),
    "task.cancelled": gettext_lazy("Nhiệm vụ «%(title)s» giao cho %(unit)s đã bị hủy (%(by)s)."),
}
# events the assigner is told of (the rest go to the doing unit)
TO_ASSIGNER = {"task.acknowledged": False, "task.progress": False, "task.submitted": True}


def assignment_moved(assignment: Assignment, event: str, actor: Any) -> int:
    """Called by every ``Assignment`` transition, inside its transaction."""
    template = MOVE_MESSAGES.get(event)
    if template is None:
        return 0
    from django.conf import settings

    with override(settings.LANGUAGE_CODE):
        ctx = _ctx(assignment, actor)
        ctx["reason"] = assignment.return_reason[:300]
        message = str(template) % ctx
    if event in TO_ASSIGNER:
        recipients = assigners_of(assignment, deciders=TO_ASSIGNER[event])
    else:
        recipients = doers_of(assignment)
    return notify_event(event, assignment, recipients=recipients, message=message, actor=actor)


def assignments_issued(assignments: Sequence[Assignment], actor: Any) -> int:
    """A new task's (or sub-task's) assignments: each doing unit is told, in one INSERT."""
    from django.conf import settings

    if not assignments:
        return 0
    from dieuhanh.orgs.models import Unit

    people = units_people({a.unit_id for a in assignments})
    task = assignments[0].task
    units = Unit.objects.in_bulk({a.unit_id for a in assignments} | {task.assigned_by_unit_id})
    for a in assignments:
        a.unit = units[a.unit_id]
    items = []
    with override(settings.LANGUAGE_CODE):
        for a in assignments:
            ctx = _ctx(a, actor)
            ctx["from"] = units[task.assigned_by_unit_id].name
            message = _("Nhiệm vụ mới từ %(from)s: «%(title)s» (hạn %(due)s).") % ctx
            items.append(Tell("task.assigned", doers_of(a, people), message, f"task.assigned:{a.pk}",
                              assignment_link(a.pk), a.pk))
        parent = assignments[0].task.parent
        if parent is not None:
            names = ", ".join(sorted({a.unit.name if not a.assignee_id else str(a.assignee) for a in assignments}))
            message = _("%(unit)s giao tiếp nhiệm vụ «%(title)s» cho %(names)s.") % {
                "unit": parent.unit.name, "title": parent.task.title[:200], "names": names[:300]}
            items.append(Tell("task.delegated", assigners_of(parent), message,
                              f"task.delegated:{assignments[0].task_id}", assignment_link(parent.pk), parent.pk))
    return notify_many(items, actor)


def extension_requested(extension: Any, actor: Any) -> int:
    from django.conf import settings

    a = extension.assignment
    with override(settings.LANGUAGE_CODE):
        ctx = _ctx(a, actor)
        ctx["new"] = extension.proposed_due_on.strftime("%d/%m/%Y")
        message = _("%(unit)s xin gia hạn nhiệm vụ «%(title)s» từ %(due)s đến %(new)s (%(by)s).") % ctx
    return notify_event("extension.requested", a, recipients=assigners_of(a, deciders=True), message=message,
                        actor=actor, key=f"extension.requested:{extension.pk}")


def extension_decided(extension: Any, actor: Any) -> int:
    from django.conf import settings

    from dieuhanh.tasks.models import ExtensionStatus

    a = extension.assignment
    approved = extension.status == ExtensionStatus.APPROVED
    with override(settings.LANGUAGE_CODE):
        ctx = _ctx(a, actor)
        ctx["new"] = extension.proposed_due_on.strftime("%d/%m/%Y")
        ctx["note"] = extension.decision_note[:300]
        if approved:
            message = _("Đề nghị gia hạn nhiệm vụ «%(title)s» của %(unit)s được đồng ý: hạn mới %(new)s (%(by)s).") % ctx
        else:
            message = _("Đề nghị gia hạn nhiệm vụ «%(title)s» của %(unit)s bị từ chối: %(note)s (%(by)s).") % ctx
    event = "extension.approved" if approved else "extension.refused"
    return notify_event(event, a, recipients=[extension.requested_by_id, *doers_of(a)], message=message,
                        actor=actor, key=f"{event}:{extension.pk}")

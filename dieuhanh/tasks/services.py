"""Service functions of the tasks app: the only way views change tasks and assignments.

Every function checks who may act, runs in one transaction and writes its audit
rows in it. Illegal moves raise ``TransitionError`` (a ValueError with a Vietnamese
message), refused users ``PermissionDenied``, bad input ``ValidationError``.

    can_issue(user) / acts_for_assigner(user, task) / acts_for_doer(user, assignment) -> bool
    decides_for_assigner(user, assignment) / can_delegate(user, assignment) -> bool
    issue_tasks(user, document, proposals) -> list[Task]          # one Task per proposal, fan-out
    create_task(user, title, units, due_on, *, source_note, description="", coordinating=()) -> Task
    acknowledge(user, a) / start(user, a)
    update_progress(user, a, percent, text, *, upload=None) -> ProgressNote
    submit_result(user, a, *, note="", upload=None, document=None)
    accept(user, a) / return_assignment(user, a, reason) / cancel(user, a)
    delegate(user, a, targets, due_on, title, *, description="") -> Task
    roll_up(assignment)                                           # parent progress = mean of sub-assignments
    request_extension(user, a, reason, proposed_due_on) -> Extension
    decide_extension(user, extension, approve, note="") -> Extension

Every function that changes something takes ``request=`` (keyword, optional): the web
request or API call it serves, so its audit rows carry the caller's IP address.

Who does what (the permission matrix in ``tests/test_permission_matrix.py`` spells it out):

- Issuing (``issue_tasks``, ``create_task``, ``delegate``): specialists, heads and leaders of
  the issuing unit, only to units of its reach (:func:`dieuhanh.tasks.permissions.assign_scope`:
  down, or across within the committee an office works for; never up, never another branch).
- The doer's steps (acknowledge, progress, result, extension request): the doing unit's
  specialists, heads and leaders, or the one person an assignment was given to. A clerk
  (văn thư) registers and distributes documents; he follows the unit's tasks read-only unless
  a task was given to him by name.
- The assigner's decisions (accept, return, decide an extension): the assigning unit's
  specialists, heads and leaders, over a unit its reach covers; never on one's own request.
    chain(assignment_or_task, user=None) -> Chain                 # constant number of queries per document
    my_assignments(user, status=None) -> QuerySet[Assignment]
    document_status(user, document) -> list[dict]
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction, Role
from dieuhanh.accounts.scope import subtree_ids, visible_unit_ids
from dieuhanh.tasks import events
from dieuhanh.tasks.models import (OPEN_STATUSES, Assignment, Extension, ExtensionStatus, ProgressNote, Role as TaskRole,
                                   Status, Task, TransitionError)
from dieuhanh.tasks.permissions import assign_scope, has_authority, refuse_outside
from dieuhanh.tasks.proposals import Proposal

__all__ = [
    "TransitionError", "accept", "acknowledge", "acts_for_assigner", "acts_for_doer", "can_delegate", "can_issue",
    "cancel", "chain", "create_task", "decide_extension", "decides_for_assigner", "delegate", "document_status",
    "issue_tasks",
    "my_assignments", "record_download", "request_extension", "return_assignment", "roll_up", "start",
    "submit_result",
    "update_progress",
]

MAX_UPLOAD = 20 * 1024 * 1024
ACTING_ROLES = (Role.CHUYEN_VIEN, Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND)


# --- who may act ------------------------------------------------------------------------

def _is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin_role)


def can_issue(user: Any) -> bool:
    """Specialists, unit heads and committee leaders assign work on behalf of their unit."""
    if not getattr(user, "is_authenticated", False) or user.unit_id is None:
        return False
    return _is_admin(user) or user.role in ACTING_ROLES


def acts_for_assigner(user: Any, task: Task) -> bool:
    """The assigning unit's own people (not a leader of a unit above it, not its clerk)."""
    if _is_admin(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and user.unit_id == task.assigned_by_unit_id
                and user.role in ACTING_ROLES)


def acts_for_doer(user: Any, assignment: Assignment) -> bool:
    """The doing unit's specialists, heads and leaders, or the person it was given to.

    Not the unit's clerk (văn thư): he registers and distributes the documents, and follows
    the unit's tasks read-only, like the reports app (unless the task names him)."""
    if _is_admin(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if assignment.assignee_id is not None:
        return assignment.assignee_id == user.pk or (
            user.unit_id == assignment.unit_id and user.role in (Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND))
    return user.unit_id == assignment.unit_id and user.role in ACTING_ROLES


def decides_for_assigner(user: Any, assignment: Assignment) -> bool:
    """Accept, return, decide an extension: the assigner's people, over a unit their unit reaches.

    A task that went where the assigning unit may not send work (issued before the scope
    rule: a ward "assigning" the city) gives it no power over that unit's deadline or result.
    """
    return acts_for_assigner(user, assignment.task) and has_authority(assignment)


def can_delegate(user: Any, assignment: Assignment) -> bool:
    """Only the doer unit's head, leader or specialist breaks a task into sub-tasks."""
    if _is_admin(user):
        return True
    return (acts_for_doer(user, assignment) and user.role in ACTING_ROLES
            and (assignment.assignee_id is None or user.role != Role.CHUYEN_VIEN
                 or assignment.assignee_id == user.pk))


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- creating -------------------------------------------------------------------------------

def _unit_ids(values: Iterable[Any]) -> list[int]:
    out: list[int] = []
    for v in values or ():
        pk = getattr(v, "pk", v)
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            continue
        if pk not in out:
            out.append(pk)
    return out


def _check_units(ids: list[int], on: datetime.date) -> None:
    from dieuhanh.orgs.models import Unit

    live = set(Unit.objects.in_force(on).filter(pk__in=ids).values_list("pk", flat=True))
    if set(ids) - live:
        raise ValidationError(_("Có đơn vị không còn hiệu lực vào ngày %(day)s.") % {"day": on.strftime("%d/%m/%Y")})


def _fan_out(user: Any, task: Task, lead: list[int], coordinating: list[int], due_on: datetime.date | None,
             assignees: Iterable[Any] = (), *, request: Any = None) -> list[Assignment]:
    rows = [Assignment(task=task, unit_id=u, role=TaskRole.LEAD, due_on=due_on, original_due_on=due_on)
            for u in lead]
    rows += [Assignment(task=task, unit_id=u, role=TaskRole.COORDINATE, due_on=due_on, original_due_on=due_on)
             for u in coordinating if u not in lead]
    rows += [Assignment(task=task, unit_id=p.unit_id, assignee=p, role=TaskRole.LEAD, due_on=due_on,
                        original_due_on=due_on) for p in assignees]
    created = []
    for row in rows:  # one by one: each needs its pk for the audit row (bulk_create has none on SQLite)
        row.save()
        record(user, AuditAction.CREATE, row, after=snapshot(row), unit_id=row.unit_id, request=request)
        created.append(row)
    events.assignments_issued(created, user)
    return created


def _new_task(user: Any, assigned_by_unit_id: int, *, request: Any = None, **fields: Any) -> Task:
    task = Task(assigned_by_unit_id=assigned_by_unit_id, assigned_by=user if user.is_authenticated else None,
                **fields)
    task.full_clean(exclude=["assigned_by_unit", "assigned_by", "document", "parent"])
    task.save()
    record(user, AuditAction.CREATE, task, after=snapshot(task), unit_id=assigned_by_unit_id, request=request)
    return task


def check_reach(issuer_unit_id: int, unit_ids: Iterable[int]) -> None:
    """The guard every way of issuing work goes through: PermissionDenied naming the units
    the issuing unit does not reach (:func:`dieuhanh.tasks.permissions.assign_scope`)."""
    refuse_outside(assign_scope(issuer_unit_id), unit_ids)


def issued_count(user: Any, document: Any) -> int:
    """How many top tasks the user's unit has issued from ``document``."""
    return Task.objects.filter(document=document, parent__isnull=True, assigned_by_unit_id=user.unit_id).count()


def issue_tasks(user: Any, document: Any, proposals: list[Proposal], *,
                already_issued: int | None = None, request: Any = None) -> list[Task]:
    """Issue the edited proposals of ``document``: one Task each, one Assignment per unit.

    The user's unit is the assigning unit; every unit must be within its reach
    (PermissionDenied otherwise). A proposal needs a title and at least one
    lead unit; ``original_due_on`` is set to ``due_on`` and never moves afterwards.
    ``already_issued`` (what the form saw) refuses a double post: the document row is
    locked and the count checked again inside the transaction.
    """
    _require(can_issue(user), _("Bạn không có quyền giao việc."))
    if not proposals:
        raise ValidationError(_("Chưa có nhiệm vụ nào để giao."))
    on = document.issued_on or timezone.localdate()
    for i, p in enumerate(proposals, 1):
        if not (p.title or "").strip():
            raise ValidationError(_("Nhiệm vụ %(n)d chưa có tên.") % {"n": i})
        if not _unit_ids(p.lead_unit_ids):
            raise ValidationError(_("Nhiệm vụ %(n)d chưa có đơn vị chủ trì.") % {"n": i})
    check_reach(user.unit_id, [u for p in proposals
                               for u in _unit_ids(p.lead_unit_ids) + _unit_ids(p.coordinating_unit_ids)])
    tasks = []
    with transaction.atomic():
        if already_issued is not None:
            type(document).objects.select_for_update().filter(pk=document.pk).first()
            if issued_count(user, document) != already_issued:
                raise TransitionError(_("Các nhiệm vụ của văn bản này vừa được giao; không giao lặp lại."))
        for p in proposals:
            lead, coordinating = _unit_ids(p.lead_unit_ids), _unit_ids(p.coordinating_unit_ids)
            _check_units(lead + coordinating, on)
            task = _new_task(user, user.unit_id, title=p.title.strip()[:500], description=p.description or "",
                             document=document, source_sentence=p.sentence or "",
                             source_span=list(p.span) if p.span else None,
                             deadline_phrase=(p.deadline_phrase or "")[:255], deadline_kind=(p.deadline_kind or "")[:32],
                             request=request)
            _fan_out(user, task, lead, coordinating, p.due_on, request=request)
            tasks.append(task)
        from dieuhanh.documents.routing import on_tasks_issued

        on_tasks_issued(user, document, request=request)  # the routed document is now in tasks
    return tasks


def create_task(user: Any, title: str, units: Iterable[Any], due_on: datetime.date | None, *,
                source_note: str, description: str = "", coordinating: Iterable[Any] = (),
                request: Any = None) -> Task:
    """A task without a document (a meeting, a phone call): ``source_note`` says where it came from.

    Only to units within the reach of the user's unit (PermissionDenied otherwise)."""
    _require(can_issue(user), _("Bạn không có quyền giao việc."))
    lead, others = _unit_ids(units), _unit_ids(coordinating)
    if not (title or "").strip():
        raise ValidationError(_("Chưa nhập tên nhiệm vụ."))
    if not lead:
        raise ValidationError(_("Chưa chọn đơn vị chủ trì."))
    if not (source_note or "").strip():
        raise ValidationError(_("Nhiệm vụ không có văn bản phải ghi nguồn giao (cuộc họp, điện thoại…)."))
    check_reach(user.unit_id, lead + others)
    with transaction.atomic():
        _check_units(lead + others, timezone.localdate())
        task = _new_task(user, user.unit_id, title=title.strip()[:500], description=description,
                         source_note=source_note.strip()[:255], request=request)
        _fan_out(user, task, lead, others, due_on, request=request)
    return task


# --- doer's steps ------------------------------------------------------------------------------

def acknowledge(user: Any, assignment: Assignment, *, request: Any = None) -> None:
    _require(acts_for_doer(user, assignment), _("Chỉ đơn vị được giao mới tiếp nhận được nhiệm vụ."))
    assignment.acknowledge(user, request=request)


def start(user: Any, assignment: Assignment, *, request: Any = None) -> None:
    _require(acts_for_doer(user, assignment), _("Chỉ đơn vị được giao mới thực hiện được nhiệm vụ."))
    assignment.start(user, request=request)


def _read_upload(upload: Any) -> Any:
    if upload is None:
        return None
    if (getattr(upload, "size", 0) or 0) > MAX_UPLOAD:
        raise ValidationError(_("Tệp quá lớn (tối đa 20 MB)."))
    if not getattr(upload, "size", 0):
        raise ValidationError(_("Tệp %(name)s rỗng, không có nội dung.") % {"name": getattr(upload, "name", "")})
    return upload


def _note(user: Any, assignment: Assignment, text: str, progress: int | None, upload: Any,
          request: Any = None) -> ProgressNote:
    note = ProgressNote(assignment=assignment, author=user if user.is_authenticated else None,
                        progress=progress, text=text)
    if upload is not None:
        from dieuhanh.documents.intake import safe_filename

        name = safe_filename(getattr(upload, "name", "") or "tep")  # no path, no control characters
        note.attachment_name = name
        note.attachment.save(name, upload, save=False)
    note.save()
    record(user, AuditAction.CREATE, note, after=snapshot(note), unit_id=assignment.unit_id, request=request)
    return note


def update_progress(user: Any, assignment: Assignment, percent: Any, text: str, *, upload: Any = None,
                    request: Any = None) -> ProgressNote:
    """Progress % with a note (and a file); the parent assignment's progress follows."""
    _require(acts_for_doer(user, assignment), _("Chỉ đơn vị được giao mới cập nhật được tiến độ."))
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        raise ValidationError(_("Tiến độ phải là số từ 0 đến 100.")) from None
    if not (text or "").strip():
        raise ValidationError(_("Phải ghi nội dung tiến độ."))
    upload = _read_upload(upload)
    with transaction.atomic():
        assignment.set_progress(user, percent, request=request)
        note = _note(user, assignment, text.strip(), percent, upload, request)
        roll_up(assignment, actor=user, request=request)
    return note


def submit_result(user: Any, assignment: Assignment, *, note: str = "", upload: Any = None,
                  document: Any = None, request: Any = None) -> None:
    """Completion needs a result: a note, a file, or an outgoing document / report."""
    _require(acts_for_doer(user, assignment), _("Chỉ đơn vị được giao mới nộp được kết quả."))
    note = (note or "").strip()
    upload = _read_upload(upload)
    if not note and upload is None and document is None:
        raise ValidationError(_("Phải có kết quả: ghi chú, tệp đính kèm hoặc văn bản đi / báo cáo."))
    with transaction.atomic():
        assignment.submit_result(user, note=note, document=document, request=request)
        if upload is not None or note:
            _note(user, assignment, note or _("Nộp kết quả"), None, upload, request)


def accept(user: Any, assignment: Assignment, *, request: Any = None) -> None:
    _require(decides_for_assigner(user, assignment), _("Chỉ đơn vị giao việc mới nghiệm thu được."))
    with transaction.atomic():
        assignment.accept(user, request=request)
        roll_up(assignment, actor=user, request=request)


def return_assignment(user: Any, assignment: Assignment, reason: str, *, request: Any = None) -> None:
    _require(decides_for_assigner(user, assignment), _("Chỉ đơn vị giao việc mới trả lại được."))
    assignment.return_(user, reason, request=request)


def cancel(user: Any, assignment: Assignment, *, request: Any = None) -> None:
    """The assigner withdraws an assignment (also one sent outside its reach before the rule: the remedy)."""
    _require(acts_for_assigner(user, assignment.task), _("Chỉ đơn vị giao việc mới hủy được."))
    with transaction.atomic():
        assignment.cancel(user, request=request)
        roll_up(assignment, actor=user, request=request)


# --- delegation and roll-up ---------------------------------------------------------------------

def delegation_targets(assignment: Assignment) -> tuple[frozenset[int], set[int]]:
    """(units, units whose people) ``assignment``'s unit may pass its work on to.

    Units: the doing unit's reach (:func:`dieuhanh.tasks.permissions.assign_scope`) but not
    itself: its own sub-units, and for an office the other offices and the committees below
    its committee (Phòng Nội vụ passes a part on to the wards). People: those of the doing
    unit and its sub-units, by name.
    """
    reach = assign_scope(assignment.unit_id).ids - {assignment.unit_id}
    return frozenset(reach), subtree_ids(assignment.unit_id)


def delegate(user: Any, assignment: Assignment, targets: Iterable[Any], due_on: datetime.date | None,
             title: str, *, description: str = "", request: Any = None) -> Task:
    """Break ``assignment`` into a sub-task for units its unit reaches or for people in it
    (:func:`delegation_targets`).

    The sub-task's deadline must not be later than the assignment's due date.
    """
    from dieuhanh.accounts.models import User
    from dieuhanh.orgs.models import Unit

    _require(can_delegate(user, assignment), _("Chỉ lãnh đạo hoặc chuyên viên của đơn vị được giao mới giao tiếp được."))
    if assignment.status not in Assignment.WORKABLE:
        raise TransitionError(_("Phải tiếp nhận nhiệm vụ trước khi giao tiếp (trạng thái hiện tại: «%(status)s»).")
                              % {"status": assignment.get_status_display()})
    if not (title or "").strip():
        raise ValidationError(_("Chưa nhập tên nhiệm vụ giao tiếp."))
    if due_on is None and assignment.due_on is not None:
        raise ValidationError(_("Phải có hạn xử lý cho nhiệm vụ giao tiếp."))
    if due_on is not None and assignment.due_on is not None and due_on > assignment.due_on:
        raise ValidationError(_("Hạn giao tiếp (%(sub)s) phải sớm hơn hoặc bằng hạn của nhiệm vụ (%(due)s).")
                              % {"sub": due_on.strftime("%d/%m/%Y"), "due": assignment.due_on.strftime("%d/%m/%Y")})
    units, people = [], []
    for t in targets or ():
        if isinstance(t, User):
            people.append(t)
        elif isinstance(t, Unit):
            units.append(t.pk)
        else:
            units.append(int(getattr(t, "pk", t)))
    if not units and not people:
        raise ValidationError(_("Chưa chọn đơn vị hoặc người nhận nhiệm vụ giao tiếp."))
    if any(u == assignment.unit_id for u in units):
        raise ValidationError(_("Không giao tiếp cho chính đơn vị được giao; hãy chọn cán bộ của đơn vị."))
    refuse_outside(assign_scope(assignment.unit_id), units)
    below = subtree_ids(assignment.unit_id)
    if any(p.unit_id not in below or not p.is_active for p in people):
        raise ValidationError(_("Chỉ giao tiếp được cho người thuộc đơn vị được giao hoặc đơn vị trực thuộc."))
    with transaction.atomic():
        _check_units(units, timezone.localdate())
        parent_task = assignment.task
        task = _new_task(user, assignment.unit_id, title=title.strip()[:500], description=description,
                         document_id=parent_task.document_id, parent=assignment,
                         source_sentence=parent_task.source_sentence, source_span=parent_task.source_span,
                         source_note=parent_task.source_note, priority=parent_task.priority, request=request)
        _fan_out(user, task, units, [], due_on, assignees=people, request=request)
        if assignment.status == Status.ACKNOWLEDGED:
            assignment.start(user, request=request)
    return task


def roll_up(assignment: Assignment, *, actor: Any = None, request: Any = None) -> None:
    """Set each ancestor assignment's progress to the mean of its sub-assignments (not cancelled)."""
    parent_id = Task.objects.filter(pk=assignment.task_id).values_list("parent_id", flat=True).first()
    seen: set[int] = set()
    while parent_id and parent_id not in seen:
        seen.add(parent_id)
        mean = (Assignment.objects.filter(task__parent_id=parent_id).exclude(status=Status.CANCELLED)
                .aggregate(m=Avg("progress"))["m"])
        parent = Assignment.objects.select_related("task").get(pk=parent_id)
        value = round(mean) if mean is not None else parent.progress
        if value != parent.progress:
            before = parent.progress
            parent.progress = value
            parent.save(update_fields=["progress", "updated_at"])
            record(actor, AuditAction.UPDATE, parent, before={"progress": before}, after={"progress": value},
                   note="Tổng hợp tiến độ từ nhiệm vụ giao tiếp", unit_id=parent.unit_id, request=request)
        parent_id = parent.task.parent_id


# --- extensions -------------------------------------------------------------------------------------

def request_extension(user: Any, assignment: Assignment, reason: str,
                      proposed_due_on: datetime.date | None, *, request: Any = None) -> Extension:
    _require(acts_for_doer(user, assignment), _("Chỉ đơn vị được giao mới xin gia hạn được."))
    if assignment.status not in OPEN_STATUSES or assignment.status == Status.SUBMITTED:
        raise TransitionError(_("Không thể xin gia hạn khi nhiệm vụ đang ở trạng thái «%(status)s».")
                              % {"status": assignment.get_status_display()})
    if not (reason or "").strip():
        raise ValidationError(_("Phải nêu lý do xin gia hạn."))
    if proposed_due_on is None:
        raise ValidationError(_("Phải đề nghị hạn mới."))
    if assignment.due_on is None:
        raise ValidationError(_("Nhiệm vụ không có hạn xử lý nên không cần xin gia hạn."))
    if assignment.due_on is not None and proposed_due_on <= assignment.due_on:
        raise ValidationError(_("Hạn đề nghị phải sau hạn hiện tại (%(due)s).")
                              % {"due": assignment.due_on.strftime("%d/%m/%Y")})
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise TransitionError(_("Đã có một đề nghị gia hạn đang chờ duyệt."))
        ext = Extension.objects.create(assignment=assignment, requested_by=user, reason=reason.strip(),
                                       proposed_due_on=proposed_due_on, previous_due_on=assignment.due_on)
        record(user, AuditAction.CREATE, ext, after=snapshot(ext), unit_id=assignment.unit_id, request=request)
        events.extension_requested(ext, user)
    return ext


def decide_extension(user: Any, extension: Extension, approve: bool, note: str = "", *,
                     request: Any = None) -> Extension:
    """Approve (``due_on`` moves to the proposed date) or refuse; ``original_due_on`` never moves.

    The decider acts for the assigning unit, over a unit within its reach
    (:func:`decides_for_assigner`), and is never the one who asked."""
    assignment = extension.assignment
    _require(decides_for_assigner(user, assignment), _("Chỉ đơn vị giao việc mới duyệt được gia hạn."))
    _require(_is_admin(user) or extension.requested_by_id != user.pk,
             _("Người xin gia hạn không tự duyệt được đề nghị của mình."))
    if not approve and not (note or "").strip():
        raise ValidationError(_("Phải nêu lý do từ chối gia hạn."))
    with transaction.atomic():
        ext = Extension.objects.select_for_update().get(pk=extension.pk)
        if ext.status != ExtensionStatus.PENDING:
            raise TransitionError(_("Đề nghị gia hạn này đã được xử lý."))
        before = snapshot(ext)
        ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        ext.decided_by, ext.decided_at, ext.decision_note = user, timezone.now(), (note or "").strip()
        ext.previous_due_on = assignment.due_on
        ext.save()
        record(user, AuditAction.STATE, ext, before=before, after=snapshot(ext), unit_id=assignment.unit_id,
               note="Duyệt gia hạn" if approve else "Từ chối gia hạn", request=request)
        if approve:
            old = assignment.due_on
            assignment.due_on = ext.proposed_due_on
            assignment.save(update_fields=["due_on", "updated_at"])
            record(user, AuditAction.UPDATE, assignment,
                   before={"due_on": old.isoformat() if old else None},
                   after={"due_on": ext.proposed_due_on.isoformat()}, note="Gia hạn", unit_id=assignment.unit_id,
                   request=request)
        events.extension_decided(ext, user)
    extension.refresh_from_db()
    return ext


def record_download(user: Any, note: ProgressNote, *, request: Any = None) -> None:
    """Audit row of a progress-note or result file download (as for documents' files)."""
    record(user, AuditAction.DOWNLOAD, note, request=request, unit_id=note.assignment.unit_id,
           note=note.attachment_name[:255])


# --- reading ------------------------------------------------------------------------------------------

def my_assignments(user: Any, status: str | None = None, *, assigned: bool = False) -> QuerySet[Assignment]:
    """Assignments of the user's units (``assigned=True``: those the user's units gave out), due soonest first."""
    ids = visible_unit_ids(user)
    qs = Assignment.objects.select_related("task", "unit", "task__assigned_by_unit", "task__document", "assignee")
    if ids is not None:
        qs = qs.filter(task__assigned_by_unit_id__in=ids) if assigned else qs.filter(unit_id__in=ids)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(models_nulls_last("due_on"), "id")


def models_nulls_last(name: str) -> Any:
    from django.db.models import F

    return F(name).asc(nulls_last=True)


@dataclass
class ChainNode:
    task: Task
    assignments: list[tuple[Assignment, list[ChainNode]]] = field(default_factory=list)


@dataclass
class Chain:
    documents: list[Any]          # cited plans first, then the document itself
    roots: list[ChainNode]        # the top tasks
    focus_task_id: int | None = None
    focus_assignment_id: int | None = None
    visible_ids: set[int] | None = None  # assignments the user may open (None: all)


def chain(obj: Assignment | Task, user: Any = None) -> Chain:
    """Everything from the cited plan down to the last sub-task of ``obj``'s tree.

    With a document: a fixed number of queries (every task of a tree shares the root's
    document). Without one: one query per level of delegation.
    """
    from dieuhanh.documents.models import Document

    task = obj.task if isinstance(obj, Assignment) else obj
    focus_assignment = obj.pk if isinstance(obj, Assignment) else None
    base = Task.objects.select_related("assigned_by_unit")
    assignments_qs = Assignment.objects.select_related("unit", "assignee").order_by("role", "unit__name", "id")
    if task.document_id:
        tasks = list(base.filter(document_id=task.document_id).order_by("issued_at", "id"))
        by_id = {t.pk: t for t in tasks}
        rows = list(assignments_qs.filter(task_id__in=by_id))
    else:
        tasks, rows = _tree_without_document(task, base, assignments_qs)
        by_id = {t.pk: t for t in tasks}
    parent_task_of = {a.pk: a.task_id for a in rows}
    root = task
    seen: set[int] = set()
    while root.parent_id and root.parent_id in parent_task_of and root.pk not in seen:
        seen.add(root.pk)
        root = by_id.get(parent_task_of[root.parent_id], root)
    by_task: dict[int, list[Assignment]] = defaultdict(list)
    for a in rows:
        by_task[a.task_id].append(a)
    subtasks: dict[int, list[Task]] = defaultdict(list)
    for t in tasks:
        if t.parent_id:
            subtasks[t.parent_id].append(t)

    visible: set[int] | None = None
    if user is not None:
        from dieuhanh.tasks.permissions import assignments_visible_to

        visible = set(assignments_visible_to(user).filter(pk__in=[a.pk for a in rows]).values_list("pk", flat=True))

    def build(t: Task, depth: int = 0) -> ChainNode:
        node = ChainNode(t)
        for a in by_task.get(t.pk, []):
            # another unit's internal delegation stays hidden from those who cannot open its assignment
            shown = depth < 20 and (visible is None or a.pk in visible)
            node.assignments.append((a, [build(s, depth + 1) for s in subtasks.get(a.pk, [])] if shown else []))
        return node

    roots = [build(root)]
    documents: list[Any] = []
    if task.document_id:
        from dieuhanh.documents.models import Citation

        document = Document.objects.select_related("owner_unit").get(pk=task.document_id)
        cited_ids = [c for c in Citation.objects.filter(citing_id=document.pk, cited__isnull=False)
                     .values_list("cited_id", flat=True)]
        if cited_ids:
            cited = Document.objects.filter(pk__in=cited_ids)
            if user is not None:
                from dieuhanh.documents.services import documents_visible_to

                cited = documents_visible_to(user).filter(pk__in=cited_ids)
            documents = list(cited.order_by("issued_on", "pk"))
        if user is None or _document_visible(user, document.pk):
            documents.append(document)
    return Chain(documents, roots, task.pk, focus_assignment, visible)


def _document_visible(user: Any, pk: int) -> bool:
    from dieuhanh.documents.services import documents_visible_to

    return documents_visible_to(user).filter(pk=pk).exists()


def _tree_without_document(task: Task, base: QuerySet[Task], assignments_qs: QuerySet[Assignment]) \
        -> tuple[list[Task], list[Assignment]]:
    root = task
    for _step in range(20):  # walk up
        if not root.parent_id:
            break
        up = Assignment.objects.filter(pk=root.parent_id).values_list("task_id", flat=True).first()
        if up is None:
            break
        root = base.get(pk=up)
    tasks, rows, level = [root], [], [root.pk]
    for _step in range(20):  # walk down a level at a time
        found = list(assignments_qs.filter(task_id__in=level))
        rows += found
        children = list(base.filter(parent_id__in=[a.pk for a in found]))
        if not children:
            break
        tasks += children
        level = [t.pk for t in children]
    return tasks, rows


def document_status(user: Any, document: Any) -> list[dict[str, Any]]:
    """The document's tasks (issued from it), each with every unit's assignment and status."""
    tasks = list(Task.objects.filter(document=document, parent__isnull=True)
                 .select_related("assigned_by_unit")
                 .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("unit", "assignee")
                                            .order_by("role", "unit__name", "id")))
                 .order_by("issued_at", "id"))
    out = []
    for t in tasks:
        rows = list(t.assignments.all())
        counts: dict[str, int] = defaultdict(int)
        for a in rows:
            counts[a.status] += 1
        out.append({"task": t, "assignments": rows, "done": counts[Status.DONE], "total": len(rows)})
    return out

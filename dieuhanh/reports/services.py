"""Service functions of the reports app: outlines, requests, submissions.

Every function checks who may act (``PermissionDenied``), runs in one transaction and
writes its audit rows in it. Illegal moves raise ``TransitionError`` (the tasks app's
ValueError with a Vietnamese message), bad input ``ValidationError``. A request is one
task of the tasks app with one lead assignment per unit, so reminders, overdue flags and
dashboards come from there; each submission moves its assignment along:

    submission   NOT_STARTED → DRAFT → SUBMITTED → ACCEPTED
                                  ↑         ↓
                                  RETURNED ←┘        (RETURNED stays RETURNED while edited)
    assignment   NEW → ACKNOWLEDGED → IN_PROGRESS → SUBMITTED → DONE (completed_on = day sent)
                                                        ↓
                                                    RETURNED

    ensure_default_outline(actor=None) -> Outline
    import_outline(user, yaml_text, *, note="") -> OutlineVersion
    outline_yaml(version) -> str
    units_of_kind(parent_unit, kind, on=None) -> QuerySet[Unit]
    create_request(user, *, title, outline_version, units, period_kind, period_start, period_end,
                   cutoff_on, due_on, recipient="", instructions="", source_assignment=None) -> ReportRequest
    save_draft(user, submission, raw) -> list[Problem]
    submit(user, submission, raw=None) -> list[Problem]          # [] when sent
    return_submission(user, submission, comment) -> Submission
    accept_submission(user, submission) -> Submission
    add_attachment(user, submission, upload, section_key="") -> SubmissionAttachment
    remove_attachment(user, attachment) -> None

Every function that changes something takes ``http_request=`` (keyword, optional; not
``request``, which here names a ReportRequest): the web request it serves, so that its audit
rows carry the caller's IP address. Asking units for a report issues a task to them: the
units must be within the requesting unit's reach (``dieuhanh.tasks.permissions.assign_scope``),
as for any task.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction
from dieuhanh.accounts.scope import visible_unit_ids
from dieuhanh.reports import permissions as perms
from dieuhanh.reports.models import (Outline, OutlineVersion, PeriodKind, ReportRequest, Submission,
                                     SubmissionAttachment, SubmissionStatus, SubmissionVersion)
from dieuhanh.tasks.models import Assignment, Status, TransitionError

__all__ = [
    "TransitionError", "accept_submission", "add_attachment", "create_request", "ensure_default_outline",
    "import_outline", "outline_yaml", "remove_attachment", "return_submission", "save_draft", "submit",
    "units_of_kind",
]

DUPLICATE_WINDOW = datetime.timedelta(minutes=1)
REQUEST_SOURCE_NOTE = "Yêu cầu báo cáo"
LOCKED_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _fingerprint(schema: Any) -> str:
    value = schema.fingerprint
    return str(value() if callable(value) else value)


def _date_text(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


# --- outlines ---------------------------------------------------------------------------------------

def ensure_default_outline(actor: Any = None) -> Outline:
    """The built-in outline (``outline.load_default()``) as an Outline with version 1; idempotent."""
    from dieuhanh.reports import outline as schema_module

    schema = schema_module.load_default()
    with transaction.atomic():
        existing = Outline.objects.select_for_update().filter(code=schema.code).first()
        if existing is not None and existing.versions.exists():
            return existing
        outline = existing or Outline.objects.create(code=schema.code, title=str(schema.title)[:500])
        if existing is None:
            record(actor, AuditAction.CREATE, outline, after=snapshot(outline), note="Đề cương mặc định")
        version = OutlineVersion.objects.create(outline=outline, number=1, spec=schema.to_dict(),
                                                fingerprint=_fingerprint(schema), note=_("Đề cương mặc định"),
                                                created_by=actor if getattr(actor, "is_authenticated", False) else None)
        record(actor, AuditAction.CREATE, version, after=_version_snapshot(version), note="Đề cương mặc định")
    return outline


def _version_snapshot(version: OutlineVersion) -> dict[str, Any]:
    return {"outline": version.outline_id, "number": version.number, "fingerprint": version.fingerprint,
            "note": version.note}


def _parse_outline(yaml_text: Any) -> Any:
    from dieuhanh.reports import outline as schema_module

    if isinstance(yaml_text, (bytes, bytearray)):
        try:
            yaml_text = bytes(yaml_text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("Tệp đề cương phải là văn bản mã hóa UTF-8 (tệp đang dùng bảng mã cũ?)."))\
                from None
    if not (yaml_text or "").strip():
        raise ValidationError(_("Tệp đề cương rỗng."))
    try:
        return schema_module.Outline.from_yaml(yaml_text)
    except schema_module.OutlineError as err:
        raise ValidationError(str(err)) from None
    except (ValueError, TypeError, KeyError, AttributeError) as err:  # a parser edge the schema did not word
        raise ValidationError(_("Không đọc được đề cương: %(err)s") % {"err": err}) from None


def import_outline(user: Any, yaml_text: str | bytes, *, note: str = "", http_request: Any = None) -> OutlineVersion:
    """A new outline when its code is new; else a new version when its content changed.

    The same content again returns the latest version unchanged (no duplicate version).
    An outline owned by a unit outside the user's scope is refused.
    """
    _require(perms.can_manage_outlines(user), _("Bạn không có quyền quản lý đề cương báo cáo."))
    schema = _parse_outline(yaml_text)
    fingerprint = _fingerprint(schema)
    spec = schema.to_dict()
    actor = user if user.is_authenticated else None
    with transaction.atomic():
        outline = Outline.objects.select_for_update().filter(code=schema.code).first()
        if outline is None:
            outline = Outline.objects.create(code=schema.code, title=str(schema.title)[:500],
                                             owner_unit_id=user.unit_id)
            record(user, AuditAction.CREATE, outline, after=snapshot(outline), note="Nhập đề cương",
                   request=http_request)
            number = 1
        else:
            ids = visible_unit_ids(user)
            _require(ids is None or outline.owner_unit_id is None or outline.owner_unit_id in ids,
                     _("Đề cương mã “%(code)s” thuộc đơn vị khác; hãy đổi mã để tạo đề cương mới.")
                     % {"code": outline.code})
            latest = outline.current
            if latest is not None and latest.fingerprint == fingerprint:
                return latest
            number = (latest.number if latest is not None else 0) + 1
            title = str(schema.title)[:500]
            if title and title != outline.title:
                before = outline.title
                outline.title = title
                outline.save(update_fields=["title"])
                record(user, AuditAction.UPDATE, outline, before={"title": before}, after={"title": title},
                       request=http_request)
        version = OutlineVersion.objects.create(outline=outline, number=number, spec=spec, fingerprint=fingerprint,
                                                note=(note or "").strip()[:255], created_by=actor)
        record(user, AuditAction.CREATE, version, after=_version_snapshot(version),
               note=f"Đề cương phiên bản {number}", request=http_request)
    return version


def outline_yaml(version: OutlineVersion) -> str:
    """The version as YAML (what :func:`import_outline` reads back)."""
    return version.schema().to_yaml()


# --- requests -----------------------------------------------------------------------------------------

def units_of_kind(parent_unit: Any, kind: str, on: datetime.date | None = None) -> QuerySet[Any]:
    """Units of ``kind`` directly under ``parent_unit`` in force on ``on`` (today): e.g. every ward
    (``UnitKind.UBND_XA``) of a district."""
    from dieuhanh.orgs.models import Unit

    parent_id = getattr(parent_unit, "pk", parent_unit)
    return Unit.objects.in_force(on or timezone.localdate()).filter(parent_id=parent_id, kind=kind).order_by("name")


def _outline_version(value: Any) -> OutlineVersion:
    if isinstance(value, OutlineVersion):
        return value
    if isinstance(value, Outline):
        current = value.current
        if current is None:
            raise ValidationError(_("Đề cương “%(title)s” chưa có nội dung.") % {"title": value.title})
        return current
    try:
        return OutlineVersion.objects.select_related("outline").get(pk=int(value))
    except (TypeError, ValueError, OutlineVersion.DoesNotExist):
        raise ValidationError(_("Chưa chọn đề cương báo cáo.")) from None


def create_request(user: Any, *, title: str, outline_version: Any, units: Iterable[Any], period_kind: str,
                   period_start: datetime.date | None, period_end: datetime.date | None,
                   cutoff_on: datetime.date | None, due_on: datetime.date | None, recipient: str = "",
                   instructions: str = "", source_assignment: Assignment | None = None,
                   http_request: Any = None) -> ReportRequest:
    """Ask ``units`` for a report: one request, one task of the user's unit (“Báo cáo: …”)
    with one lead assignment per unit due ``due_on``, one submission per unit.

    With ``source_assignment`` (the user's unit's own assignment, e.g. “report to Sở Nội vụ
    before 01/05/2020”) the task is its sub-task and cites the same document. The same
    request posted twice within a minute (same unit, title, outline version and due date)
    returns the first one. Units outside the requesting unit's reach: PermissionDenied.
    """
    from dieuhanh.tasks import services as task_services

    _require(perms.can_request(user), _("Bạn không có quyền yêu cầu báo cáo."))
    if user.unit_id is None:
        raise ValidationError(_("Tài khoản chưa thuộc đơn vị nào; không yêu cầu báo cáo được."))
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Chưa nhập tên báo cáo."))
    version = _outline_version(outline_version)
    ids = task_services._unit_ids(units)
    if not ids:
        raise ValidationError(_("Chưa chọn đơn vị phải báo cáo."))
    task_services.check_reach(user.unit_id, ids)
    if period_kind not in PeriodKind.values:
        raise ValidationError(_("Kỳ báo cáo không hợp lệ."))
    if period_start is None or period_end is None:
        raise ValidationError(_("Phải nhập kỳ báo cáo: từ ngày, đến ngày."))
    if period_start > period_end:
        raise ValidationError(_("Ngày bắt đầu kỳ báo cáo (%(start)s) phải trước ngày kết thúc (%(end)s).")
                              % {"start": _date_text(period_start), "end": _date_text(period_end)})
    cutoff_on = cutoff_on or period_end
    if due_on is None:
        raise ValidationError(_("Phải nhập hạn gửi báo cáo."))
    if source_assignment is not None:
        scope = visible_unit_ids(user)
        if scope is not None and source_assignment.unit_id not in scope:
            raise ValidationError(_("Nhiệm vụ nguồn phải là nhiệm vụ giao cho đơn vị của bạn."))
        if source_assignment.due_on is not None and due_on > source_assignment.due_on:
            raise ValidationError(_("Hạn gửi báo cáo (%(due)s) phải sớm hơn hoặc bằng hạn của nhiệm vụ nguồn "
                                    "(%(source)s).") % {"due": _date_text(due_on),
                                                        "source": _date_text(source_assignment.due_on)})
    with transaction.atomic():
        from dieuhanh.orgs.models import Unit

        # The requesting unit's row is the lock: a double post waits, then finds the first request.
        Unit.objects.select_for_update().filter(pk=user.unit_id).first()
        duplicate = (ReportRequest.objects
                     .filter(requested_by_unit_id=user.unit_id, title=title[:500], outline_version=version,
                             due_on=due_on, created_at__gte=timezone.now() - DUPLICATE_WINDOW)
                     .order_by("-created_at", "-id").first())
        if duplicate is not None:
            return duplicate
        # Units in force when the report falls due (a request about the past names the units of then).
        task_services._check_units(ids, min(due_on, timezone.localdate()))
        document_id = source_assignment.task.document_id if source_assignment is not None else None
        task = task_services._new_task(
            user, user.unit_id, title=(_("Báo cáo: %(title)s") % {"title": title})[:500],
            description=instructions or "", document_id=document_id,
            parent=source_assignment, source_note="" if document_id else REQUEST_SOURCE_NOTE, request=http_request)
        request = ReportRequest.objects.create(
            title=title[:500], outline_version=version, requested_by_unit_id=user.unit_id,
            requested_by=user if user.is_authenticated else None, source_task=source_assignment, task=task,
            period_kind=period_kind, period_start=period_start, period_end=period_end, cutoff_on=cutoff_on,
            due_on=due_on, recipient=(recipient or "").strip()[:255], instructions=instructions or "")
        record(user, AuditAction.CREATE, request, after=snapshot(request), unit_id=user.unit_id, request=http_request)
        for assignment in task_services._fan_out(user, task, ids, [], due_on, request=http_request):
            submission = Submission.objects.create(request=request, unit_id=assignment.unit_id,
                                                   assignment=assignment)
            record(user, AuditAction.CREATE, submission, after=_submission_snapshot(submission), request=http_request)
        if source_assignment is not None and source_assignment.status == Status.ACKNOWLEDGED:
            source_assignment.start(user, request=http_request)
    return request


# --- submissions --------------------------------------------------------------------------------------

def _submission_snapshot(submission: Submission) -> dict[str, Any]:
    return snapshot(submission, ["request", "unit", "assignment", "status", "version", "first_submitted_at",
                                 "submitted_at", "accepted_at", "return_reason"])


def _lock(submission: Submission) -> Submission:
    # Only the submission row is locked (not the shared request row): wards send side by side.
    return (Submission.objects.select_for_update(of=("self",))
            .select_related("request", "request__outline_version").get(pk=submission.pk))


def _refuse_if_closed(sub: Submission) -> None:
    if sub.request.closed_at is not None:
        raise TransitionError(_("Yêu cầu báo cáo đã kết thúc; không sửa, nộp được nữa."))


def _refuse_if_sent(sub: Submission) -> None:
    if sub.status in LOCKED_STATUSES:
        raise TransitionError(_("Báo cáo đã nộp, không sửa được; chờ duyệt hoặc bị trả lại mới sửa được."))


def _locked_assignment(sub: Submission) -> Assignment | None:
    if sub.assignment_id is None:
        return None
    return Assignment.objects.select_for_update().get(pk=sub.assignment_id)


def _bring_to_work(user: Any, assignment: Assignment | None, http_request: Any = None) -> None:
    """NEW → ACKNOWLEDGED → IN_PROGRESS, so the task shows the report being written."""
    if assignment is None:
        return
    if assignment.status == Status.CANCELLED:
        raise TransitionError(_("Nhiệm vụ báo cáo đã bị hủy; không sửa, nộp được nữa."))
    if assignment.status == Status.NEW:
        assignment.acknowledge(user, request=http_request)
    if assignment.status == Status.ACKNOWLEDGED:
        assignment.start(user, request=http_request)


def _clean(sub: Submission, raw: Any, *, final: bool) -> tuple[dict[str, Any], list[Any]]:
    from dieuhanh.reports import outline as schema_module

    if not isinstance(raw, Mapping):  # never overwrite a saved draft with nothing
        raise ValidationError(_("Dữ liệu báo cáo không đúng định dạng."))
    schema = sub.request.outline_version.schema()
    data, problems = schema_module.clean_data(schema, raw)
    problems = list(problems)
    seen = {(p.path, p.message) for p in problems}
    for p in schema_module.validate(schema, data, final=final):
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            problems.append(p)
    return data, problems


def _store_draft(user: Any, sub: Submission, data: dict[str, Any], http_request: Any = None) -> None:
    before = {"status": sub.status}
    sub.data = data
    if sub.status == SubmissionStatus.NOT_STARTED:
        sub.status = SubmissionStatus.DRAFT
    sub.updated_by = user if user.is_authenticated else None
    sub.updated_at = timezone.now()
    sub.save(update_fields=["data", "status", "updated_by", "updated_at"])
    changed = before["status"] != sub.status
    record(user, AuditAction.STATE if changed else AuditAction.UPDATE, sub, before=before,
           after={"status": sub.status}, note="Lưu nháp báo cáo", request=http_request)
    _bring_to_work(user, _locked_assignment(sub), http_request)


def _sync(target: Submission, source: Submission) -> None:
    """Copy the saved state onto the caller's object."""
    for name in ("status", "data", "version", "first_submitted_at", "submitted_at", "accepted_at", "return_reason",
                 "updated_by_id", "updated_at"):
        setattr(target, name, getattr(source, name))
    target._state.fields_cache.pop("assignment", None)  # its status moved: read it again when asked


def save_draft(user: Any, submission: Submission, raw: Any, *, http_request: Any = None) -> list[Any]:
    """Keep what was typed (even with problems) and return the problems (not final rules).

    NOT_STARTED becomes DRAFT; RETURNED stays RETURNED until sent again. Refused once
    submitted or accepted.
    """
    _require(perms.can_edit_submission(user, submission), _("Chỉ đơn vị báo cáo mới sửa được báo cáo này."))
    with transaction.atomic():
        sub = _lock(submission)
        _refuse_if_closed(sub)
        _refuse_if_sent(sub)
        data, problems = _clean(sub, raw, final=False)
        _store_draft(user, sub, data, http_request)
    _sync(submission, sub)
    return problems


def submit(user: Any, submission: Submission, raw: Any = None, *, http_request: Any = None) -> list[Any]:
    """Send the report (``raw``, or what the draft holds). With problems, the data is kept as
    a draft and the problems returned; nothing else changes. Sent: ``[]``.

    Sending twice is refused (TransitionError): the row is locked and its status checked.
    """
    _require(perms.can_edit_submission(user, submission), _("Chỉ đơn vị báo cáo mới nộp được báo cáo này."))
    with transaction.atomic():
        sub = _lock(submission)
        _refuse_if_closed(sub)
        if sub.status in LOCKED_STATUSES:
            raise TransitionError(_("Báo cáo đã được nộp; không nộp lại khi chưa bị trả lại."))
        data, problems = _clean(sub, raw if raw is not None else sub.data, final=True)
        if problems:
            if raw is not None:
                _store_draft(user, sub, data, http_request)
        else:
            before = _submission_snapshot(sub)
            now = timezone.now()
            assignment = _locked_assignment(sub)
            _bring_to_work(user, assignment, http_request)
            sub.data = data
            sub.status = SubmissionStatus.SUBMITTED
            sub.version += 1
            sub.first_submitted_at = sub.first_submitted_at or now
            sub.submitted_at = now
            sub.updated_by = user if user.is_authenticated else None
            sub.updated_at = now
            sub.save(update_fields=["data", "status", "version", "first_submitted_at", "submitted_at", "updated_by",
                                    "updated_at"])
            SubmissionVersion.objects.create(submission=sub, number=sub.version, event=SubmissionStatus.SUBMITTED,
                                             data=data, by=sub.updated_by, at=now)
            record(user, AuditAction.STATE, sub, before=before, after=_submission_snapshot(sub),
                   note=f"Nộp báo cáo lần {sub.version}", request=http_request)
            if assignment is not None and assignment.status in Assignment.WORKABLE:
                assignment.submit_result(user, note=_("Đã nộp báo cáo (lần %(n)d).") % {"n": sub.version},
                                         request=http_request)
    _sync(submission, sub)
    return problems


def _decide_checks(user: Any, submission: Submission, verb: str) -> Submission:
    _require(perms.is_requester(user, submission.request),
             _("Chỉ đơn vị yêu cầu báo cáo mới %(verb)s được báo cáo.") % {"verb": verb})
    sub = _lock(submission)
    if sub.status != SubmissionStatus.SUBMITTED:
        raise TransitionError(_("Chỉ %(verb)s được báo cáo đang chờ duyệt (trạng thái hiện tại: «%(status)s»).")
                              % {"verb": verb, "status": sub.get_status_display()})
    return sub


def return_submission(user: Any, submission: Submission, comment: str, *, http_request: Any = None) -> Submission:
    """Send a submitted report back with a reason; the unit edits and sends it again."""
    comment = (comment or "").strip()
    _require(perms.is_requester(user, submission.request), _("Chỉ đơn vị yêu cầu báo cáo mới trả lại được báo cáo."))
    if not comment:
        raise ValidationError(_("Phải nêu lý do trả lại."))
    with transaction.atomic():
        sub = _decide_checks(user, submission, _("trả lại"))
        before = _submission_snapshot(sub)
        now = timezone.now()
        sub.status = SubmissionStatus.RETURNED
        sub.return_reason = comment
        sub.updated_by = user if user.is_authenticated else None
        sub.updated_at = now
        sub.save(update_fields=["status", "return_reason", "updated_by", "updated_at"])
        SubmissionVersion.objects.create(submission=sub, number=sub.version, event=SubmissionStatus.RETURNED,
                                         data=sub.data, comment=comment, by=sub.updated_by, at=now)
        record(user, AuditAction.STATE, sub, before=before, after=_submission_snapshot(sub), note="Trả lại báo cáo",
               request=http_request)
        assignment = _locked_assignment(sub)
        if assignment is not None and assignment.status == Status.SUBMITTED:
            assignment.return_(user, comment, request=http_request)
    _sync(submission, sub)
    return submission


def accept_submission(user: Any, submission: Submission, *, http_request: Any = None) -> Submission:
    """Accept a submitted report; its assignment is done on the day the report was **first** sent
    (one rule with ``timeliness``: the tasks dashboards score the unit by when it reported, not by
    when it was read nor by when it sent the corrections a return asked for)."""
    from dieuhanh.tasks.services import roll_up

    with transaction.atomic():
        sub = _decide_checks(user, submission, _("tiếp nhận"))
        before = _submission_snapshot(sub)
        now = timezone.now()
        sub.status = SubmissionStatus.ACCEPTED
        sub.accepted_at = now
        sub.return_reason = ""
        sub.updated_by = user if user.is_authenticated else None
        sub.updated_at = now
        sub.save(update_fields=["status", "accepted_at", "return_reason", "updated_by", "updated_at"])
        SubmissionVersion.objects.create(submission=sub, number=sub.version, event=SubmissionStatus.ACCEPTED,
                                         data=sub.data, by=sub.updated_by, at=now)
        record(user, AuditAction.STATE, sub, before=before, after=_submission_snapshot(sub),
               note="Tiếp nhận báo cáo", request=http_request)
        assignment = _locked_assignment(sub)
        if assignment is not None and assignment.status == Status.SUBMITTED:
            sent = sub.first_submitted_at or sub.submitted_at or now
            assignment.accept(user, on=timezone.localdate(sent), request=http_request)
            roll_up(assignment, actor=user, request=http_request)
    _sync(submission, sub)
    return submission


# --- attachments --------------------------------------------------------------------------------------

def _max_upload() -> int:
    from dieuhanh.tasks.services import MAX_UPLOAD

    return MAX_UPLOAD


def add_attachment(user: Any, submission: Submission, upload: Any, section_key: str = "", *,
                   http_request: Any = None) -> SubmissionAttachment:
    """Attach a file (to a section, or the whole report); same size limit as task files."""
    _require(perms.can_edit_submission(user, submission), _("Chỉ đơn vị báo cáo mới đính kèm tệp được."))
    if upload is None:
        raise ValidationError(_("Chưa chọn tệp đính kèm."))
    name = os.path.basename(str(getattr(upload, "name", "") or "")).strip()[:255] or "tep"
    size = getattr(upload, "size", None) or 0
    limit = _max_upload()
    if size > limit:
        raise ValidationError(_("Tệp %(name)s quá lớn (tối đa %(mb)d MB).") % {"name": name, "mb": limit // (1024 * 1024)})
    if not size:
        raise ValidationError(_("Tệp %(name)s rỗng, không có nội dung.") % {"name": name})
    section_key = (section_key or "").strip()
    with transaction.atomic():
        sub = _lock(submission)
        _refuse_if_closed(sub)
        _refuse_if_sent(sub)
        if section_key and not _has_section(sub, section_key):
            raise ValidationError(_("Đề cương không có mục “%(key)s”.") % {"key": section_key})
        attachment = SubmissionAttachment(submission=sub, section_key=section_key[:64], name=name, size=size,
                                          uploaded_by=user if user.is_authenticated else None)
        attachment.file.save(name, upload, save=False)
        attachment.save()
        record(user, AuditAction.CREATE, attachment, after=snapshot(attachment), unit_id=sub.unit_id,
               note="Đính kèm tệp báo cáo", request=http_request)
    return attachment


def _has_section(sub: Submission, key: str) -> bool:
    schema = sub.request.outline_version.schema()
    try:
        return schema.section(key) is not None
    except (KeyError, LookupError, ValueError):
        return False


def remove_attachment(user: Any, attachment: SubmissionAttachment, *, http_request: Any = None) -> None:
    """Remove a file from a report not yet sent (the audit row keeps its name)."""
    submission = attachment.submission
    _require(perms.can_edit_submission(user, submission), _("Chỉ đơn vị báo cáo mới xóa được tệp đính kèm."))
    with transaction.atomic():
        sub = _lock(submission)
        _refuse_if_sent(sub)
        before = snapshot(attachment)
        record(user, AuditAction.DELETE, attachment, before=before, unit_id=sub.unit_id, note="Xóa tệp báo cáo",
               request=http_request)
        stored = attachment.file.name
        attachment.delete()
        if stored:
            transaction.on_commit(lambda: attachment.file.storage.delete(stored))

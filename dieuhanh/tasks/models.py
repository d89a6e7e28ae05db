"""Tasks (what must be done, from which document) and assignments (who does it, by when).

One Task is one obligation; it fans out into one Assignment per unit (lead or
coordinating). A unit delegates by creating sub-tasks whose ``parent`` is its
assignment, so the chain city plan → district dispatch → ward officer is a tree.
Scoring uses ``original_due_on``; reminders use ``due_on`` (moved by extensions).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.tasks import tally


class Priority(models.TextChoices):
    NORMAL = "thuong", _("Thường")
    HIGH = "cao", _("Cao")
    URGENT = "khan", _("Khẩn")


class Task(models.Model):
    title = models.CharField(_("tên nhiệm vụ"), max_length=500)
    description = models.TextField(_("nội dung"), blank=True)
    document = models.ForeignKey("documents.Document", verbose_name=_("văn bản nguồn"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tasks")
    source_sentence = models.TextField(_("câu giao việc"), blank=True)
    source_span = models.JSONField(null=True, blank=True)
    source_note = models.CharField(_("nguồn giao (khi không có văn bản)"), max_length=255, blank=True)
    deadline_phrase = models.CharField(_("cụm từ thời hạn"), max_length=255, blank=True)
    deadline_kind = models.CharField(max_length=32, blank=True)
    assigned_by_unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị giao"), on_delete=models.PROTECT,
                                         related_name="tasks_assigned")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người giao"), null=True,
                                    on_delete=models.SET_NULL, related_name="tasks_assigned")
    parent = models.ForeignKey("Assignment", verbose_name=_("nhiệm vụ cấp trên"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="subtasks")
    priority = models.CharField(_("mức ưu tiên"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    issued_at = models.DateTimeField(_("ngày giao"), default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["-issued_at", "id"]

    def __str__(self) -> str:
        return self.title[:120]


class Role(models.TextChoices):
    LEAD = "chu_tri", _("Chủ trì")
    COORDINATE = "phoi_hop", _("Phối hợp")


class Status(models.TextChoices):
    NEW = "moi_giao", _("Mới giao")
    ACKNOWLEDGED = "da_tiep_nhan", _("Đã tiếp nhận")
    IN_PROGRESS = "dang_thuc_hien", _("Đang thực hiện")
    SUBMITTED = "cho_duyet", _("Chờ duyệt kết quả")
    DONE = "hoan_thanh", _("Hoàn thành")
    RETURNED = "tra_lai", _("Trả lại")
    CANCELLED = "huy", _("Hủy")


OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.SUBMITTED, Status.RETURNED)


class Bucket(models.TextChoices):
    """The four groups of the Government's task-tracking reports."""

    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    OPEN_IN_TERM = "open_in_term", _("Đang thực hiện trong hạn")
    OPEN_OVERDUE = "open_overdue", _("Quá hạn chưa hoàn thành")


class Assignment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị thực hiện"), on_delete=models.PROTECT,
                             related_name="assignments")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assignments")
    role = models.CharField(_("vai trò"), max_length=8, choices=Role.choices, default=Role.LEAD)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.NEW,
                              db_index=True)
    due_on = models.DateField(_("hạn xử lý"), null=True, blank=True, db_index=True)
    original_due_on = models.DateField(_("hạn ban đầu"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    acknowledged_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    result_note = models.TextField(_("kết quả"), blank=True)
    result_document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["unit", "status", "due_on"]),
            models.Index(fields=["status", "original_due_on"]),
            # Dashboards count per unit and per due month by bucket: both read the index only.
            models.Index(fields=["unit", "status", "original_due_on", "completed_on"], name="assignment_unit_score"),
            models.Index(fields=["original_due_on", "status", "completed_on", "unit"], name="assignment_due_score"),
            # Open work (a tenth of a province's rows) counted per unit by the dashboards, read from
            # the index alone; finished work comes from DoneTally. (Not a partial index: SQLite
            # cannot match its condition to a query whose status list is bound as parameters.)
            models.Index(fields=["status", "unit", "original_due_on"], name="assignment_status_unit"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "assignee"], name="unique_assignment",
                                    nulls_distinct=False),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.task}"

    # --- the finished-work tally (dieuhanh.tasks.tally) follows every save and delete ---

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[no-untyped-def]
        instance = super().from_db(db, field_names, values)
        instance._tally_state = tally.state_of(instance) if not instance.get_deferred_fields() else None
        return instance

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        update_fields = kwargs.get("update_fields")
        tracked = update_fields is None or bool({*tally.TRACKED_FIELDS, "unit"} & set(update_fields))
        before = getattr(self, "_tally_state", None)
        if tracked and before is None and self.pk is not None and not self._state.adding:
            before = tally.state_of(Assignment.objects.only(*tally.TRACKED_FIELDS).get(pk=self.pk))
        from django.db import transaction

        with transaction.atomic():
            super().save(*args, **kwargs)
            if tracked:
                after = tally.state_of(self)
                tally.move(tally.key_of(*before) if before else None, tally.key_of(*after))
                self._tally_state = after

    # --- single-row transitions (the service checks who may do them) -----------------
    # Each one refuses an illegal move with a Vietnamese message (TransitionError),
    # saves the changed fields and writes the audit row in one transaction (with the
    # caller's IP when given the web request or API call: ``request=``).

    ACKNOWLEDGEABLE = (Status.NEW,)
    WORKABLE = (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RETURNED)

    def _move(self, actor, allowed, refusal, changes: dict, note: str = "", request=None,  # type: ignore[no-untyped-def]
              event: str = "") -> None:
        from django.db import transaction

        from dieuhanh.accounts.audit import record
        from dieuhanh.tasks import events
        from dieuhanh.accounts.models import AuditAction

        if self.status not in allowed:
            raise TransitionError(refusal % {"status": self.get_status_display()})
        before = {"status": self.status, **{k: _plain(getattr(self, k)) for k in changes if k != "status"}}
        for name, value in changes.items():
            setattr(self, name, value)
        after = {"status": self.status, **{k: _plain(getattr(self, k)) for k in changes if k != "status"}}
        with transaction.atomic():
            self.save(update_fields=[*{*changes, "status", "updated_at"}])
            record(actor, AuditAction.STATE, self, before=before, after=after, note=note, unit_id=self.unit_id,
                   request=request)
            if event:  # those concerned are told in the same transaction
                events.assignment_moved(self, event, actor)

    def acknowledge(self, actor, request=None) -> None:  # type: ignore[no-untyped-def]
        self._move(actor, self.ACKNOWLEDGEABLE,
                   _("Không thể tiếp nhận nhiệm vụ đang ở trạng thái «%(status)s»."),
                   {"status": Status.ACKNOWLEDGED, "acknowledged_at": timezone.now()}, note="Tiếp nhận", event="task.acknowledged",
                   request=request)

    def start(self, actor, request=None) -> None:  # type: ignore[no-untyped-def]
        self._move(actor, (Status.ACKNOWLEDGED, Status.RETURNED),
                   _("Không thể bắt đầu thực hiện nhiệm vụ đang ở trạng thái «%(status)s»."),
                   {"status": Status.IN_PROGRESS}, note="Bắt đầu thực hiện", request=request)

    def set_progress(self, actor, percent: int, request=None) -> None:  # type: ignore[no-untyped-def]
        if not 0 <= int(percent) <= 100:
            raise TransitionError(_("Tiến độ phải từ 0 đến 100%."))
        self._move(actor, self.WORKABLE,
                   _("Không thể cập nhật tiến độ khi nhiệm vụ đang ở trạng thái «%(status)s»."),
                   {"status": Status.IN_PROGRESS, "progress": int(percent)}, note="Cập nhật tiến độ", request=request, event="task.progress")

    def submit_result(self, actor, note: str = "", document=None, request=None) -> None:  # type: ignore[no-untyped-def]
        self._move(actor, self.WORKABLE,
                   _("Không thể nộp kết quả khi nhiệm vụ đang ở trạng thái «%(status)s»."),
                   {"status": Status.SUBMITTED, "submitted_at": timezone.now(), "result_note": note,
                    "result_document": document, "return_reason": ""}, note="Nộp kết quả", request=request, event="task.submitted")

    def accept(self, actor, on=None, request=None) -> None:  # type: ignore[no-untyped-def]
        if on is None:
            on = timezone.localdate(self.submitted_at) if self.submitted_at else timezone.localdate()
        done = on
        self._move(actor, (Status.SUBMITTED,),
                   _("Chỉ nghiệm thu được kết quả đang chờ duyệt (trạng thái hiện tại: «%(status)s»)."),
                   {"status": Status.DONE, "completed_on": done, "progress": 100}, note="Nghiệm thu", request=request, event="task.accepted")

    def return_(self, actor, reason: str, request=None) -> None:  # type: ignore[no-untyped-def]
        if not (reason or "").strip():
            raise TransitionError(_("Phải nêu lý do trả lại."))
        self._move(actor, (Status.SUBMITTED,),
                   _("Chỉ trả lại được kết quả đang chờ duyệt (trạng thái hiện tại: «%(status)s»)."),
                   {"status": Status.RETURNED, "return_reason": reason.strip()}, note="Trả lại", request=request, event="task.returned")

    def cancel(self, actor, request=None) -> None:  # type: ignore[no-untyped-def]
        self._move(actor, OPEN_STATUSES,
                   _("Không thể hủy nhiệm vụ đang ở trạng thái «%(status)s»."),
                   {"status": Status.CANCELLED}, note="Hủy", request=request, event="task.cancelled")


class TransitionError(ValueError):
    """An illegal state change; the message is for the user (Vietnamese)."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


def _plain(value):  # type: ignore[no-untyped-def]
    from dieuhanh.accounts.audit import _jsonable

    if isinstance(value, models.Model):
        return value.pk
    return _jsonable(value)


class DoneTally(models.Model):
    """Finished assignments per unit and month of their original due date (see dieuhanh.tasks.tally)."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="unique_tally_unit_month")]
        indexes = [models.Index(fields=["month", "unit"])]


@receiver(post_delete, sender=Assignment)
def _untally(sender, instance, **kwargs):  # type: ignore[no-untyped-def]
    tally.move(tally.key_of(*tally.state_of(instance)), None)


class ProgressNote(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(_("nội dung"))
    attachment = models.FileField(upload_to="task-notes/%Y/", blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]


class ExtensionStatus(models.TextChoices):
    PENDING = "cho", _("Chờ duyệt")
    APPROVED = "dong_y", _("Đồng ý")
    REFUSED = "tu_choi", _("Từ chối")


class Extension(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("lý do"))
    proposed_due_on = models.DateField(_("hạn đề nghị"))
    previous_due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "id"]


class CalendarDay(models.Model):
    """An admin-set exception to the computed calendar: an extra day off or a make-up working day."""

    day = models.DateField(_("ngày"), unique=True)
    is_working_day = models.BooleanField(_("là ngày làm việc"))
    name = models.CharField(_("lý do"), max_length=150)

    class Meta:
        verbose_name = _("ngày điều chỉnh lịch làm việc")
        ordering = ["day"]


class NotificationKind(models.TextChoices):
    UNACKNOWLEDGED = "chua_tiep_nhan", _("Chưa tiếp nhận")
    BEFORE_DUE = "sap_den_han", _("Sắp đến hạn")
    DUE_TODAY = "den_han", _("Đến hạn hôm nay")
    OVERDUE = "qua_han", _("Quá hạn")
    ESCALATED = "bao_cao_vuot_cap", _("Quá hạn — báo lãnh đạo")
    EVENT = "su_kien", _("Cập nhật nhiệm vụ")


class Notification(models.Model):
    """One thing a user should be told. ``key`` makes each reminder happen once."""

    # The worker writes a province's reminders in one go (hundreds of thousands of rows on a
    # cold start): every index here is one the pages or the worker read, none twice (the user's
    # own index is the (user, read_at) one; the key's uniqueness is a constraint, which on
    # PostgreSQL spares the extra LIKE index a unique field would get).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             db_index=False)
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    key = models.CharField(max_length=120)
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest_day = models.DateField(null=True, blank=True)
    # What happened (an event name of dieuhanh.tasks.events, empty for the worker's reminders) and
    # where to look at it (documents, drafts and reports have no assignment to link to). Database
    # defaults: the worker's raw INSERTs leave both out.
    event = models.CharField(max_length=40, blank=True, default="", db_default="")
    link = models.CharField(max_length=300, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["emailed_at", "user"])]
        constraints = [models.UniqueConstraint(fields=["key"], name="unique_notification_key")]


class EmailMode(models.TextChoices):
    DIGEST = "hang_ngay", _("Một thư tổng hợp mỗi ngày")
    IMMEDIATE = "ngay", _("Gửi thư ngay khi có thông báo")
    OFF = "khong", _("Không gửi thư (chỉ xem trong hệ thống)")


class NotificationSetting(models.Model):
    """How a user wants to be e-mailed; no row means the daily digest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_setting", verbose_name=_("người dùng"))
    email_mode = models.CharField(_("nhận thư"), max_length=12, choices=EmailMode.choices, default=EmailMode.DIGEST)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("cài đặt thông báo")
        verbose_name_plural = _("cài đặt thông báo")


class WorkerCursor(models.Model):
    """Work claimed by a worker: a row per (job, day), taken with a conditional UPDATE."""

    job = models.CharField(max_length=64)
    day = models.DateField()
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="unique_job_day")]


class WorkerHeartbeat(models.Model):
    """One row per running ``dieuhanh worker``, touched every round: ``dieuhanh check`` reads it."""

    worker_id = models.CharField(max_length=100, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    rounds = models.PositiveIntegerField(default=0)
    interval = models.FloatField(default=60.0)


class FeedToken(models.Model):
    """The secret in a user's ICS calendar URL; revoking it makes a new one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

"""Report outlines, requests, submissions and the consolidated report.

An :class:`Outline` (đề cương) keeps every version it has had; a :class:`ReportRequest`
points at the version it was sent with, so editing an outline never changes what a
unit was asked for. A request makes one :class:`Submission` per unit, each tied to an
assignment of the request's task: reminders, overdue flags and the task dashboards come
from the tasks app, not from a second scheduler. Every submit, return and acceptance
keeps a :class:`SubmissionVersion` (the data as it was).

The outline itself (sections, tables, rules) is the pure-Python
:mod:`dieuhanh.reports.outline`; here it is stored as its canonical dict (``spec``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Utf8JSONEncoder(DjangoJSONEncoder):
    """JSON with Vietnamese as written, not ``\\uXXXX`` escapes: a consolidation of 10,000
    units' texts is ~30 MB instead of ~56 MB on the wire, and PostgreSQL parses half as much."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class Outline(models.Model):
    code = models.SlugField(_("mã đề cương"), max_length=100, unique=True)
    title = models.CharField(_("tên đề cương"), max_length=500)
    owner_unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị quản lý"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("đề cương báo cáo")
        verbose_name_plural = _("đề cương báo cáo")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> "OutlineVersion | None":
        return self.versions.order_by("-number").first()


class OutlineVersion(models.Model):
    outline = models.ForeignKey(Outline, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    spec = models.JSONField(_("nội dung đề cương"))
    fingerprint = models.CharField(max_length=64)
    note = models.CharField(_("ghi chú thay đổi"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["outline", "-number"]
        constraints = [models.UniqueConstraint(fields=["outline", "number"], name="unique_outline_version")]

    def __str__(self) -> str:
        return f"{self.outline.title} (v{self.number})"

    def schema(self):  # type: ignore[no-untyped-def]
        """The :class:`dieuhanh.reports.outline.Outline` this version stores (parsed once per instance)."""
        cached = getattr(self, "_schema", None)
        if cached is None:
            from dieuhanh.reports.outline import Outline as Schema

            cached = self._schema = Schema.from_dict(self.spec)
        return cached


class PeriodKind(models.TextChoices):
    MONTHLY = "thang", _("Tháng")
    QUARTERLY = "quy", _("Quý")
    SIX_MONTHS = "6thang", _("6 tháng")
    NINE_MONTHS = "9thang", _("9 tháng")
    ANNUAL = "nam", _("Năm")
    CUSTOM = "khac", _("Tùy chọn")


class ReportRequest(models.Model):
    title = models.CharField(_("tên báo cáo"), max_length=500)
    outline_version = models.ForeignKey(OutlineVersion, verbose_name=_("đề cương"), on_delete=models.PROTECT,
                                        related_name="requests")
    requested_by_unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị yêu cầu"), on_delete=models.PROTECT,
                                          related_name="report_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    source_task = models.ForeignKey("tasks.Assignment", verbose_name=_("từ nhiệm vụ"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="report_requests")
    task = models.OneToOneField("tasks.Task", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="report_request")
    period_kind = models.CharField(_("kỳ báo cáo"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    cutoff_on = models.DateField(_("ngày chốt số liệu"))
    due_on = models.DateField(_("hạn gửi báo cáo"))
    recipient = models.CharField(_("nơi nhận báo cáo tổng hợp"), max_length=255, blank=True)
    instructions = models.TextField(_("hướng dẫn"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu báo cáo")
        verbose_name_plural = _("yêu cầu báo cáo")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SubmissionStatus(models.TextChoices):
    NOT_STARTED = "chua_lam", _("Chưa thực hiện")
    DRAFT = "nhap", _("Đang soạn")
    SUBMITTED = "da_nop", _("Đã nộp, chờ duyệt")
    RETURNED = "tra_lai", _("Bị trả lại")
    # "Accepted" (a report), not the tasks' "Acknowledged" (an assignment): same Vietnamese, own entry.
    ACCEPTED = "da_duyet", pgettext_lazy("báo cáo", "Đã tiếp nhận")


class Submission(models.Model):
    request = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="submissions")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị báo cáo"), on_delete=models.PROTECT,
                             related_name="report_submissions")
    assignment = models.OneToOneField("tasks.Assignment", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="report_submission")
    status = models.CharField(_("trạng thái"), max_length=10, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.NOT_STARTED, db_index=True)
    data = models.JSONField(_("nội dung"), default=dict, blank=True, encoder=Utf8JSONEncoder)
    version = models.PositiveIntegerField(_("lần nộp"), default=0)
    first_submitted_at = models.DateTimeField(_("nộp lần đầu"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("báo cáo của đơn vị")
        verbose_name_plural = _("báo cáo của đơn vị")
        ordering = ["request", "unit__name", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "unit"], name="unique_submission_unit")]
        indexes = [models.Index(fields=["request", "status"])]

    def __str__(self) -> str:
        return f"{self.unit} — {self.request}"


class SubmissionVersion(models.Model):
    """The data as it was at each submit, return or acceptance: nothing a unit sent is lost."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("lần nộp"))
    event = models.CharField(max_length=10, choices=SubmissionStatus.choices)
    data = models.JSONField(default=dict, encoder=Utf8JSONEncoder)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "at", "id"]


class SubmissionAttachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    section_key = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="report-files/%Y/")
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]


class Consolidation(models.Model):
    """The upper report being prepared: aggregated tables plus the specialist's edited text.

    ``figures`` is :func:`dieuhanh.reports.outline.aggregate` of the accepted submissions at
    ``built_at``; ``texts`` maps section keys to the narrative the specialist edits (first
    filled with each unit's text, attributed). Issuing it creates the outgoing document.
    """

    request = models.OneToOneField(ReportRequest, on_delete=models.CASCADE, related_name="consolidation")
    figures = models.JSONField(default=dict, encoder=Utf8JSONEncoder)
    texts = models.JSONField(default=dict, encoder=Utf8JSONEncoder)
    units_included = models.JSONField(default=list)
    built_at = models.DateTimeField(default=timezone.now)
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.TextField(_("trích yếu"), blank=True)
    signer_authority = models.CharField(_("quyền hạn ký"), max_length=150, blank=True)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True)
    distribution = models.JSONField(_("nơi nhận"), default=list, blank=True)
    document = models.OneToOneField("documents.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="consolidated_report")
    updated_at = models.DateTimeField(auto_now=True)

"""Evaluation of units (chỉ số CCHC), their ranking, and the commendation that follows.

- A :class:`CriteriaSet` keeps every :class:`CriteriaVersion` it has had (the tree as the
  canonical dict of :mod:`dieuhanh.evaluation.criteria`); a round points at the versions it
  was opened with, so editing a set never changes a round already under way.
- A :class:`Round` (đợt đánh giá) for a year has one :class:`Participant` per unit and one
  :class:`Score` per participant and tiêu chí thành phần. ``Score.points`` is the value that
  counts (final appraisal, else first appraisal, else the survey, the computed or the
  self-assessed value), kept up to date by :meth:`Score.settle`, so the ranking is one
  aggregate query. ``Participant.total``/``index`` are refreshed from the scores after
  every change (:func:`dieuhanh.evaluation.services.refresh_participant`).
- Every appraisal change is an :class:`Adjustment` row (the unit sees it and explains) and
  an audit row.
- A :class:`Campaign` (đợt khen thưởng) proposes :class:`Nominee` rows from the ranking and
  the tracked work; the council's vote is recorded on the campaign.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitGroup(models.TextChoices):
    PHONG = "phong", _("Cơ quan chuyên môn")
    PHUONG = "phuong", _("Phường, xã")
    QUAN = "quan", _("Quận, huyện")


class CriteriaSet(models.Model):
    code = models.SlugField(_("mã bộ tiêu chí"), max_length=100, unique=True)
    title = models.CharField(_("tên bộ tiêu chí"), max_length=500)
    unit_group = models.CharField(_("nhóm đơn vị"), max_length=8, choices=UnitGroup.choices)
    valid_from = models.DateField(_("áp dụng từ"), null=True, blank=True)
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    owner_unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bộ tiêu chí")
        ordering = ["unit_group", "-valid_from", "code"]

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> "CriteriaVersion | None":
        return self.versions.order_by("-number").first()


class CriteriaVersion(models.Model):
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    spec = models.JSONField(_("nội dung"))
    fingerprint = models.CharField(max_length=64)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=8, decimal_places=2)
    note = models.CharField(_("ghi chú thay đổi"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["criteria_set", "-number"]
        constraints = [models.UniqueConstraint(fields=["criteria_set", "number"], name="unique_criteria_version")]

    def __str__(self) -> str:
        return f"{self.criteria_set.title} (v{self.number})"

    def tree(self):  # type: ignore[no-untyped-def]
        """The :class:`dieuhanh.evaluation.criteria.CriteriaSet` of this version (parsed once)."""
        cached = getattr(self, "_tree", None)
        if cached is None:
            from dieuhanh.evaluation.criteria import CriteriaSet as Tree

            cached = self._tree = Tree.from_dict(self.spec)
        return cached


class Stage(models.TextChoices):
    SELF = "tu_danh_gia", _("Tự đánh giá")
    APPRAISAL = "tham_dinh", _("Thẩm định lần 1")
    EXPLANATION = "giai_trinh", _("Giải trình")
    SECOND = "tham_dinh_lai", _("Thẩm định lần 2")
    PUBLISHED = "cong_bo", _("Đã công bố kết quả")


STAGE_ORDER = [Stage.SELF, Stage.APPRAISAL, Stage.EXPLANATION, Stage.SECOND, Stage.PUBLISHED]

DEFAULT_BANDS = [  # cchc-data.yaml par_index.ranking_bands.configurable_default (low confidence)
    {"name": "Xuất sắc", "min_pct": 90},
    {"name": "Tốt", "min_pct": 80},
    {"name": "Khá", "min_pct": 70},
    {"name": "Trung bình", "min_pct": 50},
    {"name": "Yếu", "min_pct": 0},
]


def default_bands() -> list[dict]:
    return [dict(b) for b in DEFAULT_BANDS]


class Round(models.Model):
    title = models.CharField(_("tên đợt đánh giá"), max_length=300)
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    organiser_unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT,
                                       related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    stage = models.CharField(_("giai đoạn"), max_length=16, choices=Stage.choices, default=Stage.SELF)
    self_deadline = models.DateField(_("hạn tự đánh giá"))
    explain_deadline = models.DateField(_("hạn giải trình"))
    cutoff_on = models.DateField(_("ngày chốt số liệu"))
    bands = models.JSONField(_("mức xếp loại"), default=default_bands)
    flag_bottom = models.PositiveSmallIntegerField(_("số đơn vị cuối bảng cần lưu ý"), default=1)
    plan_documents = models.ManyToManyField("documents.Document", verbose_name=_("kế hoạch CCHC"), blank=True,
                                            related_name="+")
    council = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("hội đồng thẩm định"), blank=True,
                                     related_name="evaluation_councils")
    # group → area code → average % of the group, written with the totals (services.score_round)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đợt đánh giá")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def published(self) -> bool:
        return self.stage == Stage.PUBLISHED

    def next_stage(self) -> str | None:
        i = STAGE_ORDER.index(Stage(self.stage))
        return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) else None


class Participant(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participants")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("nhóm"), max_length=8, choices=UnitGroup.choices)
    version = models.ForeignKey(CriteriaVersion, on_delete=models.PROTECT, related_name="participants")
    total = models.DecimalField(_("tổng điểm"), max_digits=9, decimal_places=2, default=Decimal(0))
    self_total = models.DecimalField(_("điểm tự đánh giá"), max_digits=9, decimal_places=2, default=Decimal(0))
    index = models.DecimalField(_("chỉ số (%)"), max_digits=6, decimal_places=2, default=Decimal(0), db_index=True)
    area_points = models.JSONField(default=dict, blank=True)  # area code → points (for the charts)
    self_submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đơn vị được đánh giá")
        ordering = ["round", "group", "-index", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="unique_round_unit")]
        indexes = [models.Index(fields=["round", "group", "index"])]

    def __str__(self) -> str:
        return f"{self.unit} — {self.round}"


class Score(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="scores")
    item = models.CharField(_("tiêu chí thành phần"), max_length=32)
    area = models.CharField(max_length=32)
    method = models.CharField(max_length=8, default="manual")
    max_points = models.DecimalField(max_digits=7, decimal_places=2)
    computed = models.DecimalField(_("điểm tính từ dữ liệu"), max_digits=7, decimal_places=2, null=True, blank=True)
    computed_detail = models.JSONField(default=dict, blank=True)
    self_points = models.DecimalField(_("điểm tự đánh giá"), max_digits=7, decimal_places=2, null=True, blank=True)
    self_note = models.TextField(_("thuyết minh"), blank=True)
    survey = models.DecimalField(_("điểm điều tra xã hội học"), max_digits=7, decimal_places=2, null=True, blank=True)
    appraised = models.DecimalField(_("điểm thẩm định lần 1"), max_digits=7, decimal_places=2, null=True, blank=True)
    explanation = models.TextField(_("giải trình"), blank=True)
    final = models.DecimalField(_("điểm thẩm định lần 2"), max_digits=7, decimal_places=2, null=True, blank=True)
    points = models.DecimalField(_("điểm"), max_digits=7, decimal_places=2, default=Decimal(0))

    class Meta:
        ordering = ["participant", "id"]
        constraints = [models.UniqueConstraint(fields=["participant", "item"], name="unique_participant_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.points}"

    @property
    def first_value(self) -> Decimal | None:
        """What the unit brings to the council: survey, computed or self-assessed points."""
        if self.method == "survey":
            return self.survey
        if self.method == "computed" and self.computed is not None:
            return self.computed
        return self.self_points  # manual, or computed with nothing to count: the unit scores it

    def settle(self) -> None:
        """``points``: the last word on this item (second appraisal, first appraisal, the unit's)."""
        for value in (self.final, self.appraised, self.first_value):
            if value is not None:
                self.points = value
                return
        self.points = Decimal(0)


class Adjustment(models.Model):
    """One change of the appraisal council, with its reason (required)."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="adjustments")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    before = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    after = models.DecimalField(max_digits=7, decimal_places=2)
    reason = models.TextField(_("lý do"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class EvidenceKind(models.TextChoices):
    FILE = "tep", _("Tệp đính kèm")
    DOCUMENT = "van_ban", _("Văn bản")
    TASK = "nhiem_vu", _("Nhiệm vụ")
    REPORT = "bao_cao", _("Báo cáo")


class Evidence(models.Model):
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    file = models.FileField(upload_to="evaluation/%Y/", blank=True)
    name = models.CharField(_("tên"), max_length=255, blank=True)
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    assignment = models.ForeignKey("tasks.Assignment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    submission = models.ForeignKey("reports.Submission", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """Đợt khen thưởng theo đợt, chuyên đề, fed by a round's ranking."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="campaigns")
    title = models.CharField(_("tên đợt khen thưởng"), max_length=300)
    decided_on = models.DateField(_("ngày dự kiến quyết định"))
    min_index = models.DecimalField(_("chỉ số tối thiểu (%)"), max_digits=5, decimal_places=2, default=Decimal(80))
    min_on_time = models.DecimalField(_("tỷ lệ đúng hạn tối thiểu (%)"), max_digits=5, decimal_places=2,
                                      default=Decimal(80))
    quota_collectives = models.PositiveSmallIntegerField(_("số tập thể tối đa"), default=5)
    quota_individuals = models.PositiveSmallIntegerField(_("số cá nhân tối đa"), default=5)
    minutes = models.TextField(_("biên bản họp Hội đồng"), blank=True)
    votes_for = models.PositiveSmallIntegerField(_("số phiếu tán thành"), null=True, blank=True)
    votes_total = models.PositiveSmallIntegerField(_("số thành viên dự họp"), null=True, blank=True)
    voted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("đợt khen thưởng")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NomineeKind(models.TextChoices):
    COLLECTIVE = "tap_the", _("Tập thể")
    INDIVIDUAL = "ca_nhan", _("Cá nhân")


class Nominee(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="nominees")
    kind = models.CharField(_("loại"), max_length=8, choices=NomineeKind.choices)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    name = models.CharField(_("tên"), max_length=255)
    position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    reasons = models.JSONField(_("lý do đề nghị"), default=list)
    proposed = models.BooleanField(_("do thủ trưởng đơn vị đề nghị"), default=False)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved = models.BooleanField(_("được Hội đồng thống nhất"), default=False)

    class Meta:
        ordering = ["kind", "-approved", "id"]

    def __str__(self) -> str:
        return self.name

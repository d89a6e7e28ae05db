"""Drafts (dự thảo) of outgoing documents, their versions, review chains and render jobs.

A draft is written by a specialist of a unit (Phòng Nội vụ), goes through the review
chain of that unit (trưởng phòng → lãnh đạo UBND; :class:`ReviewChain`), is signed by
the last reviewer, rendered to PDF by the worker (:class:`RenderJob`) and issued by the
issuing body's văn thư into its outgoing register (``documents.Document``).

The single-row state changes are methods of :class:`Draft`; they check who may act and
raise :class:`~django.core.exceptions.ValidationError` /
:class:`~django.core.exceptions.PermissionDenied` with a Vietnamese message. The
services (``drafts.services``) lock the row, call them and write the audit row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DraftType(models.TextChoices):
    """The types a draft can be created from (Decree 30, Phụ lục III templates)."""

    CONG_VAN = "Công văn", _("Công văn")
    KE_HOACH = "Kế hoạch", _("Kế hoạch")
    BAO_CAO = "Báo cáo", _("Báo cáo")
    QUYET_DINH = "Quyết định", _("Quyết định")
    THONG_BAO = "Thông báo", _("Thông báo")
    TO_TRINH = "Tờ trình", _("Tờ trình")
    GIAY_MOI = "Giấy mời", _("Giấy mời")


class State(models.TextChoices):
    DRAFTING = "soan_thao", _("Đang soạn thảo")
    IN_REVIEW = "cho_duyet", _("Đang trình duyệt")
    RETURNED = "tra_lai", _("Bị trả lại")
    SIGNED = "da_ky", _("Đã ký, chờ cấp số")
    ISSUED = "da_phat_hanh", _("Đã phát hành")


class PdfState(models.TextChoices):
    NONE = "", _("Chưa tạo")
    PENDING = "cho", _("Đang tạo PDF")
    DONE = "xong", _("Đã tạo PDF")
    FAILED = "loi", _("Lỗi tạo PDF")


class ReviewChain(models.Model):
    """The review chain of a drafting unit: who reviews its drafts, in order; the last one signs."""

    unit = models.OneToOneField("orgs.Unit", verbose_name=_("đơn vị soạn thảo"), on_delete=models.CASCADE,
                                related_name="review_chain")
    issuer_unit = models.ForeignKey("orgs.Unit", verbose_name=_("cơ quan ban hành"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quy trình duyệt dự thảo")
        verbose_name_plural = _("quy trình duyệt dự thảo")

    def __str__(self) -> str:
        return str(self.unit)


class ReviewStep(models.Model):
    chain = models.ForeignKey(ReviewChain, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    label = models.CharField(_("bước"), max_length=100)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người duyệt"), on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        verbose_name = _("bước duyệt")
        verbose_name_plural = _("bước duyệt")
        ordering = ["chain", "order"]
        constraints = [models.UniqueConstraint(fields=["chain", "order"], name="drafts_unique_step_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.label}"


class Draft(models.Model):
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị soạn thảo"), on_delete=models.PROTECT,
                             related_name="drafts")
    issuer_unit = models.ForeignKey("orgs.Unit", verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT,
                                    related_name="+")
    doc_type = models.CharField(_("loại văn bản"), max_length=32, choices=DraftType.choices)
    symbol = models.CharField(_("ký hiệu"), max_length=64)
    subject = models.TextField(_("trích yếu"))
    recipients = models.JSONField(_("kính gửi"), default=list, blank=True)
    distribution = models.JSONField(_("nơi nhận"), default=list, blank=True)
    urgency = models.CharField(_("độ khẩn"), max_length=32, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    state = models.CharField(_("trạng thái"), max_length=16, choices=State.choices, default=State.DRAFTING,
                             db_index=True)
    # The chain as it was when the draft was submitted: [{"user": id, "label": "Trưởng phòng"}, ...].
    route = models.JSONField(default=list, blank=True)
    step = models.PositiveSmallIntegerField(default=0)  # index into route while in review
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người soạn thảo"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Signing: the signer's block copied from their account, never typed.
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    signer_authority = models.CharField(_("quyền hạn ký"), max_length=150, blank=True)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("ngày ký"), null=True, blank=True)
    pdf_state = models.CharField(max_length=8, choices=PdfState.choices, default=PdfState.NONE, blank=True)
    pdf = models.FileField(upload_to="drafts/", max_length=255, blank=True)
    pdf_signed = models.BooleanField(_("PDF đã ký số"), default=False)
    pdf_note = models.CharField(max_length=255, blank=True)
    document = models.OneToOneField("documents.Document", verbose_name=_("văn bản đã phát hành"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="draft")
    consolidation = models.OneToOneField("reports.Consolidation", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="draft")

    class Meta:
        verbose_name = _("dự thảo")
        verbose_name_plural = _("dự thảo")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.doc_type}: {self.subject[:80]}"

    # --- who ---------------------------------------------------------------------------

    def reviewer_ids(self) -> list[int]:
        return [int(s["user"]) for s in self.route or []]

    @property
    def current_reviewer_id(self) -> int | None:
        if self.state != State.IN_REVIEW or self.step >= len(self.route or []):
            return None
        return int(self.route[self.step]["user"])

    @property
    def at_last_step(self) -> bool:
        return self.state == State.IN_REVIEW and self.step == len(self.route or []) - 1

    def is_drafter(self, user: Any) -> bool:
        return getattr(user, "pk", None) == self.created_by_id

    def can_edit(self, user: Any) -> bool:
        """The drafter while drafting or returned; the reviewer whose turn it is ("sửa trực tiếp")."""
        if self.state in (State.DRAFTING, State.RETURNED):
            return self.is_drafter(user)
        return self.state == State.IN_REVIEW and getattr(user, "pk", None) == self.current_reviewer_id

    # --- transitions ---------------------------------------------------------------------

    def submit(self, user: Any, route: list[dict[str, Any]]) -> None:
        """Trình duyệt: the drafter sends the draft to the first reviewer of ``route``."""
        if not self.is_drafter(user):
            raise PermissionDenied(gettext("Chỉ người soạn thảo mới trình duyệt được dự thảo này."))
        if self.state not in (State.DRAFTING, State.RETURNED):
            raise ValidationError(gettext("Dự thảo đang ở trạng thái “%(state)s”, không trình duyệt được.")
                                  % {"state": self.get_state_display()})
        if not route:
            raise ValidationError(gettext("Đơn vị chưa có quy trình duyệt dự thảo; hãy nhờ lãnh đạo đơn vị "
                                          "thiết lập quy trình duyệt."))
        self.route, self.step, self.state = route, 0, State.IN_REVIEW

    def _check_turn(self, user: Any) -> None:
        uid = getattr(user, "pk", None)
        if self.state == State.RETURNED:
            raise ValidationError(gettext("Dự thảo đã bị trả lại cho người soạn thảo; không duyệt được nữa "
                                          "cho đến khi được trình lại."))
        if self.state in (State.SIGNED, State.ISSUED):
            raise ValidationError(gettext("Dự thảo đã được ký; không duyệt được nữa."))
        if self.state != State.IN_REVIEW:
            raise ValidationError(gettext("Dự thảo chưa được trình duyệt."))
        if uid not in self.reviewer_ids():
            raise PermissionDenied(gettext("Bạn không thuộc quy trình duyệt của dự thảo này."))
        if uid in self.reviewer_ids()[:self.step] and uid != self.current_reviewer_id:
            raise ValidationError(gettext("Bạn đã duyệt dự thảo này rồi; dự thảo đang chờ %(who)s.")
                                  % {"who": self.route[self.step].get("name") or self.route[self.step]["label"]})
        if uid != self.current_reviewer_id:
            raise ValidationError(gettext("Chưa đến lượt bạn duyệt; dự thảo đang chờ %(who)s.")
                                  % {"who": self.route[self.step].get("name") or self.route[self.step]["label"]})

    def approve(self, user: Any) -> None:
        """Đồng ý: the current reviewer passes the draft to the next one (the last one signs instead)."""
        self._check_turn(user)
        if self.at_last_step:
            raise ValidationError(gettext("Bạn là người ký dự thảo này: hãy dùng “Ký duyệt”."))
        self.step += 1

    def send_back(self, user: Any, comment: str) -> None:
        """Trả lại: the current reviewer returns the draft to the drafter with a comment."""
        self._check_turn(user)
        if not (comment or "").strip():
            raise ValidationError({"comment": gettext("Hãy ghi ý kiến khi trả lại dự thảo.")})
        self.state, self.step = State.RETURNED, 0

    def sign(self, user: Any, block: tuple[str, str, str]) -> None:
        """Ký duyệt: the last reviewer signs; ``block`` = (authority, position, name) from the account."""
        self._check_turn(user)
        if not self.at_last_step:
            raise ValidationError(gettext("Chỉ người duyệt cuối cùng trong quy trình mới ký được dự thảo."))
        self.signer_authority, self.signer_position, self.signer_name = block
        self.signer = user
        self.signed_at = timezone.now()
        self.state = State.SIGNED
        self.pdf_state, self.pdf_signed, self.pdf_note = PdfState.PENDING, False, ""

    def mark_issued(self, document: Any) -> None:
        if self.state == State.ISSUED:
            raise ValidationError(gettext("Dự thảo đã được phát hành với số %(number)s.")
                                  % {"number": self.document.number_symbol if self.document else ""})
        if self.state != State.SIGNED:
            raise ValidationError(gettext("Chỉ phát hành được dự thảo đã được ký."))
        self.document, self.state = document, State.ISSUED


class DraftVersion(models.Model):
    """One saved state of a draft's text (each save, upload, reviewer's edit or restore)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    subject = models.TextField(blank=True)
    body = models.TextField(blank=True)
    recipients = models.JSONField(default=list, blank=True)
    distribution = models.JSONField(default=list, blank=True)
    source = models.FileField(upload_to="drafts/sources/", max_length=255, blank=True)
    source_name = models.CharField(max_length=255, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("phiên bản dự thảo")
        ordering = ["draft", "-number"]
        constraints = [models.UniqueConstraint(fields=["draft", "number"], name="drafts_unique_version")]

    def __str__(self) -> str:
        return f"v{self.number}"


class EventKind(models.TextChoices):
    CREATED = "tao", _("Tạo dự thảo")
    SAVED = "luu", _("Lưu phiên bản")
    SUBMITTED = "trinh", _("Trình duyệt")
    APPROVED = "dong_y", _("Đồng ý")
    RETURNED = "tra_lai", _("Trả lại")
    EDITED = "sua", _("Người duyệt sửa")
    SIGNED = "ky", _("Ký duyệt")
    RESTORED = "khoi_phuc", _("Khôi phục phiên bản")
    ISSUED = "phat_hanh", _("Cấp số và phát hành")


class DraftEvent(models.Model):
    """The timeline shown on the draft page (the audit log keeps the same steps)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class JobState(models.TextChoices):
    PENDING = "cho", _("Chờ")
    RUNNING = "dang_chay", _("Đang chạy")
    DONE = "xong", _("Xong")
    FAILED = "loi", _("Lỗi")


class RenderJob(models.Model):
    """Render a draft to PDF in the worker: "ky" after signing (no number yet), "phat_hanh" after
    issuing (with the number, attached to the issued document). Claimed with a conditional UPDATE."""

    KIND_SIGNED, KIND_ISSUED = "ky", "phat_hanh"

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=16, default=KIND_SIGNED)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.PENDING, db_index=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

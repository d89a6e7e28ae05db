"""Registers (sổ văn bản đến / đi / dự thảo), documents, attachments and citations.

Numbers in a register run per calendar year with no gap and no duplicate
(Decree 30, Điều 15 and 22): they are drawn from :class:`RegisterCounter` under a
row lock (see ``services.next_number``).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dieuhanh.lib.vntext import clean, fold

_NO_SPACE = re.compile(r"\s+")


def number_symbol_key(number_symbol: str | None) -> str:
    """Matching key of a "số, ký hiệu": no spaces, no diacritics, upper-case.

    "29/KH- UBND", "29/KH-UBND" and "29/kh-ubnd" share the key "29/KH-UBND";
    "SGDĐT" and "SGDDT" share "SGDDT".
    """
    if not number_symbol:
        return ""
    return _NO_SPACE.sub("", fold(clean(number_symbol))).upper()[:100]


class Direction(models.TextChoices):
    INCOMING = "den", _("Văn bản đến")
    OUTGOING = "di", _("Văn bản đi")
    DRAFT = "du_thao", _("Dự thảo nội bộ")


class Register(models.Model):
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="registers")
    direction = models.CharField(_("loại sổ"), max_length=8, choices=Direction.choices)
    name = models.CharField(_("tên sổ"), max_length=150)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("sổ văn bản")
        verbose_name_plural = _("sổ văn bản")
        ordering = ["unit__name", "direction", "name"]

    def __str__(self) -> str:
        return f"{self.name} — {self.unit}"


class RegisterCounter(models.Model):
    """The last number drawn in a register for a year; locked while drawing the next."""

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="counters")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["register", "year"], name="unique_counter_year")]


# --- Decree 30 marks (Phụ lục I, mục II.10) ------------------------------------------------

class Urgency(models.TextChoices):
    """Mức độ khẩn, stored as printed on the document."""

    NORMAL = "", _("Thường")
    KHAN = "KHẨN", _("Khẩn")
    THUONG_KHAN = "THƯỢNG KHẨN", _("Thượng khẩn")
    HOA_TOC = "HỎA TỐC", _("Hỏa tốc")


class Secrecy(models.TextChoices):
    """Độ mật, stored as printed on the stamp."""

    NONE = "", _("Không mật")
    MAT = "MẬT", _("Mật")
    TOI_MAT = "TỐI MẬT", _("Tối mật")
    TUYET_MAT = "TUYỆT MẬT", _("Tuyệt mật")


def normalize_mark(value: str | None, choices: type[models.TextChoices]) -> str:
    """The Decree's value for an urgency or secrecy mark as printed or typed ("Khẩn", "hoả tốc",
    the legacy "HỎA TỐC HẸN GIỜ" → "HỎA TỐC"); "" when it names none."""
    wanted = " ".join(fold(clean(value or "")).upper().split())
    if not wanted:
        return ""
    known = sorted((c for c in choices.values if c), key=len, reverse=True)
    for choice in known:
        if wanted == fold(choice).upper():
            return choice
    for choice in known:
        if wanted.startswith(fold(choice).upper()):
            return choice
    return ""


class Document(models.Model):
    register = models.ForeignKey(Register, verbose_name=_("sổ"), on_delete=models.PROTECT, related_name="documents")
    direction = models.CharField(_("loại"), max_length=8, choices=Direction.choices)
    owner_unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị quản lý"), on_delete=models.PROTECT,
                                   related_name="documents")
    shared_with = models.ManyToManyField("orgs.Unit", verbose_name=_("chia sẻ với"), blank=True, related_name="+")
    # Decree 30 header (as printed), filled from vanban and corrected by the clerk.
    doc_type = models.CharField(_("loại văn bản"), max_length=64)
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    symbol = models.CharField(_("ký hiệu"), max_length=64, blank=True)
    number_symbol = models.CharField(_("số, ký hiệu"), max_length=100, blank=True, db_index=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    issuer_parent = models.CharField(_("cơ quan chủ quản"), max_length=255, blank=True)
    issuer_unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    place = models.CharField(_("địa danh"), max_length=100, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True, db_index=True)
    subject = models.TextField(_("trích yếu"), blank=True)
    recipients = models.JSONField(_("kính gửi"), default=list, blank=True)
    distribution = models.JSONField(_("nơi nhận"), default=list, blank=True)
    signer_authority = models.CharField(_("quyền hạn ký"), max_length=150, blank=True)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True)
    urgency = models.CharField(_("độ khẩn"), max_length=32, blank=True, choices=Urgency.choices)
    secrecy = models.CharField(_("độ mật"), max_length=16, blank=True, choices=Secrecy.choices)
    body = models.TextField(_("nội dung"), blank=True)
    parsed = models.JSONField(_("kết quả phân tích"), default=dict, blank=True)
    # Register entries.
    reg_year = models.PositiveSmallIntegerField(_("năm sổ"), db_index=True)
    reg_number = models.PositiveIntegerField(_("số đến / số đi"), null=True, blank=True)
    arrived_on = models.DateField(_("ngày đến"), null=True, blank=True)
    sender = models.CharField(_("nơi gửi"), max_length=255, blank=True)
    due_on = models.DateField(_("hạn giải quyết"), null=True, blank=True)
    checksum = models.CharField(max_length=64, blank=True, db_index=True)
    # Sổ đăng ký văn bản đi (Phụ lục IV): số lượng bản, bản lưu, ghi chú; voiding keeps the entry.
    copies = models.PositiveSmallIntegerField(_("số lượng bản"), null=True, blank=True)
    register_note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    voided_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    void_reason = models.CharField(_("lý do hủy"), max_length=500, blank=True)
    # Derived on save: the matching key of number_symbol and the folded search text.
    ns_key = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    # Idempotency key of the intake form (or an API request): one document per key.
    intake_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        ordering = ["-reg_year", "-reg_number", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["register", "reg_year", "reg_number"], name="unique_register_number",
                                    condition=models.Q(reg_number__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.number_symbol or _('(chưa có số)')} — {self.subject[:80]}"

    # Columns a list never shows and that can be large (a parse, a 20 MB text, its folded copy).
    LIST_DEFER = ("parsed", "body", "search_text")

    DERIVED_FROM = frozenset({"number_symbol", "subject", "issuer", "body"})

    def refresh_derived(self) -> None:
        """Recompute ``ns_key`` and ``search_text`` (diacritic-folded) from the fields."""
        self.ns_key = number_symbol_key(self.number_symbol)
        parts = (self.number_symbol, self.subject, self.issuer, self.body)
        self.search_text = fold(" ".join(" ".join(str(p or "").split()) for p in parts))

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.refresh_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self.DERIVED_FROM & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "ns_key", "search_text"}
        super().save(*args, **kwargs)

    @property
    def warnings(self) -> list[dict]:
        """Decree 30 findings recorded when the document was read."""
        found = (self.parsed or {}).get("warnings") or []
        return [w for w in found if isinstance(w, dict)]


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Files are named by checksum, never by the uploaded name (no path tricks, no clashes).
    return f"attachments/{instance.checksum[:2]}/{instance.checksum}"


class Attachment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    checksum = models.CharField(max_length=64, db_index=True)
    is_main = models.BooleanField(_("tệp chính"), default=False)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tệp đính kèm")
        ordering = ["-is_main", "id"]

    def __str__(self) -> str:
        return self.original_name


class Citation(models.Model):
    """A document cited by another ("Thực hiện Kế hoạch số 29/KH-UBND ngày 27/02/2020")."""

    citing = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="citations")
    number_symbol = models.CharField(max_length=100)
    key = models.CharField(max_length=100, db_index=True)  # symbol without spaces, upper-case
    cited_on = models.DateField(null=True, blank=True)
    cited = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="cited_by")

    class Meta:
        ordering = ["id"]


# --- exchange between units and routing of incoming documents -----------------------------

class ReceiptStatus(models.TextChoices):
    """Status messages a receiving unit sends back (edXML status codes in the same order)."""

    RECEIVED = "da_nhan", _("Đã nhận")
    READ = "da_xem", _("Đã xem")
    ASSIGNED = "da_giao", _("Đã giao xử lý")
    DONE = "hoan_thanh", _("Hoàn thành")


RECEIPT_ORDER = [s.value for s in ReceiptStatus]


class Receipt(models.Model):
    """One unit's entry of a document in its incoming register (sổ văn bản đến).

    The document is shared (one identity); each receiving unit has its own arrival
    number, drawn from its incoming register's counter, and its own status. A document
    registered by a clerk from paper has the receipt of its owner unit, carrying the
    document's own arrival number.
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="receipts")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị nhận"), on_delete=models.PROTECT,
                             related_name="receipts")
    register = models.ForeignKey(Register, verbose_name=_("sổ"), on_delete=models.PROTECT, related_name="receipts")
    reg_year = models.PositiveSmallIntegerField(_("năm sổ"))
    reg_number = models.PositiveIntegerField(_("số đến"))
    arrived_on = models.DateField(_("ngày đến"))
    sender_unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị gửi"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    via = models.ForeignKey("self", verbose_name=_("chuyển tiếp từ"), null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="relayed")
    status = models.CharField(_("trạng thái"), max_length=16, choices=ReceiptStatus.choices,
                              default=ReceiptStatus.RECEIVED)
    forwarded_on = models.DateField(_("ngày chuyển"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("xem lúc"), null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    status_at = models.DateTimeField(_("cập nhật trạng thái lúc"), default=timezone.now)
    voided_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    void_reason = models.CharField(_("lý do hủy"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("phiếu nhận văn bản")
        ordering = ["-reg_year", "-reg_number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "unit"], name="unique_receipt_per_unit"),
            models.UniqueConstraint(fields=["register", "reg_year", "reg_number"], name="unique_receipt_number"),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="receipt_unit_status")]

    def __str__(self) -> str:
        return f"{self.reg_number}/{self.reg_year} — {self.document}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None

    def advance(self, status: str) -> bool:
        """Move the status forward (never back); ``False`` when it already is there or beyond."""
        if RECEIPT_ORDER.index(status) <= RECEIPT_ORDER.index(self.status):
            return False
        self.status, self.status_at = status, timezone.now()
        return True


class RouteAction(models.TextChoices):
    RECEIVE = "tiep_nhan", _("Tiếp nhận, trình lãnh đạo")
    SUBMIT = "trinh", _("Trình cho ý kiến chỉ đạo")
    LEAD = "xu_ly_chinh", _("Xử lý chính")
    COORDINATE = "phoi_hop", _("Phối hợp")
    INFORM = "de_biet", _("Để biết")


class RouteState(models.TextChoices):
    PENDING = "cho", _("Chờ xử lý")
    SEEN = "da_xem", _("Đã xem")
    DONE = "xong", _("Đã xử lý")


OPEN_ROUTE_STATES = (RouteState.PENDING, RouteState.SEEN)


class Instruction(models.Model):
    """A leader's bút phê on an incoming document: free text, deadline, the recipients in Route rows."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="instructions")
    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="instructions")
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người cho ý kiến"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("ý kiến chỉ đạo"), blank=True)
    due_on = models.DateField(_("hạn xử lý"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ý kiến chỉ đạo")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.document} — {self.text[:60]}"


class Route(models.Model):
    """A document waiting on a unit or a person: the inbox row ("Văn bản chờ xử lý").

    Addressed to a person (``user``) or to a unit (``user`` empty: see ``routing.inbox_filter``
    for who in the unit sees it).
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="routes")
    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.CASCADE, related_name="routes")
    instruction = models.ForeignKey(Instruction, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="routes")
    action = models.CharField(_("yêu cầu"), max_length=16, choices=RouteAction.choices)
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị nhận"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    state = models.CharField(_("tình trạng"), max_length=8, choices=RouteState.choices, default=RouteState.PENDING)
    due_on = models.DateField(_("hạn xử lý"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.CharField(_("kết quả"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("chuyển xử lý")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "state", "created_at"], name="route_user_state"),
            models.Index(fields=["unit", "state", "action", "created_at"], name="route_unit_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.document}"


class EventKind(models.TextChoices):
    REGISTERED = "vao_so", _("Vào sổ")
    DELIVERED = "gui", _("Gửi liên thông")
    RECEIVED = "nhan", _("Đơn vị nhận vào sổ")
    READ = "xem", _("Đơn vị đã xem")
    SUBMITTED = "trinh", _("Trình lãnh đạo")
    INSTRUCTED = "but_phe", _("Bút phê")
    ASSIGNED = "giao", _("Giao xử lý")
    DONE = "hoan_thanh", _("Hoàn thành")
    VOIDED = "huy", _("Hủy số trong sổ")


class DocumentEvent(models.Model):
    """One step of a document's handling, shown as its timeline (the audit row is written beside it)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")
    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["document", "at"], name="docevent_document_at")]


class IntakeStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ xử lý")
    WORKING = "working", _("Đang xử lý")
    READY = "ready", _("Sẵn sàng kiểm tra")
    FAILED = "failed", _("Không đọc được")
    SAVED = "saved", _("Đã vào sổ")


class IntakeJob(models.Model):
    """An upload waiting between "received" and "registered" (the staged intake).

    The file waits in ``MEDIA_ROOT/tmp/<checksum>`` (``storage.stage``); the text read
    from it (``body``) and the parse (``parsed``, without the body) stay here, on the
    server, so the review form never carries them back and forth. Slow reading (OCR,
    conversion, signature checks) is claimed by ``dieuhanh worker`` with a conditional
    UPDATE on ``status``/``claimed_at`` (``intake.jobs``); a claim older than
    ``jobs.LEASE`` belongs to a dead worker and is taken over.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, default="file")  # "file" or "text" (pasted)
    filename = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    checksum = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=IntakeStatus.choices, default=IntakeStatus.QUEUED,
                              db_index=True)
    # What the worker still has to do: "ocr", "convert", "parse" (a long text), "signatures" ("" when nothing).
    needs = models.CharField(max_length=16, blank=True)
    page = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)  # why reading failed (Vietnamese)
    parsed = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # API uploads are registered by the worker as soon as they are read (no review form).
    auto_register = models.BooleanField(default=False)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.filename or _('Nội dung dán vào')} ({self.get_status_display()})"

    @property
    def pending(self) -> bool:
        return self.status in (IntakeStatus.QUEUED, IntakeStatus.WORKING)

    @property
    def progress_text(self) -> str:
        if self.status == IntakeStatus.WORKING and self.needs == "ocr" and self.pages:
            return _("Đang nhận dạng trang %(page)s/%(pages)s") % {"page": max(self.page, 1), "pages": self.pages}
        if self.needs == "convert" and self.pending:
            return _("Đang chuyển tệp sang DOCX bằng LibreOffice")
        if self.needs == "parse" and self.pending:
            return _("Đang đọc văn bản dài")
        if self.needs == "signatures" and self.pending:
            return _("Đang kiểm tra chữ ký số")
        if self.status == IntakeStatus.QUEUED:
            return _("Đang chờ đến lượt xử lý")
        return self.get_status_display()

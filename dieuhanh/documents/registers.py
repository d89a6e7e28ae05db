"""The registers as Decree 30 wants them (Phụ lục IV): sổ đăng ký văn bản đến / đi.

An incoming register's entries are :class:`Receipt` rows (a document registered from paper
and one received from another unit alike); an outgoing register's entries are the
documents themselves. Both keep every column of the Decree's form, filter by period,
unit, type, urgency and status, print, export to XLSX, and are voided with a reason
(kept, struck through, never deleted, audited). The register opens on the latest year
that has entries, read from the register counters (one small query, not a scan).

Public API::

    RegisterFilter, parse_filter(user, direction, params) -> RegisterFilter
    register_years(user, direction, register=None) -> list[int]
    incoming_entries(user, f) -> QuerySet[Receipt];  outgoing_entries(user, f) -> QuerySet[Document]
    incoming_row(receipt) / outgoing_row(document) -> list       # the Decree's columns
    INCOMING_COLUMNS, OUTGOING_COLUMNS
    xlsx_bytes(direction, f, rows) -> bytes
    get_entry_for_user(user, kind, pk) -> Receipt | Document     # Http404 outside scope
    void_entry(user, entry, reason, *, request=None)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.accounts.audit import record
from dieuhanh.accounts.models import AuditAction
from dieuhanh.documents.exchange import log_event
from dieuhanh.documents.models import (OPEN_ROUTE_STATES, Direction, Document, EventKind, Receipt, ReceiptStatus,
                                       Register, RegisterCounter, Route, RouteAction, RouteState, Urgency)
from dieuhanh.documents.permissions import can_register, registers_for_user

VOIDED = "da_huy"
ACTIVE = "con_hieu_luc"
INCOMING_STATUSES = [(s.value, s.label) for s in ReceiptStatus] + [(VOIDED, gettext_lazy("Đã hủy"))]
OUTGOING_STATUSES = [(ACTIVE, gettext_lazy("Còn hiệu lực")), (VOIDED, gettext_lazy("Đã hủy"))]
PRINT_LIMIT = 5000  # rows on one printed page set; narrow the period for more

INCOMING_COLUMNS = [
    gettext_lazy("Ngày đến"), gettext_lazy("Số đến"), gettext_lazy("Tác giả"), gettext_lazy("Số, ký hiệu"),
    gettext_lazy("Ngày tháng"), gettext_lazy("Tên loại và trích yếu nội dung"),
    gettext_lazy("Đơn vị hoặc người nhận"), gettext_lazy("Ngày chuyển"), gettext_lazy("Ký nhận"),
    gettext_lazy("Ghi chú"),
]
OUTGOING_COLUMNS = [
    gettext_lazy("Số, ký hiệu văn bản"), gettext_lazy("Ngày tháng văn bản"),
    gettext_lazy("Tên loại và trích yếu nội dung văn bản"), gettext_lazy("Người ký"),
    gettext_lazy("Nơi nhận văn bản"), gettext_lazy("Đơn vị, người nhận bản lưu"), gettext_lazy("Số lượng bản"),
    gettext_lazy("Ngày chuyển"), gettext_lazy("Ký nhận"), gettext_lazy("Ghi chú"),
]


@dataclass
class RegisterFilter:
    direction: str
    year: int
    registers: list[Register] = field(default_factory=list)  # the ones in scope
    register: Register | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    unit_code: str = ""
    doc_type: str = ""
    urgency: str | None = None
    status: str = ""
    years: list[int] = field(default_factory=list)  # with entries, newest first (from the counters)

    def query(self) -> dict[str, str]:
        """The filter as query parameters (for pagination and export links)."""
        out = {"nam": str(self.year)}
        if self.register is not None:
            out["so"] = str(self.register.pk)
        for key, value in (("tu", self.date_from), ("den", self.date_to)):
            if value:
                out[key] = value.strftime("%d/%m/%Y")
        for key, value in (("don_vi", self.unit_code), ("loai", self.doc_type), ("trang_thai", self.status)):
            if value:
                out[key] = value
        if self.urgency is not None:
            out["khan"] = self.urgency or "thuong"
        return out


def _date(raw: str | None) -> datetime.date | None:
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime((raw or "").strip(), fmt).date()
        except ValueError:
            continue
    return None


def register_years(user: Any, direction: str, register: Register | None = None) -> list[int]:
    """Years with at least one number drawn in the registers in scope, newest first."""
    registers = [register.pk] if register is not None else registers_for_user(user, direction, writable=False)
    years = (RegisterCounter.objects.filter(register__in=registers, last_number__gt=0)
             .order_by("-year").values_list("year", flat=True).distinct())
    return list(years)


def parse_filter(user: Any, direction: str, params: Any) -> RegisterFilter:
    """The filter from the query string; unknown values are ignored, a register out of scope is a 404."""
    registers = list(registers_for_user(user, direction, writable=False))
    register = None
    if params.get("so"):
        try:
            register = next(r for r in registers if str(r.pk) == str(params["so"]).strip())
        except StopIteration:
            raise Http404(_("Không tìm thấy sổ văn bản.")) from None
    years = register_years(user, direction, register)
    default = years[0] if years else timezone.localdate().year
    try:
        year = int(params.get("nam") or default)
    except ValueError:
        year = default
    year = year if 1900 <= year <= 9999 else default
    urgency_raw = (params.get("khan") or "").strip()
    urgency = "" if urgency_raw == "thuong" else (urgency_raw if urgency_raw and urgency_raw in Urgency.values
                                                  else None)
    statuses = {s for s, _label in (INCOMING_STATUSES if direction == Direction.INCOMING else OUTGOING_STATUSES)}
    status = params.get("trang_thai") or ""
    return RegisterFilter(
        direction=direction, year=year, registers=registers, register=register,
        date_from=_date(params.get("tu")), date_to=_date(params.get("den")),
        unit_code=(params.get("don_vi") or "").strip()[:64], doc_type=(params.get("loai") or "").strip()[:64],
        urgency=urgency, status=status if status in statuses else "", years=years)


def _scope(f: RegisterFilter) -> list[int]:
    chosen = [f.register] if f.register is not None else f.registers
    if f.unit_code:
        chosen = [r for r in chosen if r.unit.code == f.unit_code]
    return [r.pk for r in chosen]


def _document_filters(f: RegisterFilter, prefix: str) -> Q:
    q = Q()
    if f.doc_type:
        q &= Q(**{f"{prefix}doc_type__iexact": f.doc_type})
    if f.urgency is not None:
        q &= Q(**{f"{prefix}urgency": f.urgency})
    return q


def incoming_entries(user: Any, f: RegisterFilter) -> QuerySet[Receipt]:
    rows = Receipt.objects.filter(register_id__in=_scope(f), reg_year=f.year).filter(_document_filters(f, "document__"))
    if f.date_from:
        rows = rows.filter(arrived_on__gte=f.date_from)
    if f.date_to:
        rows = rows.filter(arrived_on__lte=f.date_to)
    if f.status == VOIDED:
        rows = rows.filter(voided_at__isnull=False)
    elif f.status:
        rows = rows.filter(status=f.status, voided_at__isnull=True)
    handlers = Route.objects.filter(action__in=(RouteAction.LEAD, RouteAction.COORDINATE, RouteAction.SUBMIT)) \
        .select_related("unit", "user").order_by("action", "pk")
    # A register page never loads a document's parse or text (they can be megabytes each).
    return (rows.select_related("document", "unit", "read_by", "sender_unit")
            .defer(*(f"document__{name}" for name in Document.LIST_DEFER))
            .prefetch_related(Prefetch("routes", queryset=handlers))
            .order_by("-reg_number", "-pk"))


def outgoing_entries(user: Any, f: RegisterFilter) -> QuerySet[Document]:
    rows = Document.objects.filter(register_id__in=_scope(f), reg_year=f.year, direction=Direction.OUTGOING)
    rows = rows.filter(_document_filters(f, ""))
    if f.date_from:
        rows = rows.filter(issued_on__gte=f.date_from)
    if f.date_to:
        rows = rows.filter(issued_on__lte=f.date_to)
    if f.status == VOIDED:
        rows = rows.filter(voided_at__isnull=False)
    elif f.status == ACTIVE:
        rows = rows.filter(voided_at__isnull=True)
    return rows.select_related("register__unit").defer(*Document.LIST_DEFER).order_by("-reg_number", "-pk")


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _recipients_of(receipt: Receipt) -> str:
    parts = []
    for route in receipt.routes.all():
        who = _name(route.user) if route.user_id else route.unit.name
        parts.append(f"{route.get_action_display()}: {who}")
    return "; ".join(parts)


def _void_note(entry: Any, note: str) -> str:
    if entry.voided_at is None:
        return note
    voided = _("Đã hủy %(day)s: %(reason)s") % {"day": timezone.localtime(entry.voided_at).strftime("%d/%m/%Y"),
                                                "reason": entry.void_reason}
    return f"{voided}. {note}".strip(". ") if note else voided


def incoming_row(receipt: Receipt) -> list[Any]:
    """The ten columns of the sổ đăng ký văn bản đến."""
    doc = receipt.document
    signed = f"{_name(receipt.read_by)} {timezone.localtime(receipt.read_at):%d/%m/%Y %H:%M}" if receipt.read_at else ""
    return [receipt.arrived_on, receipt.reg_number, doc.issuer or (receipt.sender_unit.name if receipt.sender_unit
                                                                     else doc.sender),
            doc.number_symbol, doc.issued_on, f"{doc.doc_type}: {doc.subject}".strip(": "),
            _recipients_of(receipt), receipt.forwarded_on, signed, _void_note(receipt, receipt.note)]


def outgoing_row(document: Document) -> list[Any]:
    """The ten columns of the sổ đăng ký văn bản đi."""
    kept = next((d for d in reversed(document.distribution or []) if d.lower().startswith("lưu")), "")
    sent = [d for d in document.distribution or [] if not d.lower().startswith("lưu")]
    recipients = "; ".join([*(document.recipients or []), *sent])
    signer = " ".join(p for p in (document.signer_position, document.signer_name) if p)
    return [document.number_symbol, document.issued_on, f"{document.doc_type}: {document.subject}".strip(": "),
            signer, recipients, kept, document.copies, document.issued_on, "",
            _void_note(document, document.register_note)]


def xlsx_bytes(f: RegisterFilter, rows: list[list[Any]]) -> bytes:
    from dieuhanh.reports.xlsx import Sheet, build_xlsx

    incoming = f.direction == Direction.INCOMING
    title = _("Sổ đăng ký văn bản đến") if incoming else _("Sổ đăng ký văn bản đi")
    scope = f.register.unit.name if f.register is not None else ", ".join(
        sorted({r.unit.name for r in f.registers if not f.unit_code or r.unit.code == f.unit_code}))[:200]
    headers = [str(h) for h in (INCOMING_COLUMNS if incoming else OUTGOING_COLUMNS)]
    return build_xlsx([Sheet(title=f"{title} {f.year}", headers=headers, rows=rows,
                             caption=f"{title} {_('năm')} {f.year} — {scope}")])


# --- voiding -------------------------------------------------------------------------------

def get_entry_for_user(user: Any, kind: str, pk: Any) -> Receipt | Document:
    """A register entry (``den``: a receipt; ``di``: an outgoing document) in a register the user sees."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    visible = registers_for_user(user, writable=False)
    if kind == "den":
        entry = Receipt.objects.filter(pk=number, register__in=visible).select_related("register", "document").first()
    elif kind == "di":
        entry = Document.objects.filter(pk=number, register__in=visible,
                                        direction=Direction.OUTGOING).select_related("register").first()
    else:
        entry = None
    if entry is None:
        raise Http404(_("Không tìm thấy số trong sổ."))
    return entry


def void_entry(user: Any, entry: Receipt | Document, reason: str, *, request: HttpRequest | None = None) -> None:
    """Void a register entry: the number stays taken and shown struck through with the reason."""
    if not can_register(user, entry.register):
        raise PermissionDenied(_("Chỉ văn thư của đơn vị giữ sổ mới hủy được số trong sổ."))
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise ValidationError(_("Phải ghi lý do hủy số trong sổ."))
    model = type(entry)
    with transaction.atomic():
        now = timezone.now()
        updated = model.objects.filter(pk=entry.pk, voided_at__isnull=True).update(
            voided_at=now, voided_by=user, void_reason=reason)
        if not updated:
            raise ValidationError(_("Số này đã được hủy trước đó."))
        entry.voided_at, entry.voided_by, entry.void_reason = now, user, reason
        document = entry.document if isinstance(entry, Receipt) else entry
        if isinstance(entry, Receipt):  # nothing waits on a voided entry
            Route.objects.filter(receipt=entry, state__in=OPEN_ROUTE_STATES).update(
                state=RouteState.DONE, done_at=now, done_note=reason)
        record(user, AuditAction.STATE, entry, before={"voided": False}, after={"voided": True, "reason": reason},
               unit_id=entry.register.unit_id, request=request, note=_("Hủy số trong sổ"))
        log_event(document, EventKind.VOIDED, user, unit_id=entry.register.unit_id,
                  receipt=entry if isinstance(entry, Receipt) else None,
                  note=f"{entry.reg_number}/{entry.reg_year}: {reason}")

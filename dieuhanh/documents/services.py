"""Service functions of the documents app (the only way views and the API change documents).

Everything here checks scope and permission itself, runs in one transaction and
writes the audit row in it. Public API::

    documents_visible_to(user) -> QuerySet[Document]
    get_document_for_user(user, pk) -> Document                      # Http404 outside scope
    get_register_for_user(user, pk) -> Register                      # Http404 outside scope
    document_for_key(user, idempotency_key) -> Document | None       # what a key already created
    registers_for_user(user, direction=None, *, writable=True) -> QuerySet[Register]
    can_register(user, register) / can_edit(user, document) -> bool
    next_number(register, year) -> int                               # inside the caller's transaction
    preview_intake(*, data=None, filename=None, text=None) -> dict   # ValidationError
    find_duplicates(user, number_symbol, issuer, issued_on, checksum) -> list[Duplicate]
    register_document(user, register, fields, *, upload=None, parsed=None, idempotency_key=None,
                      request=None) -> Document
    update_document(user, document, fields, *, request=None) -> Document
    add_attachment(user, document, upload, *, is_main=False, request=None) -> Attachment
    get_attachment_for_user(user, document_pk, pk) -> Attachment     # Http404 outside scope
    record_download(user, attachment, *, request=None) -> None
    overview_counts(user) -> dict
    ensure_registers(unit, *, actor=None) -> list[Register]
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction
from dieuhanh.accounts.scope import visible_unit_ids
from dieuhanh.documents import citations, storage
from dieuhanh.documents.intake import (DATE_FIELDS, FIELDS, LIST_FIELDS, IntakeFile, check_size, fields_from_parse,
                                       preview_intake, safe_filename)
from dieuhanh.documents.models import (Attachment, Direction, Document, Register, Secrecy, Urgency, normalize_mark,
                                       number_symbol_key)
from dieuhanh.documents.numbering import next_number
from dieuhanh.documents.permissions import can_edit, can_register, registers_for_user
from dieuhanh.lib import filetypes
from dieuhanh.lib.vntext import fold
from dieuhanh.lib.vntext import key as name_key

__all__ = [
    "Duplicate", "IntakeFile", "add_attachment", "can_edit", "can_register", "document_for_key",
    "documents_visible_to",
    "ensure_registers", "fields_from_parse", "find_duplicates", "get_attachment_for_user",
    "get_document_for_user", "get_register_for_user", "next_number", "overview_counts", "preview_intake",
    "record_download", "register_document", "registers_for_user", "update_document",
]

SERVICE_FIELDS = frozenset(FIELDS) | {"checksum"}
MARKS = {"urgency": Urgency, "secrecy": Secrecy}


# --- reading --------------------------------------------------------------------------


def documents_visible_to(user: Any) -> QuerySet[Document]:
    """Documents a unit in the user's scope owns, was given ("Chuyển cho đơn vị"), received
    (liên thông), was routed (bút phê: xử lý chính, phối hợp, để biết, to the unit or to the
    user), or was assigned a task from (sub-tasks carry their document too). Administrators: all."""
    from dieuhanh.documents.models import Receipt, Route
    from dieuhanh.tasks.models import Assignment

    ids = visible_unit_ids(user)
    if ids is None:
        return Document.objects.all()
    if not ids:
        return Document.objects.none()
    shared = Document.shared_with.through.objects.filter(unit_id__in=ids).values("document_id")
    received = Receipt.objects.filter(unit_id__in=ids, voided_at__isnull=True).values("document_id")
    routed = Route.objects.filter(Q(unit_id__in=ids) | Q(user_id=user.pk)).values("document_id")
    tasked = Assignment.objects.filter(unit_id__in=ids, task__document__isnull=False).values("task__document_id")
    return Document.objects.filter(Q(owner_unit_id__in=ids) | Q(pk__in=shared) | Q(pk__in=received)
                                   | Q(pk__in=routed) | Q(pk__in=tasked))


def _as_pk(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def get_document_for_user(user: Any, pk: Any) -> Document:
    document = (documents_visible_to(user).select_related("register", "owner_unit", "created_by")
                .filter(pk=_as_pk(pk)).first())
    if document is None:
        raise Http404(_("Không tìm thấy văn bản."))
    return document


def get_register_for_user(user: Any, pk: Any) -> Register:
    register = registers_for_user(user, writable=False).filter(pk=_as_pk(pk)).first()
    if register is None:
        raise Http404(_("Không tìm thấy sổ văn bản."))
    return register


def get_attachment_for_user(user: Any, document_pk: Any, pk: Any) -> Attachment:
    document = get_document_for_user(user, document_pk)
    attachment = document.attachments.filter(pk=_as_pk(pk)).first()
    if attachment is None:
        raise Http404(_("Không tìm thấy tệp."))
    attachment.document = document
    return attachment


@dataclass(frozen=True)
class Duplicate:
    """An already registered document that looks like the one being registered."""

    document: Document
    same_file: bool
    same_header: bool

    @property
    def message(self) -> str:
        if self.same_file:
            return _("Tệp này đã được vào sổ: %(doc)s") % {"doc": self.document}
        return _("Đã có văn bản cùng số, ký hiệu, cơ quan ban hành và ngày: %(doc)s") % {"doc": self.document}


def _issuer_key(issuer: str | None) -> str:
    return " ".join(fold(issuer or "").split())


def find_duplicates(user: Any, number_symbol: str | None, issuer: str | None,
                    issued_on: datetime.date | None, checksum: str | None) -> list[Duplicate]:
    """Visible documents with the same file, or the same number/symbol + issuer + date."""
    key = number_symbol_key(number_symbol)
    condition = Q(pk__in=[])
    if checksum:
        condition |= Q(checksum=checksum)
    if key:
        condition |= Q(ns_key=key, issued_on=issued_on)
    found = documents_visible_to(user).filter(condition).select_related("register").order_by("pk")[:20]
    result = []
    for document in found:
        same_file = bool(checksum) and document.checksum == checksum
        same_header = (bool(key) and document.ns_key == key and document.issued_on == issued_on
                       and _issuer_key(document.issuer) == _issuer_key(issuer))
        if same_file or same_header:
            result.append(Duplicate(document, same_file, same_header))
    return result


# --- registering ------------------------------------------------------------------------


def _as_date(name: str, value: Any) -> datetime.date | None:
    if value in (None, "") or isinstance(value, datetime.date):
        return value or None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({name: _("Ngày không hợp lệ.")}) from None


def _as_number(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ValidationError({"number": _("Số văn bản phải là số nguyên dương.")})
    return number


def _assign(document: Document, values: dict[str, Any]) -> None:
    unknown = set(values) - SERVICE_FIELDS
    if unknown:
        raise ValueError(f"unknown document fields: {sorted(unknown)}")
    for name, value in values.items():
        if name in LIST_FIELDS:
            value = [" ".join(str(item).split()) for item in value or [] if str(item).strip()]
        elif name in DATE_FIELDS:
            value = _as_date(name, value)
        elif name == "number":
            value = _as_number(value)
        elif name in MARKS:
            value = normalize_mark(None if value is None else str(value), MARKS[name])
        else:
            value = "" if value is None else str(value)
        setattr(document, name, value)


def _validate(document: Document) -> None:
    document.full_clean(exclude=["register", "owner_unit", "issuer_unit", "created_by", "reg_number"],
                        validate_unique=False, validate_constraints=False)


def match_unit(name: str, on: datetime.date) -> int | None:
    """The unit in force on ``on`` whose official, short or other name is ``name``."""
    from dieuhanh.orgs.models import Unit

    wanted = name_key(name)
    if not wanted:
        return None
    for unit in Unit.objects.in_force(on).only("id", "name", "short_names", "aliases"):
        names = [unit.name, *(unit.short_names or []), *(unit.aliases or [])]
        if any(isinstance(n, str) and name_key(n) == wanted for n in names):
            return unit.pk
    return None


def _defaults(document: Document, register: Register) -> None:
    today = timezone.localdate()
    if document.direction == Direction.INCOMING:
        document.arrived_on = document.arrived_on or today
        document.sender = document.sender or document.issuer[:255]
        document.reg_year = document.arrived_on.year
    elif document.direction == Direction.OUTGOING:
        document.arrived_on, document.sender = None, ""
        document.issuer = document.issuer or register.unit.name
        document.issued_on = document.issued_on or today
        document.reg_year = document.issued_on.year
    else:  # drafts: numbered in the year they are written
        document.arrived_on, document.sender = None, ""
        document.reg_year = today.year
    document.issuer_unit_id = match_unit(document.issuer, document.issued_on or today)


def _scoped_key(user: Any, key: str | None) -> str | None:
    return f"{getattr(user, 'pk', None) or 0}:{key}"[:64] if key else None


def document_for_key(user: Any, idempotency_key: str | None) -> Document | None:
    """The document an earlier ``register_document`` call with this key created, if any."""
    key = _scoped_key(user, idempotency_key)
    return documents_visible_to(user).filter(intake_key=key).first() if key else None


def _as_intake_file(upload: Any) -> IntakeFile | None:
    if upload is None or isinstance(upload, IntakeFile):
        result = upload
    else:  # a Django File / UploadedFile
        check_size(getattr(upload, "size", 0) or 0)
        result = IntakeFile(b"".join(upload.chunks()), getattr(upload, "name", "") or "",
                            getattr(upload, "content_type", "") or "")
    if result is not None:
        check_size(len(result.data))
        if not result.data:
            raise ValidationError(_("Tệp %(name)s rỗng, không có nội dung.") % {"name": result.filename})
    return result


def _new_document(user: Any, register: Register, fields: dict[str, Any], upload: IntakeFile | None,
                  parsed: dict[str, Any] | None, key: str | None) -> Document:
    values = {**fields_from_parse(parsed), **fields} if parsed else dict(fields)
    document = Document(
        register=register, direction=register.direction, owner_unit_id=register.unit_id,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        parsed={k: v for k, v in (parsed or {}).items() if k != "body"}, intake_key=key)
    _assign(document, values)
    if upload is not None:
        document.checksum = upload.checksum
    _defaults(document, register)
    _validate(document)
    return document


def _attach(user: Any, document: Document, upload: IntakeFile, is_main: bool, created: list[str],
            request: HttpRequest | None = None) -> Attachment:
    checksum = upload.checksum
    name = safe_filename(upload.filename)
    # Read from the bytes, never the client's declared type (an "image/svg+xml" or "text/html"
    # upload must not come back as one): dieuhanh.lib.filetypes.
    content_type = filetypes.sniff(upload.data[:filetypes.SNIFF_BYTES], name)
    attachment = Attachment(document=document, original_name=name, content_type=content_type[:100],
                            size=len(upload.data), checksum=checksum, is_main=is_main)
    attachment.file = storage.store_blob(upload.data, checksum, created)
    attachment.save()
    record(user, AuditAction.CREATE, attachment, after=snapshot(attachment), unit_id=document.owner_unit_id,
           request=request)
    return attachment


def _file(user: Any, document: Document, upload: IntakeFile | None, parsed: dict[str, Any] | None,
          created: list[str], request: HttpRequest | None = None) -> None:
    """The part under the counter lock: number, row, file, citations, audit."""
    document.reg_number = next_number(document.register_id, document.reg_year)
    if document.direction == Direction.OUTGOING and document.number is None:
        document.number = document.reg_number
        document.number_symbol = f"{document.number}/{document.symbol}" if document.symbol else str(document.number)
    document.save()
    if upload is not None:
        _attach(user, document, upload, True, created, request)
    citations.create_citations(document, (parsed or {}).get("references"))
    citations.link_back(document)
    record(user, AuditAction.CREATE, document, after=snapshot(document),
           note=f"{document.get_direction_display()} {document.reg_number}/{document.reg_year}", request=request)
    if document.direction == Direction.INCOMING:
        from dieuhanh.documents.exchange import register_own_receipt

        register_own_receipt(document, user, request=request)


def register_document(user: Any, register: Register, fields: dict[str, Any], *, upload: Any = None,
                      parsed: dict[str, Any] | None = None, idempotency_key: str | None = None,
                      request: HttpRequest | None = None) -> Document:
    """File a document into ``register`` and return it.

    ``fields``: Document field values (see ``intake.FIELDS``, plus ``checksum``);
    with ``parsed`` (a vanban parse) missing fields come from the parse and its
    references become citations. ``upload``: ``IntakeFile`` or a Django file, stored
    as the main attachment. Incoming: draws the arrival number (arrival date defaults
    to today). Outgoing: draws the register number, used as the document number when
    ``number`` is empty. A repeated ``idempotency_key`` (per user) returns the
    document the first call created. Raises PermissionDenied or ValidationError.
    """
    if not can_register(user, register):
        raise PermissionDenied(_("Bạn không có quyền vào sổ này."))
    key = _scoped_key(user, idempotency_key)
    if key and (existing := Document.objects.filter(intake_key=key).first()) is not None:
        return existing
    file = _as_intake_file(upload)
    document = _new_document(user, register, fields, file, parsed, key)
    created: list[str] = []
    try:
        with transaction.atomic():
            _file(user, document, file, parsed, created, request)
    except IntegrityError:
        storage.discard(created)
        existing = Document.objects.filter(intake_key=key).first() if key else None
        if existing is None:
            raise
        return existing  # a double submit that lost the race to the first one
    except BaseException:
        storage.discard(created)
        raise
    return document


def add_attachment(user: Any, document: Document, upload: Any, *, is_main: bool = False,
                   request: HttpRequest | None = None) -> Attachment:
    """Store another file of ``document`` (appendix, signed scan…). Needs edit rights."""
    if not can_edit(user, document):
        raise PermissionDenied(_("Bạn không có quyền sửa văn bản này."))
    file = _as_intake_file(upload)
    if file is None:
        raise ValidationError(_("Chưa chọn tệp."))
    created: list[str] = []
    try:
        with transaction.atomic():
            return _attach(user, document, file, is_main, created, request)
    except BaseException:
        storage.discard(created)
        raise


def update_document(user: Any, document: Document, fields: dict[str, Any], *,
                    request: HttpRequest | None = None) -> Document:
    """Correct fields of a registered document; the audit row keeps the changed values before/after."""
    if not can_edit(user, document):
        raise PermissionDenied(_("Bạn không có quyền sửa văn bản này."))
    before, old_body = snapshot(document), document.body
    _assign(document, {k: v for k, v in fields.items() if k != "checksum"})
    if document.direction == Direction.INCOMING and document.arrived_on is None:
        raise ValidationError({"arrived_on": _("Văn bản đến phải có ngày đến.")})
    _validate(document)
    after = snapshot(document)
    changed = [name for name in after if after[name] != before.get(name)]
    note = _("Sửa nội dung văn bản") if document.body != old_body else ""
    with transaction.atomic():
        document.save()
        if "number_symbol" in changed or "issued_on" in changed:
            citations.relink(document)
        record(user, AuditAction.UPDATE, document, before={k: before.get(k) for k in changed},
               after={k: after[k] for k in changed}, request=request, note=note)
    return document


def record_download(user: Any, attachment: Attachment, *, request: HttpRequest | None = None) -> None:
    record(user, AuditAction.DOWNLOAD, attachment, request=request, unit_id=attachment.document.owner_unit_id,
           note=attachment.original_name)


# --- overview and setup ---------------------------------------------------------------------


def overview_counts(user: Any) -> dict[str, Any]:
    """This year's incoming/outgoing/draft counts in scope and the 10 latest documents."""
    year = timezone.localdate().year
    visible = documents_visible_to(user)
    counts = visible.filter(reg_year=year).aggregate(
        incoming=Count("pk", filter=Q(direction=Direction.INCOMING)),
        outgoing=Count("pk", filter=Q(direction=Direction.OUTGOING)),
        drafts=Count("pk", filter=Q(direction=Direction.DRAFT)))
    latest = list(visible.defer(*Document.LIST_DEFER).order_by("-created_at", "-pk")[:10])
    return {
        "year": year, "incoming_count": counts["incoming"], "outgoing_count": counts["outgoing"],
        "draft_count": counts["drafts"], "latest_documents": latest,
        "can_intake": registers_for_user(user).exists(),
    }


DEFAULT_REGISTERS = (
    (Direction.INCOMING, "Sổ văn bản đến"), (Direction.OUTGOING, "Sổ văn bản đi"),
    (Direction.DRAFT, "Sổ dự thảo"),
)


def ensure_registers(unit: Any, *, actor: Any = None) -> list[Register]:
    """The unit's incoming, outgoing and draft registers, creating those it lacks."""
    result = []
    with transaction.atomic():
        for direction, name in DEFAULT_REGISTERS:
            register = Register.objects.filter(unit=unit, direction=direction, active=True).first()
            if register is None:
                register = Register.objects.create(unit=unit, direction=direction, name=name)
                record(actor, AuditAction.CREATE, register, after=snapshot(register))
            result.append(register)
    return result


def share_candidates(document: Document) -> Any:
    """Units a document can be distributed to: those under its owner, in force on its date."""
    from dieuhanh.accounts.scope import subtree_ids
    from dieuhanh.orgs.models import Unit

    on = document.issued_on or document.arrived_on or timezone.localdate()
    ids = subtree_ids(document.owner_unit_id) - {document.owner_unit_id}
    return Unit.objects.filter(id__in=ids).in_force(on).order_by("kind", "name")


def share_document(user: Any, document: Document, units: Any, *, request: HttpRequest | None = None) -> None:
    """Set the units a document is distributed to; audited with the lists before and after."""
    if not can_edit(user, document):
        raise PermissionDenied(_("Bạn không có quyền chuyển văn bản này."))
    allowed = set(share_candidates(document).values_list("id", flat=True))
    wanted = {u.pk for u in units}
    if not wanted <= allowed:
        raise ValidationError(_("Chỉ chuyển được cho các đơn vị trực thuộc đơn vị quản lý văn bản."))
    before = sorted(document.shared_with.values_list("id", flat=True))
    if before == sorted(wanted):
        return
    with transaction.atomic():
        document.shared_with.set(wanted)
        record(user, AuditAction.UPDATE, document, before={"shared_with": before},
               after={"shared_with": sorted(wanted)}, request=request, note=_("Chuyển văn bản cho đơn vị"))

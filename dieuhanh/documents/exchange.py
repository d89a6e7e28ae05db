"""Exchange between units inside the system (liên thông nội bộ).

A document issued to units of the tree is not copied: every receiving unit gets a
:class:`Receipt` of the same document in its incoming register, with its own arrival
number drawn from that register's counter (gapless per register, shared with the
documents the unit's clerk registers from paper) and its own status, sent back to
the sender: đã nhận → đã xem → đã giao xử lý → hoàn thành. A unit that received a
document can relay it to the units under it; the relayed receipts point at the
receipt they came through (``via``), so city → district → wards is one chain.

Public API (stable: the drafting workflow calls it when a draft is issued)::

    resolve_recipients(document) -> list[Unit]          # Kính gửi / Nơi nhận → units of the tree
    deliver_internal(document, units, by, *, via=None, request=None) -> list[Receipt]
    register_own_receipt(document, by, *, request=None) -> Receipt   # intake from paper
    can_deliver(user, document) -> bool
    mark_read(receipt, user, *, request=None) -> bool
    advance_receipt(receipt, status, user, *, note="", request=None) -> bool
    receipts_of(document) -> QuerySet[Receipt]          # who received and who read it
    log_event(document, kind, actor, *, unit_id=None, receipt=None, note="") -> DocumentEvent

Notification hooks (not called here: the notifications service is built separately):
a new receipt ("văn bản đến mới") for the receiving unit's clerks, and a status change
for the sender's clerks.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction, Role
from dieuhanh.documents.models import (Direction, Document, DocumentEvent, EventKind, Receipt, ReceiptStatus, Register,
                                       Route, RouteAction)
from dieuhanh.documents.numbering import next_number
from dieuhanh.lib.vntext import fold

# Nơi nhận lines that name no recipient: "Như trên" repeats the Kính gửi, "Lưu" is the file copy.
_NOT_RECIPIENTS = ("nhu tren", "nhu dieu", "luu")
_OUTSIDE_KIND = "ben_ngoai"

STATUS_EVENTS = {
    ReceiptStatus.READ: EventKind.READ,
    ReceiptStatus.ASSIGNED: EventKind.ASSIGNED,
    ReceiptStatus.DONE: EventKind.DONE,
}


def _phrases(document: Document) -> list[str]:
    lines = [*(document.recipients or []), *(document.distribution or [])]
    result = []
    for line in lines:
        text = " ".join(str(line).split()).strip(" -;.")
        if text and not fold(text).lower().startswith(_NOT_RECIPIENTS):
            result.append(text)
    return list(dict.fromkeys(result))


def resolve_recipients(document: Document) -> list[Any]:
    """The units of the tree the document's Kính gửi and Nơi nhận designate.

    Read with the assignee resolver of the task proposals (unit kinds, names and the
    tree in force on the document's date, the issuing unit giving "quận", "các phường"
    their meaning). The issuing and owning units, and units outside the system
    (``ben_ngoai``), are left out. Order: the tree's display order, no repeats.
    """
    from dieuhanh.orgs.models import Unit
    from dieuhanh.orgs.services import unit_directory
    from dieuhanh.tasks.proposals import issuer_code

    phrases = _phrases(document)
    if not phrases:
        return []
    on = document.issued_on or document.arrived_on or timezone.localdate()
    directory = unit_directory(on)
    issuer = issuer_code(document)
    codes: list[str] = []
    for phrase in phrases:
        found = directory.resolve(phrase, issuer=issuer, on=on)
        codes += [u.code for u in (*found.units, *found.partners) if u.kind != _OUTSIDE_KIND]
    codes = list(dict.fromkeys(codes))
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    own = {document.owner_unit_id, document.issuer_unit_id}
    return [units[c] for c in codes if c in units and units[c].pk not in own]


def can_deliver(user: Any, document: Document, *, receipts: list[Receipt] | None = None) -> bool:
    """The owner unit's clerk (or an administrator) sends; a receiving unit's clerk or
    leader relays what it received. ``receipts``: the document's, when the caller has them."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin_role:
        return True
    if user.unit_id is None or user.role not in (Role.VAN_THU, Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND):
        return False
    if user.unit_id == document.owner_unit_id:
        return user.role == Role.VAN_THU
    if receipts is not None:
        return any(r.unit_id == user.unit_id and not r.is_void for r in receipts)
    return Receipt.objects.filter(document=document, unit_id=user.unit_id, voided_at__isnull=True).exists()


def _incoming_register(unit: Any, actor: Any) -> Register:
    register = Register.objects.filter(unit=unit, direction=Direction.INCOMING, active=True).order_by("pk").first()
    if register is None:
        from dieuhanh.documents.services import ensure_registers

        register = ensure_registers(unit, actor=actor)[0]
    return register


def log_event(document: Document, kind: str, actor: Any, *, unit_id: int | None = None,
              receipt: Receipt | None = None, note: str = "") -> DocumentEvent:
    """A step of the document's timeline (the caller writes the audit row beside it)."""
    return DocumentEvent.objects.create(
        document=document, receipt=receipt, kind=kind, unit_id=unit_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None, note=note[:500])


def _new_receipt(document: Document, unit: Any, by: Any, sender_unit_id: int | None, via: Receipt | None,
                 on: datetime.date, request: HttpRequest | None) -> Receipt:
    register = _incoming_register(unit, by)
    receipt = Receipt(document=document, unit=unit, register=register, reg_year=on.year, arrived_on=on,
                      sender_unit_id=sender_unit_id, via=via,
                      created_by=by if getattr(by, "is_authenticated", False) else None)
    receipt.reg_number = next_number(register.pk, on.year)
    receipt.save()
    Route.objects.create(document=document, receipt=receipt, action=RouteAction.RECEIVE, unit=unit,
                         sent_by=receipt.created_by)
    record(by, AuditAction.CREATE, receipt, after=snapshot(receipt), unit_id=unit.pk, request=request,
           note=_("Nhận văn bản liên thông, số đến %(n)d/%(y)d") % {"n": receipt.reg_number, "y": on.year})
    log_event(document, EventKind.RECEIVED, by, unit_id=unit.pk, receipt=receipt,
              note=_("Số đến %(n)d") % {"n": receipt.reg_number})
    return receipt


def deliver_internal(document: Document, units: Iterable[Any], by: Any, *, via: Receipt | None = None,
                     request: HttpRequest | None = None) -> list[Receipt]:
    """Deliver ``document`` into the incoming register of each of ``units``; one receipt each.

    Idempotent per unit: a unit that already has a receipt of the document keeps it (and
    it is returned). The owner unit is skipped. ``via``: the receipt of a unit relaying
    what it received. Raises PermissionDenied (see :func:`can_deliver`).
    """
    if not can_deliver(by, document):
        raise PermissionDenied(_("Bạn không có quyền gửi văn bản này."))
    wanted = {u.pk: u for u in units if u.pk != document.owner_unit_id}
    if via is None and getattr(by, "unit_id", None) and by.unit_id != document.owner_unit_id:
        via = Receipt.objects.filter(document=document, unit_id=by.unit_id).first()
    sender_unit_id = via.unit_id if via is not None else document.owner_unit_id
    on = timezone.localdate()
    result: list[Receipt] = []
    with transaction.atomic():
        existing = {r.unit_id: r for r in Receipt.objects.filter(document=document, unit_id__in=list(wanted))}
        new_ids = [pk for pk in sorted(wanted) if pk not in existing]  # counters locked in one order
        for pk in sorted(wanted):
            if pk in existing:
                result.append(existing[pk])
            else:
                result.append(_new_receipt(document, wanted[pk], by, sender_unit_id, via, on, request))
        if new_ids:
            names = ", ".join(wanted[pk].name for pk in new_ids)
            record(by, AuditAction.STATE, document, request=request, unit_id=sender_unit_id,
                   note=(_("Gửi liên thông tới %(count)d đơn vị") % {"count": len(new_ids)}))
            log_event(document, EventKind.DELIVERED, by, unit_id=sender_unit_id, note=names)
    return result


def register_own_receipt(document: Document, by: Any, *, request: HttpRequest | None = None) -> Receipt:
    """The owner unit's receipt of a document its clerk registered as incoming: the entry of the
    incoming register, carrying the document's own arrival number (no second number is drawn)."""
    receipt = Receipt.objects.create(
        document=document, unit_id=document.owner_unit_id, register_id=document.register_id,
        reg_year=document.reg_year, reg_number=document.reg_number,
        arrived_on=document.arrived_on or timezone.localdate(),
        created_by=by if getattr(by, "is_authenticated", False) else None)
    Route.objects.create(document=document, receipt=receipt, action=RouteAction.RECEIVE,
                         unit_id=document.owner_unit_id, sent_by=receipt.created_by)
    log_event(document, EventKind.REGISTERED, by, unit_id=document.owner_unit_id, receipt=receipt,
              note=_("Số đến %(n)d") % {"n": document.reg_number})
    return receipt


def advance_receipt(receipt: Receipt, status: str, user: Any, *, note: str = "",
                    request: HttpRequest | None = None) -> bool:
    """Send a status message back to the sender (forward only); ``False`` when nothing changed."""
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        before = locked.status
        if not locked.advance(status):
            return False
        locked.save(update_fields=["status", "status_at"])
        receipt.status, receipt.status_at = locked.status, locked.status_at
        record(user, AuditAction.STATE, locked, before={"status": before}, after={"status": locked.status},
               unit_id=locked.unit_id, request=request, note=note)
        log_event(locked.document, STATUS_EVENTS[ReceiptStatus(status)], user, unit_id=locked.unit_id,
                  receipt=locked, note=note)
    return True


def mark_read(receipt: Receipt, user: Any, *, request: HttpRequest | None = None) -> bool:
    """The first time someone of the receiving unit opens the document: "đã xem"."""
    if receipt.read_at is not None or receipt.is_void:
        return False
    with transaction.atomic():
        updated = Receipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(
            read_at=timezone.now(), read_by=user)
        if not updated:
            return False
        receipt.refresh_from_db(fields=["read_at", "read_by", "status", "status_at"])
        advance_receipt(receipt, ReceiptStatus.READ, user, request=request)
    return True


def receipts_of(document: Document) -> QuerySet[Receipt]:
    """Every unit's receipt of the document, with who read it, in tree-insensitive arrival order."""
    return (Receipt.objects.filter(document=document).select_related("unit", "read_by", "sender_unit", "via__unit")
            .order_by("created_at", "pk"))

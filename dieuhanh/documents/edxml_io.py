"""edXML packages of the documents in the database: export an issued document, import a package
into a unit's incoming register (metadata filled in, files attached, a repeated DocumentId refused).

    export_document(document) -> bytes
    import_package(data, unit, user) -> Document       # EdxmlError / ValidationError / PermissionDenied
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dieuhanh.documents import edxml, exchange, services
from dieuhanh.documents.models import Direction, Document, Register
from dieuhanh.lib import filetypes


def _organ_id(unit: Any) -> str:
    return (getattr(unit, "e_id", "") or getattr(unit, "code", "") or "")[:13]


def export_document(document: Document) -> bytes:
    """The document as an edXML package: metadata (edxml.md §2), its files in base64, its
    electronic recipients (the units it was delivered to)."""
    sender = document.issuer_unit or document.owner_unit
    symbol = document.symbol or (document.number_symbol.split("/", 1)[1] if "/" in document.number_symbol else "")
    number = str(document.number) if document.number else document.number_symbol.split("/", 1)[0]
    files = []
    for attachment in document.attachments.all():
        with attachment.file.open("rb") as handle:
            files.append(edxml.EdxmlFile(attachment.original_name, attachment.content_type, handle.read()))
    meta = edxml.Package(
        document_id=edxml.document_id(_organ_id(sender), document.issued_on, document.number_symbol),
        organ_id=_organ_id(sender), code_number=number, code_notation=symbol, place=document.place,
        promulgation_date=document.issued_on, type_name=document.doc_type, subject=document.subject,
        competence=document.signer_authority, position=document.signer_position, full_name=document.signer_name,
        due_date=document.due_on, to_places=[*(document.recipients or []), *(document.distribution or [])],
        priority=edxml.PRIORITY.get(document.urgency, 0), files=files)
    recipients = [(_organ_id(r.unit), r.unit.name) for r in exchange.receipts_of(document)]
    return edxml.build_package(meta, sender_name=document.issuer or sender.name, recipients=recipients,
                               sent_at=timezone.localtime())


def _fields(package: edxml.Package) -> dict[str, Any]:
    number = int(package.code_number) if package.code_number.isdigit() and int(package.code_number) > 0 else None
    lists = [p for p in package.to_places]
    return {
        "doc_type": package.type_name[:64] or "Công văn", "number": number, "symbol": package.code_notation[:64],
        "number_symbol": package.number_symbol[:100], "issuer": package.organ_name[:255],
        "place": package.place[:100], "issued_on": package.promulgation_date, "subject": package.subject,
        "signer_authority": package.competence[:150], "signer_position": package.position[:150],
        "signer_name": package.full_name[:100], "due_on": package.due_date, "distribution": lists,
        "urgency": edxml.URGENCY.get(package.priority, ""), "sender": package.organ_name[:255],
    }


def _readable_text(files: list[edxml.EdxmlFile]) -> str:
    """The text of the first file vanban can read (the body of the register entry), else ""."""
    from dieuhanh.vanban import parse_bytes

    for item in files:
        try:
            return str(parse_bytes(item.data, item.name).get("body") or "")
        except Exception:  # noqa: BLE001 - a scan or an odd format: the metadata is enough
            continue
    return ""


def import_package(data: bytes, unit: Any, user: Any) -> Document:
    """Register the package's document in ``unit``'s incoming register; nothing is written on error."""
    package = edxml.parse_package(data)
    if package.document_id:
        existing = Document.objects.filter(exchange_id=package.document_id[:200]).filter(owner_unit=unit).first()
        if existing is not None:
            raise ValidationError(f"Gói tin này đã được nhập: {existing} (số đến {existing.reg_number}/"
                                  f"{existing.reg_year}, mã {package.document_id}).")
    register = Register.objects.filter(unit=unit, direction=Direction.INCOMING, active=True).order_by("pk").first()
    if register is None:
        register = services.ensure_registers(unit, actor=user)[0]
    fields = _fields(package)
    fields["body"] = _readable_text(package.files)
    main = package.files[0] if package.files else None
    with transaction.atomic():
        document = services.register_document(
            user, register, fields,
            upload=services.IntakeFile(main.data, main.name) if main else None)
        Document.objects.filter(pk=document.pk).update(exchange_id=package.document_id[:200])
        for item in package.files[1:]:
            filetypes.sniff(item.data[:filetypes.SNIFF_BYTES], item.name)
            services.add_attachment(user, document, services.IntakeFile(item.data, item.name))
    document.exchange_id = package.document_id[:200]
    return document

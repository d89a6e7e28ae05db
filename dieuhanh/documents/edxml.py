"""edXML packages (QCVN 102:2016/BTTTT): export an issued document, import one into an incoming register.

Written from the structure summarised in ``../shared/domain/edxml.md`` (no code of the SDK):
``edXML / edXMLEnvelope / edXMLHeader / MessageHeader`` with the document's metadata,
``TraceHeaderList``, ``edXMLBody / edXMLManifest / Reference*`` and, outside the envelope,
``AttachmentEncoded / Attachment*`` with the files in base64. Reading matches elements by
namespace URI and local name, never by prefix, so prefixed and default-namespace packages
both read; an attachment is taken raw or, when it is a ZIP (the VPCP library zips each file),
unzipped. Dates are ``yyyy/MM/dd`` as the SDK writes them; ISO dates are read too.

Not done: the XML-DSig signature (no certificate handling here) and the status messages.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
MAX_FILE_BYTES = 64 * 1024 * 1024  # a package larger than this is refused before it is read
MAX_UNZIPPED = 64 * 1024 * 1024
PRIORITY = {"": 0, "KHẨN": 1, "THƯỢNG KHẨN": 2, "HỎA TỐC": 3}
URGENCY = {v: k for k, v in PRIORITY.items()} | {4: "HỎA TỐC"}


class EdxmlError(ValueError):
    """A package that cannot be read; the message is Vietnamese and says why."""


@dataclass
class EdxmlFile:
    name: str
    content_type: str
    data: bytes


@dataclass
class Package:
    document_id: str = ""
    organ_id: str = ""
    organ_name: str = ""
    code_number: str = ""
    code_notation: str = ""
    place: str = ""
    promulgation_date: datetime.date | None = None
    type_name: str = ""
    subject: str = ""
    competence: str = ""
    position: str = ""
    full_name: str = ""
    due_date: datetime.date | None = None
    to_places: list[str] = field(default_factory=list)
    priority: int = 0
    files: list[EdxmlFile] = field(default_factory=list)

    @property
    def number_symbol(self) -> str:
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation


# --- writing ---------------------------------------------------------------------------------

def _sdk_date(value: datetime.date | None) -> str:
    return value.strftime("%Y/%m/%d") if value else ""


def document_id(organ_id: str, issued_on: datetime.date | None, number_symbol: str) -> str:
    """``OrganId,yyyy/MM/dd,Số/Ký hiệu`` as the SDK samples write it."""
    return f"{organ_id},{_sdk_date(issued_on)},{number_symbol}"


def _el(parent: Any, name: str, text: str | None = None, prefix: bool = True) -> Any:
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    if text:
        element.text = text
    return element


def build_package(meta: Package, *, sender_name: str, recipients: list[tuple[str, str]],
                  sent_at: datetime.datetime) -> bytes:
    """The package as UTF-8 XML bytes. ``recipients``: (OrganId, OrganName) of the electronic ones."""
    root = etree.Element(f"{{{NS}}}edXML", nsmap={None: NS, "edXML": NS})
    envelope = _el(root, "edXMLEnvelope")
    header = _el(envelope, "edXMLHeader")
    message = _el(header, "MessageHeader")
    sender = _el(message, "From")
    _el(sender, "OrganId", meta.organ_id)
    _el(sender, "OrganName", sender_name)
    for organ_id, name in recipients:
        to = _el(message, "To")
        _el(to, "OrganId", organ_id)
        _el(to, "OrganName", name)
    _el(message, "DocumentId", meta.document_id)
    code = _el(message, "Code")
    _el(code, "CodeNumber", meta.code_number)
    _el(code, "CodeNotation", meta.code_notation)
    info = _el(message, "PromulgationInfo")
    _el(info, "Place", meta.place)
    _el(info, "PromulgationDate", _sdk_date(meta.promulgation_date))
    kind = _el(message, "DocumentType")
    _el(kind, "TypeName", meta.type_name)
    _el(message, "Subject", meta.subject)
    signer = _el(message, "SignerInfo")
    _el(signer, "Competence", meta.competence)
    _el(signer, "Position", meta.position)
    _el(signer, "FullName", meta.full_name)
    _el(message, "DueDate", _sdk_date(meta.due_date))
    places = _el(message, "ToPlaces")
    for place in meta.to_places:
        _el(places, "Place", place)
    other = _el(message, "OtherInfo")
    _el(other, "Priority", str(meta.priority))
    traces = _el(header, "TraceHeaderList")
    trace = _el(traces, "TraceHeader")
    _el(trace, "OrganId", meta.organ_id)
    _el(trace, "Timestamp", sent_at.strftime("%Y/%m/%d %H:%M:%S"))
    business = _el(traces, "Bussiness")  # sic: the standard's spelling
    _el(business, "BussinessDocType", "0")
    _el(business, "Paper", "0")
    manifest = _el(_el(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = _el(root, "AttachmentEncoded")
    for index, item in enumerate(meta.files, start=1):
        cid = f"cid:att-{index}"
        reference = _el(manifest, "Reference")
        _el(reference, "ContentId", cid)
        _el(reference, "ContentType", item.content_type or "application/octet-stream")
        _el(reference, "AttachmentName", item.name)
        attachment = _el(encoded, "Attachment")
        _el(attachment, "ContentId", cid)
        _el(attachment, "AttachmentName", item.name)
        _el(attachment, "ContentType", item.content_type or "application/octet-stream")
        _el(attachment, "ContentTransferEncoded", base64.b64encode(item.data).decode("ascii"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- reading ---------------------------------------------------------------------------------

def _local(element: Any) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child(parent: Any, *path: str) -> Any:
    current = parent
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if _local(c) == name), None)
    return current


def _text(parent: Any, *path: str) -> str:
    found = _child(parent, *path)
    return " ".join((found.text or "").split()) if found is not None else ""


def _date(value: str) -> datetime.date | None:
    for fmt in ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value.strip()[:10], fmt).date()
        except ValueError:
            continue
    return None


def _unpack(data: bytes, name: str) -> tuple[bytes, str]:
    """A zipped attachment (the VPCP library's habit) → its single file; anything else as it is."""
    if not data.startswith(b"PK\x03\x04"):
        return data, name
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1 or members[0].file_size > MAX_UNZIPPED:
                return data, name
            return archive.read(members[0]), members[0].filename.rsplit("/", 1)[-1] or name
    except (zipfile.BadZipFile, OSError, ValueError):
        return data, name


def _files(root: Any, manifest: Any) -> list[EdxmlFile]:
    encoded = {}
    for attachment in _child(root, "AttachmentEncoded") if _child(root, "AttachmentEncoded") is not None else []:
        if _local(attachment) == "Attachment":
            encoded[_text(attachment, "ContentId")] = attachment
    files = []
    references = [r for r in manifest if _local(r) == "Reference"] if manifest is not None else []
    for reference in references:
        cid = _text(reference, "ContentId") or (reference.get("{http://www.w3.org/1999/xlink}href") or "")
        attachment = encoded.get(cid)
        name = _text(reference, "AttachmentName") or (attachment is not None and _text(attachment, "AttachmentName"))
        if attachment is None:
            raise EdxmlError(f"Gói tin thiếu tệp đính kèm «{name or cid}» được kê trong danh mục (ContentId {cid}).")
        raw = "".join((_child(attachment, "ContentTransferEncoded").text or "").split()) \
            if _child(attachment, "ContentTransferEncoded") is not None else ""
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise EdxmlError(f"Tệp đính kèm «{name}» không phải dữ liệu base64 hợp lệ.") from None
        if not data:
            raise EdxmlError(f"Tệp đính kèm «{name}» rỗng.")
        data, name = _unpack(data, name or f"tep-{len(files) + 1}")
        files.append(EdxmlFile(name=str(name), content_type=_text(reference, "ContentType"), data=data))
    return files


def _places(parent: Any) -> list[str]:
    if parent is None:
        return []
    return [" ".join((p.text or "").split()) for p in parent if _local(p) == "Place" and (p.text or "").strip()]


def parse_package(data: bytes) -> Package:
    """Read a package (bytes). Raises EdxmlError with a Vietnamese message."""
    if len(data) > MAX_FILE_BYTES:
        raise EdxmlError(too_big_message(len(data)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise EdxmlError(f"Tệp không phải XML hợp lệ ({exc.msg}).") from None
    if _local(root) != "edXML":
        raise EdxmlError(f"Tệp XML không phải gói tin edXML (phần tử gốc là «{_local(root)}», không phải «edXML»).")
    envelope = _child(root, "edXMLEnvelope")
    message = _child(envelope, "edXMLHeader", "MessageHeader")
    if message is None:
        raise EdxmlError("Gói tin edXML không có phần đầu (edXMLEnvelope/edXMLHeader/MessageHeader).")
    package = Package(
        document_id=_text(message, "DocumentId"), organ_id=_text(message, "From", "OrganId"),
        organ_name=_text(message, "From", "OrganName"), code_number=_text(message, "Code", "CodeNumber"),
        code_notation=_text(message, "Code", "CodeNotation"), place=_text(message, "PromulgationInfo", "Place"),
        promulgation_date=_date(_text(message, "PromulgationInfo", "PromulgationDate")),
        type_name=_text(message, "DocumentType", "TypeName"), subject=_text(message, "Subject"),
        competence=_text(message, "SignerInfo", "Competence"), position=_text(message, "SignerInfo", "Position"),
        full_name=_text(message, "SignerInfo", "FullName"), due_date=_date(_text(message, "DueDate")),
        to_places=_places(_child(message, "ToPlaces")))
    try:
        package.priority = int(_text(message, "OtherInfo", "Priority") or 0)
    except ValueError:
        package.priority = 0
    if not (package.subject or package.number_symbol):
        raise EdxmlError("Phần đầu gói tin không có số, ký hiệu lẫn trích yếu văn bản.")
    package.files = _files(root, _child(envelope, "edXMLBody", "edXMLManifest"))
    return package


def too_big_message(size: int) -> str:
    return (f"Gói tin quá lớn ({size / 1048576:.0f} MB); giới hạn là {MAX_FILE_BYTES / 1048576:.0f} MB. "
            "Hãy yêu cầu bên gửi tách tệp đính kèm.")

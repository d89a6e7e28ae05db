"""edXML: the seed exported and imported again, the variants met in practice, bad packages."""

from __future__ import annotations

import base64
import io
import re
import zipfile

import pytest
import time_machine

from dieuhanh import cli
from dieuhanh.accounts.models import AuditLog
from dieuhanh.documents import edxml, services
from dieuhanh.documents.edxml_io import export_document, import_package
from dieuhanh.documents.models import Document, Receipt


@pytest.fixture
def dispatch(actors, registers, seed_bytes):  # type: ignore[no-untyped-def]
    preview = services.preview_intake(data=seed_bytes, filename="313-UBND.txt")
    fields = {k: v for k, v in preview["fields"].items() if k not in ("arrived_on", "sender")}
    with time_machine.travel("2020-03-02 15:00 +0700", tick=False):
        return services.register_document(actors["district_clerk"], registers["district_out"], fields,
                                          upload=services.IntakeFile(seed_bytes, "313-UBND.txt"),
                                          parsed=preview["parsed"])


def test_seed_round_trips_through_the_commands(dispatch, units, actors, tmp_path, seed_bytes, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "313.edxml"
    assert cli.main(["export", "edxml", "--document", "313/UBND", "--out", str(out)]) == 0
    package = edxml.parse_package(out.read_bytes())
    assert (package.code_number, package.code_notation, package.subject) == ("313", "UBND", dispatch.subject)
    assert package.document_id.endswith(",2020/03/02,313/UBND")
    with time_machine.travel("2020-03-03 08:00 +0700", tick=False):
        assert cli.main(["import", "edxml", str(out), "--unit", "p_le_binh"]) == 0
    imported = Document.objects.get(owner_unit=units["le_binh"])
    for name in ("number_symbol", "subject", "issued_on", "doc_type", "signer_name", "signer_position",
                 "signer_authority", "place"):
        assert getattr(imported, name) == getattr(dispatch, name), name
    assert imported.attachments.get().file.read() == seed_bytes
    assert imported.body == dispatch.body
    receipt = Receipt.objects.get(document=imported)
    assert (receipt.reg_number, receipt.unit) == (1, units["le_binh"])
    assert AuditLog.objects.filter(note__contains="p_le_binh", after__command="import edxml").exists()
    # A second import of the same DocumentId is refused, nothing written.
    assert cli.main(["import", "edxml", str(out), "--unit", "p_le_binh"]) == 2
    assert "đã được nhập" in capsys.readouterr().err
    assert Document.objects.filter(owner_unit=units["le_binh"]).count() == 1


def _variant(data: bytes) -> bytes:
    """The same package with every prefix dropped (default namespace only) and the file zipped."""
    text = data.decode()
    text = text.replace("edXML:", "").replace(' xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"', "")
    encoded = re.search(r"<ContentTransferEncoded>(.*?)</ContentTransferEncoded>", text, re.S).group(1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("313-UBND.txt", base64.b64decode(encoded))
    return text.replace(encoded, base64.b64encode(buffer.getvalue()).decode()).encode()


def test_default_namespace_and_zipped_attachment(dispatch, units, actors, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    data = _variant(export_document(dispatch))
    assert b"edXML:" not in data
    with time_machine.travel("2020-03-03 08:00 +0700", tick=False):
        document = import_package(data, units["ba_lang"], actors["other_ward_clerk"])
    attachment = document.attachments.get()
    assert attachment.original_name == "313-UBND.txt" and attachment.file.read() == seed_bytes


@pytest.mark.parametrize(("data", "message"), [
    (b"%PDF-1.4 not xml", "không phải XML"),
    (b"<?xml version='1.0'?><note/>", "không phải gói tin edXML"),
    (b"<edXML xmlns='http://www.mic.gov.vn/TBT/QCVN_102_2016'><edXMLEnvelope/></edXML>", "không có phần đầu"),
    (b"<!DOCTYPE edXML [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><edXML>&x;</edXML>", "(?i)gói tin"),
])
def test_bad_packages_are_refused_with_a_reason(data, message, units, actors) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(edxml.EdxmlError, match=message):
        import_package(data, units["le_binh"], actors["ward_clerk"])
    assert not Document.objects.exists()


def test_missing_attachment_and_size(dispatch, units, actors, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = export_document(dispatch).decode()
    broken = re.sub(r"<AttachmentEncoded>.*</AttachmentEncoded>", "<AttachmentEncoded/>", data, flags=re.S)
    with pytest.raises(edxml.EdxmlError, match="thiếu tệp đính kèm «313-UBND.txt»"):
        import_package(broken.encode(), units["le_binh"], actors["ward_clerk"])
    huge = tmp_path / "lon.edxml"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB without writing them
    assert cli.main(["import", "edxml", str(huge), "--unit", "p_le_binh"]) == 2
    assert "Gói tin quá lớn (200 MB)" in capsys.readouterr().err
    assert cli.main(["import", "edxml", str(tmp_path / "khong-co.edxml"), "--unit", "p_le_binh"]) == 2
    assert cli.main(["export", "edxml", "--document", "999/XYZ", "--out", str(tmp_path / "x.edxml")]) == 2
    assert Document.objects.count() == 1

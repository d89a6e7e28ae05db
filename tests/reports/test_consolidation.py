"""The consolidated report: aggregation of accepted submissions, edited texts, DOCX/XLSX, issuing, CLI."""

from __future__ import annotations

import io
import os
import shutil
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from dieuhanh.accounts.models import AuditLog
from dieuhanh.documents.models import Direction, Register
from dieuhanh.documents.numbering import last_number
from dieuhanh.reports import consolidation as service
from dieuhanh.reports.models import Consolidation, Submission, SubmissionStatus
from dieuhanh.reports.services import ensure_default_outline
from tests.reports.factories import make_request

RECIPIENT = "Sở Nội vụ thành phố Cần Thơ"


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel("2020-04-28 09:00 +0700", tick=False) as traveller:
        yield traveller


def _data(text: str, received: int, on_time: int, note: str = "") -> dict:
    data = {
        "sections": {"1.1": text, "1.3.2": f"{text} Một cửa liên thông."},
        "tables": {"PL3": {"ho_so_tiep_nhan": {"gd1": received, "gd2": received * 2},
                           "ho_so_dung_han": {"gd1": on_time, "gd2": on_time * 2}}},
    }
    if note:
        data["tables"]["PL3"]["ho_so_tiep_nhan"]["ghi_chu"] = note
    return data


@pytest.fixture
def req(actors, units):  # type: ignore[no-untyped-def]
    """Nội vụ asks Lê Bình, Ba Láng (accepted), Văn phòng (returned) for the CCHC report."""
    version = ensure_default_outline().current
    request = make_request(actors["district_specialist"], [units["le_binh"], units["ba_lang"], units["van_phong"]],
                           date(2020, 4, 20), outline_version=version, recipient=RECIPIENT)
    rows = {
        units["le_binh"]: (SubmissionStatus.ACCEPTED, _data("Lê Bình ban hành kế hoạch CCHC hằng năm.", 100, 90,
                                                            "tăng")),
        units["ba_lang"]: (SubmissionStatus.ACCEPTED, _data("Ba Láng kiện toàn bộ phận một cửa.", 50, 45)),
        units["van_phong"]: (SubmissionStatus.RETURNED, _data("Văn phòng: số liệu sai.", 7000, 7000)),
    }
    for unit, (status, data) in rows.items():
        Submission.objects.filter(request=request, unit=unit).update(status=status, data=data)
    return request


def _keys(outline, table: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    t = outline.table(table)
    return t.rows[0].key, t.rows[1].key


def test_fixture_matches_the_default_outline(req):  # type: ignore[no-untyped-def]
    outline = req.outline_version.schema()
    row_keys = {r.key for r in outline.table("PL3").rows}
    assert {"ho_so_tiep_nhan", "ho_so_dung_han"} <= row_keys
    assert outline.section("1.1").narrative and outline.section("1.3.2").narrative


def test_consolidate_aggregates_accepted_submissions_only(req, actors, units):  # type: ignore[no-untyped-def]
    c = service.consolidate(actors["district_specialist"], req)
    pl3 = c.figures["tables"]["PL3"]
    assert pl3["ho_so_tiep_nhan"]["gd1"] == 150 and pl3["ho_so_tiep_nhan"]["gd2"] == 300
    assert pl3["ho_so_dung_han"]["gd1"] == 135
    assert c.figures["count"] == 2
    assert c.units_included == [units["ba_lang"].pk, units["le_binh"].pk]  # unit-name order
    assert c.subject == ("Tổng kết Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2011-2020 và "
                         "phương hướng, nhiệm vụ cải cách hành chính giai đoạn 2021-2030")
    assert (c.signer_authority, c.signer_position) == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    assert c.distribution == [RECIPIENT, "Lưu: VT, NV"]
    assert AuditLog.objects.filter(object_type="reports.consolidation", object_id=str(c.pk), action="create").exists()


def test_narrative_is_attributed_in_unit_order(req, actors):  # type: ignore[no-untyped-def]
    c = service.consolidate(actors["district_specialist"], req)
    text = c.texts["1.1"]
    assert text == ("— Phường Ba Láng:\nBa Láng kiện toàn bộ phận một cửa.\n\n"
                    "— Phường Lê Bình:\nLê Bình ban hành kế hoạch CCHC hằng năm.")
    assert "Văn phòng" not in c.texts["1.3.2"]
    assert c.texts["1.2"] == ""  # a narrative section nobody wrote


def test_edited_texts_survive_a_rebuild_unless_reset(req, actors, units):  # type: ignore[no-untyped-def]
    user = actors["district_specialist"]
    c = service.consolidate(user, req)
    service.update_consolidation(user, c, texts={"1.1": "Toàn quận đã ban hành kế hoạch.", "1.3.2": c.texts["1.3.2"]},
                                 signer_name="Vương Công Khanh")
    c.refresh_from_db()
    assert service.edited_sections(c) == {"1.1"}
    Submission.objects.filter(request=req, unit=units["van_phong"]).update(status=SubmissionStatus.ACCEPTED)
    c = service.consolidate(user, req)
    assert c.texts["1.1"] == "Toàn quận đã ban hành kế hoạch."
    assert "Văn phòng HĐND và UBND quận Cái Răng" in c.texts["1.3.2"]  # not edited: rebuilt
    assert c.figures["tables"]["PL3"]["ho_so_tiep_nhan"]["gd1"] == 7150
    assert c.signer_name == "Vương Công Khanh"
    c = service.consolidate(user, req, reset=True)
    assert c.texts["1.1"].startswith("— Phường Ba Láng:") and service.edited_sections(c) == set()


def test_update_refuses_unknown_sections_and_empty_subject(req, actors):  # type: ignore[no-untyped-def]
    user = actors["district_specialist"]
    c = service.consolidate(user, req)
    with pytest.raises(ValidationError):
        service.update_consolidation(user, c, texts={"99": "x"})
    with pytest.raises(ValidationError):
        service.update_consolidation(user, c, subject="  ")


def test_ward_and_outsider_cannot_consolidate(req, actors):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        service.consolidate(actors["ward_chairman"], req)  # sees the request (owes a report), not the requester
    with pytest.raises(Http404):
        service.consolidate(actors["outsider"], req)
    with pytest.raises((PermissionDenied, Http404)):
        service.consolidate(actors["district_clerk"], req)  # a clerk reads, never consolidates
    assert not Consolidation.objects.exists()


# --- DOCX / XLSX ------------------------------------------------------------------------------------

def _docx_texts(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    import docx

    d = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in d.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in d.tables]
    return paragraphs, tables


def test_docx_layout_and_contents(req, actors):  # type: ignore[no-untyped-def]
    user = actors["district_specialist"]
    c = service.consolidate(user, req)
    service.update_consolidation(user, c, signer_name="Vương Công Khanh")
    data = service.consolidated_docx(c)
    paragraphs, tables = _docx_texts(data)
    header = " ".join(cell for row in tables[0] for cell in row)
    assert "ỦY BAN NHÂN DÂN" in header and "QUẬN CÁI RĂNG" in header
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header
    assert "/BC-UBND" in header and "Cái Răng, ngày" in header and "năm 2020" in header
    body = "\n".join(paragraphs)
    assert "BÁO CÁO" in paragraphs
    assert "Kính gửi: Sở Nội vụ thành phố Cần Thơ." in body
    assert "Phần I" in paragraphs and "KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH TỔNG THỂ CCHC GIAI ĐOẠN 2011-2020" in paragraphs
    assert "I. Đặc điểm tình hình; thuận lợi, khó khăn" in paragraphs
    import docx

    heading = next(p for p in docx.Document(io.BytesIO(data)).paragraphs if p.text.startswith("I. Đặc điểm"))
    assert all(run.bold for run in heading.runs) and not any(run.italic for run in heading.runs)
    assert "2. Cải cách thủ tục hành chính" in paragraphs
    assert any("(Đơn vị: Phường Lê Bình)" in p and "Lê Bình ban hành" in p for p in paragraphs)
    # Decree 30: body, ./., Nơi nhận and signature, then the appendices, each on its own page.
    assert "SỐ LIỆU THEO TỪNG ĐƠN VỊ" in paragraphs
    appendix_label = paragraphs[paragraphs.index("SỐ LIỆU THEO TỪNG ĐƠN VỊ") - 1]
    assert appendix_label.startswith("PHỤ LỤC ")
    sections = docx.Document(io.BytesIO(data)).sections
    assert len(sections) >= 2 and sections[-1].page_width > sections[-1].page_height  # the wide unit tables
    assert sections[0].page_width < sections[0].page_height
    # The aggregated PL3 table: "Số hồ sơ tiếp nhận" row, gd1 = 150, gd2 = 300.
    outline = req.outline_version.schema()
    label = outline.table("PL3").row("ho_so_tiep_nhan").label
    aggregated = [row for t in tables for row in t if row and row[0] == label]
    assert ["150", "300"] == aggregated[0][2:4]
    # The per-unit appendix: Ba Láng's and Lê Bình's own values.
    per_unit = [t for t in tables if t[0][:3] == ["Đơn vị", "Chỉ tiêu", "Đơn vị tính"]]
    assert len(per_unit) == len(outline.tables)
    pl3 = per_unit[[t.key for t in outline.tables].index("PL3")]
    start = next(i for i, row in enumerate(pl3) if row[0] == "Phường Lê Bình")
    lebinh = pl3[start:start + len(outline.table("PL3").rows)]
    assert any(row[1] == label and row[3:5] == ["100", "200"] for row in lebinh)
    assert any(row[1] == label and row[3:5] == ["50", "100"] for row in pl3[:start])  # Ba Láng first
    closing_at = next(i for i, t in enumerate(tables) if any("Nơi nhận:" in cell for row in t for cell in row))
    assert closing_at < tables.index(per_unit[0])  # the signature comes before the appendices
    closing = " ".join(cell for row in tables[closing_at] for cell in row)
    assert "Nơi nhận:" in closing and "- Sở Nội vụ thành phố Cần Thơ;" in closing and "- Lưu: VT, NV." in closing
    assert "TM. ỦY BAN NHÂN DÂN" in closing and "CHỦ TỊCH" in closing and "Vương Công Khanh" in closing


def test_docx_reads_back_with_vanban(req, actors):  # type: ignore[no-untyped-def]
    from dieuhanh.vanban import parse_bytes

    c = service.consolidate(actors["district_specialist"], req)
    parsed = parse_bytes(service.consolidated_docx(c), "x.docx")
    flat = repr(parsed).upper()
    assert "ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG" in " ".join(flat.split()) or "QUẬN CÁI RĂNG" in flat
    assert "BÁO CÁO" in flat or "BC" in flat
    assert "TỔNG KẾT CHƯƠNG TRÌNH TỔNG THỂ" in flat


def test_xlsx_has_aggregated_and_per_unit_sheets(req, actors):  # type: ignore[no-untyped-def]
    import openpyxl

    c = service.consolidate(actors["district_specialist"], req)
    book = openpyxl.load_workbook(io.BytesIO(service.consolidated_xlsx(c)))
    outline = req.outline_version.schema()
    assert len(book.sheetnames) == 2 * len(outline.tables)
    label = outline.table("PL3").row("ho_so_tiep_nhan").label
    ws = book["PL3 tổng hợp"]
    rows = [[cell.value for cell in row] for row in ws.iter_rows()]
    assert [r for r in rows if r[0] == label][0][2:4] == [150, 300]
    units = [[cell.value for cell in row] for row in book["PL3 theo đơn vị"].iter_rows()]
    header = units[1]
    assert header[:2] == ["STT", "Đơn vị"]
    gd1 = header.index(f"{label} (hồ sơ) — Giai đoạn 2011-2015")
    by_unit = {r[1]: r for r in units[2:]}
    assert list(by_unit) == ["Phường Ba Láng", "Phường Lê Bình"]
    assert by_unit["Phường Lê Bình"][gd1:gd1 + 2] == [100, 200] and by_unit["Phường Ba Láng"][gd1] == 50
    note = header.index(f"{label} (hồ sơ) — Ghi chú")
    assert by_unit["Phường Lê Bình"][note] == "tăng"


def test_long_note_lists_are_summarised_in_the_aggregated_table(req):  # type: ignore[no-untyped-def]
    outline = req.outline_version.schema()
    notes = [[f"Phường {i}", "ghi chú"] for i in range(service.LIST_MAX + 1)]
    figures = {"tables": {"PL3": {"ho_so_tiep_nhan": {"gd1": 5, "ghi_chu": notes}}}}
    _headers, rows = service._matrix(outline, outline.table("PL3"), figures)
    row = next(r for r in rows if r[0] == outline.table("PL3").row("ho_so_tiep_nhan").label)
    assert row[2] == 5 and row[-1] == f"{service.LIST_MAX + 1} đơn vị có ghi chú (xem số liệu theo từng đơn vị)"
    figures["tables"]["PL3"]["ho_so_tiep_nhan"]["ghi_chu"] = notes[:2]
    _headers, rows = service._matrix(outline, outline.table("PL3"), figures)
    assert "Phường 0: ghi chú" in next(r for r in rows if r[2] == 5)[-1]


# --- issuing ----------------------------------------------------------------------------------------

def test_issue_numbers_in_the_district_outgoing_register_and_refuses_twice(req, actors, units):  # type: ignore[no-untyped-def]
    from dieuhanh.documents.services import ensure_registers
    from dieuhanh.vanban import parse_bytes

    # Issuing draws a number from UBND quận's outgoing register: only someone with that register's
    # own right does it (here the administrator; the specialist is refused: see below).
    user = actors["admin"]
    registers = ensure_registers(units["district"])
    outgoing = next(r for r in registers if r.direction == Direction.OUTGOING)
    from django.db import transaction

    from dieuhanh.documents.numbering import next_number

    with transaction.atomic():
        for _ in range(84):
            next_number(outgoing.pk, 2020)
    c = service.consolidate(user, req)
    document = service.issue_consolidation(user, c)
    assert document.register == outgoing and document.direction == Direction.OUTGOING
    assert (document.number, document.number_symbol, document.reg_number) == (85, "85/BC-UBND", 85)
    assert document.issued_on == date(2020, 4, 28) and document.doc_type == "Báo cáo"
    assert document.issuer == "Ủy ban nhân dân quận Cái Răng" and document.place == "Cái Răng"
    assert document.signer_authority == "TM. ỦY BAN NHÂN DÂN" and document.distribution == [RECIPIENT, "Lưu: VT, NV"]
    assert last_number(outgoing, 2020) == 85
    c.refresh_from_db()
    assert c.document == document
    attachment = document.attachments.get()
    assert attachment.is_main and attachment.original_name.endswith(".docx")
    data = attachment.file.read()
    paragraphs, tables = _docx_texts(data)
    header = " ".join(cell for row in tables[0] for cell in row)
    assert "Số: 85/BC-UBND" in header and "Cái Răng, ngày 28 tháng 4 năm 2020" in header
    parsed = repr(parse_bytes(data, "x.docx"))
    assert "85/BC-UBND" in parsed and ("2020-04-28" in parsed or "28/04/2020" in parsed)
    with pytest.raises(ValidationError, match="85/BC-UBND"):
        service.issue_consolidation(user, c)
    with pytest.raises(ValidationError):
        service.update_consolidation(user, c, subject="Khác")
    assert last_number(outgoing, 2020) == 85
    assert AuditLog.objects.filter(object_type="reports.consolidation", action="state").count() == 1


def test_issue_creates_the_register_and_submits_the_source_task(actors, units):  # type: ignore[no-untyped-def]
    from dieuhanh.tasks.models import Assignment, Status, Task

    user = actors["admin"]
    task = Task.objects.create(title="Báo cáo Sở Nội vụ trước 01/05/2020", assigned_by_unit=units["district"])
    source = Assignment.objects.create(task=task, unit=units["noi_vu"], role="chu_tri", status=Status.IN_PROGRESS,
                                       due_on=date(2020, 4, 30), original_due_on=date(2020, 4, 30))
    version = ensure_default_outline().current
    request = make_request(actors["district_specialist"], [units["le_binh"]], date(2020, 4, 20),
                           outline_version=version, source_assignment=source)
    Submission.objects.filter(request=request).update(status=SubmissionStatus.ACCEPTED,
                                                      data=_data("Đã làm.", 10, 9))
    assert not Register.objects.filter(unit=units["district"]).exists()
    document = service.issue_consolidation(user, service.consolidate(user, request))
    assert document.number == 1 and document.register.unit == units["district"]
    source.refresh_from_db()
    assert source.status == Status.SUBMITTED and source.result_document == document


def test_the_specialist_cannot_number_in_the_committee_register(req, actors, units):  # type: ignore[no-untyped-def]
    """The attack of issue 9: "Phát hành" drew a number from UBND quận's outgoing register for
    Phòng Nội vụ's specialist, whom the register itself refuses. Both now refuse him alike, and
    nothing is written: no document, no number, no register."""
    from dieuhanh.documents.permissions import can_register
    from dieuhanh.documents.services import ensure_registers, register_document

    specialist, head = actors["district_specialist"], actors["noi_vu_head"]
    c = service.consolidate(specialist, req)
    with pytest.raises(PermissionDenied, match="Chỉ văn thư của Ủy ban nhân dân quận Cái Răng"):
        service.issue_consolidation(specialist, c)
    assert not Register.objects.filter(unit=units["district"]).exists()  # not even created on the way
    outgoing = next(r for r in ensure_registers(units["district"]) if r.direction == Direction.OUTGOING)
    assert not can_register(specialist, outgoing)
    with pytest.raises(PermissionDenied):  # the register refuses him directly …
        register_document(specialist, outgoing, {"doc_type": "Báo cáo", "subject": "Thử"})
    for who in (specialist, head):  # … and through the consolidation, the same
        with pytest.raises(PermissionDenied):
            service.issue_consolidation(who, c)
        with pytest.raises(PermissionDenied):
            service.issue_consolidation(who, c, register=outgoing)
    c.refresh_from_db()
    assert c.document is None and last_number(outgoing, 2020) == 0
    assert not AuditLog.objects.filter(object_type="documents.document").exists()
    document = service.issue_consolidation(actors["admin"], c, register=outgoing)  # the right holder does
    assert document.reg_number == 1 and last_number(outgoing, 2020) == 1


def test_ward_cannot_issue(req, actors):  # type: ignore[no-untyped-def]
    c = service.consolidate(actors["district_specialist"], req)
    with pytest.raises(PermissionDenied):
        service.issue_consolidation(actors["ward_chairman"], c)
    c.refresh_from_db()
    assert c.document is None


def test_issuer_of_a_department_request(units):  # type: ignore[no-untyped-def]
    issuer = service.issuer_for(units["so_noi_vu"])
    assert issuer.lines == "SỞ NỘI VỤ" and issuer.parent == "UBND THÀNH PHỐ CẦN THƠ"
    assert issuer.place == "Cần Thơ" and issuer.position == "GIÁM ĐỐC" and issuer.agency_symbol == "SNV"
    ward = service.issuer_for(units["le_binh"])
    assert ward.lines == "ỦY BAN NHÂN DÂN\nPHƯỜNG LÊ BÌNH" and ward.place == "Lê Bình"


# --- CLI and PDF ------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_cli_writes_docx_and_xlsx(req, tmp_path, capsys):  # type: ignore[no-untyped-def]
    from dieuhanh.cli import main

    out, xlsx = tmp_path / "bao-cao.docx", tmp_path / "so-lieu.xlsx"
    assert main(["export", "consolidated", str(req.pk), "--out", str(out), "--xlsx", str(xlsx)]) == 0
    paragraphs, _tables = _docx_texts(out.read_bytes())
    assert "BÁO CÁO" in paragraphs and xlsx.stat().st_size > 0
    assert Consolidation.objects.get(request=req).units_included
    assert main(["export", "consolidated", "999999", "--out", str(out)]) == 2
    assert "không tìm thấy yêu cầu báo cáo" in capsys.readouterr().err
    assert main(["export", "consolidated", str(req.pk), "--out", str(tmp_path / "khong-co" / "x.docx")]) == 2


def test_pdf_conversion(req, actors, tmp_path):  # type: ignore[no-untyped-def]
    from dieuhanh.reports.pdf import docx_to_pdf, find_soffice

    if find_soffice() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice (soffice) is required in CI")
        pytest.skip("LibreOffice (soffice) not installed")
    c = service.consolidate(actors["district_specialist"], req)
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(service.consolidated_docx(c))
    pdf = docx_to_pdf(source, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    if shutil.which("pdftotext"):
        import subprocess

        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "BÁO CÁO" in text and "CÁI RĂNG" in text

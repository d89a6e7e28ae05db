"""Decree 30 DOCX builder, XLSX tables and PDF conversion (no database)."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import load_workbook

from dieuhanh.reports.decree30_docx import (
    Header, Heading, Paragraph, Signature, TableBlock, build_docx, date_line, number_line,
)
from dieuhanh.reports.pdf import PdfConversionError, docx_to_pdf
from dieuhanh.reports.xlsx import Sheet, build_xlsx
from dieuhanh.vanban import parse_bytes

SUBJECT = "Tổng kết Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2011-2020"
RECIPIENTS = ["Sở Nội vụ thành phố Cần Thơ", "TT. Quận ủy", "Lưu: VT, NV"]
TABLE = TableBlock(
    title="Bảng 1. Kết quả giải quyết thủ tục hành chính",
    headers=["STT", "Đơn vị", "Số hồ sơ tiếp nhận", "Đúng hạn", "Tỷ lệ (%)"],
    rows=[
        [1, "Phòng Tư pháp", 1234, 1200, 97.25],
        [2, "Phòng Tài nguyên và Môi trường", 856, 850, 99.3],
        [3, "UBND phường Lê Bình", 2310, 2310, Decimal("100")],
    ],
    note="Số liệu tính đến ngày 15/4/2020.",
)


def seed_header(**changes) -> Header:
    values = dict(issuer="ỦY BAN NHÂN DÂN\nQUẬN CÁI RĂNG", number="85", symbol="BC-UBND", place="Cái Răng",
                  date=date(2020, 4, 28), subject=SUBJECT)
    values.update(changes)
    return Header(**values)


def seed_blocks() -> list:
    return [
        Heading("Phần I. Kết quả thực hiện", 1),
        Heading("1. Cải cách thể chế", 3),
        Paragraph("Đã rà soát 125 văn bản quy phạm pháp luật do quận ban hành.\n"
                  "Kiến nghị bãi bỏ 12 văn bản không còn phù hợp.", attribution="Phòng Tư pháp"),
        Heading("a) Cải cách thủ tục hành chính", 4),
        Paragraph("Tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,5%.", attribution="Văn phòng HĐND và UBND quận"),
        TABLE,
        Heading("Phần II\nPhương hướng, nhiệm vụ giai đoạn 2021-2030", 1),
        Paragraph("Tiếp tục đẩy mạnh cải cách hành chính, xây dựng chính quyền điện tử."),
    ]


def seed_signature(name: str = "Nguyễn Văn A") -> Signature:
    return Signature(authority="TM. ỦY BAN NHÂN DÂN", position="CHỦ TỊCH", name=name)


def build_seed(**header_changes) -> bytes:
    return build_docx(seed_header(**header_changes), seed_blocks(), RECIPIENTS, seed_signature())


@pytest.fixture(scope="module")
def seed_bytes() -> bytes:
    return build_seed()


@pytest.fixture(scope="module")
def seed_doc(seed_bytes):
    return docx.Document(io.BytesIO(seed_bytes))


def paragraph_with(container, text: str):
    for paragraph in container.paragraphs:
        if paragraph.text == text:
            return paragraph
    raise AssertionError(f"no paragraph {text!r} in {[p.text for p in container.paragraphs]}")


def run_fonts(run) -> dict[str, str]:
    fonts = run._r.rPr.find(qn("w:rFonts"))
    return {attr: fonts.get(qn(f"w:{attr}")) for attr in ("ascii", "hAnsi", "eastAsia", "cs")}


# --- page and fonts ---------------------------------------------------------------------


def test_page_is_a4_with_decree_margins(seed_doc) -> None:
    section = seed_doc.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)
    assert Mm(20) <= section.top_margin <= Mm(25)
    assert Mm(20) <= section.bottom_margin <= Mm(25)
    assert Mm(30) <= section.left_margin <= Mm(35)
    assert Mm(15) <= section.right_margin <= Mm(20)
    # page numbers top centre, none on page 1
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml


def test_every_run_is_times_new_roman(seed_doc) -> None:
    normal = seed_doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    runs = [r for p in seed_doc.paragraphs for r in p.runs]
    for table in seed_doc.tables:
        for row in table.rows:
            for cell in row.cells:
                runs += [r for p in cell.paragraphs for r in p.runs]
    assert len(runs) > 40
    for run in runs:
        assert run_fonts(run) == dict.fromkeys(("ascii", "hAnsi", "eastAsia", "cs"), "Times New Roman"), run.text
    defaults = seed_doc.styles.element.find(qn("w:docDefaults")).find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert defaults.find(qn("w:rFonts")).get(qn("w:asciiTheme")) is None


def test_header_table_texts_and_formats(seed_doc) -> None:
    header = seed_doc.tables[0]
    texts = [[cell.text for cell in row.cells] for row in header.rows]
    assert texts == [
        ["ỦY BAN NHÂN DÂN\nQUẬN CÁI RĂNG\n", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"],
        ["Số: 85/BC-UBND", "Cái Răng, ngày 28 tháng 4 năm 2020"],
    ]
    assert "w:val=\"nil\"" in header._tbl.tblPr.xml  # borderless
    agency, national = header.cell(0, 0), header.cell(0, 1)
    for line in ("ỦY BAN NHÂN DÂN", "QUẬN CÁI RĂNG"):
        run = paragraph_with(agency, line).runs[0]
        assert (run.bold, run.font.size) == (True, Pt(12))
    qh = paragraph_with(national, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert (qh.runs[0].bold, qh.runs[0].font.size, qh.alignment) == (True, Pt(12), WD_ALIGN_PARAGRAPH.CENTER)
    tn = paragraph_with(national, "Độc lập - Tự do - Hạnh phúc")
    assert (tn.runs[0].bold, tn.runs[0].font.size) == (True, Pt(13))
    # rules: a bottom-bordered paragraph under the issuer and under the motto
    for cell in (agency, national):
        rule = cell.paragraphs[-1]
        assert rule.text == ""
        assert rule._p.pPr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}").get(qn("w:val")) == "single"
    number = header.cell(1, 0).paragraphs[0]
    assert (number.runs[0].font.size, number.alignment) == (Pt(13), WD_ALIGN_PARAGRAPH.CENTER)
    when = header.cell(1, 1).paragraphs[0]
    assert (when.runs[0].italic, when.runs[0].font.size) == (True, Pt(13))


def test_parent_body_is_printed_above_the_issuer_not_bold() -> None:
    data = build_docx(
        seed_header(issuer_parent="UBND THÀNH PHỐ CẦN THƠ", issuer="Sở Nội vụ", symbol="BC-SNV", place="Cần Thơ"),
        [Paragraph("Nội dung.")], ["Lưu: VT"], Signature(authority="KT. GIÁM ĐỐC", position="PHÓ GIÁM ĐỐC",
                                                           name="Trần Thị Bình"),
    )
    agency = docx.Document(io.BytesIO(data)).tables[0].cell(0, 0)
    parent, issuer = agency.paragraphs[0], agency.paragraphs[1]
    assert (parent.text, parent.runs[0].bold) == ("UBND THÀNH PHỐ CẦN THƠ", False)
    assert (issuer.text, issuer.runs[0].bold) == ("SỞ NỘI VỤ", True)
    parsed = parse_bytes(data, "bc.docx")
    assert (parsed["issuer_parent"], parsed["issuer"]) == ("UBND THÀNH PHỐ CẦN THƠ", "SỞ NỘI VỤ")
    assert (parsed["signer_authority"], parsed["signer_position"], parsed["signer_name"]) == (
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Thị Bình")


def test_title_body_and_closing_formats(seed_doc) -> None:
    body = seed_doc
    title = paragraph_with(body, "BÁO CÁO")
    assert (title.runs[0].bold, title.runs[0].font.size, title.alignment) == (True, Pt(14), WD_ALIGN_PARAGRAPH.CENTER)
    subject = paragraph_with(body, SUBJECT)
    assert (subject.runs[0].bold, subject.runs[0].font.size) == (True, Pt(14))
    text = paragraph_with(body, "(Đơn vị: Phòng Tư pháp) Đã rà soát 125 văn bản quy phạm pháp luật do quận ban hành.")
    prefix, main = text.runs
    assert (prefix.italic, main.italic, main.font.size) == (True, False, Pt(14))
    fmt = text.paragraph_format
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert round(fmt.first_line_indent.cm, 2) in (1.0, 1.27)
    assert fmt.space_after >= Pt(6) and 1.0 <= fmt.line_spacing <= 1.5
    # headings: Phần label and its title in capitals, bold centred; điểm in italic
    assert paragraph_with(body, "Phần I").runs[0].bold
    part = paragraph_with(body, "KẾT QUẢ THỰC HIỆN")
    assert (part.runs[0].bold, part.alignment) == (True, WD_ALIGN_PARAGRAPH.CENTER)
    assert paragraph_with(body, "PHƯƠNG HƯỚNG, NHIỆM VỤ GIAI ĐOẠN 2021-2030").runs[0].bold
    assert paragraph_with(body, "a) Cải cách thủ tục hành chính").runs[0].italic
    # the content ends with ./.
    assert paragraph_with(body, "Tiếp tục đẩy mạnh cải cách hành chính, xây dựng chính quyền điện tử./.")
    closing = body.tables[-1]
    left, right = closing.cell(0, 0), closing.cell(0, 1)
    assert [p.text for p in left.paragraphs] == [
        "Nơi nhận:", "- Sở Nội vụ thành phố Cần Thơ;", "- TT. Quận ủy;", "- Lưu: VT, NV."]
    noi_nhan = left.paragraphs[0].runs[0]
    assert (noi_nhan.bold, noi_nhan.italic, noi_nhan.font.size) == (True, True, Pt(12))
    assert all(p.runs[0].font.size == Pt(11) and not p.runs[0].bold for p in left.paragraphs[1:])
    lines = [p.text for p in right.paragraphs]
    assert lines[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"] and lines[-1] == "Nguyễn Văn A"
    assert lines[2:-1] == [""] * (len(lines) - 3) and len(lines) - 3 >= 3  # room to sign and seal
    for p in (right.paragraphs[0], right.paragraphs[1], right.paragraphs[-1]):
        assert (p.runs[0].bold, p.runs[0].font.size, p.alignment) == (True, Pt(14), WD_ALIGN_PARAGRAPH.CENTER)


def test_data_table_contents_and_repeated_header(seed_doc) -> None:
    assert len(seed_doc.tables) == 3
    table = seed_doc.tables[1]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["STT", "Đơn vị", "Số hồ sơ tiếp nhận", "Đúng hạn", "Tỷ lệ (%)"],
        ["1", "Phòng Tư pháp", "1.234", "1.200", "97,25"],
        ["2", "Phòng Tài nguyên và Môi trường", "856", "850", "99,3"],
        ["3", "UBND phường Lê Bình", "2.310", "2.310", "100"],
    ]
    head = table.rows[0]
    assert head._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(c.paragraphs[0].runs[0].bold for c in head.cells)
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:insideH")).get(qn("w:val")) == "single"
    row = table.rows[1].cells
    assert row[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert row[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert {c.paragraphs[0].alignment for c in row[2:]} == {WD_ALIGN_PARAGRAPH.RIGHT}
    title = paragraph_with(seed_doc, TABLE.title)
    assert (title.runs[0].bold, title.alignment) == (True, WD_ALIGN_PARAGRAPH.CENTER)
    note = paragraph_with(seed_doc, TABLE.note)
    assert note.runs[0].italic
    widths = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert abs(sum(widths) - 16.5 * 567) < 10  # the full text width


def test_explicit_table_widths_are_used() -> None:
    block = TableBlock("Bảng", ["A", "B"], [["x", 1]], widths_cm=[4.0, 3.0])
    data = build_docx(seed_header(), [block], [], Signature())
    table = docx.Document(io.BytesIO(data)).tables[1]
    assert [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))] == [2268, 1701]


# --- the project's parser reads it back ---------------------------------------------------


def test_parser_reads_the_header_and_closing_back(seed_bytes) -> None:
    result = parse_bytes(seed_bytes, "bao-cao.docx")
    assert result["issuer"] == "ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG"
    assert result["issuer_parent"] is None
    assert result["doc_type"] == "Báo cáo"
    assert (result["number"], result["symbol"], result["number_symbol"]) == (85, "BC-UBND", "85/BC-UBND")
    assert (result["place"], result["date"]) == ("Cái Răng", "2020-04-28")
    assert result["subject"] == SUBJECT
    assert result["signer_authority"] == "TM. ỦY BAN NHÂN DÂN"
    assert result["signer_position"] == "CHỦ TỊCH"
    assert result["distribution"] == RECIPIENTS
    assert not result["truncated"]
    assert "2 Phòng Tài nguyên và Môi trường 856 850 99,3" in " ".join(result["body"].split())
    assert not [w for w in result["warnings"] if w["severity"] == "error"], result["warnings"]


def test_parser_reads_a_full_signer_name() -> None:
    data = build_docx(seed_header(), seed_blocks(), RECIPIENTS, seed_signature("Nguyễn Văn An"))
    result = parse_bytes(data, "bao-cao.docx")
    assert (result["signer_position"], result["signer_name"]) == ("CHỦ TỊCH", "Nguyễn Văn An")


def test_parser_reads_a_one_letter_given_name(seed_bytes) -> None:
    assert parse_bytes(seed_bytes, "bao-cao.docx")["signer_name"] == "Nguyễn Văn A"


def test_greeting_is_read_as_kinh_gui() -> None:
    data = build_docx(seed_header(), seed_blocks(), ["Như trên", *RECIPIENTS[1:]], seed_signature(),
                      greeting="Kính gửi: Sở Nội vụ thành phố Cần Thơ.")
    result = parse_bytes(data, "bao-cao.docx")
    assert result["recipients"] == ["Sở Nội vụ thành phố Cần Thơ"]
    assert result["subject"] == SUBJECT
    assert result["distribution"] == ["Như trên", "TT. Quận ủy", "Lưu: VT, NV"]
    assert not result["warnings"], result["warnings"]


def test_unnumbered_document_leaves_the_number_blank() -> None:
    data = build_docx(seed_header(number=None, date=None, year=2020), seed_blocks(), RECIPIENTS, seed_signature())
    header = docx.Document(io.BytesIO(data)).tables[0]
    assert header.cell(1, 0).text.startswith("Số:")
    assert header.cell(1, 0).text.replace(" ", "") == "Số:/BC-UBND"
    assert header.cell(1, 1).text.split() == ["Cái", "Răng,", "ngày", "tháng", "năm", "2020"]
    result = parse_bytes(data, "du-thao.docx")
    assert result["issuer"] == "ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG"
    assert result["subject"] == SUBJECT
    assert result["doc_type"] == "Báo cáo"
    assert (result["number"], result["symbol"], result["date"]) == (None, "BC-UBND", None)
    assert result["place"] == "Cái Răng"


def test_number_and_date_lines_follow_the_padding_rules() -> None:
    assert number_line("5", "BC-UBND") == "Số: 05/BC-UBND"
    assert number_line("313", "UBND") == "Số: 313/UBND"
    assert date_line("Cái Răng", date(2020, 3, 2)) == "Cái Răng, ngày 02 tháng 3 năm 2020"
    assert date_line("Hà Nội", date(2020, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2020"
    assert date_line("Cần Thơ", date(2021, 12, 27)) == "Cần Thơ, ngày 27 tháng 12 năm 2021"


def test_bad_block_and_control_characters() -> None:
    with pytest.raises(TypeError):
        build_docx(seed_header(), ["not a block"], [], Signature())
    data = build_docx(seed_header(subject="Báo\x0b cáo\x00 thử"), [Paragraph("a\x01b")], [], Signature())
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    assert paragraph_with(docx.Document(io.BytesIO(data)), "Báo cáo thử")



def _document_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def test_copied_paragraphs_match_the_python_docx_built_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paragraphs and runs copied from prototypes are the XML python-docx would build."""
    from dieuhanh.reports import decree30_docx as module

    blocks = seed_blocks() + [
        Paragraph("", attribution="Chỉ đơn vị"),
        Paragraph("một\nhai\n\nba", attribution="(Đơn vị: Phòng Nội vụ)"),
        TableBlock("Bảng 2\nnhiều dòng", ["STT", "Tên\nđơn vị", "Số"],
                   [[1, "a\nb", 1234], [2, None, 2.5], [3, True, "1.234"], [4, date(2020, 1, 2)], [5]]),
        TableBlock("Bảng trống", ["A", "B"], []),
        Paragraph("Kết thúc;"),
    ]

    def build() -> bytes:
        return build_docx(seed_header(issuer_parent="UBND THÀNH PHỐ CẦN THƠ"), blocks, RECIPIENTS, seed_signature(),
                          greeting="Sở Nội vụ\nSở Tài chính")

    fast = build()
    monkeypatch.setattr(module, "_Prototypes", lambda: None)  # every paragraph the python-docx way
    assert _document_xml(fast) == _document_xml(build())


def test_many_paragraphs_and_rows_build_quickly() -> None:
    """Smoke test: 2,000 paragraphs and a 2,000-row table (quadratic before: ~10 s; now ~1 s)."""
    import time

    text = "Triển khai kế hoạch cải cách hành chính, một cửa liên thông, dịch vụ công trực tuyến. " * 3
    blocks = [Heading("Phần I. Kết quả", 1)]
    blocks += [Paragraph(f"{i}. {text}", attribution="Đơn vị" if i % 10 == 0 else "") for i in range(2000)]
    blocks.append(TableBlock("Bảng", ["STT", "Đơn vị", "Số"], [[i, f"Đơn vị {i}", i * 7] for i in range(2000)]))
    started = time.perf_counter()
    data = build_docx(seed_header(), blocks, RECIPIENTS, seed_signature())
    assert time.perf_counter() - started < 60  # generous: shared CI machines
    document = docx.Document(io.BytesIO(data))
    table = document.tables[1]
    assert len(table.rows) == 2001
    assert table.rows[-1].cells[1].text == "Đơn vị 1999" and table.rows[-1].cells[2].text == "13.993"
    last = table.rows[-1].cells[2].paragraphs[0]
    assert last.alignment == WD_ALIGN_PARAGRAPH.RIGHT and last.runs[0].font.size == Pt(12)
    body = [p for p in document.paragraphs if p.text.startswith("1999. ")][0]
    assert body.runs[0].font.size == Pt(14) and body.paragraph_format.first_line_indent is not None
    assert parse_bytes(data, "bao-cao.docx")["subject"] == SUBJECT


# --- XLSX ---------------------------------------------------------------------------------


def test_build_xlsx() -> None:
    long_title = "Kết quả giải quyết hồ sơ: quý I/2020 [tạm tính] của các phòng, ban"
    data = build_xlsx([
        Sheet("Tổng hợp", ["STT", "Đơn vị", "Số hồ sơ", "Tỷ lệ"],
              [[1, "Phòng Tư pháp", 1234, 97.25], [2, "=HYPERLINK(\"x\")", 856, Decimal("99.3")]],
              caption="Bảng 1. Kết quả giải quyết thủ tục hành chính"),
        Sheet(long_title, ["Ngày", "Nội dung"], [[date(2020, 4, 28), "Báo cáo"]]),
        Sheet("tổng hợp", ["A"], []),
    ])
    wb = load_workbook(io.BytesIO(data))
    names = wb.sheetnames
    assert names[0] == "Tổng hợp"
    assert len(names[1]) <= 31 and not set("[]:*?/\\") & set(names[1])
    assert names[1].startswith("Kết quả giải quyết hồ sơ")
    assert names[2].lower() != names[0].lower() and len(set(n.lower() for n in names)) == 3
    ws = wb[names[0]]
    assert ws["A1"].value == "Bảng 1. Kết quả giải quyết thủ tục hành chính" and ws["A1"].font.bold
    assert [c.value for c in ws[2]] == ["STT", "Đơn vị", "Số hồ sơ", "Tỷ lệ"]
    assert all(c.font.bold for c in ws[2])
    assert ws.freeze_panes == "A3"
    assert ws["C3"].value == 1234 and ws["C3"].data_type == "n"
    assert ws["D3"].value == 97.25 and ws["D4"].value == pytest.approx(99.3)
    assert ws["B4"].value == "=HYPERLINK(\"x\")" and ws["B4"].data_type == "s"  # text, never a formula
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width
    second = wb[names[1]]
    assert second.freeze_panes == "A2" and second["A1"].font.bold
    assert second["A2"].is_date and second["A2"].value.date() == date(2020, 4, 28)



def test_build_xlsx_body_cells() -> None:
    from datetime import datetime, time, timezone

    rows = [
        [1, None, "a\nb", "x" * 70, " lề", "<&>", True, Decimal("1.5"), float("nan"), 10**17],
        [datetime(2020, 4, 28, 9, 30, tzinfo=timezone.utc), time(8, 15), "Vie\u0302\u0323t", "bad\x01char", -2.5],
        [2],
    ]
    wb = load_workbook(io.BytesIO(build_xlsx([Sheet("Dữ liệu", [], rows)])))
    ws = wb["Dữ liệu"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:J4"
    assert [c.value for c in ws[2]] == [1, None, "a\nb", "x" * 70, " lề", "<&>", True, 1.5, None, 10**17]
    assert all(c.border.left.style == "thin" and c.font.name == "Times New Roman" for c in ws[2])
    assert ws["C2"].alignment.wrap_text and ws["D2"].alignment.wrap_text and not ws["E2"].alignment.wrap_text
    assert ws["A3"].value == datetime(2020, 4, 28, 9, 30) and ws["A3"].number_format == "DD/MM/YYYY HH:MM"
    assert ws["B3"].is_date and ws["C3"].value == "Việt" and ws["D3"].value == "badchar" and ws["E3"].value == -2.5
    assert ws["J4"].border.left.style == "thin"  # short rows are padded with empty, bordered cells
    assert ws.column_dimensions["D"].width == 60 and ws.column_dimensions["A"].width == 18


def test_build_xlsx_with_no_sheets_is_still_a_workbook() -> None:
    assert load_workbook(io.BytesIO(build_xlsx([]))).sheetnames == ["Trang 1"]


# --- PDF ----------------------------------------------------------------------------------


def _need_soffice() -> None:
    if shutil.which("soffice") or shutil.which("libreoffice"):
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("LibreOffice (soffice) is required in CI to test the PDF conversion")
    pytest.skip("LibreOffice (soffice) is not installed")


def test_docx_to_pdf(seed_bytes, tmp_path: Path) -> None:
    _need_soffice()
    from pypdf import PdfReader

    source = tmp_path / "bao-cao.docx"
    source.write_bytes(seed_bytes)
    pdf = docx_to_pdf(source, tmp_path / "out")
    assert pdf == tmp_path / "out" / "bao-cao.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = " ".join("\n".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert SUBJECT in text


def test_docx_to_pdf_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PdfConversionError, match="Không tìm thấy tệp"):
        docx_to_pdf(tmp_path / "missing.docx", tmp_path)
    source = tmp_path / "a.docx"
    source.write_bytes(b"not a docx")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(PdfConversionError, match="LibreOffice"):
        docx_to_pdf(source, tmp_path)

"""Reading text, DOCX and PDF files into clean text, and refusing the rest politely."""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from dieuhanh.lib.vntext import clean, collapse
from dieuhanh.vanban.errors import DocumentReadError, NeedsOCRError
from dieuhanh.vanban.readers import ReadResult, read_bytes, read_path
from .test_legacy import encode_tcvn3, encode_vni, portable

from tests.conftest import SHARED
SEED = SHARED / "seeds" / "000_3d324eb5ea0723cd.txt"
CORPUS = sorted((SHARED / "corpus" / "dev").glob("*.txt"))
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SEED_TEXT = SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def font() -> Path:
    if not FONT.exists():
        message = f"{FONT} is missing (Debian package fonts-dejavu-core, installed by .ci/run)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return FONT


# --- building fixtures from the seed -------------------------------------------------


def seed_blocks() -> list[str]:
    """The seed's paragraphs without Markdown emphasis; hard breaks become newlines."""
    text = re.sub(r"\*\*|(?<!\w)\*|\*(?!\w)", "", SEED_TEXT)
    text = re.sub(r" {2,}\n", "\n", text)
    return [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]


def _borderless(table) -> None:  # type: ignore[no-untyped-def]
    borders = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    table._tbl.tblPr.append(parse_xml(f"<w:tblBorders {nsdecls('w')}>{borders}</w:tblBorders>"))


def _fill(cell, text: str, *, soft_breaks: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Lines as separate paragraphs, or as one paragraph with line breaks (Shift+Enter)."""
    lines = text.split("\n")
    first = cell.paragraphs[0]
    if soft_breaks:
        run = first.add_run(lines[0])
        for line in lines[1:]:
            run.add_break()
            run = first.add_run(line)
        return
    first.add_run(lines[0])
    for line in lines[1:]:
        cell.add_paragraph(line)


def seed_docx(*, data_table: bool = False) -> bytes:
    """The seed laid out as Decree 30 prescribes: header table, body, signature table."""
    blocks = seed_blocks()
    agency, motto, number, place_date, subject = blocks[:5]
    sign_at = blocks.index("Nơi nhận:")
    document = docx.Document()
    header = document.add_table(rows=2, cols=2)
    _borderless(header)
    _fill(header.cell(0, 0), agency, soft_breaks=True)
    _fill(header.cell(0, 1), motto)
    _fill(header.cell(1, 0), number + "\n" + subject, soft_breaks=True)
    _fill(header.cell(1, 1), place_date)
    document.add_paragraph("")
    for block in blocks[5:sign_at]:
        for line in block.split("\n"):
            document.add_paragraph(line)
        document.add_paragraph("   ")
    if data_table:
        table = document.add_table(rows=3, cols=3)
        rows = (("STT", "Nội dung", "Thời hạn"), ("1", "Tổng kết", "10/4"), ("2", "Báo cáo", "1/5"))
        for row, values in enumerate(rows):
            for col, value in enumerate(values):
                table.cell(row, col).text = value
    signature = document.add_table(rows=1, cols=2)
    _borderless(signature)
    _fill(signature.cell(0, 0), "\n".join(blocks[sign_at:sign_at + 2]))
    _fill(signature.cell(0, 1), blocks[sign_at + 2] + "\n\n\n" + blocks[sign_at + 3])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_pdf(font: Path, text: str) -> bytes:
    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(font))
    pdf.set_font("dejavu", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def image_pdf() -> bytes:
    picture = Image.new("L", (300, 120), 255)
    ImageDraw.Draw(picture).rectangle((20, 20, 280, 100), outline=0, width=4)
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.image(picture, x=20, y=20, w=150)
    return bytes(pdf.output())


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def encode_cp1258(text: str) -> bytes:
    """cp1258 has no toned letters: Word writes base letter + combining tone."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tone = next(m for m in parts if m in "\u0300\u0301\u0303\u0309\u0323")
            out += unicodedata.normalize("NFC", parts.replace(tone, "")).encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


EXPECTED = clean(SEED_TEXT)


# --- text files --------------------------------------------------------------------


def test_utf8_seed_reads_back_unchanged() -> None:
    result = read_bytes(SEED_TEXT.encode("utf-8"), "cv.txt")
    assert result == ReadResult(text=EXPECTED, format="text", encoding="utf-8", notes=[])


def test_markdown_extension() -> None:
    assert read_bytes(SEED_TEXT.encode("utf-8"), "cv.md").format == "markdown"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"\xef\xbb\xbf" + SEED_TEXT.encode("utf-8"), "utf-8"),
        (b"\xff\xfe" + SEED_TEXT.encode("utf-16-le"), "utf-16"),
        (b"\xfe\xff" + SEED_TEXT.encode("utf-16-be"), "utf-16"),
        (SEED_TEXT.encode("utf-16-le"), "utf-16"),
        (encode_cp1258(SEED_TEXT), "cp1258"),
        (unicodedata.normalize("NFD", SEED_TEXT).encode("utf-8"), "utf-8"),
        (SEED_TEXT.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "utf16-no-bom", "cp1258", "nfd", "crlf"],
)
def test_unicode_and_windows_encodings(data: bytes, encoding: str) -> None:
    result = read_bytes(data, "cv.txt")
    assert (result.text, result.encoding) == (EXPECTED, encoding)
    assert unicodedata.is_normalized("NFC", result.text)


def test_tcvn3_file_is_converted() -> None:
    result = read_bytes(encode_tcvn3(SEED_TEXT).encode("cp1252"), "cv.txt")
    assert result.encoding == "tcvn3" and result.notes
    assert result.text.lower() == EXPECTED.lower()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in result.text


def test_vni_file_is_converted() -> None:
    result = read_bytes(encode_vni(SEED_TEXT).encode("cp1252"), "cv.txt")
    assert (result.text, result.encoding) == (EXPECTED, "vni")


def test_tcvn3_mojibake_saved_as_utf8_is_converted() -> None:
    result = read_bytes(encode_tcvn3(SEED_TEXT).encode("utf-8"), "cv.txt")
    assert result.encoding == "tcvn3"
    assert result.text.lower() == EXPECTED.lower()


def test_corpus_files_read_as_themselves() -> None:
    for path in CORPUS:
        result = read_path(path)
        assert (result.text, result.encoding) == (clean(path.read_text(encoding="utf-8")), "utf-8"), path.name


def test_corpus_files_in_legacy_encodings() -> None:
    for path in CORPUS[:6]:
        original = clean(portable(path.read_text(encoding="utf-8")))
        assert read_bytes(encode_vni(original).encode("cp1252"), "x.txt").text == original
        assert read_bytes(encode_tcvn3(original).encode("cp1252"), "x.txt").text.lower() == original.lower()


def test_western_cp1252_text_is_not_vietnamised() -> None:
    text = "Não há informações; a situação é pública. Où est l'hôtel ? Déjà vu."
    result = read_bytes(text.encode("cp1252"), "fr.txt")
    assert (result.text, result.encoding) == (text, "cp1252")


def test_non_breaking_spaces_and_dashes_are_cleaned() -> None:
    result = read_bytes("Số:\u00a0313/UBND \u2013 Cái Răng".encode("utf-8"), "a.txt")
    assert result.text == "Số: 313/UBND - Cái Răng"


def test_binary_garbage_is_not_text() -> None:
    with pytest.raises(DocumentReadError, match="không phải văn bản"):
        read_bytes(bytes(range(256)) * 4, "a.txt")
    with pytest.raises(DocumentReadError, match="không phải văn bản"):
        read_bytes(bytes(range(1, 32)) * 10, "a.txt")


# --- DOCX --------------------------------------------------------------------------


def test_docx_decree30_layout_reads_in_page_order() -> None:
    result = read_bytes(seed_docx(), "cv.docx")
    assert (result.format, result.encoding) == ("docx", None)
    blocks = seed_blocks()
    expected_head = "\n\n".join(
        [blocks[0], blocks[1], blocks[2] + "\n" + blocks[4], blocks[3], "Kính gửi:"]
    )
    assert result.text.startswith(expected_head)
    assert "|" not in result.text
    lines = result.text.split("\n")
    for block in blocks[5:]:
        for line in block.split("\n"):
            assert line in lines, line
    tail = result.text[result.text.index("Nơi nhận:"):]
    assert tail.endswith("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nVương Công Khanh")
    assert "\n\n\n" not in result.text


def test_docx_data_table_becomes_pipe_rows() -> None:
    text = read_bytes(seed_docx(data_table=True), "cv.docx").text
    assert "| STT | Nội dung | Thời hạn |\n| 1 | Tổng kết | 10/4 |\n| 2 | Báo cáo | 1/5 |" in text


def test_docx_nfd_and_nbsp_are_cleaned(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph(unicodedata.normalize("NFD", "Ủy ban nhân dân\u00a0quận Cái Răng"))
    path = tmp_path / "nfd.docx"
    document.save(str(path))
    assert read_path(path).text == "Ủy ban nhân dân quận Cái Răng"


def test_docx_renamed_to_doc_is_read_by_content() -> None:
    assert read_bytes(seed_docx(), "cv.doc").format == "docx"


def test_docx_runs_in_legacy_fonts_are_converted() -> None:
    document = docx.Document()
    paragraphs: list[tuple[str, str, Callable[[str], str]]] = [
        ("cộng hòa xã hội chủ nghĩa việt nam", ".VnTimeH", encode_tcvn3),
        ("Độc lập - Tự do - Hạnh phúc", "VNI-Times", encode_vni),
        ("Thời gian tổng kết trước ngày 10 tháng 4 năm 2020.", ".VnTime", encode_tcvn3),
        ("Cái Răng, ngày 02 tháng 3 năm 2020", "Times New Roman", str),
    ]
    for text, font, encode in paragraphs:
        document.add_paragraph().add_run(encode(text)).font.name = font
    out = io.BytesIO()
    document.save(out)
    result = read_bytes(out.getvalue(), "cu.docx")
    assert result.text == (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Thời gian tổng kết trước ngày 10 tháng 4 năm 2020.\n\nCái Răng, ngày 02 tháng 3 năm 2020"
    )
    assert result.encoding == "tcvn3" and len(result.notes) == 2


def test_docx_text_boxes_are_read_once() -> None:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    box = "<w:txbxContent><w:p><w:r><w:t>Số: 12/UBND</w:t></w:r></w:p></w:txbxContent>"
    run = (
        f'<w:r xmlns:w="{w}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
        ' xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>'
        f"<mc:Choice Requires=\"wps\"><w:drawing>{box}</w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN")._p.append(parse_xml(run))
    document.add_paragraph("Kính gửi: các phường.")
    out = io.BytesIO()
    document.save(out)
    text = read_bytes(out.getvalue(), "box.docx").text
    assert text == "ỦY BAN NHÂN DÂN\n\nSố: 12/UBND\n\nKính gửi: các phường."


def test_empty_docx() -> None:
    out = io.BytesIO()
    docx.Document().save(out)
    with pytest.raises(DocumentReadError, match="không có nội dung"):
        read_bytes(out.getvalue(), "empty.docx")


# --- PDF ---------------------------------------------------------------------------


def test_pdf_text_layer_is_read(font: Path) -> None:
    body = "\n".join(seed_blocks()) + "\n" + CORPUS[0].read_text(encoding="utf-8")
    data = make_pdf(font, body)
    result = read_bytes(data, "cv.pdf")
    assert result.format == "pdf"
    flat = collapse(result.text)
    for block in seed_blocks():
        assert collapse(block) in flat, block
    assert unicodedata.is_normalized("NFC", result.text)


def test_scanned_pdf_needs_ocr() -> None:
    with pytest.raises(NeedsOCRError, match="OCR"):
        read_bytes(image_pdf(), "scan.pdf")


def test_password_pdf(font: Path) -> None:
    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(font))
    pdf.set_font("dejavu", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Ủy ban nhân dân quận Cái Răng, văn bản có mật khẩu để thử nghiệm.")
    pdf.set_encryption(owner_password="chu", user_password="mat-khau")
    with pytest.raises(DocumentReadError, match="mật khẩu") as info:
        read_bytes(bytes(pdf.output()), "locked.pdf")
    assert info.value.code == "encrypted"


def test_owner_only_protected_pdf_is_read(font: Path) -> None:
    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(font))
    pdf.set_font("dejavu", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Ủy ban nhân dân quận Cái Răng, văn bản chỉ hạn chế quyền in ấn.")
    pdf.set_encryption(owner_password="chu")
    assert "Cái Răng" in read_bytes(bytes(pdf.output()), "print-only.pdf").text


# --- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a.png", "a.txt", "a"])
def test_images_need_ocr_by_magic(name: str) -> None:
    with pytest.raises(NeedsOCRError, match="OCR"):
        read_bytes(png_bytes(), name)
    with pytest.raises(NeedsOCRError):
        read_bytes(b"\xff\xd8\xff\xe0" + bytes(100), name)


def test_image_extension_alone_needs_ocr() -> None:
    with pytest.raises(NeedsOCRError):
        read_bytes(b"not really an image", "scan.TIFF")


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (OLE + "WordDocument".encode("utf-16-le"), "cv.doc", r"\(\.doc\) cần được chuyển sang DOCX"),
        (OLE + "Workbook".encode("utf-16-le"), "bang.xls", r"\.xls"),
        (b"", "a.txt", "Tệp rỗng"),
        (b"hello", "a.pdf", "PDF bị hỏng"),
        (b"hello", "a.docx", "DOCX bị hỏng"),
        (b"{\\rtf1\\ansi hello}", "a.rtf", "RTF"),
        (b"   \n\t \r\n", "blank.txt", "không có nội dung"),
    ],
)
def test_clear_refusals(data: bytes, name: str, message: str) -> None:
    with pytest.raises(DocumentReadError, match=message) as info:
        read_bytes(data, name)
    assert not isinstance(info.value, NeedsOCRError)


def _zip(**members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member, content in members.items():
            archive.writestr(member.replace("__", "/"), content)
    return out.getvalue()


def test_zips_that_are_not_word() -> None:
    with pytest.raises(DocumentReadError, match="Excel"):
        read_bytes(_zip(xl__workbook_xml="<x/>"), "a.xlsx")
    with pytest.raises(DocumentReadError, match="ZIP"):
        read_bytes(_zip(readme_txt="hi"), "a.zip")
    with pytest.raises(DocumentReadError, match="DOCX bị hỏng"):
        read_bytes(_zip(readme_txt="hi"), "a.docx")
    with pytest.raises(DocumentReadError, match="DOCX bị hỏng"):
        read_bytes(_zip(word__document_xml="<not-closed"), "a.docx")


def test_path_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DocumentReadError, match="Không tìm thấy tệp") as info:
        read_path(tmp_path / "missing.txt")
    assert info.value.code == "not_found"
    with pytest.raises(DocumentReadError, match="thư mục"):
        read_path(tmp_path)
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(DocumentReadError, match="Tệp rỗng"):
        read_path(tmp_path / "empty.txt")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2048)
    with pytest.raises(DocumentReadError, match="quá lớn") as info:
        read_path(big, max_bytes=1024)
    assert info.value.code == "too_large"
    with pytest.raises(DocumentReadError, match="quá lớn"):
        read_bytes(b"a" * 2048, "big.txt", max_bytes=1024)

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("dieuhanh.vanban.readers.open", denied, raising=False)
    with pytest.raises(DocumentReadError, match="quyền"):
        read_path(big)


# --- robustness ------------------------------------------------------------------------

NAMES = ["a.txt", "a.docx", "a.pdf", "a.png", "a.doc", "a.md", "noext"]
PREFIXES = [b"", b"%PDF-1.4\n", b"PK\x03\x04", OLE[:8], b"\xef\xbb\xbf", b"\xff\xfe"]


def _only_read_errors(data: bytes, name: str) -> None:
    try:
        result = read_bytes(data, name)
    except DocumentReadError:
        return
    assert isinstance(result.text, str) and result.text.strip()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PREFIXES), st.binary(max_size=600), st.sampled_from(NAMES))
def test_any_bytes_only_raise_read_errors(prefix: bytes, data: bytes, name: str) -> None:
    _only_read_errors(prefix + data, name)


SEED_DOCX = seed_docx()


def test_truncated_docx_at_many_lengths() -> None:
    for cut in range(0, len(SEED_DOCX), max(1, len(SEED_DOCX) // 60)):
        _only_read_errors(SEED_DOCX[:cut], "cut.docx")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(SEED_DOCX) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_corrupted_docx(flips: list[tuple[int, int]]) -> None:
    data = bytearray(SEED_DOCX)
    for position, value in flips:
        data[position] = value
    _only_read_errors(bytes(data), "bad.docx")


@pytest.fixture(scope="module")
def seed_pdf(font: Path) -> bytes:
    return make_pdf(font, "\n".join(seed_blocks()))


def test_truncated_pdf(seed_pdf: bytes) -> None:
    for cut in range(0, len(seed_pdf), max(1, len(seed_pdf) // 40)):
        _only_read_errors(seed_pdf[:cut], "cut.pdf")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8))
def test_corrupted_pdf(seed_pdf: bytes, flips: list[tuple[float, int]]) -> None:
    data = bytearray(seed_pdf)
    for where, value in flips:
        data[int(where * len(data))] = value
    _only_read_errors(bytes(data), "bad.pdf")

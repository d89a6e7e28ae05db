"""Every kind of file offices send, read end to end from the real files in tests/data/realfiles.

Expected values come from tests/data/realfiles/expected.json (derived from its README).
Scans are read by OCR, so these tests run Tesseract: about a minute in all.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dieuhanh.vanban import parse_file
from dieuhanh.vanban.errors import NeedsConversionError, NeedsOCRError
from dieuhanh.vanban.readers import read_path
from tests.conftest import REPO, SHARED

from .tools import need

REAL = SHARED / "realfiles"
EXPECTED = {item["file"]: item for item in json.loads((REAL / "expected.json").read_text(encoding="utf-8"))["files"]}
# The red "HỎA TỐC" stamp of file 12 is drawn across by an arrow; Tesseract does not read it.
KNOWN_GAPS = {("12_di-94-TB-UBND.signed.pdf", "urgency")}
TOOLS = {"scan": ("pdftotext", "pdftoppm", "tesseract"), "pdf": ("pdftotext",), "doc": ("soffice",), "docx": ()}


def _check(name: str, parsed: dict) -> None:
    item = EXPECTED[name]
    for field in ("number", "symbol", "date", "urgency", "doc_type"):
        if item.get(field) is not None and (name, field) not in KNOWN_GAPS:
            assert parsed[field] == item[field], (field, parsed[field])
    if item.get("deadlines") is not None:
        assert sorted({d["date"] for d in parsed["deadlines"]}) == sorted(item["deadlines"])
    for field in item.get("unreadable", []):
        assert field in parsed["unreadable"] and parsed[field] is None


@pytest.fixture(scope="module")
def parsed_files() -> dict[str, dict]:
    """Each file parsed once (OCR is slow); tools checked per test."""
    return {}


def _parsed(cache: dict, name: str) -> dict:
    need(*TOOLS[EXPECTED[name]["kind"]])
    if name not in cache:
        cache[name] = parse_file(REAL / name)
    return cache[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file_gives_the_expected_values(parsed_files: dict, name: str) -> None:
    _check(name, _parsed(parsed_files, name))


def test_signed_pdf_records_signers_and_times(parsed_files: dict) -> None:
    parsed = _parsed(parsed_files, "13_706.pdf")
    signers = {(s["signer"], s["signed_at"][:10]) for s in parsed["signatures"]}
    assert ("Tống Quang Thìn", "2024-11-01") in signers
    assert ("Ủy ban nhân dân tỉnh Ninh Bình", "2024-11-04") in signers
    # No trust roots configured: an intact signature's issuer cannot be vouched for.
    statuses = {s["status"] for s in parsed["signatures"]}
    assert "unknown_issuer" in statuses and "valid" not in statuses
    assert all(s["summary"].startswith("Ký số bởi") for s in parsed["signatures"])
    assert parsed["reading"]["format"] == "pdf" and parsed["reading"]["ocr"] is None


def test_signature_note_is_not_read_as_text(parsed_files: dict) -> None:
    parsed = _parsed(parsed_files, "12_di-94-TB-UBND.signed.pdf")
    assert "Ký bởi" not in parsed["body"] and parsed["issuer"].startswith("ỦY BAN NHÂN DÂN")
    assert parsed["filled_from"] == {"date": "chữ ký số", "number": "tên tệp"}
    assert set(parsed["handwritten"]) == {"number", "date"} and parsed["unreadable"] == []


def test_handwritten_day_is_reported_not_guessed(parsed_files: dict) -> None:
    parsed = _parsed(parsed_files, "04_3980_0001 (1).pdf")
    assert parsed["date"] is None and "date" in parsed["unreadable"]
    assert "Ngày ban hành: chưa đọc được (viết tay)." in parsed["review_notes"]
    assert parsed["reading"]["ocr"]["pages"] == [1, 2, 3] and parsed["reading"]["ocr"]["confidence"] > 80


def test_scan_without_ocr_asks_for_the_worker() -> None:
    need("pdftotext")
    with pytest.raises(NeedsOCRError) as info:
        read_path(REAL / "08_2770 (08-CT-UBND)..signed_20250220_102437.pdf")
    assert info.value.pages == 3 and info.value.code == "needs_ocr"


def test_doc_without_conversion_asks_for_the_worker() -> None:
    with pytest.raises(NeedsConversionError, match="LibreOffice"):
        read_path(REAL / "05_UB- gia han thoi gian to chuc DH.doc")


def test_pdf_header_columns_in_reading_order() -> None:
    need("pdftotext")
    text = read_path(REAL / "13_706.pdf").text
    lines = text.splitlines()
    # The stamped number sits against its symbol; the issuer's two lines stay together.
    assert "Số: 706/UBND-VP7" in lines and "Ninh Bình, ngày 04 tháng 11 năm 2024" in lines
    assert lines.index("TỈNH NINH BÌNH") == lines.index("ỦY BAN NHÂN DÂN") + 1
    assert text.index("Nơi nhận:") < text.index("TM. ỦY BAN NHÂN DÂN") < text.index("Tống Quang Thìn")


def test_searchable_pdf_of_a_scan_holds_the_ocr_text() -> None:
    need("pdftotext", "pdftoppm", "tesseract")
    read = read_path(REAL / "12_di-94-TB-UBND.signed.pdf", ocr=True, searchable=True)
    assert read.searchable_pdf and read.searchable_pdf.startswith(b"%PDF")
    out = subprocess.run(["pdftotext", "-", "-"], input=read.searchable_pdf, capture_output=True, check=True)
    assert "Tiếp công dân" in out.stdout.decode() or "tiếp công dân" in out.stdout.decode()


def test_cli_parses_a_scan_with_progress_on_stderr() -> None:
    need("pdftotext", "pdftoppm", "tesseract")
    proc = subprocess.run([sys.executable, "-m", "dieuhanh.cli", "parse", "--no-body",
                           str(REAL / "12_di-94-TB-UBND.signed.pdf")], capture_output=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Đang nhận dạng trang 1/1" in proc.stderr.decode()
    parsed = json.loads(proc.stdout)
    assert parsed["number_symbol"] == "94/TB-UBND" and parsed["signatures"][0]["signer"] == "Văn phòng"

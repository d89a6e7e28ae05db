"""The same document in the layouts real sources produce parses to the same fields.

Each variant is the seed rewritten the way a crawler, a markdown converter or a
two-column PDF extraction writes Decree 30 headers, so rules cannot lean on one
layout.
"""

from __future__ import annotations

import unicodedata

import pytest

from dieuhanh.vanban import parse_text
from tests.conftest import SHARED

SEED = (SHARED / "seeds" / "000_3d324eb5ea0723cd.txt").read_text(encoding="utf-8")
BODY = SEED[SEED.index("Thực hiện Kế hoạch số 29"):SEED.index("**Nơi nhận:**")].replace("**", "")
VV = "V/v triển khai thực hiện Kế hoạch số 29/KH- UBND ngày 27 tháng 02 năm 2020 của Ủy ban nhân dân thành phố"
RECIPIENTS = "- Thủ trưởng các cơ quan chuyên môn quận;\n- Chủ tịch Ủy ban nhân dân các phường."
NOI_NHAN = "- Như trên;\n- CT, PCT. UBND quận;\n- Trang TTĐT quận;\n- Lưu: VT."

CRAWLER = (
    "ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG -------\n"
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc ---------------\n"
    f"Số: 313/UBND {VV}\n"
    "Cái Răng, ngày 02 tháng 3 năm 2020 Kính gửi:\n" + RECIPIENTS + "\n" + BODY
    + "Nơi nhận:\n" + NOI_NHAN + "\nKT. CHỦ TỊCH PHÓ CHỦ TỊCH Vương Công Khanh\n"
)
MARKDOWN = (
    "| ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG ------- | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc --------------- |\n"
    "|---|---|\n"
    f"| Số: 313/UBND {VV} | Cái Răng, ngày 02 tháng 3 năm 2020 |\n\n"
    "Kính gửi:\n\n" + RECIPIENTS + "\n\n" + BODY
    + "| Nơi nhận: " + NOI_NHAN.replace("\n", " ") + " | KT. CHỦ TỊCH PHÓ CHỦ TỊCH Vương Công Khanh |\n|---|---|\n"
)
PDF_COLUMNS = (
    "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "QUẬN CÁI RĂNG Độc lập - Tự do - Hạnh phúc\n"
    "Số: 313/UBND Cái Răng, ngày 02 tháng 3 năm 2020\n"
    "V/v triển khai thực hiện\nKế hoạch số 29/KH- UBND\nngày 27 tháng 02 năm 2020 của\nỦy ban nhân dân thành phố\n\n"
    "Kính gửi:\n" + RECIPIENTS + "\n\n" + BODY
    + "Nơi nhận: KT. CHỦ TỊCH\n" + NOI_NHAN.replace("- Lưu: VT.", "- Lưu: VT. PHÓ CHỦ TỊCH\n\nVương Công Khanh\n")
)
DECOMPOSED = unicodedata.normalize("NFD", SEED).replace("Hòa", "Hoà").replace(" ", "\u00a0", 40)

VARIANTS = {"crawler": CRAWLER, "markdown": MARKDOWN, "pdf-columns": PDF_COLUMNS, "nfd": DECOMPOSED}


@pytest.mark.parametrize("name", VARIANTS)
def test_header(name: str) -> None:
    r = parse_text(VARIANTS[name])
    assert (r["number"], r["symbol"], r["doc_type"], r["place"], r["date"]) == (
        313, "UBND", "Công văn", "Cái Răng", "2020-03-02")
    assert r["issuer"] == "ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG"
    assert r["subject"] == (
        "triển khai thực hiện Kế hoạch số 29/KH-UBND ngày 27 tháng 02 năm 2020 của Ủy ban nhân dân thành phố")
    assert r["recipients"] == ["Thủ trưởng các cơ quan chuyên môn quận", "Chủ tịch Ủy ban nhân dân các phường"]


@pytest.mark.parametrize("name", VARIANTS)
def test_closing_and_deadlines(name: str) -> None:
    r = parse_text(VARIANTS[name])
    assert r["distribution"] == ["Như trên", "CT, PCT. UBND quận", "Trang TTĐT quận", "Lưu: VT"]
    assert (r["signer_authority"], r["signer_position"], r["signer_name"]) == (
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Vương Công Khanh")
    assert [d["date"] for d in r["deadlines"]] == ["2020-04-10", "2020-05-01"]

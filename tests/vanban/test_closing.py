"""Nơi nhận and signature blocks in the shapes real documents have."""

from __future__ import annotations

import pytest

from dieuhanh.vanban import parse_text

HEAD = (
    "ỦY BAN NHÂN DÂN\nTỈNH CẦN THƠ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
    "Số: 12/QĐ-UBND\n\nCần Thơ, ngày 05 tháng 01 năm 2022\n\nQUYẾT ĐỊNH\nVề việc thành lập Tổ công tác\n\n"
    "Điều 1. Thành lập Tổ công tác.\nĐiều 2. Quyết định này có hiệu lực kể từ ngày ký./.\n\n"
)


@pytest.mark.parametrize("block, authority, position, name", [
    ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nTrần Việt Trường", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Việt Trường"),
    ("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nDương Tấn Hiển",
     "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Dương Tấn Hiển"),
    ("TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\n\nNguyễn Văn Hòa", "TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "Nguyễn Văn Hòa"),
    ("KT. GIÁM ĐỐC SỞ\nPHÓ GIÁM ĐỐC\n\nLê Thị Mai", "KT. GIÁM ĐỐC SỞ", "PHÓ GIÁM ĐỐC", "Lê Thị Mai"),
    ("CHỦ TỊCH\n\nTrần Việt Trường", None, "CHỦ TỊCH", "Trần Việt Trường"),
])
def test_signature_forms(block: str, authority, position, name) -> None:
    text = HEAD + "Nơi nhận:\n- Như Điều 3;\n- Lưu: VT, NC.\n\n" + block + "\n"
    r = parse_text(text)
    assert (r["signer_authority"], r["signer_position"], r["signer_name"]) == (authority, position, name)
    assert r["distribution"] == ["Như Điều 3", "Lưu: VT, NC"]


def test_entry_with_inner_dash_and_semicolon_stays_whole() -> None:
    text = HEAD + ("Nơi nhận:\n- Bộ Công an (Cục A03 - để b/c);\n- TTr Tỉnh ủy; TTr HĐND tỉnh;\n- Lưu: VT.\n\n"
                   "CHỦ TỊCH\n\nTrần Việt Trường\n")
    assert parse_text(text)["distribution"] == ["Bộ Công an (Cục A03 - để b/c)", "TTr Tỉnh ủy; TTr HĐND tỉnh", "Lưu: VT"]


def test_cut_off_last_entry_is_dropped() -> None:
    text = HEAD + "Nơi nhận:\n- Bộ Y tế;\n- Chủ tịch, các PCT UBND tỉnh;\n- CVP, c"
    assert parse_text(text)["distribution"] == ["Bộ Y tế", "Chủ tịch, các PCT UBND tỉnh"]


def test_signature_run_into_last_entry() -> None:
    text = HEAD + "Nơi nhận:\n- Như trên;\n- Lưu: VT, ĐMDN (2b). Trung Anh BỘ TRƯỞNG, CHỦ NHIỆM Mai Tiến Dũng\n"
    r = parse_text(text)
    assert r["distribution"] == ["Như trên", "Lưu: VT, ĐMDN (2b). Trung Anh"]
    assert (r["signer_position"], r["signer_name"]) == ("BỘ TRƯỞNG, CHỦ NHIỆM", "Mai Tiến Dũng")

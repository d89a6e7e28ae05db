"""Decree 30 format checks: the seed, seed variants built by replacement, real corpus files."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dieuhanh.lib.vntext import fold_same_length
from dieuhanh.vanban.checks import Finding, check_format
from dieuhanh.vanban.closing import parse_closing
from dieuhanh.vanban.header import HeaderParser
from dieuhanh.vanban.parser import parse_text
from dieuhanh.vanban.textprep import Prepared
from tests.conftest import SHARED

SEED_TEXT = (SHARED / "seeds" / "000_3d324eb5ea0723cd.txt").read_text(encoding="utf-8")
DEV = SHARED / "corpus" / "dev"
SEVERITIES = {"error", "warning", "info"}


def variant(*pairs: tuple[str, str]) -> str:
    text = SEED_TEXT
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def findings(raw: str) -> list[dict[str, Any]]:
    warnings: list[dict[str, Any]] = parse_text(raw)["warnings"]
    return warnings


def codes(raw: str) -> set[str]:
    return {w["code"] for w in findings(raw)}


def one(raw: str, code: str) -> tuple[dict[str, Any], str]:
    """The single finding with ``code`` and the text its span points at."""
    hits = [w for w in findings(raw) if w["code"] == code]
    assert len(hits) == 1, findings(raw)
    start, end = hits[0]["span"]
    return hits[0], Prepared.from_text(raw).text[start:end]


def dev(name: str) -> str:
    return (DEV / f"{name}.txt").read_text(encoding="utf-8")


# -- the seed ----------------------------------------------------------------
def test_seed_is_clean() -> None:
    # 313/UBND of 02/03/2020 predates Decree 30 (05/03/2020): no unit group is required,
    # and everything else (padding, Quốc hiệu, V/v, Kính gửi, Nơi nhận, KT./PHÓ, ./.) conforms.
    assert findings(SEED_TEXT) == []


def test_finding_shape() -> None:
    result = findings(variant(("ngày 02 tháng 3", "ngày 2 tháng 3")))
    assert result and all(set(w) == {"code", "message", "span", "severity", "rule"} for w in result)
    assert all(w["severity"] in SEVERITIES and isinstance(w["span"], list) for w in result)
    assert Finding("x", "m", None, "info", "r").as_dict()["span"] is None


# -- dates and numbers -----------------------------------------------------------
def test_day_not_padded() -> None:
    finding, text = one(variant(("ngày 02 tháng 3", "ngày 2 tháng 3")), "date_padding")
    assert text == "ngày 2" and finding["severity"] == "error"
    assert "ngày 02" in finding["message"]
    # The seed predates Decree 30, so the rule is cited from TT 01/2011 (same padding rule).
    assert "01/2011" in finding["rule"]


def test_month_february_not_padded_decree30_era() -> None:
    raw = variant(("ngày 02 tháng 3 năm 2020", "ngày 02 tháng 2 năm 2021"))
    finding, text = one(raw, "date_padding")
    assert text == "tháng 2" and finding["rule"].startswith("NĐ 30/2020")


def test_month_padded_is_warning() -> None:
    finding, text = one(variant(("ngày 02 tháng 3", "ngày 02 tháng 03")), "date_month_padded")
    assert text == "tháng 03" and finding["severity"] == "warning"


def test_two_digit_months_are_not_padding() -> None:
    assert "date_month_padded" not in codes(variant(("ngày 02 tháng 3", "ngày 02 tháng 12")))


def test_number_below_ten() -> None:
    finding, text = one(variant(("313/UBND", "5/UBND")), "number_padding")
    assert text == "5" and finding["severity"] == "error"


# -- symbol --------------------------------------------------------------------------
def test_unit_group_required_from_decree_30() -> None:
    raw = variant(("ngày 02 tháng 3 năm 2020\n", "ngày 02 tháng 3 năm 2021\n"))
    finding, text = one(raw, "cv_missing_unit")
    assert text == "UBND" and finding["severity"] == "warning"
    assert "cv_missing_unit" not in codes(variant(("313/UBND", "313/UBND-VP"), ("năm 2020\n", "năm 2021\n")))


def test_cv_is_not_a_type_code() -> None:
    finding, text = one(variant(("313/UBND", "313/CV-UBND")), "cv_type_code")
    assert text == "CV" and finding["severity"] == "error"


def test_symbol_form_error_after_decree_warning_before() -> None:
    new = variant(("313/UBND", "313/UBND- VP"), ("năm 2020\n", "năm 2021\n"))
    finding, text = one(new, "symbol_spaces")
    assert text == "313/UBND- VP" and finding["severity"] == "error"
    old, _ = one(variant(("313/UBND", "313/UBND- VP")), "symbol_spaces")
    assert old["severity"] == "warning"


def test_symbol_separator_and_case() -> None:
    raw = variant(("313/UBND", "313/UBND.vp"))
    assert one(raw, "symbol_separator")[1] == "UBND.vp"
    assert one(raw, "symbol_case")[1] == "vp"
    assert "symbol_case" not in codes(variant(("313/UBND", "313/TTr-UBND")))


def test_type_code_contradicts_title() -> None:
    raw = dev("011").replace("196/KH-UBND", "196/QĐ-UBND", 1)
    finding, text = one(raw, "type_code_mismatch")
    assert text == "QĐ" and "KH" in finding["message"]
    assert "type_code_mismatch" not in codes(dev("011"))


def test_unknown_issuer_code_is_not_an_error() -> None:
    assert not codes(variant(("313/UBND", "313/BCĐ-VP"))) & {"type_code_mismatch", "cv_type_code"}


# -- header components --------------------------------------------------------------
def test_missing_vv() -> None:
    finding, text = one(variant(("V/v triển khai", "Triển khai")), "missing_vv")
    assert text == "313/UBND" and finding["severity"] == "error"


def test_cong_van_title_line() -> None:
    assert one(variant(("V/v triển khai", "CÔNG VĂN\n\nV/v triển khai")), "cong_van_title")[1] == "CÔNG VĂN"


def test_national_heading() -> None:
    no_qh = variant(("**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM  \nĐộc lập - Tự do - Hạnh phúc**", ""))
    assert one(no_qh, "missing_quoc_hieu")[0]["severity"] == "error"
    no_hyphen = variant(("Độc lập - Tự do - Hạnh phúc", "Độc lập Tự do Hạnh phúc"))
    assert one(no_hyphen, "tieu_ngu_hyphen")[1] == "Độc lập Tự do Hạnh phúc"


def test_place() -> None:
    assert one(variant(("Cái Răng, ngày 02", "TP. Cần Thơ, ngày 02")), "place_abbreviation")[1] == "TP."
    bare = variant(("Cái Răng, ngày 02 tháng 3 năm 2020", "ngày 02 tháng 3 năm 2020"))
    assert one(bare, "missing_place")[1] == "ngày 02 tháng 3 năm 2020"


def test_kinh_gui_format() -> None:
    semicolon = variant(("chuyên môn quận;\n", "chuyên môn quận\n"))
    assert one(semicolon, "kinh_gui_punctuation")[1] == "- Thủ trưởng các cơ quan chuyên môn quận"
    assert one(variant(("\n- Chủ tịch Ủy", "\nChủ tịch Ủy")), "kinh_gui_dash")[1].startswith("Chủ tịch")
    assert "kinh_gui_layout" in codes(variant(("quận;\n- Chủ tịch", "quận; - Chủ tịch")))
    # Label and list on one line is how crawlers flatten pages: not judged.
    flat = variant(("Kính gửi:\n\n- Thủ trưởng", "Kính gửi: - Thủ trưởng"), ("quận;\n- Chủ", "quận; - Chủ"))
    assert not {c for c in codes(flat) if c.startswith("kinh_gui")}


def test_urgency_legacy_only_after_decree() -> None:
    stamp = ("ngày 02 tháng 3 năm 2020\n", "ngày 02 tháng 3 năm 2020\n\nHỎA TỐC HẸN GIỜ\n")
    assert "urgency_legacy" not in codes(variant(stamp))
    raw = variant((stamp[0], stamp[1].replace("2020", "2021")), ("313/UBND", "313/UBND-VP"))
    assert one(raw, "urgency_legacy")[1] == "HỎA TỐC HẸN GIỜ"


# -- closing -------------------------------------------------------------------------
def test_missing_noi_nhan() -> None:
    block = "**Nơi nhận:**\n\n- Như trên;\n- CT, PCT. UBND quận;\n- Trang TTĐT quận;\n- Lưu: VT.\n\n"
    finding, text = one(variant((block, "")), "missing_noi_nhan")
    assert finding["severity"] == "error" and text.startswith("KT. CHỦ TỊCH")


def test_luu_and_nhu_tren() -> None:
    assert one(variant(("- Trang TTĐT quận;\n- Lưu: VT.", "- Trang TTĐT quận.")), "missing_luu")[1].startswith("Nơi nhận")
    assert "missing_nhu_tren" in codes(variant(("- Như trên;\n", "")))


def test_kt_signed_by_the_head() -> None:
    raw = variant(("KT. CHỦ TỊCH  \nPHÓ CHỦ TỊCH", "KT. CHỦ TỊCH  \nCHỦ TỊCH"))
    finding, text = one(raw, "kt_position_not_deputy")
    assert text == "CHỦ TỊCH" and finding["severity"] == "error"
    start = finding["span"][0]
    assert Prepared.from_text(raw).text[start - 3:start].strip() == ""  # the second line, not "KT. CHỦ TỊCH"
    assert "kt_position_not_deputy" not in codes(dev("005"))  # KT. BỘ TRƯỞNG / THỨ TRƯỞNG


def test_authority_prefix_and_tm() -> None:
    assert one(variant(("KT. CHỦ TỊCH", "KT CHỦ TỊCH")), "authority_prefix_format")[1] == "KT"
    tm = variant(("KT. CHỦ TỊCH  \nPHÓ CHỦ TỊCH", "TM. SỞ NỘI VỤ  \nGIÁM ĐỐC"))
    assert one(tm, "tm_not_collective")[1] == "TM. SỞ NỘI VỤ"
    collective = variant(("KT. CHỦ TỊCH  \nPHÓ CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN  \nKT. CHỦ TỊCH  \nPHÓ CHỦ TỊCH"))
    assert not codes(collective) & {"tm_not_collective", "kt_position_not_deputy"}


def test_academic_title_before_name() -> None:
    finding, text = one(variant(("**Vương Công Khanh**", "**TS. Vương Công Khanh**")), "academic_title")
    assert text == "TS." and finding["severity"] == "error"


def test_end_mark() -> None:
    finding, _ = one(variant(("thực hiện./.", "thực hiện.")), "missing_end_mark")
    assert finding["severity"] == "info"


def test_deadline_before_issue_date_is_info() -> None:
    raw = variant(("ngày 02 tháng 3 năm 2020\n", "ngày 02 tháng 3 năm 2021\n"), ("313/UBND", "313/UBND-VP"))
    hits = [w for w in findings(raw) if w["code"] == "deadline_before_issue"]
    text = Prepared.from_text(raw).text
    assert [text[slice(*w["span"])] for w in hits] == ["trước ngày 10 tháng 4 năm 2020", "trước ngày 01 tháng 5 năm 2020"]
    assert {w["severity"] for w in hits} == {"info"}


def test_future_date_needs_today() -> None:
    prep = Prepared.from_text(SEED_TEXT)
    folded = fold_same_length(prep.masked)
    header = HeaderParser(prep.text, prep.masked, folded).parse()
    closing = parse_closing(prep.text, prep.masked, folded, header.body_start)
    assert check_format(prep, folded, header, closing) == []
    late = check_format(prep, folded, header, closing, today=date(2020, 3, 1))
    assert [(f.code, prep.text[slice(*f.span)] if f.span else None) for f in late] == [
        ("date_in_future", "Cái Răng, ngày 02 tháng 3 năm 2020")]


# -- excerpts and real corpus files ---------------------------------------------------
def test_excerpt_without_header_is_quiet() -> None:
    body = SEED_TEXT[SEED_TEXT.index("Thực hiện Kế hoạch"):SEED_TEXT.index("*(Đính kèm")]
    assert findings(body) == []
    for name in ("009", "016", "024"):  # portal excerpts: no number, date line or Quốc hiệu
        assert findings(dev(name)) == [], name


def test_portal_citation_is_not_a_header() -> None:
    # 007 only quotes "(Theo Công văn số 6012/UBND-KT, ngày 14/11/2023)": no V/v, Quốc hiệu… checks;
    # its own deadline "trước ngày 21/11/2022" contradicts that date, which is worth an info.
    assert [(w["code"], w["severity"]) for w in findings(dev("007"))] == [("deadline_before_issue", "info")]


def test_corpus_month_padding_cites_tt01() -> None:
    finding, text = one(dev("001"), "date_month_padded")  # Hà Nội, ngày 05 tháng 04 năm 2019
    assert text == "tháng 04" and "01/2011" in finding["message"]


def test_corpus_tieu_ngu_without_hyphens() -> None:
    assert one(dev("018"), "tieu_ngu_hyphen")[1] == "Độc lập  Tự do  Hạnh phúc"


def test_corpus_clean_documents() -> None:
    for name in ("002", "004", "021", "041"):
        assert findings(dev(name)) == [], name


def test_corpus_ocr_without_diacritics_is_not_judged() -> None:
    assert [w["code"] for w in findings(dev("034"))] == ["text_degraded"]


# -- robustness ----------------------------------------------------------------------
PIECES = st.sampled_from([
    "Số: ", "05/", "QĐ-UBND", "CV", "/", "-", " ", "\n", "ngày 2 tháng 03 năm 2021", "Hà Nội, ", "TP. ",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập Tự do", "V/v ", "Kính gửi:", "- Sở Nội vụ;", "Nơi nhận:",
    "- Lưu: VT.", "KT. CHỦ TỊCH", "TM. ", "PHÓ CHỦ TỊCH", "TS. ", "Nguyễn Văn An", "trước ngày 01/01/2020",
    "./.", "**", "|", "HỎA TỐC HẸN GIỜ", "KẾ HOẠCH", "CÔNG VĂN",
])


@settings(max_examples=120, deadline=None)
@given(st.text(max_size=300))
def test_parse_never_raises_on_arbitrary_text(raw: str) -> None:
    result = parse_text(raw)
    assert all(w["severity"] in SEVERITIES for w in result["warnings"])


@settings(max_examples=120, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_parse_never_raises_on_document_like_text(raw: str) -> None:
    result = parse_text(raw)
    n = len(Prepared.from_text(raw).text)
    for w in result["warnings"]:
        assert w["span"] is None or 0 <= w["span"][0] <= w["span"][1] <= n

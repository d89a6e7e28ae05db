"""Header fields in forms the development corpus has few or none of."""

from __future__ import annotations

from dieuhanh.vanban import parse_text


def test_department_under_city_with_urgency() -> None:
    text = (
        "UBND THÀNH PHỐ CẦN THƠ\nSỞ NỘI VỤ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Số: 1024/SNV-CCHC\nV/v báo cáo tổng kết cải cách hành chính giai đoạn 2011-2020\n\n"
        "Cần Thơ, ngày 15 tháng 4 năm 2020\n\nKHẨN\n\n"
        "Kính gửi: Ủy ban nhân dân các quận, huyện.\n\n"
        "Đề nghị Ủy ban nhân dân các quận, huyện gửi báo cáo về Sở Nội vụ trước ngày 25/4/2020./.\n\n"
        "Nơi nhận:\n- Như trên;\n- Lưu: VT, CCHC.\n\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n\nNguyễn Văn A\n"
    )
    r = parse_text(text)
    assert (r["issuer_parent"], r["issuer"]) == ("UBND THÀNH PHỐ CẦN THƠ", "SỞ NỘI VỤ")
    assert (r["number"], r["symbol"], r["doc_type"], r["place"], r["date"]) == (
        1024, "SNV-CCHC", "Công văn", "Cần Thơ", "2020-04-15")
    assert r["subject"] == "báo cáo tổng kết cải cách hành chính giai đoạn 2011-2020"
    assert r["urgency"] == "KHẨN"
    assert r["recipients"] == ["Ủy ban nhân dân các quận, huyện"]
    assert r["deadlines"][0]["date"] == "2020-04-25"
    assert r["tasks"][0]["assignees"] == ["Ủy ban nhân dân các quận, huyện"]


def test_regulatory_decision_keeps_year_in_symbol() -> None:
    text = (
        "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Số: 05/2022/QĐ-UBND\n\nThành phố Hồ Chí Minh, ngày 28 tháng 02 năm 2022\n\n"
        "QUYẾT ĐỊNH\nVề việc ban hành Quy chế phối hợp\n\nỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH\n\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n"
    )
    r = parse_text(text)
    assert (r["number"], r["symbol"], r["number_symbol"]) == (5, "2022/QĐ-UBND", "05/2022/QĐ-UBND")
    assert (r["place"], r["date"], r["doc_type"]) == ("Thành phố Hồ Chí Minh", "2022-02-28", "Quyết định")
    assert r["subject"] == "ban hành Quy chế phối hợp"
    assert r["issuer"] == "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH"


def test_type_comes_from_title_or_code() -> None:
    base = ("ỦY BAN NHÂN DÂN\nPHƯỜNG LÊ BÌNH\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
            "Số: 07/{code}-UBND\n\nLê Bình, ngày 10 tháng 3 năm 2020\n\n{title}")
    assert parse_text(base.format(code="BC", title="BÁO CÁO\nKết quả thực hiện cải cách hành chính quý I năm 2020\n"))["doc_type"] == "Báo cáo"
    assert parse_text(base.format(code="TTr", title="TỜ TRÌNH\nVề việc đề nghị khen thưởng\n"))["doc_type"] == "Tờ trình"
    # no title line: the symbol's type code decides
    assert parse_text(base.format(code="KH", title="Căn cứ Kế hoạch số 29/KH-UBND;\n"))["doc_type"] == "Kế hoạch"
    # a symbol without a type code is a công văn (2739/VPCP-ĐMDN, 428/TTg-NN)
    assert parse_text(base.format(code="VP", title="V/v họp giao ban\n"))["doc_type"] == "Công văn"


def test_tone_placement_and_decomposed_text() -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", "UỶ BAN NHÂN DÂN\nTỈNH THANH HOÁ\n\nCỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                                 "Độc lập - Tự do - Hạnh phúc\n\nSố: 15/CT-UBND\n\nThanh Hoá, ngày 10 tháng 10 năm 2019\n\n"
                                 "CHỈ THỊ\nVề lập kế hoạch đầu tư công trung hạn\n")
    r = parse_text(text)
    assert (r["issuer"], r["place"], r["doc_type"]) == ("UỶ BAN NHÂN DÂN TỈNH THANH HOÁ", "Thanh Hoá", "Chỉ thị")
    assert r["subject"] == "lập kế hoạch đầu tư công trung hạn"


def test_decree30_examples_of_other_issuers() -> None:
    """Header examples of the Decree 30 spec: the Government (QPPL), a commune draft, a 2002 decision."""
    gov = parse_text(
        "CHÍNH PHỦ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nSố: 30/2020/NĐ-CP\n\n"
        "Hà Nội, ngày 05 tháng 3 năm 2020\n\nNGHỊ ĐỊNH\nVề công tác văn thư\n\n"
        "Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;\n\n"
        "Nơi nhận:\n- Ban Bí thư Trung ương Đảng;\n- Lưu: VT, HC (2).\n\nTM. CHÍNH PHỦ\nTHỦ TƯỚNG\n\nNguyễn Xuân Phúc\n")
    assert (gov["issuer"], gov["doc_type"], gov["number"], gov["symbol"]) == ("CHÍNH PHỦ", "Nghị định", 30, "2020/NĐ-CP")
    assert (gov["signer_authority"], gov["signer_position"], gov["signer_name"]) == (
        "TM. CHÍNH PHỦ", "THỦ TƯỚNG", "Nguyễn Xuân Phúc")
    assert gov["distribution"] == ["Ban Bí thư Trung ương Đảng", "Lưu: VT, HC (2)"]

    commune = parse_text(
        "UBND HUYỆN KIM ĐỘNG\nỦY BAN NHÂN DÂN\nXÃ ĐỨC HỢP\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\n\nSố:         / TB-UBND\n\nĐức Hợp, ngày ….. tháng 12 năm 2021\n\n"
        "THÔNG BÁO\nVề việc tạm dừng tiếp công dân\n")
    assert (commune["issuer_parent"], commune["issuer"]) == ("UBND HUYỆN KIM ĐỘNG", "ỦY BAN NHÂN DÂN XÃ ĐỨC HỢP")
    assert (commune["number"], commune["symbol"], commune["place"], commune["date"]) == (None, "TB-UBND", "Đức Hợp", None)
    assert (commune["doc_type"], commune["subject"]) == ("Thông báo", "tạm dừng tiếp công dân")

    old = parse_text(
        "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ CẦN THƠ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Số: 63/2002/QĐ.UB\n\nCần Thơ, ngày 07 tháng 05 năm 2002\n\nQUYẾT ĐỊNH\n"
        "V/v phê duyệt Chiến lược dân số giai đoạn 2001-2010\n")
    assert (old["number_symbol"], old["date"], old["doc_type"]) == ("63/2002/QĐ.UB", "2002-05-07", "Quyết định")
    assert old["subject"] == "phê duyệt Chiến lược dân số giai đoạn 2001-2010"
    assert {"symbol_separator", "date_month_padded"} <= {w["code"] for w in old["warnings"]}

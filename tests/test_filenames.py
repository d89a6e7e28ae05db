"""Document file names: kind, body, month and the whole subject, never cut through a word."""

from __future__ import annotations

from datetime import date

from dieuhanh.lib.filenames import document_filename, subject_slug

TITLE = "Báo cáo tổng kết Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2011-2020"


def test_the_seed_report_keeps_its_identity() -> None:
    name = document_filename("BC", "UBND", date(2020, 4, 9), TITLE, ".docx")
    assert name == "BC-UBND-2020-04-tong-ket-chuong-trinh-tong-the-CCHC-2011-2020.docx"


def test_a_long_subject_is_shortened_in_the_middle_and_keeps_its_year_range() -> None:
    long_title = ("Kế hoạch thực hiện nhiệm vụ công tác kiểm tra, rà soát, hệ thống hóa văn bản quy phạm pháp luật "
                  "trên địa bàn quận Cái Răng, thành phố Cần Thơ giai đoạn 2021-2030")
    slug = subject_slug(long_title)
    assert slug.startswith("thuc-hien-nhiem-vu") and slug.endswith("-2021-2030")
    assert len(slug) <= 90 + len("-2021-2030")
    assert all(part for part in slug.split("-"))  # no word cut into an empty or half token


def test_nothing_but_ascii_and_no_empty_parts() -> None:
    name = document_filename("QĐ", "UBND", None, "Về việc khen thưởng Đội Thuế", "pdf")
    assert name == "QD-UBND-khen-thuong-doi-thue.pdf"
    assert document_filename("BC", "", date(2024, 1, 5), "", "xlsx") == "BC-2024-01.xlsx"

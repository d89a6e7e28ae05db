"""Each parsed field says where it came from and how sure the parser is (issue 10 item 5);
another body's deadline quoted in a document is marked as such."""

from __future__ import annotations

import pytest

from dieuhanh.lib.vntext import fold
from dieuhanh.vanban import parse_text
from dieuhanh.vanban.textprep import Prepared
from tests.conftest import SHARED

CORPUS = sorted((SHARED / "corpus" / "dev").glob("*.txt"))
FORWARDED = """ỦY BAN NHÂN DÂN TỈNH HÀ NAM
Số: 12/UBND-NC
V/v báo cáo công tác dân vận
Hà Nam, ngày 02 tháng 3 năm 2024
Kính gửi: Sở Nội vụ
Bộ Nội vụ đề nghị Ủy ban nhân dân các tỉnh báo cáo kết quả trước ngày 20/3/2024.
Ủy ban nhân dân tỉnh giao Sở Nội vụ chủ trì tham mưu báo cáo trước ngày 15/3/2024.
"""


@pytest.mark.parametrize("path", CORPUS[::7], ids=lambda p: p.stem)
def test_every_filled_field_points_at_its_source(path) -> None:
    raw = path.read_text(encoding="utf-8")
    result = parse_text(raw)
    text = Prepared.from_text(raw).text
    for field, where in result["evidence"].items():
        assert result[field] not in (None, "", []), field
        assert 0 <= where["start"] < where["end"] <= len(text)
        assert where["line"] == text.count("\n", 0, where["start"]) + 1
        assert 0 < where["confidence"] <= 1
    if result["number_symbol"] and "number_symbol" in result["evidence"]:
        where = result["evidence"]["number_symbol"]
        symbol = result["symbol"].split("-")[0].split("/")[0]
        assert fold(symbol) in fold(text[where["start"]:where["end"]])


def test_portal_citation_is_less_sure_than_a_so_line() -> None:
    formal = parse_text((SHARED / "corpus" / "dev" / "001.txt").read_text(encoding="utf-8"))["evidence"]
    citation = parse_text((SHARED / "corpus" / "dev" / "054.txt").read_text(encoding="utf-8"))["evidence"]
    assert formal["number_symbol"]["confidence"] >= 0.9
    assert citation["number_symbol"]["confidence"] <= 0.5


def test_another_bodys_deadline_is_marked_and_not_due() -> None:
    result = parse_text(FORWARDED)
    by_date = {d["date"]: d for d in result["deadlines"]}
    assert by_date["2024-03-20"]["for_other_body"] is True
    assert by_date["2024-03-20"]["other_body"] == "Bộ Nội vụ"
    assert by_date["2024-03-15"]["for_other_body"] is False
    from dieuhanh.documents.intake import fields_from_parse

    assert str(fields_from_parse(result)["due_on"]) == "2024-03-15"


def test_no_corpus_deadline_is_taken_for_another_bodys() -> None:
    for path in CORPUS:
        assert not any(d["for_other_body"] for d in parse_text(path.read_text(encoding="utf-8"))["deadlines"]), path

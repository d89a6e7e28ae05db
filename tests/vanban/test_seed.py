"""The seed dispatch 313/UBND parses exactly, field by field."""

from __future__ import annotations

import pytest

from dieuhanh.vanban import parse_file
from tests.conftest import SHARED

SEED = SHARED / "seeds" / "000_3d324eb5ea0723cd.txt"


@pytest.fixture(scope="module")
def seed() -> dict:
    return parse_file(SEED)


def test_header_fields(seed: dict) -> None:
    assert seed["number"] == 313
    assert seed["symbol"] == "UBND"
    assert seed["number_symbol"] == "313/UBND"
    assert seed["doc_type"] == "Công văn"
    assert seed["place"] == "Cái Răng"
    assert seed["date"] == "2020-03-02"
    assert seed["issuer"] == "ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG"
    assert seed["issuer_parent"] is None
    assert seed["subject"] == (
        "triển khai thực hiện Kế hoạch số 29/KH-UBND ngày 27 tháng 02 năm 2020 của Ủy ban nhân dân thành phố"
    )
    assert seed["urgency"] is None


def test_recipients_distribution_signature(seed: dict) -> None:
    assert seed["recipients"] == [
        "Thủ trưởng các cơ quan chuyên môn quận",
        "Chủ tịch Ủy ban nhân dân các phường",
    ]
    assert seed["distribution"] == ["Như trên", "CT, PCT. UBND quận", "Trang TTĐT quận", "Lưu: VT"]
    assert (seed["signer_authority"], seed["signer_position"], seed["signer_name"]) == (
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Vương Công Khanh")


def test_reference_to_plan_29(seed: dict) -> None:
    assert [(r["number_symbol"].replace(" ", ""), r["date"]) for r in seed["references"]] == [
        ("29/KH-UBND", "2020-02-27")]


def test_deadlines(seed: dict) -> None:
    assert [d["date"] for d in seed["deadlines"]] == ["2020-04-10", "2020-05-01"]
    assert all(d["assignee"] == "Trưởng phòng Nội vụ quận" for d in seed["deadlines"])


def test_tasks_tell_the_story(seed: dict) -> None:
    tasks = seed["tasks"]
    implement = tasks[0]
    assert implement["assignees"] == ["Thủ trưởng các cơ quan chuyên môn quận", "Chủ tịch Ủy ban nhân dân các phường"]
    assert "Kế hoạch số 29/KH-UBND" in implement["action"]
    assert implement["deadline"] is None

    noi_vu = [t for t in tasks if t["assignees"] == ["Trưởng phòng Nội vụ quận"]]
    plan, summary, report = noi_vu
    assert "xây dựng Kế hoạch cụ thể" in plan["action"]
    assert "đánh giá đầy đủ" in plan["action"] and "khen thưởng" in plan["action"]
    assert summary["deadline"]["date"] == "2020-04-10"
    assert summary["deadline"]["phrase"] == "trước ngày 10 tháng 4 năm 2020"
    assert summary["deadline"]["kind"] == "before"
    assert "tổng kết" in summary["action"]
    assert report["deadline"]["date"] == "2020-05-01"
    assert "Sở Nội vụ" in report["action"] and "báo cáo" in report["action"]


def test_task_spans_point_at_the_sentence(seed: dict) -> None:
    text = SEED.read_text(encoding="utf-8")
    for task in seed["tasks"]:
        start, end = task["span"]
        original = " ".join(text[start:end].replace("*", "").split())
        assert original == task["sentence"]


def test_no_warning_from_rules_after_decree_30(seed: dict) -> None:
    codes = {w["code"] for w in seed["warnings"]}
    assert "cong_van_symbol_without_unit" not in codes
    assert not any("unit" in code for code in codes)

"""``dieuhanh export reports``: JSON, CSV, XLSX, filters and exit codes."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import openpyxl
import pytest
import time_machine

from dieuhanh.cli import main
from dieuhanh.reports import services
from tests.factories import UserFactory
from tests.reports.factories import GOOD_DATA, make_request, submission_of


@pytest.fixture
def req(units, actors):  # type: ignore[no-untyped-def]
    """Due 20/04/2020: Lê Bình sends on 18/04, Ba Láng on 22/04, Văn phòng never; exported on 25/04."""
    with time_machine.travel("2020-04-10 09:00 +0700", tick=False) as t:
        request = make_request(actors["district_specialist"], [units["le_binh"], units["ba_lang"], units["van_phong"]],
                               date(2020, 4, 20))
        t.move_to("2020-04-18 09:00 +0700")
        services.submit(actors["ward_chairman"], submission_of(request, units["le_binh"]), GOOD_DATA)
        t.move_to("2020-04-22 14:00 +0700")
        services.submit(UserFactory(username="cv.balang", unit=units["ba_lang"], role="chuyen_vien"),
                        submission_of(request, units["ba_lang"]), GOOD_DATA)
    return request


@pytest.fixture(autouse=True)
def _frozen_today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2020-04-25 09:00 +0700", tick=False):
        yield


def test_json_one_object_per_unit(req, capsys):
    assert main(["export", "reports", "--request", str(req.pk), "--format", "json"]) == 0
    items = {i["unit_code"]: i for i in json.loads(capsys.readouterr().out)}
    assert set(items) == {"p_le_binh", "p_ba_lang", "vp_hdnd_ubnd"}
    lb = items["p_le_binh"]
    assert lb["request"] == "Tổng kết cải cách hành chính giai đoạn 2011-2020" and lb["request_id"] == req.pk
    assert lb["unit"] == "Ủy ban nhân dân phường Lê Bình" and lb["due_on"] == "2020-04-20"
    assert lb["status"] == "Đã nộp, chờ duyệt" and lb["status_code"] == "da_nop"
    assert lb["first_submitted_at"].startswith("2020-04-18T09:00")
    assert lb["timeliness_code"] == "on_time" and lb["days_late"] == 0 and lb["on_time"] is True
    assert items["p_ba_lang"]["timeliness"] == "Quá hạn" and items["p_ba_lang"]["days_late"] == 2
    vp = items["vp_hdnd_ubnd"]
    assert vp["timeliness_code"] == "missing" and vp["days_late"] == 5 and vp["first_submitted_at"] is None


def test_unit_filter_and_default_format(req, capsys):
    assert main(["export", "reports", "--unit", "p_ba_lang"]) == 0
    assert [i["unit_code"] for i in json.loads(capsys.readouterr().out)] == ["p_ba_lang"]


def test_csv_to_stdout(req, capsys):
    assert main(["export", "reports", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(out[1:])))
    assert table[0][:3] == ["Mã yêu cầu", "Báo cáo", "Đơn vị yêu cầu"] and len(table) == 4
    by_unit = {row[3]: row for row in table[1:]}
    assert by_unit["p_le_binh"][5] == "20/04/2020" and by_unit["p_le_binh"][7] == "18/04/2020 09:00"
    assert by_unit["vp_hdnd_ubnd"][9] == "Chưa nộp, đã quá hạn"


def test_csv_for_excel_uses_semicolons_and_help_says_which_is_which(req, capsys):
    assert main(["export", "reports", "--format", "csv-excel"]) == 0
    out = capsys.readouterr().out
    table = list(csv.reader(io.StringIO(out[1:]), delimiter=";"))
    assert out.startswith("\ufeff") and table[0][:3] == ["Mã yêu cầu", "Báo cáo", "Đơn vị yêu cầu"]
    assert len(table) == 4 and all(len(row) == len(table[0]) for row in table)
    with pytest.raises(SystemExit):
        main(["export", "reports", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "csv cho máy: dấu phẩy ngăn cột, dấu chấm thập phân" in help_text


def test_xlsx_to_a_file_and_to_stdout(req, tmp_path, capsysbinary):
    target = tmp_path / "bao-cao.xlsx"
    assert main(["export", "reports", "--format", "xlsx", "--out", str(target)]) == 0
    ws = openpyxl.load_workbook(target).active
    assert ws.max_row == 4 and ws["B1"].value == "Báo cáo" and ws["F2"].value.date() == date(2020, 4, 20)
    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao.xlsx"]
    assert main(["export", "reports", "--format", "xlsx", "--unit", "p_le_binh"]) == 0
    raw = capsysbinary.readouterr().out
    assert raw[:2] == b"PK" and openpyxl.load_workbook(io.BytesIO(raw)).active.max_row == 2


@pytest.mark.parametrize("argv,message", [
    (["--request", "99999"], "không tìm thấy yêu cầu báo cáo số 99999"),
    (["--request", "abc"], "phải là số"),
    (["--unit", "khong_co"], "không tìm thấy đơn vị có mã “khong_co”"),
])
def test_unknown_request_or_unit_exits_2(req, capsys, argv, message):
    assert main(["export", "reports", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err


def test_bad_output_path_exits_2(req, tmp_path, capsys):
    assert main(["export", "reports", "--out", str(tmp_path / "khong-co" / "x.json")]) == 2
    assert "không có thư mục" in capsys.readouterr().err

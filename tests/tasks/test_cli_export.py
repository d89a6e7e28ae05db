"""``dieuhanh export tasks``: JSON objects, CSV, XLSX, filters and exit codes."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import openpyxl
import pytest
import time_machine

from dieuhanh.cli import main
from dieuhanh.documents.models import Direction, Document, Register
from dieuhanh.tasks.models import Assignment, Role, Status, Task


@pytest.fixture(autouse=True)
def _frozen_today():  # type: ignore[no-untyped-def]
    with time_machine.travel("2020-04-20 09:00 +0700", tick=False):
        yield


@pytest.fixture
def data(units):  # type: ignore[no-untyped-def]
    register = Register.objects.create(unit=units["district"], direction=Direction.OUTGOING, name="Sổ đi")
    doc = Document.objects.create(register=register, direction=Direction.OUTGOING, owner_unit=units["district"],
                                  doc_type="Kế hoạch", number_symbol="313/UBND", reg_year=2020,
                                  issued_on=date(2020, 4, 2))
    other = Document.objects.create(register=register, direction=Direction.OUTGOING, owner_unit=units["district"],
                                    doc_type="Công văn", number_symbol="45/UBND-NV", reg_year=2020)
    task = Task.objects.create(title="Báo cáo kết quả rà soát", document=doc, assigned_by_unit=units["district"],
                               deadline_phrase="trước ngày 10/4/2020", deadline_kind="before")
    second = Task.objects.create(title="Tổ chức hội nghị", document=other, assigned_by_unit=units["district"],
                                 deadline_phrase="chậm nhất ngày 30/4/2020", deadline_kind="by")
    return {
        "lead": Assignment.objects.create(task=task, unit=units["le_binh"], role=Role.LEAD, status=Status.DONE,
                                          due_on=date(2020, 4, 9), original_due_on=date(2020, 4, 9),
                                          completed_on=date(2020, 4, 10), progress=100),
        "coord": Assignment.objects.create(task=task, unit=units["ba_lang"], role=Role.COORDINATE,
                                           due_on=date(2020, 4, 30), original_due_on=date(2020, 4, 9)),
        "other": Assignment.objects.create(task=second, unit=units["le_binh"], due_on=date(2020, 4, 30),
                                           original_due_on=date(2020, 4, 30)),
    }


def test_json_one_object_per_assignment(data, capsys):
    assert main(["export", "tasks", "--document", "313/UBND", "--format", "json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [i["id"] for i in items] == [data["lead"].pk, data["coord"].pk]
    first = items[0]
    assert first["document"] == "313/UBND" and first["unit_code"] == "p_le_binh"
    assert first["unit"] == "Ủy ban nhân dân phường Lê Bình"
    assert first["role"] == "Chủ trì" and first["status"] == "Hoàn thành"
    assert first["bucket"] == "Hoàn thành quá hạn" and first["bucket_code"] == "done_late"
    assert first["due_on"] == "2020-04-09" and first["original_due_on"] == "2020-04-09"
    assert first["deadline_phrase"] == "trước ngày 10/4/2020"
    assert items[1]["bucket_code"] == "open_overdue" and items[1]["due_on"] == "2020-04-30"


def test_document_key_ignores_spacing_and_case(data, capsys):
    assert main(["export", "tasks", "--document", "313 / ubnd"]) == 0  # json by default
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_unit_filter_and_everything(data, capsys):
    assert main(["export", "tasks", "--unit", "p_le_binh", "--format", "json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert {i["id"] for i in items} == {data["lead"].pk, data["other"].pk}
    assert main(["export", "tasks", "--unit", "p_le_binh", "--document", "45/UBND-NV"]) == 0
    assert [i["id"] for i in json.loads(capsys.readouterr().out)] == [data["other"].pk]
    assert main(["export", "tasks"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3


def test_csv_to_stdout(data, capsys):
    assert main(["export", "tasks", "--document", "313/UBND", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(out[1:])))
    assert table[0][:2] == ["Văn bản", "Nhiệm vụ"] and len(table) == 3
    assert "09/04/2020" in table[1]


def test_xlsx_to_a_file_and_to_stdout(data, tmp_path, capsysbinary):
    target = tmp_path / "nhiem-vu.xlsx"
    assert main(["export", "tasks", "--format", "xlsx", "--out", str(target)]) == 0
    ws = openpyxl.load_workbook(target).active
    assert ws.max_row == 4 and ws["A2"].value == "313/UBND" and ws["A4"].value == "45/UBND-NV"
    assert [p.name for p in tmp_path.iterdir()] == ["nhiem-vu.xlsx"]  # no temporary file left
    assert main(["export", "tasks", "--format", "xlsx", "--unit", "p_ba_lang"]) == 0
    raw = capsysbinary.readouterr().out
    assert raw[:2] == b"PK"
    assert openpyxl.load_workbook(io.BytesIO(raw)).active.max_row == 2


def test_json_to_a_file(data, tmp_path):
    target = tmp_path / "out.json"
    assert main(["export", "tasks", "--unit", "p_ba_lang", "--out", str(target)]) == 0
    assert [i["unit_code"] for i in json.loads(target.read_text(encoding="utf-8"))] == ["p_ba_lang"]


@pytest.mark.parametrize("argv,message", [
    (["--document", "999/UBND"], "không tìm thấy văn bản số, ký hiệu “999/UBND”"),
    (["--document", ""], "không tìm thấy văn bản"),
    (["--unit", "khong_co"], "không tìm thấy đơn vị có mã “khong_co”"),
])
def test_unknown_document_or_unit_exits_2(data, capsys, argv, message):
    assert main(["export", "tasks", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err


def test_bad_output_path_exits_2(data, tmp_path, capsys):
    assert main(["export", "tasks", "--out", str(tmp_path / "khong-co" / "x.json")]) == 2
    assert "không có thư mục" in capsys.readouterr().err
    assert main(["export", "tasks", "--out", str(tmp_path)]) == 2
    assert "là thư mục" in capsys.readouterr().err


def test_bad_format_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["export", "tasks", "--format", "pdf"])
    assert exc.value.code == 2


def test_empty_result_is_an_empty_array(data, capsys):
    assert main(["export", "tasks", "--unit", "p_tan_an"]) == 0
    assert json.loads(capsys.readouterr().out) == []

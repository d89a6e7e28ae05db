"""Assignment rows and the CSV / XLSX / JSON writers, and table_response for views."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
import json
from datetime import date, datetime, timezone

import openpyxl
import pytest
import time_machine
from django.test import RequestFactory

from dieuhanh.documents.models import Direction, Document, Register
from dieuhanh.tasks.exports import (ASSIGNMENT_COLUMNS, assignment_rows, requested_format, table_response, write_csv,
                                    write_json, write_xlsx)
from dieuhanh.tasks.models import Assignment, Role, Status, Task

TODAY = date(2020, 4, 20)


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
    task = Task.objects.create(title="Báo cáo kết quả kiểm tra, rà soát; “hồ sơ”", document=doc,
                               assigned_by_unit=units["district"], deadline_phrase="trước ngày 10/4/2020",
                               deadline_kind="before")
    done = Assignment.objects.create(task=task, unit=units["noi_vu"], role=Role.LEAD, status=Status.DONE,
                                     due_on=date(2020, 4, 9), original_due_on=date(2020, 4, 9),
                                     completed_on=date(2020, 4, 8), progress=100)
    late = Assignment.objects.create(task=task, unit=units["le_binh"], role=Role.COORDINATE, status=Status.IN_PROGRESS,
                                     due_on=date(2020, 4, 30), original_due_on=date(2020, 4, 9), progress=40)
    formula = Task.objects.create(title="=HYPERLINK(\"http://x\")", assigned_by_unit=units["district"])
    odd = Assignment.objects.create(task=formula, unit=units["ba_lang"])
    return {"doc": doc, "task": task, "done": done, "late": late, "odd": odd}


def rows_of(data):  # type: ignore[no-untyped-def]
    return list(assignment_rows(Assignment.objects.filter(pk__in=[data["done"].pk, data["late"].pk]).order_by("id")))


def test_assignment_rows(data, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        rows = rows_of(data)
    first, second = rows
    assert first["document"] == "313/UBND"
    assert first["task"].startswith("Báo cáo kết quả")
    assert (first["unit_code"], first["unit"]) == ("phong_noi_vu", "Phòng Nội vụ quận Cái Răng")
    assert first["role"] == "Chủ trì" and first["status"] == "Hoàn thành"
    assert first["bucket"] == "Hoàn thành đúng hạn" and first["bucket_code"] == "done_on_time"
    assert first["due_on"] == date(2020, 4, 9) and first["completed_on"] == date(2020, 4, 8)
    assert first["deadline_phrase"] == "trước ngày 10/4/2020"
    assert first["assigned_by"] == "Ủy ban nhân dân quận Cái Răng" and first["progress"] == 100
    # Scored on the original due date, even though the due date was extended.
    assert second["bucket"] == "Quá hạn chưa hoàn thành" and second["role"] == "Phối hợp"
    assert second["due_on"] == date(2020, 4, 30) and second["original_due_on"] == date(2020, 4, 9)
    assert list(assignment_rows([data["late"]], on=date(2020, 4, 5)))[0]["bucket_code"] == "open_in_term"


def test_csv_has_bom_vietnamese_and_ddmmyyyy(data):
    fp = io.BytesIO()
    assert write_csv(rows_of(data), fp) == 2
    raw = fp.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == [str(h) for _, h in ASSIGNMENT_COLUMNS]
    assert table[0][:3] == ["Văn bản", "Nhiệm vụ", "Mã đơn vị"]
    header = table[0]
    row = dict(zip(header, table[1]))
    assert row["Văn bản"] == "313/UBND"
    assert row["Nhiệm vụ"] == "Báo cáo kết quả kiểm tra, rà soát; “hồ sơ”"
    assert row["Hạn xử lý"] == "09/04/2020" and row["Ngày hoàn thành"] == "08/04/2020"
    assert row["Tình hình thực hiện"] == "Hoàn thành đúng hạn"
    assert dict(zip(header, table[2]))["Ngày hoàn thành"] == ""
    assert raw.count(b"\r\n") == 3


def test_csv_to_a_text_stream_and_formula_guard(data):
    fp = io.StringIO()
    write_csv(assignment_rows(Assignment.objects.filter(pk=data["odd"].pk)), fp)
    text = fp.getvalue()
    assert text.startswith("\ufeff")
    cell = list(csv.reader(io.StringIO(text[1:])))[1][1]
    assert cell == "'=HYPERLINK(\"http://x\")"


def test_xlsx_reads_back_with_typed_dates(data):
    fp = io.BytesIO()
    assert write_xlsx(rows_of(data) + list(assignment_rows([data["odd"]])), fp, "Nhiệm vụ: 313/UBND") == 3
    wb = openpyxl.load_workbook(io.BytesIO(fp.getvalue()))
    ws = wb.active
    assert ws.title == "Nhiệm vụ  313 UBND"
    header = [c.value for c in ws[1]]
    assert header == [str(h) for _, h in ASSIGNMENT_COLUMNS]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    due = ws.cell(row=2, column=header.index("Hạn xử lý") + 1)
    assert due.is_date and due.value.date() == date(2020, 4, 9) and due.number_format == "DD/MM/YYYY"
    assert ws.cell(row=2, column=header.index("Nhiệm vụ") + 1).value.startswith("Báo cáo kết quả")
    assert ws.cell(row=2, column=header.index("Tiến độ (%)") + 1).value == 100
    assert ws.cell(row=3, column=header.index("Ngày hoàn thành") + 1).value is None
    formula = ws.cell(row=4, column=header.index("Nhiệm vụ") + 1)
    assert formula.value == "=HYPERLINK(\"http://x\")" and formula.data_type == "s"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["C"].width


def test_json_has_iso_dates_and_codes(data):
    fp = io.StringIO()
    assert write_json(rows_of(data), fp) == 2
    items = json.loads(fp.getvalue())
    assert items[0]["due_on"] == "2020-04-09" and items[0]["completed_on"] == "2020-04-08"
    assert items[1]["completed_on"] is None and items[1]["status_code"] == "dang_thuc_hien"
    assert items[0]["document"] == "313/UBND" and items[0]["deadline_phrase"] == "trước ngày 10/4/2020"
    empty = io.BytesIO()
    write_json([], empty)
    assert json.loads(empty.getvalue()) == []


COLUMNS = [("name", "Tên đơn vị"), ("count", "Số nhiệm vụ"), ("on", "Ngày"), ("at", "Lúc")]
GENERIC = [{"name": "Phường Lê Bình", "count": 3, "on": date(2020, 4, 9),
            "at": datetime(2020, 4, 9, 3, 0, tzinfo=timezone.utc)},
           ("Phường Ba Láng", 0, None, None)]
RATES = [("name", "Tên đơn vị"), ("rate", "Tỷ lệ đúng hạn (%)")]


def test_table_response_csv(db):
    request = RequestFactory().get("/x", {"format": "csv"})
    assert requested_format(request) == "csv"
    response = table_response(request, GENERIC, COLUMNS, "tinh-hinh", requested_format(request))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="tinh-hinh-20200420.csv"' == response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    # For people: Excel with Vietnamese regional settings splits cells on ";".
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert table == [["Tên đơn vị", "Số nhiệm vụ", "Ngày", "Lúc"], ["Phường Lê Bình", "3", "09/04/2020",
                     "09/04/2020 10:00"], ["Phường Ba Láng", "0", "", ""]]


def test_csv_for_people_has_decimal_commas_and_for_machines_points(db):
    rows = [("Phường Lê Bình, Cái Răng", 100.0), ("Phường Ba Láng", Decimal("83.5"))]
    request = RequestFactory().get("/x", {"format": "csv"})
    people = table_response(request, rows, RATES, "ty-le", "csv").content.decode("utf-8-sig")
    assert people.splitlines() == ["Tên đơn vị;Tỷ lệ đúng hạn (%)", "Phường Lê Bình, Cái Răng;100,0",
                                   "Phường Ba Láng;83,5"]
    fp = io.StringIO()
    write_csv(rows, fp, RATES)
    assert fp.getvalue()[1:].splitlines() == ["Tên đơn vị,Tỷ lệ đúng hạn (%)", "\"Phường Lê Bình, Cái Răng\",100.0",
                                             "Phường Ba Láng,83.5"]


def test_table_response_xlsx(db):
    request = RequestFactory().get("/x", {"format": "xlsx"})
    response = table_response(request, GENERIC, COLUMNS, "Tình hình", "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=utf-8''T%C3%ACnh%20h%C3%ACnh-20200420.xlsx" in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[1]] == ["Tên đơn vị", "Số nhiệm vụ", "Ngày", "Lúc"]
    assert ws["C2"].value == datetime(2020, 4, 9) and ws["C2"].is_date
    assert ws["D2"].value == datetime(2020, 4, 9, 10, 0)  # local time, Asia/Ho_Chi_Minh
    assert ws["A3"].value == "Phường Ba Láng" and ws["B3"].value == 0


def test_unknown_format_is_400_not_500(db):
    request = RequestFactory().get("/x", {"format": "pdf"})
    assert requested_format(request) is None
    response = table_response(request, GENERIC, COLUMNS, "x", "pdf")
    assert response.status_code == 400 and "CSV hoặc XLSX" in response.content.decode()

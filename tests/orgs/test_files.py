"""Unit files: YAML and CSV round trips, and bad files that import nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dieuhanh.accounts.models import AuditLog
from dieuhanh.orgs import files
from dieuhanh.orgs.models import Unit
from dieuhanh.orgs.services import DEFAULT_FILE, export_units, import_file, import_units

pytestmark = pytest.mark.django_db


def _body(yaml_text: str) -> str:
    """The ``units:`` part, without the header comments."""
    return yaml_text[yaml_text.index("\nunits:\n"):]


def test_yaml_round_trip_is_exact(cantho):
    exported = export_units("yaml")
    assert _body(exported) == _body(DEFAULT_FILE.read_text(encoding="utf-8"))


def test_csv_round_trip(cantho, tmp_path):
    path = tmp_path / "units.csv"
    exported = export_units("csv")
    path.write_text(exported, encoding="utf-8-sig")
    result = import_file(path)
    assert result.ok, result.errors
    assert len(result.unchanged) == 50 and not result.updated  # every field read back equal
    assert export_units("csv") == exported


def test_csv_into_an_empty_database(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(files.write_csv(files.read_file(DEFAULT_FILE)), encoding="utf-8")
    result = import_file(path)
    assert result.ok and len(result.created) == 50, result.errors
    assert _body(export_units("yaml")) == _body(DEFAULT_FILE.read_text(encoding="utf-8"))


def test_csv_layout():
    text = files.write_csv([{"code": "p_x", "name": "Phường X", "kind": "ubnd_xa", "short_names": ["X", "PX"],
                             "aliases": [], "valid_to": date(2025, 6, 30),
                             "successors": [{"code": "p_y", "kind": "merged", "on": None}]}])
    header, line = text.splitlines()
    assert header.split(",")[:3] == ["code", "name", "kind"] and header.endswith("successors,note")
    assert "X | PX" in line and "30/06/2025" in line and "p_y merged" in line


def test_export_on_a_day_is_a_file_of_its_own(cantho):
    rows = files.read_yaml(export_units("yaml", on=date(2020, 3, 2)))
    codes = {r["code"] for r in rows}
    assert "ubnd_q_cairang" in codes and "p_cai_rang_2025" not in codes
    assert not any(r.get("successors") for r in rows)  # links to 2025 units are left out


def test_semicolon_csv_from_a_spreadsheet(db, tmp_path):
    path = tmp_path / "don_vi.csv"
    path.write_bytes("code;name;kind;parent\r\nt;Ủy ban nhân dân tỉnh T;ubnd_tinh;\r\n"
                     "h;Ủy ban nhân dân huyện H;ubnd_huyen;t\r\n".encode("utf-8-sig"))
    assert import_file(path).created == ["t", "h"]


# --- bad files ------------------------------------------------------------------------

CITY = "- {code: t, name: Ủy ban nhân dân tỉnh T, kind: ubnd_tinh}\n"
BAD_YAML = {
    "missing_parent": (CITY + "- {code: h, name: Huyện H, kind: ubnd_huyen, parent: khong_co}\n",
                       "Đơn vị thứ 2 (mã «h»): đơn vị cấp trên «khong_co» không có trong tệp"),
    "unknown_kind": (CITY + "- {code: h, name: Huyện H, kind: quan_huyen, parent: t}\n",
                     "Đơn vị thứ 2 (mã «h»): loại đơn vị «quan_huyen» không hợp lệ"),
    "dates_reversed": (CITY + "- {code: h, name: Huyện H, kind: ubnd_huyen, valid_from: 2021-01-01,"
                       " valid_to: 30/06/2020}\n",
                       "Đơn vị thứ 2 (mã «h»): ngày hết hiệu lực (30/06/2020) "
                       "trước ngày bắt đầu hiệu lực (01/01/2021)"),
    "duplicate_code": (CITY + CITY, "Đơn vị thứ 2 (mã «t»): mã trùng với đơn vị thứ 1"),
    "bad_date": (CITY + "- {code: h, name: Huyện H, kind: ubnd_huyen, valid_from: 31/02/2020}\n",
                 "ngày «31/02/2020» không hợp lệ"),
    "unknown_successor": (CITY + "- {code: h, name: Huyện H, kind: ubnd_huyen, successors: [{code: x}]}\n",
                          "đơn vị kế thừa «x» không có trong tệp"),
    "cycle": ("- {code: a, name: A, kind: phong, parent: b}\n- {code: b, name: B, kind: phong, parent: a}\n",
              "quan hệ cấp trên tạo thành vòng lặp (a → b → a)"),
    "missing_name": (CITY + "- {code: h, kind: ubnd_huyen}\n", "Đơn vị thứ 2 (mã «h»): thiếu trường bắt buộc «name»"),
    "unknown_field": (CITY + "- {code: h, name: H, kind: phong, vaild_to: 2020-01-01}\n",
                      "trường «vaild_to» không được hỗ trợ"),
    "bad_code": (CITY + "- {code: 'phòng 1', name: H, kind: phong}\n", "mã «phòng 1» ở trường «code» không hợp lệ"),
    "bad_e_id": (CITY + "- {code: h, name: H, kind: phong, e_id: H13}\n", "mã định danh «H13» không đúng dạng"),
}


@pytest.mark.parametrize("case", sorted(BAD_YAML))
def test_bad_yaml_content_names_the_row_and_imports_nothing(db, tmp_path, case):
    text, message = BAD_YAML[case]
    path = tmp_path / "bad.yaml"
    path.write_text("units:\n" + text, encoding="utf-8")
    result = import_file(path)
    assert not result.ok
    assert any(message in e for e in result.errors), result.errors
    assert "không có thay đổi nào được lưu" in result.summary()
    assert not Unit.objects.exists() and not AuditLog.objects.exists()


def test_bad_file_leaves_an_existing_tree_untouched(cantho, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name,kind,parent\nubnd_q_cairang,Đổi tên,ubnd_huyen,\nx,X,phong,khong_co\n", encoding="utf-8")
    result = import_file(path)
    assert result.errors == ["Dòng 3 (mã «x»): đơn vị cấp trên «khong_co» không có trong tệp "
                             "và cũng chưa có trong cơ sở dữ liệu"]
    assert Unit.objects.get(code="ubnd_q_cairang").name == "Ủy ban nhân dân quận Cái Răng"


UNREADABLE = {
    "broken_yaml": ("bad.yaml", "units:\n- {code: t, name: [Tỉnh\n".encode(), "không đúng cú pháp YAML ở dòng"),
    "not_a_list": ("bad.yaml", b"units: 3\n", "phải có mục «units:» là danh sách"),
    "empty_yaml": ("bad.yaml", b"", "phải có mục «units:»"),
    "cp1258": ("bad.csv", 
               "code,name,kind\np,Phư\u01a1\u0300ng Tân Phú,ubnd_xa\n".encode("cp1258"),
               "không được mã hóa UTF-8"),
    "tcvn3_in_utf8": ("bad.csv", "code,name,kind\nt,Uû ban nh©n d©n tØnh CÇn Th¬ vµ Sãc Tr¨ng,ubnd_tinh\n"
                      "h,Phßng Néi vô cña quËn C¸i R¨ng,phong\n".encode(), "phông TCVN3"),
    "csv_unknown_column": ("bad.csv", "code,name,kind,loai\n".encode(), "cột lạ «loai»"),
    "csv_only_header": ("bad.csv", b"code,name,kind\n", "không có đơn vị nào"),
    "wrong_extension": ("units.xlsx", b"PK\x03\x04", "dùng tệp .yaml, .yml hoặc .csv"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_unreadable_files_raise_a_vietnamese_message(tmp_path, case):
    name, data, message = UNREADABLE[case]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(files.UnitFileError) as err:
        files.read_file(path)
    assert message in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(files.UnitFileError, match="Không tìm thấy tệp"):
        files.read_file(tmp_path / "khong_co.yaml")


def test_rows_built_in_code_need_no_reader(db):
    result = import_units([{"code": "t", "name": "Tỉnh T", "kind": "ubnd_tinh"}, "không phải bảng"])
    assert result.errors == ["Đơn vị thứ 2: phải là một bảng các trường (code, name, kind, ...)"]


def test_packaged_file_is_inside_the_package():
    assert DEFAULT_FILE.exists() and Path(files.__file__).parent in DEFAULT_FILE.parents

"""Report outlines as data: parsing, round-trip, cleaning, validation, consolidation.

No database: the module under test is pure Python.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap

import pytest

from dieuhanh.reports.outline import (
    Outline,
    OutlineError,
    Problem,
    aggregate,
    clean_data,
    format_number,
    load_default,
    parse_vn_number,
    table_matrix,
    validate,
)

SMALL = textwrap.dedent("""\
    code: thu-nghiem
    title: "Báo cáo thử nghiệm"
    sections:
      - no: "Phần I"
        title: "Kết quả"
        narrative: false
        children:
          - {no: "1", title: "Tình hình chung", guidance: "Nêu rõ: a; b."}
          - {no: "2", title: "Đánh giá"}
      - {no: "Phụ lục", title: "Số liệu", narrative: false, tables: [T, A]}
    tables:
      - key: T
        title: "Giải quyết hồ sơ"
        columns:
          - {key: gd1, label: "Giai đoạn 1", type: integer}
          - {key: gd2, label: "Giai đoạn 2", type: number}
          - {key: ghi_chu, label: "Ghi chú", type: text}
        rows:
          - {key: tiep_nhan, label: "Số hồ sơ tiếp nhận", unit: "hồ sơ"}
          - {key: da_giai_quyet, label: "Số hồ sơ đã giải quyết", unit: "hồ sơ"}
          - {key: dung_han, label: "Số hồ sơ đúng hạn", unit: "hồ sơ"}
          - {key: tre_han, label: "Số hồ sơ trễ hạn", unit: "hồ sơ"}
          - {key: ty_le, label: "Tỷ lệ đúng hạn", unit: "%", type: percent}
          - {key: hang, label: "Thứ hạng", unit: "hạng", agg: list}
      - key: A
        title: "Các cách tổng hợp"
        columns:
          - {key: s, label: "Tổng", type: integer}
          - {key: f, label: "Tổng thực", type: number}
          - {key: avg, label: "Bình quân", type: number, agg: average}
          - {key: lo, label: "Thấp nhất", type: number, agg: min}
          - {key: hi, label: "Cao nhất", type: integer, agg: max}
          - {key: cnt, label: "Số đơn vị", type: integer, agg: count}
          - {key: ds, label: "Danh sách", type: text, agg: list}
          - {key: vb, label: "Văn bản", type: text, agg: text}
        rows:
          - {key: r, label: "Chỉ tiêu"}
    rules:
      - {kind: required, section: "1.1"}
      - {kind: required, table: T, rows: [tiep_nhan], columns: [gd1]}
      - {kind: le, table: T, left: da_giai_quyet, right: tiep_nhan, columns: [gd1],
         message: "Số hồ sơ đã giải quyết không được lớn hơn số tiếp nhận"}
      - {kind: ge, table: T, left: T.da_giai_quyet, right: dung_han, columns: [gd1]}
      - {kind: eq, table: T, left: ty_le, right: ty_le, columns: [gd2]}
      - {kind: sum_eq, table: T, left: [dung_han, tre_han], right: da_giai_quyet, columns: [gd1]}
""")


@pytest.fixture(scope="module")
def small() -> Outline:
    return Outline.from_yaml(SMALL)


@pytest.fixture(scope="module")
def default() -> Outline:
    return load_default()


def _error(text: str) -> str:
    with pytest.raises(OutlineError) as info:
        Outline.from_yaml(text)
    return str(info.value)


def _t(rows: dict) -> dict:
    return {"sections": {}, "tables": {"T": rows}}


# -- parsing and writing -------------------------------------------------------------------
def test_small_outline_parses_with_auto_keys_and_defaults(small):
    assert [(d, s.key, s.no) for d, s in small.walk()] == [
        (0, "1", "Phần I"), (1, "1.1", "1"), (1, "1.2", "2"), (0, "2", "Phụ lục")]
    assert small.section("1.1").guidance == "Nêu rõ: a; b."
    assert small.section("1").narrative is False and small.section("1.2").narrative is True
    assert small.doc_type == "Báo cáo" and small.symbol_suffix == "BC-UBND"
    assert small.cell_type("T", "tiep_nhan", "gd1") == "integer"
    assert small.cell_type("T", "ty_le", "gd1") == "percent"
    assert small.cell_type("T", "ty_le", "ghi_chu") == "text"
    assert small.cell_agg("T", "tiep_nhan", "gd1") == "sum"
    assert small.cell_agg("T", "ty_le", "gd1") == "average"
    assert small.cell_agg("T", "hang", "gd2") == "list"
    assert small.cell_agg("T", "tiep_nhan", "ghi_chu") == "list"
    assert small.table("A").column("avg").agg == "average"
    with pytest.raises(KeyError):
        small.table("X")


def test_yaml_round_trip_and_fingerprint(small, default):
    for outline in (small, default):
        again = Outline.from_yaml(outline.to_yaml())
        assert again == outline
        assert again.fingerprint() == outline.fingerprint()
        assert Outline.from_dict(outline.to_dict()) == outline
    assert small.fingerprint() == Outline.from_yaml(SMALL).fingerprint()
    assert len(small.fingerprint()) == 64
    changed = Outline.from_yaml(SMALL.replace("Báo cáo thử nghiệm", "Báo cáo khác"))
    assert changed.fingerprint() != small.fingerprint()


def test_yaml_no_key_is_a_string_not_a_boolean():
    outline = Outline.from_yaml("code: c\ntitle: t\nsections:\n  - {no: no, title: yes}\n")
    assert outline.sections[0].no == "no" and outline.sections[0].title == "yes"


@pytest.mark.parametrize(("text", "expected"), [
    ("code: [unclosed\n", "YAML không hợp lệ (dòng"),
    ("- just a list\n", "Đề cương: phải là một bảng khóa–giá trị"),
    ("title: t\nsections: []\n", "Đề cương: thiếu khóa 'code'."),
    ("code: c\ntitle: t\ncode: d\nsections: []\n", "khóa 'code' bị lặp lại"),
    ("code: c\ntitle: t\nsection: []\n", "khóa không hợp lệ 'section'"),
])
def test_outline_error_top_level(text, expected):
    assert expected in _error(text)


def _with_table(columns: str, rows: str, rules: str = "") -> str:
    return (f"code: c\ntitle: t\nsections: [{{title: s, tables: [PL3]}}]\n"
            f"tables:\n  - key: PL3\n    title: TTHC\n    columns:\n{columns}    rows:\n{rows}{rules}")


COLS = "      - {key: gd1, label: G1, type: integer}\n"
ROWS = "      - {key: tong, label: Tổng}\n      - {key: con, label: Con}\n"


def test_outline_error_messages_name_the_place():
    assert _error(_with_table(COLS, "      - {key: tong, label: Tổng}\n      - {key: con}\n")) == \
        "Bảng PL3, dòng 2: thiếu khóa 'label'."
    assert _error(_with_table("      - {key: gd1, label: G1, agg: median}\n", ROWS)) == (
        "Bảng PL3, cột 1: cách tổng hợp (agg) không hợp lệ 'median' "
        "(chỉ dùng: sum, average, min, max, count, list, text).")
    assert "kiểu dữ liệu (type) không hợp lệ 'date'" in _error(
        _with_table("      - {key: gd1, label: G1, type: date}\n", ROWS))
    assert _error(_with_table(COLS, ROWS + "      - {key: tong, label: Lặp}\n")) == \
        "Bảng PL3, dòng 3: khóa 'tong' bị trùng."
    assert "khóa 'tong' bị trùng" in _error(_with_table(COLS, ROWS).replace("con, label", "tong, label"))
    assert "ô kiểu text chỉ tổng hợp được" in _error(
        _with_table("      - {key: g, label: G, type: text, agg: sum}\n", ROWS))


def test_outline_error_rules():
    rule = "rules:\n  - {kind: le, table: PL3, left: khong_co, right: tong}\n"
    assert _error(_with_table(COLS, ROWS, rule)) == "Quy tắc 1: bảng PL3 không có dòng 'khong_co'."
    rule = "rules:\n  - {kind: le, table: PL9, left: con, right: tong}\n"
    assert _error(_with_table(COLS, ROWS, rule)) == "Quy tắc 1: bảng 'PL9' không có trong đề cương."
    rule = "rules:\n  - {kind: le, table: PL3, left: PL9.con, right: tong}\n"
    assert "bảng 'PL9' không có trong đề cương" in _error(_with_table(COLS, ROWS, rule))
    rule = "rules:\n  - {kind: between, table: PL3}\n"
    assert "loại quy tắc (kind) không hợp lệ 'between'" in _error(_with_table(COLS, ROWS, rule))
    rule = "rules:\n  - {kind: required, section: '9'}\n"
    assert _error(_with_table(COLS, ROWS, rule)) == "Quy tắc 1: mục '9' không có trong đề cương."
    rule = "rules:\n  - {kind: required, table: PL3, rows: [x]}\n"
    assert "bảng PL3 không có dòng 'x'" in _error(_with_table(COLS, ROWS, rule))
    rule = "rules:\n  - {kind: le, table: PL3, left: con, right: tong, columns: [g]}\n"
    assert "cột 'g' không có hoặc không phải cột số" in _error(_with_table(COLS, ROWS, rule))


def test_outline_error_sections_tables_and_size():
    nested = "{title: x}"
    for _ in range(6):
        nested = f"{{title: x, children: [{nested}]}}"
    assert "cây mục lục sâu quá 6 cấp" in _error(f"code: c\ntitle: t\nsections: [{nested}]\n")
    assert "khóa mục '1' bị trùng" in _error("code: c\ntitle: t\nsections: [{title: a}, {key: '1', title: b}]\n")
    assert "bảng 'PLX' không có trong đề cương" in _error(
        "code: c\ntitle: t\nsections: [{title: a, tables: [PLX]}]\n")
    assert _error("code: c\n" + "#" * 1_000_001) == "Tệp đề cương quá lớn (tối đa 1 MB)."
    assert "quá nhiều" in _error("code: c\ntitle: t\nx-row: &r {key: r, label: r}\nsections: [{title: a}]\n"
                                 "tables: [{key: T, title: T, columns: [{key: c, label: c}], rows: ["
                                 + ", ".join(["{key: r%d, label: r}" % i for i in range(1001)]) + "]}]\n")


def test_default_outline(default):
    top = [(s.no, s.narrative) for s in default.sections]
    assert top == [("Phần I", False), ("Phần II", False), ("Phần III", True), ("Kèm theo", True),
                   ("Phụ lục", False)]
    assert [t.key for t in default.tables] == [f"PL{i}" for i in range(1, 10)]
    appendix = default.sections[-1]
    assert appendix.tables == tuple(f"PL{i}" for i in range(1, 10))
    assert default.doc_type == "Báo cáo" and default.symbol_suffix == "BC-UBND"
    assert "ban hành kế hoạch CCHC 5 năm và hằng năm" in default.section("1.2").guidance
    assert default.section("1.3.2").title == "Cải cách thủ tục hành chính"
    pl3 = default.table("PL3")
    assert [c.label for c in pl3.columns] == ["Giai đoạn 2011-2015", "Giai đoạn 2016-2020", "Ghi chú"]
    assert default.cell_type("PL3", "ty_le_dung_han", "gd1") == "percent"
    assert default.cell_agg("PL3", "ty_le_dung_han", "gd1") == "average"
    assert default.cell_agg("PL3", "ho_so_tiep_nhan", "gd1") == "sum"
    assert {"ho_so_tiep_nhan", "ho_so_da_giai_quyet", "ho_so_dung_han", "ho_so_tre_han"} <= set(pl3._rows)
    kinds = {r.kind for r in default.rules}
    assert kinds == {"required", "le", "sum_eq"}
    assert load_default() is default  # cached


def test_default_outline_rules_catch_inconsistent_figures(default):
    data, problems = clean_data(default, {"tables": {"PL3": {
        "ho_so_tiep_nhan": {"gd1": "100"}, "ho_so_da_giai_quyet": {"gd1": "120"},
        "ho_so_dung_han": {"gd1": "90"}, "ho_so_tre_han": {"gd1": "20"},
        "tthc_tong": {"gd1": "50"}, "tthc_ra_soat": {"gd1": "40"}, "tthc_don_gian_hoa": {"gd1": "45"}}}})
    assert problems == []
    paths = {p.path for p in validate(default, data, final=True)}
    assert {"tables.PL3.ho_so_da_giai_quyet.gd1", "tables.PL3.ho_so_dung_han.gd1",
            "tables.PL3.tthc_don_gian_hoa.gd1"} <= paths
    assert "tables.PL3.tthc_ra_soat.gd1" not in paths
    assert validate(default, data, final=False) == []


def test_importable_in_either_order_without_django():
    code = ("import sys, dieuhanh.reports.outline_rules, dieuhanh.reports.outline as o; "
            "o.load_default(); assert 'django' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[2]))


# -- numbers and cleaning ------------------------------------------------------------------
@pytest.mark.parametrize(("text", "value"), [
    ("1.234", 1234), ("12,5", 12.5), ("1.234,5", 1234.5), (" 7 ", 7), ("1.234.567", 1234567),
    ("1 234", 1234), ("1\u00a0234,25", 1234.25), ("12.5", 12.5), ("0,05", 0.05), ("-3", -3),
    ("\u22123", -3), ("0", 0),
])
def test_parse_vn_number(text, value):
    result = parse_vn_number(text)
    assert result == value and type(result) is type(value)


@pytest.mark.parametrize("text", ["abc", "1,2,3", "1.2.3", "12 5", "", "1.23.456", "5%", "1e5"])
def test_parse_vn_number_rejects(text):
    with pytest.raises(ValueError):
        parse_vn_number(text)


def test_format_number():
    assert format_number(1234567) == "1.234.567"
    assert format_number(1234.5) == "1.234,5"
    assert format_number(0.25) == "0,25"
    assert format_number(None) == "" and format_number("x") == "x"


def test_clean_data_converts_and_drops_unknown(small):
    raw = {
        "sections": {"1.1": " Nội dung \r\n dòng 2 ", "1": "mục cha không viết", "9": "lạ", "1.2": "  "},
        "tables": {"T": {
            "tiep_nhan": {"gd1": "1.234", "gd2": "1.234,5", "ghi_chu": " ghi ", "zz": "1"},
            "da_giai_quyet": {"gd1": " 7 ", "gd2": "12,5"},
            "dung_han": {"gd1": 5.0, "gd2": ""},
            "ty_le": {"gd1": "85,5 %", "gd2": None},
            "khong_co": {"gd1": "1"},
        }, "X": {"a": {"b": 1}}},
        "other": 1,
    }
    data, problems = clean_data(small, raw)
    assert problems == []
    assert data == {
        "sections": {"1.1": "Nội dung \n dòng 2"},
        "tables": {"T": {
            "tiep_nhan": {"gd1": 1234, "gd2": 1234.5, "ghi_chu": "ghi"},
            "da_giai_quyet": {"gd1": 7, "gd2": 12.5},
            "dung_han": {"gd1": 5},
            "ty_le": {"gd1": 85.5},
        }},
    }
    assert type(data["tables"]["T"]["dung_han"]["gd1"]) is int


def test_clean_data_keeps_unparsable_as_text_and_reports(small):
    raw = {"tables": {"T": {"tiep_nhan": {"gd1": "12,5", "gd2": "mười"}, "ty_le": {"gd1": "5%x"}},
                      }}
    data, problems = clean_data(small, raw)
    assert data["tables"]["T"]["tiep_nhan"] == {"gd1": "12,5", "gd2": "mười"}
    assert problems == [
        Problem("tables.T.tiep_nhan.gd1", "T – Giải quyết hồ sơ, dòng «Số hồ sơ tiếp nhận», cột «Giai đoạn 1»: "
                                          "phải là số nguyên (đã nhập «12,5»)."),
        Problem("tables.T.tiep_nhan.gd2", "T – Giải quyết hồ sơ, dòng «Số hồ sơ tiếp nhận», cột «Giai đoạn 2»: "
                                          "phải là số (đã nhập «mười»)."),
        Problem("tables.T.ty_le.gd1", "T – Giải quyết hồ sơ, dòng «Tỷ lệ đúng hạn», cột «Giai đoạn 1»: "
                                      "phải là số (đã nhập «5%x»)."),
    ]
    # validate() reports the very same problems, so callers can merge the lists.
    assert set(problems) <= set(validate(small, data, final=False))
    assert clean_data(small, "not a dict") == ({"sections": {}, "tables": {}},
                                               [Problem("", "Dữ liệu báo cáo không đúng định dạng.")])


# -- validation ----------------------------------------------------------------------------
def test_validate_negative_percent_and_text(small):
    data = {"sections": {}, "tables": {"T": {
        "tiep_nhan": {"gd1": -1, "gd2": 3.5},
        "ty_le": {"gd1": 100, "gd2": 100.5},
        "tre_han": {"gd1": "abc"},
        "dung_han": {"gd1": 2.5},
    }}}
    problems = validate(small, data, final=False)
    assert problems == [
        Problem("tables.T.tiep_nhan.gd1",
                "T – Giải quyết hồ sơ, dòng «Số hồ sơ tiếp nhận», cột «Giai đoạn 1»: phải là số không âm."),
        Problem("tables.T.ty_le.gd2",
                "T – Giải quyết hồ sơ, dòng «Tỷ lệ đúng hạn», cột «Giai đoạn 2»: tỷ lệ phần trăm phải từ 0 đến 100."),
        Problem("tables.T.tre_han.gd1",
                "T – Giải quyết hồ sơ, dòng «Số hồ sơ trễ hạn», cột «Giai đoạn 1»: phải là số (đã nhập «abc»)."),
        Problem("tables.T.dung_han.gd1",
                "T – Giải quyết hồ sơ, dòng «Số hồ sơ đúng hạn», cột «Giai đoạn 1»: "
                "phải là số nguyên (đã nhập «2,5»)."),
    ]


def test_validate_required_only_when_final(small):
    data = {"sections": {"1.2": "có"}, "tables": {}}
    assert validate(small, data, final=False) == []
    assert validate(small, data, final=True) == [
        Problem("sections.1.1", "Mục Phần I › 1 «Tình hình chung»: chưa có nội dung (bắt buộc khi gửi báo cáo)."),
        Problem("tables.T.tiep_nhan.gd1", "T – Giải quyết hồ sơ, dòng «Số hồ sơ tiếp nhận», cột «Giai đoạn 1»: "
                                          "chưa nhập số liệu (bắt buộc khi gửi báo cáo)."),
    ]
    full = {"sections": {"1.1": "có"}, "tables": {"T": {"tiep_nhan": {"gd1": 0}}}}
    assert validate(small, full, final=True) == []


def _final(small, rows):
    data = _t(rows)
    data["sections"] = {"1.1": "có"}
    return validate(small, data, final=True)


def test_validate_le_with_custom_message(small):
    problems = _final(small, {"tiep_nhan": {"gd1": 10}, "da_giai_quyet": {"gd1": 1_200}})
    assert problems == [Problem(
        "tables.T.da_giai_quyet.gd1",
        "T – Giải quyết hồ sơ, cột «Giai đoạn 1»: Số hồ sơ đã giải quyết không được lớn hơn số tiếp nhận "
        "(hiện là 1.200 và 10).")]


def test_validate_ge_and_sum_eq(small):
    problems = _final(small, {"tiep_nhan": {"gd1": 10}, "da_giai_quyet": {"gd1": 5},
                              "dung_han": {"gd1": 6}, "tre_han": {"gd1": 1}})
    assert [p.message for p in problems] == [
        "T – Giải quyết hồ sơ, cột «Giai đoạn 1»: «Số hồ sơ đã giải quyết» phải lớn hơn hoặc bằng "
        "«Số hồ sơ đúng hạn» (hiện là 5 và 6).",
        "T – Giải quyết hồ sơ, cột «Giai đoạn 1»: «Số hồ sơ đúng hạn» + «Số hồ sơ trễ hạn» phải bằng "
        "«Số hồ sơ đã giải quyết» (hiện là 7 và 5).",
    ]
    assert [p.path for p in problems] == ["tables.T.da_giai_quyet.gd1", "tables.T.dung_han.gd1"]
    assert _final(small, {"tiep_nhan": {"gd1": 10}, "da_giai_quyet": {"gd1": 7},
                          "dung_han": {"gd1": 6}, "tre_han": {"gd1": 1}}) == []


def test_validate_eq():
    rule = "rules:\n  - {kind: eq, table: PL3, left: con, right: tong}\n"
    outline = Outline.from_yaml(_with_table(COLS, ROWS, rule))
    data = {"tables": {"PL3": {"tong": {"gd1": 3}, "con": {"gd1": 4}}}}
    assert [p.message for p in validate(outline, data, final=True)] == [
        "PL3 – TTHC, cột «G1»: «Con» phải bằng «Tổng» (hiện là 4 và 3)."]
    data["tables"]["PL3"]["con"]["gd1"] = 3
    assert validate(outline, data, final=True) == []


def test_cross_field_rules_skipped_when_a_side_is_empty(small):
    assert _final(small, {"tiep_nhan": {"gd1": 10}, "da_giai_quyet": {"gd1": None},
                          "dung_han": {"gd1": 600}}) == []
    # one operand of a sum missing: the sum rule is skipped too
    assert _final(small, {"tiep_nhan": {"gd1": 10}, "da_giai_quyet": {"gd1": 5}, "dung_han": {"gd1": 1}}) == []
    # a non-number operand is reported once (as a type problem), not compared
    problems = _final(small, {"tiep_nhan": {"gd1": 10}, "da_giai_quyet": {"gd1": "x"}})
    assert [p.path for p in problems] == ["tables.T.da_giai_quyet.gd1"]


# -- consolidation -------------------------------------------------------------------------
def _agg_cell(small, values, column):
    subs = [(f"Đơn vị {chr(65 + i)}", {"tables": {"A": {"r": {column: v}}}}) for i, v in enumerate(values)]
    return aggregate(small, subs)["tables"]["A"]["r"][column]


def test_aggregate_each_rule(small):
    assert _agg_cell(small, [3, None, 4, ""], "s") == 7
    assert type(_agg_cell(small, [3, 4], "s")) is int
    assert _agg_cell(small, [1.5, 2.25], "f") == 3.75
    assert _agg_cell(small, [0.1, 0.2], "f") == 0.3
    assert _agg_cell(small, [1, 2, 2, None], "avg") == 1.67
    assert _agg_cell(small, [4, 2.5, None, 9], "lo") == 2.5
    assert _agg_cell(small, [4, 12, None, 9], "hi") == 12
    assert type(_agg_cell(small, [4, 12], "hi")) is int
    assert _agg_cell(small, [0, None, 5, ""], "cnt") == 2
    assert _agg_cell(small, ["x", None, "y"], "ds") == [["Đơn vị A", "x"], ["Đơn vị C", "y"]]
    assert _agg_cell(small, ["", "dài"], "vb") == [["Đơn vị B", "dài"]]
    for column, empty in (("s", None), ("avg", None), ("lo", None), ("hi", None), ("cnt", 0), ("ds", []), ("vb", [])):
        assert _agg_cell(small, [None, ""], column) == empty


def test_aggregate_row_overrides_and_sections(small):
    subs = [
        ("A", {"sections": {"1.1": "Văn bản A", "1": "bỏ qua"}, "tables": {"T": {
            "tiep_nhan": {"gd1": 10, "ghi_chu": "ghi A"}, "ty_le": {"gd1": 50}, "hang": {"gd1": 3}}}}),
        ("B", {"sections": {"1.1": "Văn bản B", "1.2": ""}, "tables": {"T": {
            "tiep_nhan": {"gd1": 5}, "ty_le": {"gd1": 75}, "hang": {"gd1": 1}}, "X": {"a": {"b": 1}}}}),
        ("C", {}),
    ]
    result = aggregate(small, subs)
    t = result["tables"]["T"]
    assert t["tiep_nhan"] == {"gd1": 15, "gd2": None, "ghi_chu": [["A", "ghi A"]]}
    assert t["ty_le"]["gd1"] == 62.5
    assert t["hang"]["gd1"] == [["A", 3], ["B", 1]]
    assert result["sections"] == {"1.1": [["A", "Văn bản A"], ["B", "Văn bản B"]], "1.2": []}
    assert result["count"] == 3


def test_aggregate_2000_submissions_of_the_default_outline(default):
    rng = random.Random(2020)
    subs, expected_sum, expected_avg, expected_count, notes = [], 0, [], 0, []
    for i in range(2000):
        received = rng.randint(0, 500)
        rate = rng.choice([None, rng.randint(0, 100), rng.random() * 100])
        tables = {"PL3": {"ho_so_tiep_nhan": {"gd1": received, "gd2": None},
                          "ty_le_dung_han": {"gd1": rate},
                          "tthc_tong": {"ghi_chu": f"ghi {i}" if i % 3 == 0 else ""}},
                  "PL8": {"thu_hang": {"gd2": i % 7 or None}}}
        subs.append((f"Đơn vị {i}", {"sections": {"1.1": f"Tình hình {i}"}, "tables": tables}))
        expected_sum += received
        if rate is not None:
            expected_avg.append(rate)
        expected_count += bool(i % 7)
        if i % 3 == 0:
            notes.append([f"Đơn vị {i}", f"ghi {i}"])
    result = aggregate(default, subs)
    assert result["count"] == 2000
    pl3 = result["tables"]["PL3"]
    assert pl3["ho_so_tiep_nhan"]["gd1"] == expected_sum and type(expected_sum) is int
    assert pl3["ho_so_tiep_nhan"]["gd2"] is None
    assert pl3["ty_le_dung_han"]["gd1"] == round(sum(expected_avg) / len(expected_avg), 2)
    assert pl3["tthc_tong"]["ghi_chu"] == notes
    assert len(result["tables"]["PL8"]["thu_hang"]["gd2"]) == expected_count
    assert len(result["sections"]["1.1"]) == 2000
    assert set(result["tables"]) == {f"PL{i}" for i in range(1, 10)}


def test_table_matrix(small):
    subs = [("Phường A", {"tables": {"T": {"tiep_nhan": {"gd1": 1234, "ghi_chu": "x"}, "hang": {"gd1": 2}}}}),
            ("Phường B", {"tables": {"T": {"tiep_nhan": {"gd1": 6, "ghi_chu": "y"}, "hang": {"gd1": 1.5}}}})]
    header, body = table_matrix(small, "T", aggregate(small, subs)["tables"]["T"])
    assert header == ["Chỉ tiêu", "Đơn vị tính", "Giai đoạn 1", "Giai đoạn 2", "Ghi chú"]
    assert body[0] == ["Số hồ sơ tiếp nhận", "hồ sơ", 1240, "", "Phường A: x; Phường B: y"]
    assert body[5] == ["Thứ hạng", "hạng", "Phường A: 2; Phường B: 1,5", "", ""]
    assert len(body) == 6
    # a single submission's values render too; missing rows are blank
    _, body = table_matrix(small, "T", {"tiep_nhan": {"gd1": 3}})
    assert body[0][2:] == [3, "", ""] and body[1][2:] == ["", "", ""]

"""Reading and writing unit files: YAML (``units:`` list) and CSV (one column per field).

Readers return raw rows (dicts, each with a ``_where`` label for messages); the checks
live in :mod:`dieuhanh.orgs.schema`. A file that cannot be read at all raises
:class:`UnitFileError` with a Vietnamese message. Files are UTF-8 (a BOM is fine);
8-bit files (Windows-1258, TCVN3, VNI) are refused with a message saying so rather
than guessed, because a unit name read wrongly would spread to every document.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from dieuhanh.orgs.schema import DATE_FIELDS, FIELDS, LIST_FIELDS, LIST_SEP, WHERE, fmt_date
from dieuhanh.vanban.legacy import decode_8bit, detect_legacy

MAX_BYTES = 10 * 1024 * 1024
FORMATS = ("yaml", "csv")
_LEGACY_NAMES = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI-Windows", "cp1258": "Windows-1258",
                 "cp1252": "Windows-1252"}


class UnitFileError(Exception):
    """The file cannot be read (missing, too big, wrong encoding, broken syntax)."""


# YAML 1.2 booleans only: a successor's ``on:`` key and a code "no" stay text.
# libyaml's parser when PyYAML has it (ten times faster), the same rules either way.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


_BOOL_TAG = "tag:yaml.org,2002:bool"
for _cls in (_Loader, _Dumper):
    _cls.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    _cls.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                               list("tTfF"))


class _Flow(list):  # type: ignore[type-arg]
    """A list written on one line: ``short_names: [Phòng Nội vụ, PNV]``."""


_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


# --- reading ------------------------------------------------------------------------

def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        guess = _LEGACY_NAMES.get(decode_8bit(data)[1], _("mã 8 bit"))
        raise UnitFileError(
            _("Tệp «%(name)s» không được mã hóa UTF-8 (có vẻ là %(guess)s). Hãy mở tệp và lưu lại "
              "với bảng mã UTF-8 (Unicode) rồi nhập lại.") % {"name": name, "guess": guess}) from None
    legacy = detect_legacy(text)
    if legacy:
        raise UnitFileError(
            _("Tệp «%(name)s» có chữ gõ bằng phông %(font)s, không phải Unicode. Hãy chuyển mã "
              "sang Unicode (ví dụ bằng Unikey) rồi nhập lại.") % {"name": name, "font": _LEGACY_NAMES[legacy]})
    return text


def read_file(path: str | Path) -> list[dict[str, Any]]:
    """Raw rows of a .yaml/.yml or .csv file."""
    path = Path(path)
    fmt = format_of(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UnitFileError(_("Tệp «%(name)s» lớn quá %(mb)d MB.")
                                % {"name": path.name, "mb": MAX_BYTES // (1024 * 1024)})
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnitFileError(_("Không tìm thấy tệp «%(path)s».") % {"path": path}) from None
    except IsADirectoryError:
        raise UnitFileError(_("«%(path)s» là một thư mục, không phải tệp.") % {"path": path}) from None
    except OSError as exc:
        raise UnitFileError(_("Không đọc được tệp «%(path)s»: %(error)s.")
                            % {"path": path, "error": exc.strerror or exc}) from None
    text = decode(data, path.name)
    return read_yaml(text, path.name) if fmt == "yaml" else read_csv(text, path.name)


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".csv":
        return "csv"
    raise UnitFileError(_("Không nhận ra loại tệp «%(name)s»: dùng tệp .yaml, .yml hoặc .csv.")
                        % {"name": Path(path).name})


def read_yaml(text: str, name: str = "YAML") -> list[dict[str, Any]]:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is None:
            raise UnitFileError(_("Tệp «%(name)s» không đúng cú pháp YAML.") % {"name": name}) from None
        raise UnitFileError(_("Tệp «%(name)s» không đúng cú pháp YAML ở dòng %(line)d, cột %(column)d.")
                            % {"name": name, "line": mark.line + 1, "column": mark.column + 1}) from None
    except yaml.YAMLError:
        raise UnitFileError(_("Tệp «%(name)s» không đúng cú pháp YAML.") % {"name": name}) from None
    items = data.get("units") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise UnitFileError(_("Tệp «%(name)s» phải có mục «units:» là danh sách các đơn vị.") % {"name": name})
    if not items:
        raise UnitFileError(_("Tệp «%(name)s» không có đơn vị nào.") % {"name": name})
    return [{**item, WHERE: _("đơn vị thứ %(n)d") % {"n": i}} if isinstance(item, dict) else item
            for i, item in enumerate(items, 1)]


def read_csv(text: str, name: str = "CSV") -> list[dict[str, Any]]:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise UnitFileError(_("Tệp «%(name)s» trống hoặc thiếu dòng tiêu đề.") % {"name": name})
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnitFileError(_("Tệp «%(name)s» không đúng định dạng CSV: %(error)s.")
                            % {"name": name, "error": exc}) from None
    header = [h.strip().lower() for h in table[0]]
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        raise UnitFileError(_("Tệp «%(name)s» có cột lạ «%(column)s»; các cột: %(columns)s.")
                            % {"name": name, "column": unknown[0], "columns": ", ".join(FIELDS)})
    missing = [f for f in ("code", "name", "kind") if f not in header]
    if missing:
        raise UnitFileError(_("Tệp «%(name)s» thiếu cột «%(column)s».") % {"name": name, "column": missing[0]})
    rows = _csv_rows(table, header, name)
    if not rows:
        raise UnitFileError(_("Tệp «%(name)s» không có đơn vị nào.") % {"name": name})
    return rows


def _csv_rows(table: list[list[str]], header: list[str], name: str) -> list[dict[str, Any]]:
    rows = []
    for line, cells in enumerate(table[1:], 2):  # line numbers as a spreadsheet shows them
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            raise UnitFileError(_("Tệp «%(name)s», dòng %(line)d: nhiều ô hơn số cột tiêu đề.")
                                % {"name": name, "line": line})
        row: dict[str, Any] = {h: (c.strip() or None) for h, c in zip(header, cells)}
        for field in LIST_FIELDS:
            if row.get(field):
                row[field] = [x.strip() for x in row[field].split("|") if x.strip()]
        rows.append({**row, WHERE: _("dòng %(line)d") % {"line": line}})
    return rows


# --- writing ------------------------------------------------------------------------

YAML_HEADER = """\
# Danh sách đơn vị (cơ cấu tổ chức) cho phần mềm Điều hành.
# Unit list for dieuhanh: one entry per unit, the same fields as the CSV export.
#
# Trường (fields): code (mã, duy nhất), name (tên chính thức), kind (loại: {kinds}),
# parent (mã đơn vị cấp trên), short_names / aliases (tên viết tắt / tên gọi khác),
# symbol (ký hiệu trên văn bản), e_id (mã định danh điện tử, dạng 000.00.00.H13),
# place (địa danh), valid_from / valid_to (hiệu lực từ / đến, tính cả hai ngày; bỏ trống = mở),
# successors (đơn vị kế thừa: code, kind = {succession_kinds}, on = ngày), note (ghi chú).
#
# Nhập: dieuhanh manage units import TỆP.yaml [--dry-run]   (theo mã: tạo mới hoặc cập nhật)
"""


def _clean_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row for YAML: empty fields left out, lists on one line, successors as mappings."""
    out: dict[str, Any] = {}
    for field in FIELDS:
        value = row.get(field)
        if field in ("code", "name", "kind"):
            out[field] = value
        elif field == "successors" and value:
            out[field] = [{k: v for k, v in s.items() if v is not None} for s in value]
        elif field in LIST_FIELDS and value:
            out[field] = _Flow(value)
        elif value not in (None, "", [], ()):
            out[field] = value
    return out


def write_yaml(rows: list[dict[str, Any]], header: str = "") -> str:
    """YAML text: ``header`` (comment lines), the schema comment, then ``units:``."""
    from dieuhanh.orgs.models import SuccessionKind, UnitKind

    head = header + YAML_HEADER.format(kinds=", ".join(UnitKind.values),
                                        succession_kinds=", ".join(SuccessionKind.values))
    parts = [yaml.dump([_clean_row(r)], Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                       default_flow_style=False, width=200) for r in rows]
    return head + "\nunits:\n" + "\n".join(parts)


def _cell(field: str, value: Any) -> str:
    if field in LIST_FIELDS:
        return LIST_SEP.join(value or [])
    if field == "successors":
        return LIST_SEP.join(" ".join(x for x in (s["code"], s.get("kind") or "", fmt_date(s.get("on"))) if x)
                             for s in value or [])
    if field in DATE_FIELDS or isinstance(value, date):
        return fmt_date(value)
    return "" if value is None else str(value)


def write_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([_cell(f, row.get(f)) for f in FIELDS])
    return buf.getvalue()

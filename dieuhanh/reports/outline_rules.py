"""Submission data against an outline: cleaning, validation, consolidation, table rendering.

Pure Python (no Django), re-exported by :mod:`dieuhanh.reports.outline`; see its
docstring for the outline format. This module imports nothing from ``outline`` (it works
on the outline object it is given), so the two can be imported in either order.

Submission data is a JSON-able dict, sparse (empty cells and sections are left out)::

    {"sections": {"1.2": "text"}, "tables": {"PL3": {"tthc_tong": {"gd1": 120}}}}

``clean_data`` turns form input (strings, Vietnamese number formats) into that shape;
``validate`` checks it. Both report the same :class:`Problem` (same path, same message)
for a value that is not a number, so callers may merge the two lists as a set.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_NUMERIC = frozenset({"integer", "number", "percent"})
MAX_SECTION_CHARS = 100_000
MAX_CELL_CHARS = 2_000
_LABEL_CHARS = 60

# "1.234.567,5" (dots group thousands, comma is the decimal mark), "1 234", "12,5", "7".
_VN_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[. ]\d{3})+(?:,\d+)?$")
_VN_PLAIN = re.compile(r"^[+-]?\d+(?:,\d+)?$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")  # "12.5", "0.25": a lone dot that cannot be grouping
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009]+")


@dataclass(frozen=True)
class Problem:
    path: str  # "tables.PL3.tthc_tong.gd1", "sections.1.2"
    message: str


# -- numbers ------------------------------------------------------------------------------
def parse_vn_number(text: str) -> int | float:
    """Parse a number typed the Vietnamese way; raise ValueError when it is not one.

    "1.234" → 1234, "12,5" → 12.5, "1.234,5" → 1234.5, "1 234" → 1234, " 7 " → 7,
    "−3" → -3. A lone dot that cannot be a thousands separator ("12.5") is read as a
    decimal point.
    """
    s = _SPACES.sub(" ", text.replace("\u2212", "-")).strip()
    if _VN_GROUPED.match(s) or _VN_PLAIN.match(s):
        s = s.replace(".", "").replace(" ", "").replace(",", ".")
    elif not _DOT_DECIMAL.match(s):
        raise ValueError(text)
    return float(s) if "." in s else int(s)


def format_number(value: Any) -> str:
    """12345.5 → "12.345,5"; ints keep no decimals; anything else is str()."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        text = f"{value:,.6f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:,d}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _is_number(value: Any) -> bool:
    return (type(value) is int) or (type(value) is float and math.isfinite(value))


def _coerce(value: Any, cell_type: str) -> tuple[Any, str | None]:
    """Cleaned value of one cell (None when empty) and, if it is not usable, why."""
    if value is None:
        return None, None
    if cell_type == "text":
        text = value.strip() if isinstance(value, str) else str(value)
        return (text or None), None
    typed = value  # what the user sees again when the value is not usable
    if isinstance(value, str):
        typed = value.strip()
        if not typed:
            return None, None
        try:
            value = parse_vn_number(typed.removesuffix("%").rstrip() if cell_type == "percent" else typed)
        except ValueError:
            return typed, f"phải là số (đã nhập «{_short(typed)}»)."
    elif not _is_number(value):
        typed = str(value)
        return typed, f"phải là số (đã nhập «{_short(typed)}»)."
    if cell_type == "integer" and isinstance(value, float):
        if not value.is_integer():
            return typed, f"phải là số nguyên (đã nhập «{_short(format_number(typed))}»)."
        value = int(value)
    return value, None


def _short(text: str, limit: int = _LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- where a problem is ---------------------------------------------------------------------
def _table_where(outline: Any, table: str, column: str | None = None, row: str | None = None) -> str:
    t = outline.table(table)
    parts = [f"{t.key} – {t.title}"]
    if row is not None:
        parts.append(f"dòng «{_short(t.row(row).label)}»")
    if column is not None:
        parts.append(f"cột «{t.column(column).label}»")
    return ", ".join(parts)


def _cell_problem(outline: Any, table: str, row: str, column: str, message: str) -> Problem:
    return Problem(f"tables.{table}.{row}.{column}", f"{_table_where(outline, table, column, row)}: {message}")


def _section_problem(outline: Any, key: str, message: str) -> Problem:
    return Problem(f"sections.{key}", f"Mục {outline.section_label(key)}: {message}")


# -- cleaning -------------------------------------------------------------------------------
def clean_data(outline: Any, raw: Any) -> tuple[dict[str, Any], list[Problem]]:
    """Form input → submission data. Unknown keys are dropped, empty values left out,
    numbers parsed per cell type; a value that is not a usable number is kept as typed
    and reported."""
    out: dict[str, Any] = {"sections": {}, "tables": {}}
    problems: list[Problem] = []
    if not isinstance(raw, Mapping):
        return out, [Problem("", "Dữ liệu báo cáo không đúng định dạng.")]
    sections = raw.get("sections")
    if isinstance(sections, Mapping):
        narrative = outline._narrative_keys
        for key, text in sections.items():
            if key in narrative and text is not None:
                text = (text if isinstance(text, str) else str(text)).replace("\r\n", "\n").replace("\r", "\n").strip()
                if text:
                    out["sections"][key] = text
    tables = raw.get("tables")
    if not isinstance(tables, Mapping):
        return out, problems
    for tkey, rkey, ckey, value, cell in _known_cells(outline, tables):
        value, error = _coerce(value, cell[0])
        if value is None:
            continue
        out["tables"].setdefault(tkey, {}).setdefault(rkey, {})[ckey] = value
        if error:
            problems.append(_cell_problem(outline, tkey, rkey, ckey, error))
    return out, problems


def _known_cells(outline: Any, tables: Mapping[str, Any]) -> Iterator[tuple[str, str, str, Any, Any]]:
    """(table, row, column, value, cell spec) of every cell the outline has; anything else is skipped."""
    for tkey, rows in tables.items():
        spec = outline._cells.get(tkey)
        if spec is None or not isinstance(rows, Mapping):
            continue
        for rkey, cells in rows.items():
            row_spec = spec.get(rkey)
            if row_spec is None or not isinstance(cells, Mapping):
                continue
            for ckey, value in cells.items():
                cell = row_spec.get(ckey)
                if cell is not None:
                    yield tkey, rkey, ckey, value, cell


# -- validation -----------------------------------------------------------------------------
def validate(outline: Any, data: Any, *, final: bool) -> list[Problem]:
    """Problems in cleaned submission data. Always: numbers, non-negative, percent 0..100,
    lengths. With ``final`` (sending the report) also the outline's rules."""
    if not isinstance(data, Mapping):
        return [Problem("", "Dữ liệu báo cáo không đúng định dạng.")]
    sections = data.get("sections") if isinstance(data.get("sections"), Mapping) else {}
    tables = data.get("tables") if isinstance(data.get("tables"), Mapping) else {}
    problems = _check_sections(outline, sections) + _check_cells(outline, tables)
    if final:
        for rule in outline.rules:
            if rule.kind == "required":
                problems += _check_required(outline, rule, sections, tables)
            else:
                problems += _check_cross(outline, rule, tables)
    return problems


def _check_sections(outline: Any, sections: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for key, text in sections.items():
        if key not in outline._narrative_keys or text is None:
            continue
        if not isinstance(text, str):
            problems.append(_section_problem(outline, key, "nội dung phải là văn bản."))
        elif len(text) > MAX_SECTION_CHARS:
            limit = format_number(MAX_SECTION_CHARS)
            problems.append(_section_problem(outline, key, f"nội dung quá dài (tối đa {limit} ký tự)."))
    return problems


def _check_cells(outline: Any, tables: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for tkey, rkey, ckey, value, cell in _known_cells(outline, tables):
        if value is None or value == "":
            continue
        message = _cell_message(value, cell[0])
        if message:
            problems.append(_cell_problem(outline, tkey, rkey, ckey, message))
    return problems


def _cell_message(value: Any, cell_type: str) -> str | None:
    if cell_type == "text":
        if len(str(value)) > MAX_CELL_CHARS:
            return f"quá dài (tối đa {format_number(MAX_CELL_CHARS)} ký tự)."
        return None
    if not _is_number(value):
        _, error = _coerce(value, cell_type)
        return error or f"phải là số (đã nhập «{_short(str(value))}»)."
    if cell_type == "integer" and isinstance(value, float) and not value.is_integer():
        return _coerce(value, cell_type)[1]
    if value < 0:
        return "phải là số không âm."
    if cell_type == "percent" and value > 100:
        return "tỷ lệ phần trăm phải từ 0 đến 100."
    return None


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _check_required(outline: Any, rule: Any, sections: Mapping[str, Any], tables: Mapping[str, Any]) -> list[Problem]:
    if rule.section:
        if _filled(sections.get(rule.section)):
            return []
        return [_section_problem(outline, rule.section, rule.message or "chưa có nội dung (bắt buộc khi gửi báo cáo).")]
    table = outline.table(rule.table)
    rows = rule.rows or tuple(r.key for r in table.rows)
    columns = rule.columns or tuple(c.key for c in table.numeric_columns)
    given = tables.get(rule.table) or {}
    problems = []
    for rkey in rows:
        cells = given.get(rkey) or {}
        for ckey in columns:
            if not _filled(cells.get(ckey)):
                message = rule.message or "chưa nhập số liệu (bắt buộc khi gửi báo cáo)."
                problems.append(_cell_problem(outline, rule.table, rkey, ckey, message))
    return problems


_RELATION = {"le": "nhỏ hơn hoặc bằng", "ge": "lớn hơn hoặc bằng", "eq": "bằng", "sum_eq": "bằng"}


def resolve_ref(ref: str, default_table: str) -> tuple[str, str]:
    """"PL3.tthc_tong" → ("PL3", "tthc_tong"); "tthc_tong" → (default_table, "tthc_tong")."""
    table, dot, row = ref.partition(".")
    return (table, row) if dot else (default_table, ref)


def compared_columns(rule: Any, tables: Mapping[str, Any]) -> tuple[str, ...]:
    """The columns a cross-field rule compares: its own list, else every numeric column of its table."""
    return rule.columns or tuple(c.key for c in tables[rule.table].numeric_columns)


def _side(outline: Any, refs: Sequence[str], default_table: str, column: str,
          tables: Mapping[str, Any]) -> tuple[float | None, str]:
    """(sum of the referenced cells or None if any is empty/not a number, «label» + «label»)."""
    total: float = 0
    labels = []
    for ref in refs:
        tkey, rkey = resolve_ref(ref, default_table)
        value = ((tables.get(tkey) or {}).get(rkey) or {}).get(column)
        label = _short(outline.table(tkey).row(rkey).label)
        labels.append(f"«{label}»" if tkey == default_table else f"«{tkey}: {label}»")
        if not _is_number(value):
            return None, ""
        total += value
    return total, " + ".join(labels)


def _check_cross(outline: Any, rule: Any, tables: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for column in compared_columns(rule, outline._table_index):
        left, left_label = _side(outline, rule.left, rule.table, column, tables)
        right, right_label = _side(outline, rule.right, rule.table, column, tables)
        if left is None or right is None:
            continue
        tolerance = 1e-9 * max(1.0, abs(left), abs(right))
        if rule.kind == "le":
            ok = left <= right + tolerance
        elif rule.kind == "ge":
            ok = left + tolerance >= right
        else:
            ok = abs(left - right) <= tolerance
        if ok:
            continue
        explain = rule.message.rstrip(".") or f"{left_label} phải {_RELATION[rule.kind]} {right_label}"
        message = f"{explain} (hiện là {format_number(left)} và {format_number(right)})."
        tkey, rkey = resolve_ref(rule.left[0], rule.table)
        problems.append(Problem(f"tables.{tkey}.{rkey}.{column}",
                                f"{_table_where(outline, rule.table, column)}: {message}"))
    return problems


# -- consolidation --------------------------------------------------------------------------
_NUMBER_CLASSES = frozenset({int, float})
_LABELLED = frozenset({"list", "text"})


def aggregate(outline: Any, submissions: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """Consolidate (unit label, data) pairs. Every table cell of the outline is present:
    None when nothing was filled (0 for ``count``, [] for ``list``/``text``). Narrative
    sections map to [[unit label, text], ...] in submission order.

    Hot path (10,000 submissions × ~200 cells): values are appended to per-cell buckets
    and reduced once at the end; the cyclic GC is paused meanwhile, since the work
    allocates many objects and frees none."""
    cells = outline._cells
    buckets: dict[str, dict[str, dict[str, list[Any]]]] = {
        t: {r: {c: [] for c in cols} for r, cols in rows.items()} for t, rows in cells.items()}
    adders = {t: {r: {c: (buckets[t][r][c].append, agg in _LABELLED) for c, (_, agg) in cols.items()}
                  for r, cols in rows.items()} for t, rows in cells.items()}
    texts: dict[str, list[list[str]]] = {k: [] for k in outline._narrative_keys}
    count = 0
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for label, data in submissions:
            count += 1
            if data:
                _collect_texts(texts, label, data.get("sections"))
                _collect_cells(adders, label, data.get("tables"))
        result = {t: {r: {c: _finish(buckets[t][r][c], agg) for c, (_, agg) in cols.items()}
                      for r, cols in rows.items()} for t, rows in cells.items()}
    finally:
        if was_enabled:
            gc.enable()
    return {"tables": result, "sections": {k: texts[k] for k in sorted(texts, key=_natural)}, "count": count}


def _collect_texts(texts: dict[str, list[list[str]]], label: str, sections: Any) -> None:
    if not sections:
        return
    for key, text in sections.items():
        bucket = texts.get(key)
        if bucket is not None and isinstance(text, str) and text.strip():
            bucket.append([label, text])


def _collect_cells(adders: dict[str, dict[str, dict[str, Any]]], label: str, tables: Any) -> None:
    if not tables:
        return
    for tkey, rows in tables.items():
        table = adders.get(tkey)
        if table is None or not rows:
            continue
        for rkey, values in rows.items():
            row = table.get(rkey)
            if row is None or not values:
                continue
            for ckey, value in values.items():
                spec = row.get(ckey)
                if spec is None or value is None:
                    continue
                add, labelled = spec
                if labelled:
                    add([label, value])
                else:
                    add(value)


def _natural(key: str) -> list[Any]:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in key.split(".")]


def _finish(bucket: list[Any], agg: str) -> Any:
    if agg in _LABELLED:
        return [pair for pair in bucket if pair[1] != ""]
    if agg == "count":
        return sum(1 for v in bucket if v != "")
    numbers = [v for v in bucket if v.__class__ in _NUMBER_CLASSES]
    if not numbers:
        return None
    if agg == "sum":
        total = sum(numbers)
        return round(total, 6) if isinstance(total, float) else total
    if agg == "average":
        return round(math.fsum(numbers) / len(numbers), 2)
    return min(numbers) if agg == "min" else max(numbers)


def table_matrix(outline: Any, table_key: str, values: Mapping[str, Any] | None) -> tuple[list[str], list[list[Any]]]:
    """Header labels and body rows of one table, ready for DOCX/XLSX: numbers stay numbers,
    empty cells are "", list/text aggregates are joined as "Unit A: x; Unit B: y"."""
    table = outline.table(table_key)
    header = ["Chỉ tiêu", "Đơn vị tính", *(c.label for c in table.columns)]
    values = values or {}
    body = []
    for row in table.rows:
        given = values.get(row.key) or {}
        line: list[Any] = [row.label, row.unit]
        for column in table.columns:
            line.append(_render(given.get(column.key)))
        body.append(line)
    return header, body


def _render(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(f"{label}: {format_number(v)}" for label, v in value)
    return value

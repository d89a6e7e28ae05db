"""Report outlines (đề cương báo cáo) as data: schema, parsing, checks on the outline itself.

Pure Python (no Django). An outline says which sections a unit writes, which figure
tables it fills, and which rules its figures must obey. Submissions are checked and
consolidated by the functions this module re-exports from
:mod:`dieuhanh.reports.outline_rules` (``clean_data``, ``validate``, ``aggregate``,
``table_matrix``).

YAML format (our own; every key not listed is an error, except top-level keys starting
with ``x-``, which are ignored and may hold YAML anchors such as a shared column list)::

    code: cchc-tong-ket-2011-2020     # slug: a-z 0-9 - _
    title: "Báo cáo tổng kết ..."
    doc_type: "Báo cáo"               # Decree 30 type of the consolidated report (default "Báo cáo")
    symbol_suffix: "BC-UBND"          # its symbol suffix (default "BC-UBND")
    sections:                         # tree, at most 6 levels
      - key: "1"                      # optional; default: dotted position ("1", "1.2", "1.2.3")
        no: "Phần I"                  # printed number (optional)
        title: "..."
        guidance: "..."               # help text for units (optional)
        narrative: true               # default true: units write text here
        tables: [PL1, PL2]            # tables shown in this section (optional)
        children: [...]
    tables:
      - key: PL3                      # table, row and column keys: A-Z a-z 0-9 _ - (no dots)
        title: "Cải cách thủ tục hành chính"
        columns:                      # value columns (the label and unit columns are implicit)
          - {key: gd1, label: "Giai đoạn 2011-2015", type: integer}
          - {key: ghi_chu, label: "Ghi chú", type: text}
        rows:
          - {key: tthc_tong, label: "Tổng số TTHC thuộc thẩm quyền", unit: "thủ tục"}
          - {key: ty_le, label: "Tỷ lệ đúng hạn", unit: "%", type: percent}
    rules:
      - {kind: required, table: PL3, rows: [tthc_tong], columns: [gd1]}
      - {kind: required, section: "1.1"}
      - {kind: le, table: PL3, left: a, right: b, message: "..."}
      - {kind: sum_eq, table: PL3, left: [dung_han, tre_han], right: da_giai_quyet}

Cell types: ``integer``, ``number``, ``percent`` (0..100), ``text``; every numeric cell
must be non-negative. Column ``type`` defaults to ``number``. A row ``type`` overrides
the type of the row's numeric cells (text columns stay text).

Aggregation (``agg``) over the submissions, empty cells skipped: ``sum``; ``average``
(mean, 2 decimals); ``min``; ``max``; ``count`` (submissions that filled the cell);
``list`` and ``text`` (every filled value with its unit: ``[[unit, value], ...]``;
``text`` is the same data, meant for free-text notes). Defaults: ``sum`` for integer and
number, ``average`` for percent, ``list`` for text. A cell uses the column's agg unless
the row is numeric-overridden: row ``agg`` if given, else the default for the row
``type``. Text cells accept only ``count``, ``list``, ``text``.

Rules: ``required`` (a narrative section, or table cells: ``rows``/``columns`` default to
all rows / all numeric columns) is enforced only on final submission. ``le``, ``ge``,
``eq``, ``sum_eq`` compare, column by column (``columns``, default all numeric columns
of ``table``), the sum of the ``left`` rows with the sum of the ``right`` rows; each
side is a row key or a list of them, optionally table-qualified (``PL4.bien_che``).
``sum_eq`` is ``eq`` spelt for readability. A comparison is skipped when any operand is
empty. ``message`` replaces the generated explanation.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import yaml

# Submission data: cleaning, validation, consolidation live in a sibling module (size);
# it depends on nothing here, so importing either module first works.
from dieuhanh.reports.outline_rules import (
    Problem, aggregate, clean_data, compared_columns, format_number, parse_vn_number, resolve_ref, table_matrix,
    validate,
)

TYPES = ("integer", "number", "percent", "text")
NUMERIC_TYPES = frozenset({"integer", "number", "percent"})
AGGS = ("sum", "average", "min", "max", "count", "list", "text")
TEXT_AGGS = frozenset({"count", "list", "text"})
DEFAULT_AGG = {"integer": "sum", "number": "sum", "percent": "average", "text": "list"}
RULE_KINDS = ("required", "le", "ge", "eq", "sum_eq")
CROSS_KINDS = frozenset({"le", "ge", "eq", "sum_eq"})

MAX_BYTES = 1_000_000
MAX_DEPTH = 6
_LIMITS = {"mục": 2000, "bảng": 200, "dòng": 1000, "cột": 50, "quy tắc": 2000}

_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SECTION_KEY_RE = re.compile(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$")
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_DEFAULT_RESOURCE = "data/cchc-2011-2020.yaml"


class OutlineError(ValueError):
    """The outline is unusable; the message (Vietnamese) says where and why."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str = "number"
    unit: str = ""
    agg: str = "sum"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    unit: str = ""
    type: str | None = None
    agg: str | None = None


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...] = ()
    rows: tuple[Row, ...] = ()

    @cached_property
    def _columns(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    @cached_property
    def _rows(self) -> dict[str, Row]:
        return {r.key: r for r in self.rows}

    def column(self, key: str) -> Column:
        return self._columns[key]

    def row(self, key: str) -> Row:
        return self._rows[key]

    @property
    def numeric_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.type in NUMERIC_TYPES)


@dataclass(frozen=True)
class Section:
    key: str
    no: str
    title: str
    guidance: str = ""
    narrative: bool = True
    tables: tuple[str, ...] = ()
    children: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Rule:
    kind: str
    table: str = ""
    section: str = ""
    rows: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    message: str = ""


@dataclass(frozen=True)
class Outline:
    code: str
    title: str
    doc_type: str
    symbol_suffix: str
    sections: tuple[Section, ...]
    tables: tuple[Table, ...] = ()
    rules: tuple[Rule, ...] = ()

    # -- reading and writing -------------------------------------------------------------
    @classmethod
    def from_yaml(cls, text: str | bytes) -> Outline:
        if isinstance(text, bytes):
            if len(text) > MAX_BYTES:
                raise OutlineError("Tệp đề cương quá lớn (tối đa 1 MB).")
            try:
                text = text.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise OutlineError("Tệp đề cương không phải văn bản UTF-8.") from exc
        if len(text) > MAX_BYTES or len(text.encode("utf-8")) > MAX_BYTES:
            raise OutlineError("Tệp đề cương quá lớn (tối đa 1 MB).")
        try:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
            raise OutlineError(f"YAML không hợp lệ{where}: {exc.problem or exc.context}.") from exc
        except yaml.YAMLError as exc:
            raise OutlineError(f"YAML không hợp lệ: {exc}.") from exc
        except RecursionError as exc:
            raise OutlineError("YAML lồng nhau quá sâu.") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, d: Any) -> Outline:
        return _parse_outline(d)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "title": self.title, "doc_type": self.doc_type,
            "symbol_suffix": self.symbol_suffix,
            "sections": [_section_dict(s) for s in self.sections],
            "tables": [_table_dict(t) for t in self.tables],
            "rules": [_rule_dict(r) for r in self.rules],
        }

    def to_yaml(self) -> str:
        return yaml.dump(self.to_dict(), Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False, width=100)

    def fingerprint(self) -> str:
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    # -- navigation ----------------------------------------------------------------------
    def walk(self) -> Iterator[tuple[int, Section]]:
        """(depth, section) depth-first in document order; top-level sections have depth 0."""
        stack: list[tuple[int, Section]] = [(0, s) for s in reversed(self.sections)]
        while stack:
            depth, section = stack.pop()
            yield depth, section
            stack.extend((depth + 1, c) for c in reversed(section.children))

    @cached_property
    def _section_index(self) -> dict[str, Section]:
        return {s.key: s for _, s in self.walk()}

    @cached_property
    def _table_index(self) -> dict[str, Table]:
        return {t.key: t for t in self.tables}

    @cached_property
    def _cells(self) -> dict[str, dict[str, dict[str, tuple[str, str]]]]:
        """table → row → column → (cell type, cell agg); used by the hot paths."""
        return {t.key: {r.key: {c.key: (_cell_type(r, c), _cell_agg(r, c)) for c in t.columns}
                        for r in t.rows} for t in self.tables}

    @cached_property
    def _narrative_keys(self) -> frozenset[str]:
        return frozenset(s.key for _, s in self.walk() if s.narrative)

    def section(self, key: str) -> Section:
        return self._section_index[key]

    def table(self, key: str) -> Table:
        return self._table_index[key]

    def section_label(self, key: str) -> str:
        """"Phần I › II – Tình hình triển khai ..." for messages."""
        chain: list[Section] = []
        for depth, s in self.walk():
            del chain[depth:]
            chain.append(s)
            if s.key == key:
                nos = " › ".join(x.no for x in chain if x.no) or s.key
                return f"{nos} «{s.title}»"
        raise KeyError(key)

    def cell_type(self, table: str, row: str, column: str) -> str:
        t = self.table(table)
        return _cell_type(t.row(row), t.column(column))

    def cell_agg(self, table: str, row: str, column: str) -> str:
        t = self.table(table)
        return _cell_agg(t.row(row), t.column(column))


def _cell_type(row: Row, column: Column) -> str:
    if column.type == "text":
        return "text"
    return row.type or column.type


def _cell_agg(row: Row, column: Column) -> str:
    if column.type == "text":
        return column.agg
    if row.agg:
        return row.agg
    if row.type:
        return DEFAULT_AGG[row.type]
    return column.agg


@lru_cache(maxsize=1)
def load_default() -> Outline:
    """The built-in outline (reconstructed CCHC 2011-2020 summary report)."""
    text = resources.files("dieuhanh.reports").joinpath(_DEFAULT_RESOURCE).read_text(encoding="utf-8")
    return Outline.from_yaml(text)


# -- YAML loader: YAML 1.2 booleans (so `no:` is a key), duplicate keys are errors ------------
class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"khóa {key_node.value!r} bị lặp lại", key_node.start_mark)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


# -- parsing ------------------------------------------------------------------------------
def _fail(where: str, message: str) -> None:
    raise OutlineError(f"{where}: {message}")


def _mapping(value: Any, where: str, allowed: tuple[str, ...], required: tuple[str, ...] = (),
             *, extensions: bool = False) -> dict[Any, Any]:
    if not isinstance(value, dict):
        _fail(where, "phải là một bảng khóa–giá trị (mapping).")
    for k in value:
        if k not in allowed and not (extensions and isinstance(k, str) and k.startswith("x-")):
            _fail(where, f"khóa không hợp lệ {k!r} (chỉ dùng: {', '.join(allowed)}).")
    for k in required:
        if value.get(k) is None:
            _fail(where, f"thiếu khóa {k!r}.")
    return value


def _text(value: Any, where: str, name: str, limit: int = 500) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        _fail(where, f"khóa {name!r} phải là chuỗi văn bản.")
    text = str(value).strip()
    if len(text) > limit:
        _fail(where, f"khóa {name!r} quá dài (tối đa {limit} ký tự).")
    return text


def _key(value: Any, where: str, name: str = "key", pattern: re.Pattern[str] = _KEY_RE) -> str:
    text = _text(value, where, name, 200)
    if not pattern.match(text):
        _fail(where, f"khóa {name!r} = {text!r} không hợp lệ (chỉ dùng chữ không dấu, số, '_', '-').")
    return text


def _keys(value: Any, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(_text(v, where, name, 200) for v in items)


def _choice(value: Any, where: str, name: str, what: str, choices: tuple[str, ...]) -> str:
    text = _text(value, where, name, 50)
    if text not in choices:
        _fail(where, f"{what} ({name}) không hợp lệ {text!r} (chỉ dùng: {', '.join(choices)}).")
    return text


class _Counter:
    def __init__(self) -> None:
        self.counts = dict.fromkeys(_LIMITS, 0)

    def add(self, what: str, where: str) -> None:
        self.counts[what] += 1
        if self.counts[what] > _LIMITS[what]:
            _fail(where, f"đề cương có quá nhiều {what} (tối đa {_LIMITS[what]}).")


def _list(value: Any, where: str, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(where, f"khóa {name!r} phải là một danh sách.")
    return value


def _parse_outline(d: Any) -> Outline:
    where = "Đề cương"
    d = _mapping(d, where, ("code", "title", "doc_type", "symbol_suffix", "sections", "tables", "rules"),
                 ("code", "title", "sections"), extensions=True)
    counter = _Counter()
    tables = tuple(_parse_table(t, i, counter) for i, t in enumerate(_list(d.get("tables"), where, "tables"), 1))
    table_index: dict[str, Table] = {}
    for t in tables:
        if t.key in table_index:
            _fail(f"Bảng {t.key}", f"khóa bảng {t.key!r} bị trùng.")
        table_index[t.key] = t
    seen: dict[str, Section] = {}
    sections = _parse_sections(_list(d.get("sections"), where, "sections"), "", 1, counter, seen, table_index)
    if not sections:
        _fail(where, "chưa có mục nào ('sections' rỗng).")
    rules = tuple(_parse_rule(r, i, counter, table_index, seen)
                  for i, r in enumerate(_list(d.get("rules"), where, "rules"), 1))
    return Outline(
        code=_key(d["code"], where, "code", _CODE_RE), title=_text(d["title"], where, "title", 1000),
        doc_type=_text(d.get("doc_type"), where, "doc_type", 100) or "Báo cáo",
        symbol_suffix=_text(d.get("symbol_suffix"), where, "symbol_suffix", 100) or "BC-UBND",
        sections=sections, tables=tables, rules=rules)


def _parse_sections(items: list[Any], parent: str, depth: int, counter: _Counter,
                    seen: dict[str, Section], tables: Mapping[str, Table]) -> tuple[Section, ...]:
    out = []
    for i, item in enumerate(items, 1):
        where = f"Mục {parent}.{i}" if parent else f"Mục {i}"
        if depth > MAX_DEPTH:
            _fail(where, f"cây mục lục sâu quá {MAX_DEPTH} cấp.")
        d = _mapping(item, where, ("key", "no", "title", "guidance", "narrative", "tables", "children"), ("title",))
        auto = f"{parent}.{i}" if parent else str(i)
        key = _key(d.get("key", auto), where, "key", _SECTION_KEY_RE)
        where = f"Mục {key}"
        counter.add("mục", where)
        if key in seen:
            _fail(where, f"khóa mục {key!r} bị trùng.")
        narrative = d.get("narrative", True)
        if not isinstance(narrative, bool):
            _fail(where, "khóa 'narrative' phải là true hoặc false.")
        shown = _keys(d.get("tables"), where, "tables")
        for t in shown:
            if t not in tables:
                _fail(where, f"bảng {t!r} không có trong đề cương.")
        seen[key] = None  # type: ignore[assignment]  # reserve the key before the children
        children = _parse_sections(_list(d.get("children"), where, "children"), key, depth + 1,
                                   counter, seen, tables)
        section = Section(key=key, no=_text(d.get("no"), where, "no", 50),
                          title=_text(d["title"], where, "title", 1000),
                          guidance=_text(d.get("guidance"), where, "guidance", 10_000), narrative=narrative,
                          tables=shown, children=children)
        seen[key] = section
        out.append(section)
    return tuple(out)


def _parse_table(item: Any, i: int, counter: _Counter) -> Table:
    where = f"Bảng {i}"
    d = _mapping(item, where, ("key", "title", "columns", "rows"), ("key",))
    key = _key(d["key"], where)
    where = f"Bảng {key}"
    counter.add("bảng", where)
    _mapping(d, where, ("key", "title", "columns", "rows"), ("title", "columns", "rows"))
    columns = tuple(_parse_column(c, f"{where}, cột {j}", counter)
                    for j, c in enumerate(_list(d["columns"], where, "columns"), 1))
    rows = tuple(_parse_row(r, f"{where}, dòng {j}", counter)
                 for j, r in enumerate(_list(d["rows"], where, "rows"), 1))
    if not columns or not rows:
        _fail(where, "cần ít nhất một cột và một dòng.")
    for kind, items in (("cột", columns), ("dòng", rows)):
        keys: set[str] = set()
        for j, x in enumerate(items, 1):
            if x.key in keys:
                _fail(f"{where}, {kind} {j}", f"khóa {x.key!r} bị trùng.")
            keys.add(x.key)
    for r in rows:
        for c in columns:
            if _cell_type(r, c) == "text" and _cell_agg(r, c) not in TEXT_AGGS:
                _fail(f"{where}, dòng «{r.key}», cột «{c.key}»",
                      f"ô kiểu text chỉ tổng hợp được bằng {', '.join(sorted(TEXT_AGGS))}.")
    return Table(key=key, title=_text(d["title"], where, "title", 1000), columns=columns, rows=rows)


def _parse_column(item: Any, where: str, counter: _Counter) -> Column:
    counter.add("cột", where)
    d = _mapping(item, where, ("key", "label", "type", "unit", "agg"), ("key", "label"))
    type_ = _choice(d.get("type", "number"), where, "type", "kiểu dữ liệu", TYPES)
    agg = _choice(d.get("agg", DEFAULT_AGG[type_]), where, "agg", "cách tổng hợp", AGGS)
    return Column(key=_key(d["key"], where), label=_text(d["label"], where, "label"), type=type_,
                  unit=_text(d.get("unit"), where, "unit", 100), agg=agg)


def _parse_row(item: Any, where: str, counter: _Counter) -> Row:
    counter.add("dòng", where)
    d = _mapping(item, where, ("key", "label", "unit", "type", "agg"), ("key", "label"))
    type_ = _choice(d["type"], where, "type", "kiểu dữ liệu", TYPES) if d.get("type") is not None else None
    agg = _choice(d["agg"], where, "agg", "cách tổng hợp", AGGS) if d.get("agg") is not None else None
    return Row(key=_key(d["key"], where), label=_text(d["label"], where, "label", 1000),
               unit=_text(d.get("unit"), where, "unit", 100), type=type_, agg=agg)


def _parse_rule(item: Any, i: int, counter: _Counter, tables: Mapping[str, Table],
                sections: Mapping[str, Section]) -> Rule:
    where = f"Quy tắc {i}"
    counter.add("quy tắc", where)
    d = _mapping(item, where, ("kind", "table", "section", "rows", "columns", "left", "right", "message"), ("kind",))
    kind = _choice(d["kind"], where, "kind", "loại quy tắc", RULE_KINDS)
    rule = Rule(kind=kind, table=_text(d.get("table"), where, "table", 64),
                section=_text(d.get("section"), where, "section", 200),
                rows=_keys(d.get("rows"), where, "rows"), columns=_keys(d.get("columns"), where, "columns"),
                left=_keys(d.get("left"), where, "left"), right=_keys(d.get("right"), where, "right"),
                message=_text(d.get("message"), where, "message", 1000))
    if rule.table and rule.table not in tables:
        _fail(where, f"bảng {rule.table!r} không có trong đề cương.")
    if kind == "required":
        _check_required(rule, where, tables, sections)
    else:
        _check_cross(rule, where, tables)
    return rule


def _check_required(rule: Rule, where: str, tables: Mapping[str, Table], sections: Mapping[str, Section]) -> None:
    if rule.left or rule.right:
        _fail(where, "quy tắc 'required' không dùng 'left'/'right'.")
    if bool(rule.table) == bool(rule.section):
        _fail(where, "quy tắc 'required' cần đúng một trong hai khóa 'table' hoặc 'section'.")
    if rule.section:
        section = sections.get(rule.section)
        if section is None:
            _fail(where, f"mục {rule.section!r} không có trong đề cương.")
        if not section.narrative or rule.rows or rule.columns:
            _fail(where, f"mục {rule.section!r} không phải mục viết nội dung (narrative).")
        return
    table = tables[rule.table]
    for r in rule.rows:
        if r not in table._rows:
            _fail(where, f"bảng {table.key} không có dòng {r!r}.")
    for c in rule.columns:
        if c not in table._columns:
            _fail(where, f"bảng {table.key} không có cột {c!r}.")


def _check_cross(rule: Rule, where: str, tables: Mapping[str, Table]) -> None:
    if not rule.table:
        _fail(where, f"quy tắc {rule.kind!r} cần khóa 'table'.")
    if not rule.left or not rule.right:
        _fail(where, f"quy tắc {rule.kind!r} cần cả 'left' và 'right'.")
    if rule.section or rule.rows:
        _fail(where, f"quy tắc {rule.kind!r} không dùng 'section'/'rows'.")
    columns = compared_columns(rule, tables)
    if not columns:
        _fail(where, f"bảng {rule.table} không có cột số để so sánh.")
    for ref in rule.left + rule.right:
        t, r = resolve_ref(ref, rule.table)
        table = tables.get(t)
        if table is None:
            _fail(where, f"bảng {t!r} không có trong đề cương.")
        if r not in table._rows:
            _fail(where, f"bảng {t} không có dòng {r!r}.")
        for c in columns:
            if c not in table._columns or _cell_type(table.row(r), table.column(c)) not in NUMERIC_TYPES:
                _fail(where, f"bảng {t}, dòng {r!r}: cột {c!r} không có hoặc không phải cột số.")


# -- writing --------------------------------------------------------------------------------
def _section_dict(s: Section) -> dict[str, Any]:
    d: dict[str, Any] = {"key": s.key, "no": s.no, "title": s.title}
    if s.guidance:
        d["guidance"] = s.guidance
    d["narrative"] = s.narrative
    if s.tables:
        d["tables"] = list(s.tables)
    if s.children:
        d["children"] = [_section_dict(c) for c in s.children]
    return d


def _table_dict(t: Table) -> dict[str, Any]:
    columns = []
    for c in t.columns:
        col: dict[str, Any] = {"key": c.key, "label": c.label, "type": c.type, "agg": c.agg}
        if c.unit:
            col["unit"] = c.unit
        columns.append(col)
    rows = []
    for r in t.rows:
        row: dict[str, Any] = {"key": r.key, "label": r.label}
        row.update({k: v for k, v in (("unit", r.unit), ("type", r.type), ("agg", r.agg)) if v})
        rows.append(row)
    return {"key": t.key, "title": t.title, "columns": columns, "rows": rows}


def _rule_dict(r: Rule) -> dict[str, Any]:
    d: dict[str, Any] = {"kind": r.kind}
    for name in ("table", "section", "rows", "columns", "left", "right", "message"):
        value = getattr(r, name)
        if not value:
            continue
        if name in ("left", "right") and len(value) == 1:
            value = value[0]
        d[name] = list(value) if isinstance(value, tuple) else value
    return d


__all__ = [
    "AGGS", "DEFAULT_AGG", "RULE_KINDS", "TYPES", "Column", "Outline", "OutlineError", "Problem", "Row", "Rule",
    "Section", "Table", "aggregate", "clean_data", "compared_columns", "format_number", "load_default",
    "parse_vn_number", "resolve_ref", "table_matrix", "validate",
]

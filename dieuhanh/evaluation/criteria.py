"""Criteria sets (bộ tiêu chí) of the PAR index as data: parsing, checks, canonical form.

Pure Python (no Django). A set is a tree lĩnh vực (area) → tiêu chí (criterion) →
tiêu chí thành phần (item, the leaf that carries points). YAML format (our own; every
key not listed is an error)::

    code: cchc-phuong-2018-2020       # slug: a-z 0-9 - _
    title: "Bộ tiêu chí ... cấp phường"
    unit_group: phuong                # phong (specialised offices), phuong (wards/communes), quan (district)
    valid_from: 2018-01-01            # the years the set applies to (valid_to may be empty)
    valid_to: 2020-12-31
    assumption: "…"                   # why these figures (say when they are a placeholder)
    areas:
      - code: "1"
        title: "Công tác chỉ đạo, điều hành CCHC"
        max: 10                       # maximum points of the area
        criteria:
          - code: "1.1"
            title: "Kế hoạch CCHC năm"
            max: 3                    # optional: the criterion's own maximum
            items:
              - code: "1.1.1"
                title: "Tỷ lệ hoàn thành nhiệm vụ của kế hoạch CCHC"
                max: 3
                method: computed      # manual (default) | computed | survey
                source: cchc_plan_done  # computed only: tasks_on_time | reports_on_time | cchc_plan_done | documents_on_time
                evidence: "Kế hoạch; báo cáo kết quả"   # the evidence asked for (manual items)
      - code: "9"
        title: "Điểm thưởng, điểm trừ"
        kind: bonus                   # bonus | penalty: counted up to ``cap``, not part of the maximum
        cap: 5
        criteria: [...]

Checks, every one reported at once with where it is: a missing or non-numeric maximum,
items whose points exceed their criterion's or area's maximum, a code used twice (an
item in two areas), a cycle (a YAML alias that contains itself), unknown keys, methods
and sources. Nothing is stored unless the whole set passes.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

MAX_BYTES = 1_000_000
MAX_ITEMS = 2_000
GROUPS = ("phong", "phuong", "quan")
METHODS = ("manual", "computed", "survey")
SOURCES = ("tasks_on_time", "reports_on_time", "cchc_plan_done", "documents_on_time")
KINDS = ("normal", "bonus", "penalty")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_NODE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_SET_KEYS = {"code", "title", "unit_group", "valid_from", "valid_to", "assumption", "areas"}
_AREA_KEYS = {"code", "title", "max", "kind", "cap", "criteria"}
_CRITERION_KEYS = {"code", "title", "max", "items"}
_ITEM_KEYS = {"code", "title", "max", "method", "source", "evidence"}


class CriteriaError(ValueError):
    """The set is not valid; ``problems`` lists every Vietnamese message."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Item:
    code: str
    title: str
    max: Decimal
    method: str = "manual"
    source: str = ""
    evidence: str = ""
    area: str = ""
    criterion: str = ""


@dataclass
class Criterion:
    code: str
    title: str
    max: Decimal | None
    items: list[Item] = field(default_factory=list)


@dataclass
class Area:
    code: str
    title: str
    max: Decimal
    kind: str = "normal"
    cap: Decimal | None = None
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [i for c in self.criteria for i in c.items]


@dataclass
class CriteriaSet:
    code: str
    title: str
    unit_group: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    assumption: str
    areas: list[Area]

    @property
    def items(self) -> list[Item]:
        return [i for a in self.areas for i in a.items]

    @property
    def max_points(self) -> Decimal:
        """The maximum of the index: every normal area (bonus and penalty areas are on top)."""
        return sum((a.max for a in self.areas if a.kind == "normal"), Decimal(0))

    def item(self, code: str) -> Item | None:
        return self.index().get(code)

    def index(self) -> dict[str, Item]:
        cached = getattr(self, "_index", None)
        if cached is None:
            cached = self._index = {i.code: i for i in self.items}
        return cached

    def area_of(self) -> dict[str, Area]:
        return {i.code: a for a in self.areas for i in a.items}

    # --- canonical forms -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        def num(value: Decimal | None) -> Any:
            if value is None:
                return None
            return int(value) if value == value.to_integral_value() else float(value)

        def item(i: Item) -> dict[str, Any]:
            out: dict[str, Any] = {"code": i.code, "title": i.title, "max": num(i.max), "method": i.method}
            if i.source:
                out["source"] = i.source
            if i.evidence:
                out["evidence"] = i.evidence
            return out

        def criterion(c: Criterion) -> dict[str, Any]:
            out: dict[str, Any] = {"code": c.code, "title": c.title}
            if c.max is not None:
                out["max"] = num(c.max)
            out["items"] = [item(i) for i in c.items]
            return out

        def area(a: Area) -> dict[str, Any]:
            out: dict[str, Any] = {"code": a.code, "title": a.title, "max": num(a.max)}
            if a.kind != "normal":
                out["kind"] = a.kind
                out["cap"] = num(a.cap)
            out["criteria"] = [criterion(c) for c in a.criteria]
            return out

        return {
            "code": self.code, "title": self.title, "unit_group": self.unit_group,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "assumption": self.assumption, "areas": [area(a) for a in self.areas],
        }

    def to_yaml(self) -> str:
        return yaml.dump(self.to_dict(), Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False, width=100)

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    @classmethod
    def from_yaml(cls, text: str | bytes) -> CriteriaSet:
        if isinstance(text, (bytes, bytearray)):
            if len(text) > MAX_BYTES:
                raise CriteriaError([f"Tệp bộ tiêu chí quá lớn (tối đa {MAX_BYTES // 1000} KB)."])
            try:
                text = bytes(text).decode("utf-8-sig")
            except UnicodeDecodeError:
                raise CriteriaError(["Tệp bộ tiêu chí phải là văn bản mã hóa UTF-8."]) from None
        if len(text) > MAX_BYTES:
            raise CriteriaError([f"Tệp bộ tiêu chí quá lớn (tối đa {MAX_BYTES // 1000} KB)."])
        if not text.strip():
            raise CriteriaError(["Tệp bộ tiêu chí rỗng."])
        try:
            data = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 - SafeLoader
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark is not None else ""
            raise CriteriaError([f"YAML không hợp lệ{where}: {exc.problem or exc}"]) from None
        except (yaml.YAMLError, RecursionError) as exc:
            raise CriteriaError([f"YAML không hợp lệ: {exc}"]) from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> CriteriaSet:
        return _Reader().read(data)


def parse(text: str | bytes) -> CriteriaSet:
    return CriteriaSet.from_yaml(text)


# --- reading and checking -------------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            return None
    return None


def _date(value: Any) -> datetime.date | None | str:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return "bad"


class _Reader:
    """One pass over the loaded YAML, collecting every problem before failing."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.seen_codes: dict[str, str] = {}
        self.on_path: set[int] = set()

    def fail(self, text: str) -> None:
        if len(self.problems) < 200:
            self.problems.append(text)

    def read(self, data: Any) -> CriteriaSet:
        if not isinstance(data, dict):
            raise CriteriaError(["Bộ tiêu chí phải là một bảng (mapping) YAML có code, title, areas."])
        self.check_cycles(data, "bộ tiêu chí")
        if self.problems:
            raise CriteriaError(self.problems)
        self.unknown(data, _SET_KEYS, "bộ tiêu chí")
        code = str(data.get("code") or "").strip()
        if not _CODE.match(code):
            self.fail("Mã bộ tiêu chí (code) phải có và chỉ gồm chữ thường không dấu, số, “-”, “_”.")
        title = str(data.get("title") or "").strip()
        if not title:
            self.fail("Bộ tiêu chí thiếu tên (title).")
        group = str(data.get("unit_group") or "").strip()
        if group not in GROUPS:
            self.fail("Nhóm đơn vị (unit_group) phải là phong (cơ quan chuyên môn), phuong (phường, xã) "
                      "hoặc quan (quận, huyện).")
        valid_from, valid_to = _date(data.get("valid_from")), _date(data.get("valid_to"))
        if valid_from == "bad" or valid_to == "bad":
            self.fail("Ngày hiệu lực (valid_from, valid_to) phải viết dạng YYYY-MM-DD.")
        elif valid_from and valid_to and valid_to < valid_from:  # type: ignore[operator]
            self.fail("Ngày hết hiệu lực (valid_to) trước ngày bắt đầu hiệu lực (valid_from).")
        areas_raw = data.get("areas")
        if not isinstance(areas_raw, list) or not areas_raw:
            self.fail("Bộ tiêu chí phải có danh sách lĩnh vực (areas).")
            areas_raw = []
        areas = [self.area(raw, n) for n, raw in enumerate(areas_raw, 1)]
        result = CriteriaSet(code, title, group, valid_from if isinstance(valid_from, datetime.date) else None,
                             valid_to if isinstance(valid_to, datetime.date) else None,
                             str(data.get("assumption") or "").strip(), [a for a in areas if a is not None])
        if len(result.items) > MAX_ITEMS:
            self.fail(f"Bộ tiêu chí có quá nhiều tiêu chí thành phần (tối đa {MAX_ITEMS}).")
        if not self.problems and not result.items:
            self.fail("Bộ tiêu chí chưa có tiêu chí thành phần nào.")
        if self.problems:
            raise CriteriaError(self.problems)
        return result

    def check_cycles(self, value: Any, where: str) -> None:
        """A YAML alias may point at a node that contains it: refuse it by name, not by recursion error."""
        if not isinstance(value, (dict, list)):
            return
        if id(value) in self.on_path:
            self.fail(f"Bộ tiêu chí có vòng lặp: {where} chứa chính nó (tham chiếu YAML “*” vòng tròn).")
            return
        self.on_path.add(id(value))
        children = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in children:
            self.check_cycles(child, f"{where} › {key}")
            if len(self.problems) > 5:
                break
        self.on_path.discard(id(value))

    def unknown(self, raw: dict[str, Any], allowed: set[str], where: str) -> None:
        extra = sorted(str(k) for k in raw if k not in allowed)
        if extra:
            self.fail(f"{where}: khóa không hỗ trợ {', '.join(extra)}.")

    def node_code(self, raw: dict[str, Any], where: str, area: str) -> str:
        code = str(raw.get("code") if raw.get("code") is not None else "").strip()
        if not _NODE_CODE.match(code):
            self.fail(f"{where}: thiếu mã (code) hoặc mã có ký tự không hợp lệ.")
            return code
        if code in self.seen_codes:
            first = self.seen_codes[code]
            if first != area:
                self.fail(f"Mã “{code}” xuất hiện ở hai lĩnh vực ({first} và {area}): mỗi tiêu chí chỉ thuộc "
                          "một lĩnh vực.")
            else:
                self.fail(f"Mã “{code}” bị trùng trong lĩnh vực {area}.")
        else:
            self.seen_codes[code] = area
        return code

    def maximum(self, raw: dict[str, Any], where: str, required: bool = True) -> Decimal | None:
        if "max" not in raw or raw.get("max") is None:
            if required:
                self.fail(f"{where}: thiếu điểm tối đa (max).")
            return None
        value = _number(raw.get("max"))
        if value is None or not value.is_finite():
            self.fail(f"{where}: điểm tối đa (max) phải là số, đang là “{raw.get('max')}”.")
            return None
        if value < 0:
            self.fail(f"{where}: điểm tối đa (max) không được âm.")
        return value

    def area(self, raw: Any, n: int) -> Area | None:
        where = f"Lĩnh vực thứ {n}"
        if not isinstance(raw, dict):
            self.fail(f"{where} phải là một bảng có code, title, max, criteria.")
            return None
        self.unknown(raw, _AREA_KEYS, where)
        code = self.node_code(raw, where, str(raw.get("code") or n))
        where = f"Lĩnh vực {code}"
        kind = str(raw.get("kind") or "normal")
        if kind not in KINDS:
            self.fail(f"{where}: loại (kind) phải là normal, bonus (điểm thưởng) hoặc penalty (điểm trừ).")
        cap = None
        if kind in ("bonus", "penalty"):
            cap = _number(raw.get("cap"))
            if cap is None or cap < 0:
                self.fail(f"{where}: điểm thưởng/điểm trừ phải có mức trần (cap) là số không âm.")
        maximum = self.maximum(raw, where, required=kind == "normal")
        area = Area(code, str(raw.get("title") or "").strip(), maximum if maximum is not None else (cap or Decimal(0)),
                    kind, cap)
        if not area.title:
            self.fail(f"{where}: thiếu tên (title).")
        criteria = raw.get("criteria")
        if not isinstance(criteria, list) or not criteria:
            self.fail(f"{where}: chưa có tiêu chí (criteria).")
            criteria = []
        for m, c in enumerate(criteria, 1):
            criterion = self.criterion(c, f"{where}, tiêu chí thứ {m}", code)
            if criterion is not None:
                area.criteria.append(criterion)
        total = sum((i.max for i in area.items), Decimal(0))
        if kind == "normal" and maximum is not None and total > maximum:
            self.fail(f"{where}: tổng điểm các tiêu chí thành phần ({_fmt(total)}) vượt điểm tối đa của lĩnh vực "
                      f"({_fmt(maximum)}).")
        return area

    def criterion(self, raw: Any, where: str, area: str) -> Criterion | None:
        if not isinstance(raw, dict):
            self.fail(f"{where} phải là một bảng có code, title, items.")
            return None
        self.unknown(raw, _CRITERION_KEYS, where)
        code = self.node_code(raw, where, area)
        where = f"Tiêu chí {code}"
        criterion = Criterion(code, str(raw.get("title") or "").strip(), self.maximum(raw, where, required=False))
        if not criterion.title:
            self.fail(f"{where}: thiếu tên (title).")
        items = raw.get("items")
        if not isinstance(items, list) or not items:
            self.fail(f"{where}: chưa có tiêu chí thành phần (items).")
            items = []
        for k, i in enumerate(items, 1):
            item = self.item(i, f"{where}, tiêu chí thành phần thứ {k}", area, code)
            if item is not None:
                criterion.items.append(item)
        total = sum((i.max for i in criterion.items), Decimal(0))
        if criterion.max is not None and total > criterion.max:
            self.fail(f"{where}: tổng điểm các tiêu chí thành phần ({_fmt(total)}) vượt điểm tối đa của tiêu chí "
                      f"({_fmt(criterion.max)}).")
        return criterion

    def item(self, raw: Any, where: str, area: str, criterion: str) -> Item | None:
        if not isinstance(raw, dict):
            self.fail(f"{where} phải là một bảng có code, title, max.")
            return None
        self.unknown(raw, _ITEM_KEYS, where)
        code = self.node_code(raw, where, area)
        where = f"Tiêu chí thành phần {code}"
        maximum = self.maximum(raw, where)
        method = str(raw.get("method") or "manual")
        if method not in METHODS:
            self.fail(f"{where}: cách chấm (method) phải là manual (tự chấm có tài liệu kiểm chứng), "
                      "computed (tính từ dữ liệu theo dõi) hoặc survey (điều tra xã hội học).")
        source = str(raw.get("source") or "")
        if method == "computed" and source not in SOURCES:
            self.fail(f"{where}: chấm tự động cần nguồn (source) là một trong {', '.join(SOURCES)}.")
        if method != "computed" and source:
            self.fail(f"{where}: chỉ tiêu chí chấm tự động (method: computed) mới có nguồn (source).")
        title = str(raw.get("title") or "").strip()
        if not title:
            self.fail(f"{where}: thiếu tên (title).")
        return Item(code, title, maximum or Decimal(0), method, source, str(raw.get("evidence") or "").strip(),
                    area, criterion)


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")

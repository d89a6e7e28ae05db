"""The unit file schema (YAML and CSV) and the checks of one row.

One unit per row, with the fields of :data:`FIELDS`. A checked row is a plain dict:

``code, name, kind``: text, required; ``parent``: a code or None;
``short_names, aliases``: lists of text; ``symbol, e_id, place, note``: text;
``valid_from, valid_to``: dates or None (inclusive; None = open);
``successors``: a list of ``{"code", "kind", "on"}`` (``on`` a date or None).

Every message is Vietnamese and starts with where the row is ("Dòng 4 (mã «x»): ...").
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from dieuhanh.lib.vntext import clean, collapse, fold
from dieuhanh.orgs.models import SuccessionKind, UnitKind

FIELDS = ("code", "name", "kind", "parent", "short_names", "aliases", "symbol", "e_id", "place",
          "valid_from", "valid_to", "successors", "note")
REQUIRED = ("code", "name", "kind")
LIST_FIELDS = ("short_names", "aliases")
DATE_FIELDS = ("valid_from", "valid_to")
TEXT_LIMITS = {"name": 255, "symbol": 32, "e_id": 32, "place": 100, "note": 2000}
LIST_SEP = " | "
WHERE = "_where"  # key a reader may add: "dòng 4", "đơn vị thứ 3"

CODE_RE = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")
# Mã định danh (QĐ 20/2020/QĐ-TTg): four groups, e.g. 000.00.00.H13.
E_ID_RE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


class RowError(ValueError):
    """A problem with one field of a row; the message names the field, not the row."""


def fmt_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def parse_date(value: Any) -> date | None:
    """A date from YAML (already a date), ISO text or dd/mm/yyyy; '' and None are None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowError(_("ngày «%(value)s» không hợp lệ (viết dd/mm/yyyy hoặc yyyy-mm-dd)") % {"value": text})


def _text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (dict, list, tuple)):
        raise RowError(_("trường «%(field)s» phải là một chuỗi ký tự") % {"field": field})
    text = collapse(clean(str(value)))
    limit = TEXT_LIMITS.get(field)
    if limit and len(text) > limit:
        raise RowError(_("trường «%(field)s» dài quá %(limit)d ký tự") % {"field": field, "limit": limit})
    return text


def _text_list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    items = value.split("|") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise RowError(_("trường «%(field)s» phải là một danh sách (hoặc các tên cách nhau bằng «|»)")
                       % {"field": field})
    out = [_text(item, field) for item in items]
    return list(dict.fromkeys(x for x in out if x))


def _choice(value: Any, choices: type[UnitKind] | type[SuccessionKind], what: str) -> str:
    text = _text(value, "kind")
    with translation.override("vi"):
        table = {fold(v): v for v in choices.values} | {fold(str(lb)): v for v, lb in choices.choices}
    if fold(text) in table:
        return table[fold(text)]
    allowed = ", ".join(choices.values)
    raise RowError(_("%(what)s «%(value)s» không hợp lệ; dùng một trong: %(allowed)s")
                   % {"what": what, "value": text, "allowed": allowed})


def _code(value: Any, field: str) -> str:
    text = _text(value, field)
    if not CODE_RE.match(text):
        raise RowError(_("mã «%(value)s» ở trường «%(field)s» không hợp lệ: chỉ dùng chữ không dấu, "
                         "số, «-» và «_», tối đa 64 ký tự") % {"value": text, "field": field})
    return text


def _successor(item: Any) -> dict[str, Any]:
    """{code, kind, on} from a mapping or from text "code [kind] [date]"."""
    if isinstance(item, dict):
        unknown = set(item) - {"code", "kind", "on"}
        if unknown:
            raise RowError(_("đơn vị kế thừa có trường lạ «%(field)s»") % {"field": sorted(map(str, unknown))[0]})
        code, kind, on = item.get("code"), item.get("kind"), item.get("on")
    elif isinstance(item, str):
        parts = item.split()
        if not 1 <= len(parts) <= 3:
            raise RowError(_("đơn vị kế thừa «%(value)s» phải có dạng «mã [hình thức] [ngày]»") % {"value": item})
        code, kind, on = parts[0], None, None
        for part in parts[1:]:
            if re.match(r"^\d", part):
                on = part
            else:
                kind = part
    else:
        raise RowError(_("đơn vị kế thừa phải là một bảng {code, kind, on} hoặc «mã hình thức ngày»"))
    return {"code": _code(code, "successors"),
            "kind": _choice(kind, SuccessionKind, _("hình thức kế thừa")) if kind else SuccessionKind.MERGED.value,
            "on": parse_date(on)}


def _successors(value: Any, own_code: str) -> list[dict[str, Any]]:
    if value is None or value == "":
        return []
    items = [x for x in value.split("|") if x.strip()] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise RowError(_("trường «successors» phải là một danh sách"))
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        succ = _successor(item)
        if succ["code"] == own_code:
            raise RowError(_("đơn vị không thể kế thừa chính nó"))
        if succ["code"] in out:
            raise RowError(_("đơn vị kế thừa «%(code)s» ghi hai lần") % {"code": succ["code"]})
        out[succ["code"]] = succ
    return list(out.values())


def where_of(raw: Any, index: int) -> str:
    where = raw.get(WHERE) if isinstance(raw, dict) else None
    return str(where or _("đơn vị thứ %(n)d") % {"n": index})


def label(where: str, code: str | None) -> str:
    text = _("%(where)s (mã «%(code)s»)") % {"where": where, "code": code} if code else where
    return text[:1].upper() + text[1:]


def check_row(raw: Any, where: str) -> tuple[dict[str, Any] | None, list[str]]:
    """(checked row, []) or (None, messages) for one row read from a file."""
    if not isinstance(raw, dict):
        return None, [f"{label(where, None)}: " + _("phải là một bảng các trường (code, name, kind, ...)")]
    code = raw.get("code")
    code = str(code).strip() if code is not None and not isinstance(code, (dict, list)) else None
    errors: list[str] = []
    for key in raw:
        if key != WHERE and key not in FIELDS:
            errors.append(_("trường «%(field)s» không được hỗ trợ (các trường: %(fields)s)")
                          % {"field": key, "fields": ", ".join(FIELDS)})
    for key in REQUIRED:
        if raw.get(key) is None or str(raw.get(key)).strip() == "":
            errors.append(_("thiếu trường bắt buộc «%(field)s»") % {"field": key})
    row: dict[str, Any] = {}
    if not errors:
        row, errors = _fields(raw)
    if errors:
        return None, [f"{label(where, code)}: {e}" for e in errors]
    return row, []


def _fields(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    row: dict[str, Any] = {}
    errors: list[str] = []
    steps = {
        "code": lambda v: _code(v, "code"), "name": lambda v: _text(v, "name"),
        "kind": lambda v: _choice(v, UnitKind, _("loại đơn vị")),
        "parent": lambda v: _code(v, "parent") if v not in (None, "") else None,
        "short_names": lambda v: _text_list(v, "short_names"),
        "aliases": lambda v: _text_list(v, "aliases"),
        "symbol": lambda v: _text(v, "symbol"), "e_id": _e_id, "place": lambda v: _text(v, "place"),
        "valid_from": parse_date, "valid_to": parse_date, "note": lambda v: _text(v, "note"),
        "successors": lambda v: _successors(v, row.get("code", "")),
    }
    for field, step in steps.items():
        try:
            row[field] = step(raw.get(field))
        except RowError as exc:
            errors.append(str(exc))
    if row.get("parent") and row["parent"] == row.get("code"):
        errors.append(_("đơn vị không thể là cấp trên của chính nó"))
    lo, hi = row.get("valid_from"), row.get("valid_to")
    if lo and hi and hi < lo:
        errors.append(_("ngày hết hiệu lực (%(end)s) trước ngày bắt đầu hiệu lực (%(start)s)")
                      % {"end": fmt_date(hi), "start": fmt_date(lo)})
    return row, errors


def _e_id(value: Any) -> str:
    text = _text(value, "e_id").upper()
    if text and not E_ID_RE.match(text):
        raise RowError(_("mã định danh «%(value)s» không đúng dạng «000.00.00.H13»") % {"value": text})
    return text


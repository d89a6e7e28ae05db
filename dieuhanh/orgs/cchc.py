"""Convert the ``organisations`` part of shared/domain/cchc-data.yaml into our unit file.

Used once to generate the packaged ``dieuhanh/orgs/data/cantho.yaml``:

    dieuhanh manage units export --from-cchc ../shared/domain/cchc-data.yaml \\
        --format yaml --out dieuhanh/orgs/data/cantho.yaml

The tree itself comes from :func:`dieuhanh.vanban.assignees.load_units_yaml`. On top of
it this adds what that loader does not carry: the symbol (``abbr`` of the source, "UBND"
for every People's Committee), the place name, the one electronic ID the research
gives, and succession links: ``merged_into`` of the source, plus a unit that ends the day
before a unit of the same kind and name starts (the 2025 merger of Cần Thơ with Sóc
Trăng and Hậu Giang: the old city and its departments go on in the new ones).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from dieuhanh.lib.vntext import fold
from dieuhanh.orgs.files import UnitFileError
from dieuhanh.vanban.assignees import COMMITTEES, Unit, load_units_yaml

# edxml.md §6: "000.00.00.H13 = UBND TP Cần Thơ is very likely but inferred"; no other
# code was found, so every other unit is left without one.
E_IDS = {"ubnd_tp_cantho": "000.00.00.H13"}
NOTES = {"ubnd_tp_cantho": "Mã định danh 000.00.00.H13 là suy luận từ thứ tự mã tỉnh; "
                           "cần đối chiếu danh sách mã định danh chính thức."}
_LEVEL = re.compile(r"^(?:thành phố|tỉnh|quận|huyện|thị xã|thị trấn|phường|xã|đặc khu)\s+", re.I)

CANTHO_HEADER = """\
# Cơ cấu tổ chức mẫu: thành phố Cần Thơ và quận Cái Răng (2020), với sắp xếp năm 2025
# (bỏ cấp huyện từ 01/07/2025; bảy phường của quận Cái Răng hợp nhất thành phường Cái Răng
# và phường Hưng Phú; thành phố Cần Thơ hợp nhất với Sóc Trăng, Hậu Giang).
# Sample organisation tree: Cần Thơ city and Cái Răng district, 2020, and the 2025 reform.
#
# Đây là dữ liệu mẫu đi kèm phần mềm ("dieuhanh manage units load-default" nạp tệp này).
# Mỗi tỉnh, thành phố thay bằng danh sách đơn vị của mình: viết một tệp cùng dạng
# (YAML như tệp này, hoặc CSV xuất bằng "dieuhanh manage units export --format csv")
# rồi nhập bằng "dieuhanh manage units import TỆP". Replace it with your own province.
#
# Sinh tự động từ shared/domain/cchc-data.yaml (phần organisations):
#   dieuhanh manage units export --from-cchc ../shared/domain/cchc-data.yaml \\
#       --format yaml --out dieuhanh/orgs/data/cantho.yaml
# Ký hiệu các phòng của quận để trống: nguồn chỉ có ký hiệu phỏng đoán (abbr_candidates).
#
"""


def _abbrs(node: Any, out: dict[str, str]) -> dict[str, str]:
    """id → abbr of every record of the source that declares one."""
    if isinstance(node, dict):
        if "id" in node and isinstance(node.get("abbr"), str):
            out[str(node["id"])] = node["abbr"]
        for value in node.values():
            _abbrs(value, out)
    elif isinstance(node, list):
        for value in node:
            _abbrs(value, out)
    return out


def _place(unit: Unit) -> str:
    """'Ủy ban nhân dân quận Cái Răng' (alias 'Quận Cái Răng') → 'Cái Răng'."""
    territory = unit.aliases[0] if unit.aliases else unit.name.removeprefix("Ủy ban nhân dân ")
    return _LEVEL.sub("", territory).strip()


def _successors(unit: Unit, units: list[Unit]) -> list[dict[str, Any]]:
    on = unit.valid_to + timedelta(days=1) if unit.valid_to else None
    codes = list(unit.successors)
    if not codes and on:
        codes = [u.code for u in units if u.valid_from == on and u.kind == unit.kind
                 and fold(u.name) == fold(unit.name)]
    return [{"code": code, "kind": "merged", "on": on} for code in codes]


def rows_from_cchc(path: str | Path) -> list[dict[str, Any]]:
    """Our unit rows from a cchc-data.yaml file (or a file of that shape)."""
    path = Path(path)
    try:
        units = load_units_yaml(path)
        raw = yaml.load(path.read_text(encoding="utf-8"),  # noqa: S506 - a safe loader
                        Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except FileNotFoundError:
        raise UnitFileError(_("Không tìm thấy tệp «%(path)s».") % {"path": path}) from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise UnitFileError(_("Không đọc được tệp «%(path)s» theo dạng cchc-data.yaml: %(error)s")
                            % {"path": path, "error": exc}) from None
    abbrs = _abbrs(raw.get("organisations", raw) if isinstance(raw, dict) else raw, {})
    by_code = {u.code: u for u in units}
    rows = []
    for u in units:
        owner = u
        while owner.kind not in COMMITTEES and owner.parent in by_code:
            owner = by_code[owner.parent]
        rows.append({
            "code": u.code, "name": u.name, "kind": u.kind, "parent": u.parent,
            "short_names": list(u.short_names), "aliases": list(u.aliases),
            "symbol": "UBND" if u.kind in COMMITTEES else abbrs.get(u.code, ""),
            "e_id": E_IDS.get(u.code, ""),
            "place": _place(owner) if owner.kind in COMMITTEES else "",
            "valid_from": u.valid_from, "valid_to": u.valid_to,
            "successors": _successors(u, units), "note": NOTES.get(u.code, ""),
        })
    return rows

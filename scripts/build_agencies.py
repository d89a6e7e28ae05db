"""Write the agency directory (dieuhanh/documents/data/agencies.yaml) from its sources.

    .venv/bin/python scripts/build_agencies.py [--units dieuhanh/orgs/data/cantho.yaml] [--out FILE]

Sources: the unit tree (official names, e_id, short names that name the place) and the
issuers of the labelled corpus (tests/data/corpus/dev/*.json), written in their official
casing in ``CORPUS_ISSUERS`` below (the labels keep the capitals printed in the headers).
Generic short names ("Sở Nội vụ", "Phòng Tư pháp") are kept as their own entries: they
name a kind of body in every province, so they only fix the casing, never the province.
Initialisms ("NV", "TP", "SNV") are left out: too many bodies share them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dieuhanh.lib.agencies import match_key  # noqa: E402

# Issuers of tests/data/corpus/dev as they are officially written (facts, not rules).
CORPUS_ISSUERS = [
    ("Bộ Lao động - Thương binh và Xã hội", ["Bộ LĐTBXH"]),
    ("Bộ Kế hoạch và Đầu tư", ["Bộ KHĐT"]),
    ("Bộ Tài chính", []), ("Bộ Tư pháp", []), ("Bộ Xây dựng", []), ("Bộ Y tế", []),
    ("Tổng cục Hải quan", []), ("Văn phòng Chính phủ", []),
    ("Bảo hiểm xã hội Việt Nam", ["BHXH Việt Nam"]),
    ("Ban Chỉ đạo quốc gia về tìm kiếm, quy tập hài cốt liệt sĩ", []),
    ("Sở Giáo dục và Đào tạo", []),
    ("Ủy ban nhân dân thành phố Đà Nẵng", []), ("Ủy ban nhân dân tỉnh Bình Dương", []),
    ("Ủy ban nhân dân huyện Mai Châu", []), ("Ủy ban nhân dân tỉnh Bến Tre", []),
    ("Ủy ban bầu cử xã Phố Bảng", []), ("Ủy ban Mặt trận Tổ quốc Việt Nam xã Lương Minh", []),
    ("Ủy ban nhân dân phường Sa Đéc", []), ("Ủy ban nhân dân quận 11", []),
    ("Ủy ban nhân dân thành phố Hà Nội", []),
    *((f"Ủy ban nhân dân tỉnh {p}", []) for p in (
        "Bắc Ninh", "Cà Mau", "Hà Giang", "Kiên Giang", "Nghệ An", "Quảng Nam", "Quảng Ngãi", "Sơn La",
        "Thanh Hóa", "Tiền Giang", "Tuyên Quang", "Vĩnh Phúc", "Đắk Lắk", "Đồng Tháp", "Lâm Đồng", "Ninh Bình",
        "Bình Thuận")),
    ("Ủy ban nhân dân xã Đức Hợp", []),
]


def _is_initialism(name: str) -> bool:
    return " " not in name.strip() or not any(c.islower() for c in name)


def build(units_file: Path) -> list[dict]:
    entries: dict[str, dict] = {}

    def put(name: str, short: list[str], e_id: str = "") -> None:
        entry = entries.setdefault(match_key(name), {"name": name, "short_names": [], "e_id": ""})
        entry["e_id"] = entry["e_id"] or e_id
        for s in short:
            if match_key(s) != match_key(name) and s not in entry["short_names"]:
                entry["short_names"].append(s)

    units = yaml.safe_load(units_file.read_text(encoding="utf-8"))["units"]
    for unit in units:
        others = [n for n in (unit.get("short_names") or []) + (unit.get("aliases") or []) if not _is_initialism(n)]
        place = unit["name"].split()[-1]
        specific = [n for n in others if place in n]
        put(unit["name"], specific, unit.get("e_id") or "")
        generic = [n for n in others if n not in specific]
        if generic:  # the first is the generic full name ("Phòng Nội vụ"), the rest its short forms
            put(generic[0], generic[1:])
    for name, short in CORPUS_ISSUERS:
        put(name, short)
    return sorted(entries.values(), key=lambda e: match_key(e["name"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=Path, default=REPO / "dieuhanh/orgs/data/cantho.yaml")
    parser.add_argument("--out", type=Path, default=REPO / "dieuhanh/documents/data/agencies.yaml")
    args = parser.parse_args()
    rows = [{k: v for k, v in e.items() if v} for e in build(args.units)]
    header = ("# Danh mục cơ quan ban hành (agency directory): tên chính thức, tên viết tắt, mã định danh.\n"
              "# Dùng để thống nhất tên cơ quan ban hành khi nhập văn bản. Thay bằng danh mục của tỉnh mình\n"
              "# (cùng dạng) và đặt biến môi trường DIEUHANH_AGENCIES=đường/dẫn/tệp.yaml.\n"
              "# Sinh bởi scripts/build_agencies.py từ cây đơn vị và các cơ quan ban hành của kho văn bản mẫu.\n\n")
    args.out.write_text(header + yaml.safe_dump({"agencies": rows}, allow_unicode=True, sort_keys=False,
                                                width=120), encoding="utf-8")
    print(f"{len(rows)} cơ quan → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Document types and their symbol codes (Decree 30/2020 Điều 7, Phụ lục III).

Kept as data: the 29 administrative types, the legal-normative types that share
the same headers, and legacy codes of Thông tư 01/2011 that older documents use.
"""

from __future__ import annotations

from dieuhanh.lib.vntext import fold

# (name, code) — code None for Công văn and Thư công, which have none.
ADMIN_TYPES: tuple[tuple[str, str | None], ...] = (
    ("Nghị quyết", "NQ"), ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Quy chế", "QC"),
    ("Quy định", "QyĐ"), ("Thông cáo", "TC"), ("Thông báo", "TB"), ("Hướng dẫn", "HD"),
    ("Chương trình", "CTr"), ("Kế hoạch", "KH"), ("Phương án", "PA"), ("Đề án", "ĐA"),
    ("Dự án", "DA"), ("Báo cáo", "BC"), ("Biên bản", "BB"), ("Tờ trình", "TTr"),
    ("Hợp đồng", "HĐ"), ("Công điện", "CĐ"), ("Bản ghi nhớ", "BGN"), ("Bản thỏa thuận", "BTT"),
    ("Giấy ủy quyền", "GUQ"), ("Giấy mời", "GM"), ("Giấy giới thiệu", "GGT"),
    ("Giấy nghỉ phép", "GNP"), ("Phiếu gửi", "PG"), ("Phiếu chuyển", "PC"), ("Phiếu báo", "PB"),
    ("Công văn", None), ("Thư công", None),
)
# Legal normative documents (Law on VBQPPL) carry a year group in the symbol.
LEGAL_TYPES: tuple[tuple[str, str], ...] = (
    ("Nghị định", "NĐ"), ("Thông tư liên tịch", "TTLT"), ("Thông tư", "TT"),
    ("Nghị quyết liên tịch", "NQLT"), ("Pháp lệnh", "PL"), ("Luật", "QH"),
)
# Codes seen under Thông tư 01/2011 and earlier (parse them, flag nothing).
LEGACY_CODES = {"UQ": "Giấy ủy quyền", "GT": "Giấy giới thiệu", "NP": "Giấy nghỉ phép", "QĐ.UB": "Quyết định"}
# Titles printed for types whose name differs from the title line.
TITLE_ALIASES = {"thu ngo": "Thư công", "thu moi": "Giấy mời"}
COPY_CODES = {"SY": "Sao y", "TrS": "Trích sao", "SL": "Sao lục"}

CODE_TO_TYPE: dict[str, str] = {code: name for name, code in ADMIN_TYPES if code}
CODE_TO_TYPE.update({code: name for name, code in LEGAL_TYPES if code != "QH"})
TYPE_TO_CODE: dict[str, str | None] = {name: code for name, code in ADMIN_TYPES}
ALL_TYPE_NAMES: tuple[str, ...] = tuple(
    sorted({n for n, _ in ADMIN_TYPES} | {n for n, _ in LEGAL_TYPES}, key=len, reverse=True)
)
FOLDED_TYPE_NAMES: dict[str, str] = {fold(name): name for name in ALL_TYPE_NAMES}
FOLDED_TYPE_NAMES.update(TITLE_ALIASES)


def type_for_code(code: str) -> str | None:
    """Type name for a symbol's first group, case-sensitive as Decree 30 requires."""
    if code in CODE_TO_TYPE:
        return CODE_TO_TYPE[code]
    upper = code.upper()
    for known, name in CODE_TO_TYPE.items():
        if known.upper() == upper:
            return name
    return LEGACY_CODES.get(code)

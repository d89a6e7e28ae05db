"""Regular expressions shared by the header, closing and body parsers.

Patterns marked *folded* run on ``fold_same_length`` text (no diacritics, lower
case); the others run on the masked original, where case matters.
"""

from __future__ import annotations

import re

from dieuhanh.vanban.textprep import LOWER, UPPER

W = f"[{UPPER}{LOWER}0-9]"

# folded: Quốc hiệu and Tiêu ngữ, tolerant of line breaks and OCR damage.
QUOC_HIEU = re.compile(
    r"c[o0]ng\s*h\w{1,3}\s+x\w{1,2}\s*h\w{1,3}\s+ch\w{1,2}\s*ngh\w{1,3}\s+v\w{2,3}\s*nam"
)
TIEU_NGU = re.compile(r"d\w{0,2}c\s*\w{1,3}p\s*-?\s*t\w{1,2}\s*do\s*-?\s*h\w{1,3}\s*ph\w{1,4}")

# masked original: "Số: 313/UBND", "Số: 41/2019/QĐ-UBND", "Số:\n300/KH-UBND", "S6: …".
SYMBOL_BODY = (
    rf"(?P<num>\d+[a-zđ]?)\s?/\s?(?P<sym>(?:\d{{4}}\s?/\s?)?[{UPPER}{LOWER}0-9&][{UPPER}{LOWER}0-9&.]*"
    rf"(?:(?:\s?-\s?|/)[{UPPER}0-9][{UPPER}{LOWER}0-9&.]*)*)"
)
NUMBER_LINE = re.compile(rf"(?<![{LOWER}{UPPER}])(?:Số|SỐ|S[o6ố]|So)\s*:\s*(?:{SYMBOL_BODY}|(?P<blank>[\s.…]*)/\s?(?P<bsym>[{UPPER}][\w&\-]*))")
NUMBER_LINE_NOCOLON = re.compile(rf"^\s*(?:Số|SỐ)\s+{SYMBOL_BODY}", re.M)
# "S6: 463Y SGDDT -CTrTT": a damaged number line with no slash, kept as printed.
NUMBER_LINE_LOOSE = re.compile(r"^[ \t]*(?:Số|SỐ|S[o6ố])\s*:\s*(?P<raw>\d[^\n]{2,40}?)[ \t]*$", re.M)

# folded: "Hà Nội, ngày 02 tháng 3 năm 2020" — the date-line anchor.
DATE_LINE = re.compile(
    r",?\s*ngay[\s,.]{0,4}(?P<d>[\d.…_ ]{0,4}?)[\s,.]{0,4}th(?:ang|\w{2,4})[\s,.]{0,4}(?P<m>\d{1,2}|[.…_ ]{0,6})[\s,.]{0,4}nam[\s,.]{0,4}(?P<y>\d{4})"
)

# folded: component anchors.
KINH_GUI = re.compile(r"kinh\s*gui\s*:?|kinh\s+g[a-z]{2,3}\s*:")
NOI_NHAN = re.compile(r"noi\s*nhan\s*:")
VV = re.compile(r"(?<![a-z])v/v\s*:?|^[ \t]*ve viec(?=\s)", re.M)

# masked original: signature prefixes.
AUTH_PREFIX = re.compile(r"(?<![\w.])(TM|KT|TL|TUQ|Q)\s?\.(?=\s|$)")

BODY_STARTERS = (
    "căn cứ", "thực hiện", "theo đề nghị", "theo", "xét", "để", "nhằm", "phúc đáp", "tại",
    "trên cơ sở", "thời gian qua", "hiện nay", "ngày", "qua", "nhận được", "trả lời",
    "vừa qua", "trong", "thừa lệnh", "thừa ủy quyền", "ủy ban nhân dân tỉnh nhận được",
)

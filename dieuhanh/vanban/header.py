"""Decree 30 header: issuer, number/symbol, place and date, type, subject, Kính gửi.

The header is read from the masked text (see ``textprep``) whatever its layout:
one component per line, two columns merged on one line by a PDF extraction,
markdown table cells, or a crawler's flattening. Component anchors (Quốc hiệu,
"Số:", "<Place>, ngày …", "V/v", "Kính gửi") split merged lines; the remaining
upper-case lines before the number are the issuing body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from dieuhanh.lib.vntext import collapse, fold
from dieuhanh.vanban import doctypes
from dieuhanh.vanban.patterns import (
    DATE_LINE, KINH_GUI, NUMBER_LINE, NUMBER_LINE_LOOSE, NUMBER_LINE_NOCOLON, QUOC_HIEU, SYMBOL_BODY, TIEU_NGU, VV,
)
from dieuhanh.vanban.dates import find_dates
from dieuhanh.vanban.lists import split_entries
from dieuhanh.vanban.textprep import UPPER, Line, blank_step, lines_of

Span = tuple[int, int]
HEADER_WINDOW = 3000

ORGAN_WORDS = (
    "ủy ban nhân dân", "uỷ ban nhân dân", "ubnd", "hội đồng nhân dân", "hđnd", "bộ", "sở", "tổng cục",
    "cục", "chi cục", "vụ", "văn phòng", "ban", "trung tâm", "phòng", "viện", "bệnh viện",
    "trường", "thanh tra", "kho bạc", "bảo hiểm", "chính phủ", "thủ tướng", "quốc hội",
    "ủy ban", "uỷ ban", "công an", "đảng ủy", "tòa án", "viện kiểm sát", "liên đoàn", "hội",
)
FOLDED_ORGAN_WORDS = tuple(sorted({fold(w) for w in ORGAN_WORDS}, key=len, reverse=True))
# A second body named inside one header line ("BỘ TÀI CHÍNH TỔNG CỤC HẢI QUAN").
INNER_ORGAN = re.compile(
    r"(?<=\s)(tong cuc|chi cuc|cuc|so|vu|trung tam|van phong|benh vien|truong|ban quan ly|uy ban nhan dan|ubnd)(?=\s)"
)
PLACE_LEVEL = re.compile(r"^(tinh|thanh pho|tp\.?|quan|huyen|thi xa|xa|phuong|thi tran|va|&|-)(\s|$)")
# The issuing-authority line above the căn cứ: "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH NINH BÌNH",
# "BỘ TRƯỞNG BỘ Y TẾ", "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ" — a title and an organ, short, to line end.
AUTHORITY_LINE = re.compile(
    rf"(?:^|\s)((?:(?:BỘ TRƯỞNG|CHỦ TỊCH|THỦ TƯỚNG|GIÁM ĐỐC|TỔNG CỤC TRƯỞNG|CỤC TRƯỞNG|TRƯỞNG BAN|TỔNG GIÁM ĐỐC)"
    rf"(?:\s(?:ỦY BAN|UỶ BAN|UBND|BỘ|SỞ|CHÍNH PHỦ|TỔNG CỤC|CỤC|BAN|HỘI ĐỒNG|BẢO HIỂM)(?:\s[{UPPER}\-,&]+){{0,8}})?"
    rf"|(?:ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN|HỘI ĐỒNG NHÂN DÂN)\s(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG|THỊ TRẤN)"
    rf"(?:\s[{UPPER}\-]+){{0,4}}|THỦ TƯỚNG CHÍNH PHỦ|CHÍNH PHỦ))\s*$"
)
URGENCY = re.compile(r"^[ \t]*(hoa toc|thuong khan|khan)[ \t]*$", re.M)


@dataclass
class Header:
    issuer: str | None = None
    issuer_parent: str | None = None
    issuer_span: Span | None = None
    number: int | None = None
    number_text: str | None = None
    symbol: str | None = None
    number_symbol: str | None = None
    number_span: Span | None = None
    place: str | None = None
    date: date | None = None
    date_span: Span | None = None
    date_text: str | None = None
    doc_type: str | None = None
    type_title: str | None = None
    type_span: Span | None = None
    subject: str | None = None
    subject_span: Span | None = None
    has_vv: bool = False
    recipients: list[str] = field(default_factory=list)
    kinh_gui_span: Span | None = None
    urgency: str | None = None
    quoc_hieu_span: Span | None = None
    tieu_ngu_span: Span | None = None
    body_start: int = 0


def is_upper_line(text: str, ratio: float = 0.8) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 2:
        return False
    return sum(1 for c in letters if c.isupper()) / len(letters) >= ratio


class HeaderParser:
    """Reads the header of one prepared document. Use :meth:`parse`."""

    def __init__(self, text: str, masked: str, folded: str) -> None:
        self.text = text
        self.masked = masked
        self.folded = folded
        self.window = min(len(text), HEADER_WINDOW)
        self.h = Header()

    def parse(self) -> Header:
        self._find_national_heading()
        self._find_number()
        self._find_date_line()
        self._find_issuer()
        self._find_type_and_subject()
        self._find_recipients()
        self._find_urgency()
        self._resolve_type()
        self._fallback_citation()
        return self.h

    # -- anchors ---------------------------------------------------------
    def _find_national_heading(self) -> None:
        qh = QUOC_HIEU.search(self.folded, 0, self.window)
        if qh:
            self.h.quoc_hieu_span = qh.span()
            tn = TIEU_NGU.search(self.folded, qh.end(), min(len(self.folded), qh.end() + 400))
            if tn:
                self.h.tieu_ngu_span = tn.span()

    def _find_number(self) -> None:
        match = NUMBER_LINE.search(self.masked, 0, self.window)
        if match is None:
            match = NUMBER_LINE_NOCOLON.search(self.masked, 0, min(self.window, 1200))
        if match is None:
            loose = NUMBER_LINE_LOOSE.search(self.masked, 0, min(self.window, 1500))
            if loose:
                self.h.number_symbol = collapse(loose["raw"])
                self.h.number_span = loose.span("raw")
            return
        if match.groupdict().get("bsym"):
            # "Số: /KH-UBND": the number is written in at registration (Decree 30 leaves
            # the space); the printed remainder is the number/symbol as the document shows it.
            self.h.symbol = match["bsym"]
            slash = self.masked.rfind("/", match.start(), match.start("bsym"))
            self.h.number_symbol = collapse(self.text[slash:match.end("bsym")])
            self.h.number_span = match.span()
            return
        self._set_number(match["num"], match["sym"], match.start("num"), match.end("sym"))

    def _set_number(self, num: str, sym: str, start: int, end: int) -> None:
        sym = sym.rstrip(".,;:")
        end = start + len(self.masked[start:end].rstrip(".,;:"))
        self.h.number_text = num
        self.h.number = int(re.sub(r"\D", "", num)) if num[-1].isdigit() else None
        self.h.symbol = sym
        self.h.number_symbol = self.text[start:end] if "\n" not in self.text[start:end] else f"{num}/{sym}"
        self.h.number_span = (start, end)

    def _find_date_line(self) -> None:
        anchor = self.h.number_span[0] if self.h.number_span else 0
        for start in (max(0, anchor - 600), 0):
            for match in DATE_LINE.finditer(self.folded, start, self.window):
                if self._accept_date_line(match):
                    return

    def _accept_date_line(self, match: re.Match[str]) -> bool:
        ngay = self.folded.index("ngay", match.start())
        place, place_start = self._place_before(ngay)
        if not place:
            return False
        self.h.place = place
        self.h.date_span = (place_start, match.end())
        self.h.date_text = collapse(self.text[ngay:match.end()])
        day, month = match["d"].strip(), match["m"].strip()
        if day.isdigit() and month.isdigit():
            try:
                self.h.date = date(int(match["y"]), int(month), int(day))
            except ValueError:
                self.h.date = None
        return True

    def _place_before(self, ngay: int) -> tuple[str | None, int]:
        """The place name written before ", ngày": the capitalised words on that line."""
        line_start = self.masked.rfind("\n", 0, ngay) + 1
        segment = self.masked[line_start:ngay].rstrip()
        if not segment.strip() and line_start > 1:
            # Two-column layouts break after the comma: "Đồng Tháp," / "ngày 01 tháng 12 năm 2025"
            # (one line break, or one blank line more in a double-spaced text).
            prev_end = len(self.masked[:line_start].rstrip())
            gap = self.masked.count("\n", prev_end, line_start)
            if self.masked[prev_end - 1:prev_end] == "," and gap <= 1 + blank_step(self.masked):
                line_start = self.masked.rfind("\n", 0, prev_end) + 1
                segment = self.masked[line_start:ngay].rstrip()
        if not segment.endswith(","):
            # "Hà Nội ngày …" without comma is accepted only at a line start.
            if not segment or len(segment.split()) > 4:
                return None, 0
        segment = segment.rstrip(", ")
        tokens = list(re.finditer(r"\S+", segment))
        chosen: list[re.Match[str]] = []
        for i in range(len(tokens) - 1, -1, -1):
            tok = tokens[i]
            word = tok.group(0)
            lowered_ok = word in ("phố", "xã", "trấn") and chosen
            # Numbered districts and wards: "Quận 11", "Phường 5".
            if word.isdigit() and not chosen and i > 0 and tokens[i - 1].group(0) in ("Quận", "Phường"):
                chosen.insert(0, tok)
                continue
            if not word[0].isupper() and not lowered_ok:
                break
            if re.search(r"[/:;]|\d", word) or len(chosen) >= 5:
                break
            if word.lower() in ("v/v", "số", "kính"):
                break
            chosen.insert(0, tok)
        if not chosen:
            return None, 0
        if chosen[0].group(0) in ("phố", "xã", "trấn"):
            return None, 0
        start = line_start + chosen[0].start()
        end = line_start + chosen[-1].end()
        if not segment[:chosen[0].start()].strip() and len(chosen) < 3:
            prev_start = self.masked.rfind("\n", 0, line_start - 1) + 1
            prev = self.masked[prev_start:line_start - 1].strip()
            if prev and len(prev.split()) <= 2 and all(w[0].isupper() and w.isalpha() for w in prev.split()):
                start = prev_start + self.masked[prev_start:line_start].index(prev)
        place = collapse(self.text[start:end])
        return place.rstrip(",") or None, start

    # -- issuer ----------------------------------------------------------
    def _issuer_zone_end(self) -> int:
        ends = [s[0] for s in (self.h.number_span, self.h.date_span) if s]
        if self.h.quoc_hieu_span and not ends:
            ends.append(self.h.tieu_ngu_span[1] if self.h.tieu_ngu_span else self.h.quoc_hieu_span[1])
        return min(ends) if ends else 0

    def _find_issuer(self) -> None:
        end = self._issuer_zone_end()
        if end == 0:
            return
        start = 0
        if self.h.quoc_hieu_span:
            start = max(0, self.h.quoc_hieu_span[0] - 400)
        local = list(self.masked[start:end])
        for span in (self.h.quoc_hieu_span, self.h.tieu_ngu_span):
            if span and start <= span[0] < end:
                for i in range(span[0], min(span[1], end)):
                    local[i - start] = "\n"
        candidate = [ln for ln in lines_of("".join(local)) if is_upper_line(ln.text, 0.7)]
        lines = [Line(ln.text, ln.start + start) for ln in candidate]
        lines = self._trim_to_organ(lines)
        if not lines:
            return
        names = self._group_names(lines)
        self.h.issuer = names[-1]
        self.h.issuer_parent = " ".join(names[:-1]) or None
        self.h.issuer_span = (lines[0].start, lines[-1].end)

    def _trim_to_organ(self, lines: list[Line]) -> list[Line]:
        """Drop upper-case portal noise: the issuer block starts at an organ word."""
        for i, ln in enumerate(lines):
            key = fold(ln.text)
            if key.startswith(FOLDED_ORGAN_WORDS) or key.startswith(("uy", "u y")):
                return lines[i:]
        return lines if self.h.quoc_hieu_span else []

    def _group_names(self, lines: list[Line]) -> list[str]:
        names: list[str] = []
        for ln in lines:
            for piece in self._split_inner(collapse(self.text[ln.start:ln.end])):
                key = fold(piece)
                starts_organ = key.startswith(FOLDED_ORGAN_WORDS)
                if names and (not starts_organ or not self._complete(names[-1]) or PLACE_LEVEL.match(key)):
                    names[-1] = f"{names[-1]} {piece}"
                else:
                    names.append(piece)
        return names

    @staticmethod
    def _complete(name: str) -> bool:
        key = fold(name)
        if re.search(r"(\s(va|-|&)|,)$", key):
            return False
        if key in ("uy ban nhan dan", "hoi dong nhan dan", "uy ban nhan", "uy", "uy ban"):
            return False
        return len(key.split()) >= 2

    def _split_inner(self, line: str) -> list[str]:
        key = fold(line)
        for match in INNER_ORGAN.finditer(key):
            left = line[:match.start()].strip()
            if self._complete(left) and fold(left).startswith(FOLDED_ORGAN_WORDS) and len(left.split()) >= 3:
                if not fold(left).endswith(("van", "nhan dan")):
                    return [left, line[match.start():].strip()]
        return [line]

    # -- type, subject ---------------------------------------------------
    def _title_zone(self) -> tuple[int, int]:
        spans = [s for s in (self.h.number_span, self.h.date_span, self.h.tieu_ngu_span, self.h.quoc_hieu_span) if s]
        start = max((s[1] for s in spans), default=0)
        if self.h.number_span:
            start = min(start, max(s[1] for s in spans))
        return start, min(len(self.text), start + 1500)

    def _find_type_and_subject(self) -> None:
        has_header = bool(self.h.number_span or self.h.date_span)
        start, end = self._title_zone() if has_header else (0, min(len(self.text), 400))
        for ln in lines_of(self.masked, start, end)[:12]:
            if fold(ln.text).startswith(("can cu", "thuc hien", "dieu ", "xet ", "v/v", "kinh gui")):
                break
            title = self._type_title(ln, headline_ok=not has_header)
            if title:
                self.h.type_title, title_len = title
                self.h.type_span = (ln.start, ln.start + title_len)
                # A portal headline ("Thông báo về việc …") names the type, not the trích yếu.
                if is_upper_line(ln.text[:title_len], 0.95):
                    self._subject_from(ln.start + title_len, stop_at_place=False)
                return
        if not has_header:
            return
        vv = VV.search(self.folded, max(0, start - 1500), self.window)
        if vv and self._near_header(vv.start()):
            self.h.has_vv = True
            self._subject_from(vv.end(), stop_at_place=True)
            return
        self._subject_without_title(start, end)

    def _subject_without_title(self, start: int, end: int) -> None:
        """A site dropped the type line: the upper-case line right after the date is the trích yếu."""
        for ln in lines_of(self.masked, start, end)[:2]:
            if is_upper_line(ln.text, 0.9) and len(ln.text.split()) >= 4 and not AUTHORITY_LINE.match(ln.text):
                self._subject_from(ln.start, stop_at_place=False)
                return

    def _near_header(self, pos: int) -> bool:
        anchors = [s[1] for s in (self.h.number_span, self.h.date_span) if s]
        return any(0 <= pos - a < 400 for a in anchors) or any(
            0 <= a - pos < 600 for a in [s[0] for s in (self.h.date_span,) if s])

    def _type_title(self, ln: Line, headline_ok: bool) -> tuple[str, int] | None:
        key = fold(ln.text)
        for folded_name, name in doctypes.FOLDED_TYPE_NAMES.items():
            rest = key[len(folded_name):].lstrip()
            if key.startswith(folded_name) and (not rest or not key[len(folded_name)].isalpha()) and not rest.startswith(":"):
                head = ln.text[:len(folded_name)]
                if is_upper_line(head, 0.95) or (headline_ok and ln.start < 200 and head[0].isupper()):
                    return name, len(folded_name)
        return None

    def _subject_from(self, pos: int, stop_at_place: bool) -> None:
        end = self._subject_end(pos, stop_at_place)
        raw = self.text[pos:end]
        subject = self._clean_subject(self.masked[pos:end])
        if subject:
            self.h.subject = subject
            offset = len(raw) - len(raw.lstrip(" *:\n|"))
            self.h.subject_span = (pos + offset, end)

    def _subject_end(self, pos: int, stop_at_place: bool) -> int:
        limit = min(len(self.text), pos + 1200)
        stops = [limit]
        if stop_at_place and self.h.date_span and self.h.date_span[0] > pos:
            stops.append(self.h.date_span[0])
        kg = KINH_GUI.search(self.folded, pos, limit)
        if kg:
            stops.append(kg.start())
        if self.h.number_span and self.h.number_span[0] > pos:
            stops.append(self.h.number_span[0])
        lines = lines_of(self.masked, pos, limit)
        if lines and self._line_is_subject_end(lines[0], first=True):
            return min(stops + [self._authority_cut(lines[0])])
        # Across a blank line the trích yếu continues only when it is set in capitals and
        # the next line is too (double-spaced pages), or when "Kính gửi" closes it anyway.
        upper_subject = bool(lines) and is_upper_line(lines[0].text, 0.9)
        step = blank_step(self.masked)
        for prev, ln in zip(lines, lines[1:]):
            gap = self.masked.count("\n", prev.end, ln.start) >= 2 + step
            if self._line_is_subject_end(ln, first=False):
                stops.append(ln.start)
                break
            if gap and not ln.text[:1].islower():
                continues = (upper_subject and is_upper_line(ln.text, 0.9)) or (kg is not None and stop_at_place)
                if not continues:
                    stops.append(ln.start)
                    break
        return min(stops)

    def _line_is_subject_end(self, ln: Line, first: bool) -> bool:
        if first:
            return bool(AUTHORITY_LINE.search(ln.text)) and ln.text != AUTHORITY_LINE.search(ln.text).group(1)
        key = fold(ln.text)
        if AUTHORITY_LINE.match(ln.text) or key.startswith(("can cu", "thuc hien", "xet ", "theo ", "kinh gui")):
            return True
        if re.match(r"^(i|1|phan|chuong|dieu)[.\s]", key):
            return True
        # A short label opening a block ("Người ký văn bản:", "Nội dung thông báo:") is no trích yếu.
        return ln.text.endswith(":") and len(ln.text.split()) <= 6

    def _authority_cut(self, ln: Line) -> int:
        match = AUTHORITY_LINE.search(ln.text)
        return ln.start + match.start(1) if match else ln.end

    @staticmethod
    def _clean_subject(raw: str) -> str | None:
        text = collapse(raw).strip(" :|")
        text = re.sub(r"^(v/v|V/V|V/v)\s*:?\s*", "", text)
        text = re.sub(r"^(về việc|VỀ VIỆC|Về việc|Về|VỀ)\s+", "", text)
        text = text.rstrip(" .;,")
        # "29/KH- UBND": Decree 30 writes symbols without inner spaces.
        text = re.sub(rf"(\d+/[{UPPER}\w&]+)\s?-\s(?=[{UPPER}])", r"\1-", text)
        return text or None

    # -- Kính gửi ---------------------------------------------------------
    def _find_recipients(self) -> None:
        search_end = min(len(self.text), self.window + 1000)
        kg = KINH_GUI.search(self.folded, 0, search_end)
        if not kg:
            return
        entries, end = split_entries(self.text, self.masked, kg.end(), stop_words=True)
        self.h.recipients = entries
        self.h.kinh_gui_span = (kg.start(), end)

    def _find_urgency(self) -> None:
        end = self.h.kinh_gui_span[0] if self.h.kinh_gui_span else self.window
        for match in URGENCY.finditer(self.folded, 0, min(end, self.window)):
            text = self.masked[match.start(1):match.end(1)]
            if is_upper_line(text):
                self.h.urgency = text
                return

    # -- type decision -----------------------------------------------------
    def _resolve_type(self) -> None:
        code_type = None
        if self.h.symbol:
            groups = re.split(r"\s?[-/]\s?", self.h.symbol)
            first = groups[1] if re.fullmatch(r"\d{4}", groups[0]) and len(groups) > 1 else groups[0]
            code_type = doctypes.type_for_code(first)
            if code_type is None:
                for code, name in doctypes.CODE_TO_TYPE.items():
                    if first.startswith(code) and self.h.type_title == name:
                        code_type = name
        if self.h.type_title:
            self.h.doc_type = self.h.type_title
        elif code_type:
            self.h.doc_type = code_type
        else:
            self.h.doc_type = "Công văn"
        self.h.body_start = self._body_start()

    def _body_start(self) -> int:
        ends = [s[1] for s in (self.h.kinh_gui_span, self.h.subject_span, self.h.date_span,
                               self.h.number_span, self.h.type_span, self.h.tieu_ngu_span) if s]
        return max(ends, default=0)

    def _fallback_citation(self) -> None:
        """Portal pages: "(Theo Công văn số 6012/UBND-KT, ngày 14/11/2023)", "(Nguồn: …)"."""
        if self.h.number_span:
            return
        pattern = re.compile(rf"\((?:Theo|Nguồn|theo|nguồn)[^()]*?số\s+(?:{SYMBOL_BODY})[^()]*\)")
        for match in pattern.finditer(self.masked):
            self._set_number(match["num"], match["sym"], match.start("num"), match.end("sym"))
            hits = find_dates(self.folded, None, match.end("sym"), match.end())
            if hits and self.h.date is None:
                self.h.date = hits[0].value
                self.h.date_span = (hits[0].start, hits[0].end)
            if not self.h.type_title:
                self.h.doc_type = None
                self.h.type_title = None
                self._resolve_type_from_citation(match.group(0))
            return

    def _resolve_type_from_citation(self, citation: str) -> None:
        key = fold(citation)
        for folded_name, name in doctypes.FOLDED_TYPE_NAMES.items():
            if folded_name in key:
                self.h.doc_type = name
                return
        self._resolve_type()


"""Decree 30 format checks: what a văn thư would send back for correction.

Each check reads the parsed header and closing plus the prepared text and reports
:class:`Finding` objects with spans into ``prep.text``. Checks run only on what the
text lets them decide: header checks need a real header (Quốc hiệu, a "Số:" line or
a dated place line — a portal's "(Theo Công văn số …)" is not one), closing checks
need a signature or a Nơi nhận block, and a text that lost its diacritics (OCR) gets
one info finding instead of guesses. Documents dated before 05/03/2020 are judged by
Thông tư 01/2011/TT-BNV: rules Decree 30 introduced (unit group of a công văn
symbol, no "hỏa tốc hẹn giờ") are not applied, and symbol form errors are warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from dieuhanh.lib.vntext import fold
from dieuhanh.vanban import doctypes
from dieuhanh.vanban.closing import Closing, signer_is_deputy
from dieuhanh.vanban.deadlines import find_deadlines
from dieuhanh.vanban.header import Header
from dieuhanh.vanban.patterns import KINH_GUI
from dieuhanh.vanban.textprep import LOWER, UPPER, Line, Prepared, lines_of

Span = tuple[int, int]
DECREE30_START = date(2020, 3, 5)
ND30 = "Nghị định 30/2020/NĐ-CP"
TT01 = "Thông tư 01/2011/TT-BNV"
HEADER_WINDOW = 3000
MIXED_CASE_CODES = frozenset({"QyĐ", "CTr", "TTr", "TrS"})
TITLE_CODES: dict[str, str | None] = {**doctypes.TYPE_TO_CODE, **dict(doctypes.LEGAL_TYPES)}
# Bodies a "TM." (thay mặt) may speak for: collectives, not single heads (folded).
COLLECTIVE = ("uy ban", "ubnd", "hoi dong", "hdnd", "chinh phu", "ban ", "doan ", "tap the",
              "thuong truc", "dang uy", "to ", "hoi ", "lien doan", "quoc hoi", "bo chinh tri")
# Fields whose managing ministry may allow academic titles before the name (folded issuer words).
TITLE_FIELDS = ("y te", "giao duc", "dai hoc", "cao dang", "hoc vien", "vien ", "khoa hoc",
                "benh vien", "quoc phong", "cong an", "quan doi", "quan khu", "bo tu lenh")

DAY_MONTH = re.compile(r"(ngay)[\s,.]{0,4}(\d{1,2})[\s,.]{0,4}(thang)[\s,.]{0,4}(\d{1,2})")
BARE_DATE_LINE = re.compile(r"(?:^|\n)[ \t*_|#]*(ngay\s*\d{1,2}[\s,.]*thang\s*\d{1,2}[\s,.]*nam\s*\d{4})")
TIEU_NGU_FORM = re.compile(r"\S+\s+\S+\s+-\s+\S+\s+\S+\s+-\s+\S+\s+\S+")
HEN_GIO = re.compile(r"hoa\s*toc\s*hen\s*gio")
BAD_PREFIX = re.compile(
    rf"(?<![\w./])(?:(?:TM|KT|TL|TUQ)(?=\s+[{UPPER}][{UPPER}])"
    rf"|(?:T/M|K/T|T/L|T\.M\.?|K\.T\.?|T\.L\.?|(?:TM|KT|TL|TUQ)\s*:)(?=\s*[{UPPER}]))"
)
ACADEMIC = re.compile(
    rf"(?<![\w.])(?:P?GS|TSKH|TS|ThS|Th\.S)\s*\.(?:\s*(?:TSKH|TS|ThS|BS)\s*\.)*\s*(?=[{UPPER}][{LOWER}])"
)
END_MARK = re.compile(r"\.\s?/\s?\.")


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    span: Span | None
    severity: str
    rule: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message,
                "span": list(self.span) if self.span else None,
                "severity": self.severity, "rule": self.rule}


@dataclass(frozen=True)
class _Doc:
    prep: Prepared
    folded: str
    header: Header
    closing: Closing
    today: date | None = None
    own_number: bool = False  # the number is the document's own "Số:" line, not a quotation

    @property
    def text(self) -> str:
        return self.prep.text

    @property
    def legacy(self) -> bool:
        return self.header.date is not None and self.header.date < DECREE30_START

    def find(self, code: str, message: str, span: Span | None, severity: str, ref: str) -> Finding:
        """A finding citing ``ref`` of Decree 30, or TT 01/2011 for older documents."""
        if not ref.startswith(("PL", "Điều", "Mẫu")):
            return Finding(code, f"{message}.", span, severity, ref)
        if self.legacy:
            return Finding(code, f"{message} — {TT01}.", span, severity, f"TT 01/2011/TT-BNV (như NĐ 30/2020, {ref})")
        part = re.match(r"PL ([IVX]+)|(Điều \d+|Mẫu [\d.-]+)", ref)
        where = f"Phụ lục {part[1]}" if part and part[1] else (part[2] if part else "")
        return Finding(code, f"{message} — {where}, {ND30}.", span, severity, f"NĐ 30/2020, {ref}")


Check = Callable[[_Doc], Iterator[Finding]]
Entry = tuple[int, int, str]  # start, end, text of one Kính gửi line (with its wrapped lines)


def check_format(prep: Prepared, folded: str, header: Header, closing: Closing,
                 today: date | None = None) -> list[Finding]:
    """Decree 30 (or TT 01/2011) format findings for one parsed document, in text order."""
    doc = _Doc(prep, folded, header, closing, today, _number_line(folded, header.number_span))
    if _degraded(prep.masked, folded):
        return [doc.find("text_degraded", "Văn bản mất dấu tiếng Việt (OCR lỗi hoặc gõ không dấu); "
                         "bỏ qua kiểm tra thể thức", (0, len(prep.text)), "info", "kiểm tra dữ liệu")]
    checks: list[Check] = [_deadline_order, _future_date]
    if _has_header(doc):
        checks += [_date_padding, _number_padding, _symbol_format, _type_code, _cv_unit,
                   _national_heading, _place_date, _cong_van_vv, _kinh_gui, _urgency]
    if closing.signature_span or closing.noi_nhan_span:
        checks += [_noi_nhan, _authority_prefix, _kt_deputy, _tm_collective, _academic_title, _end_mark]
    found = [f for check in checks for f in check(doc)]
    return sorted(found, key=lambda f: f.span[0] if f.span else len(prep.text))


# -- gates and helpers -----------------------------------------------------
_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")

def _degraded(masked: str, folded: str) -> bool:
    """Vietnamese text keeps diacritics on ~25% of letters; OCR that lost them has ~3%."""
    sample = masked[:6000]  # the header and first paragraphs decide; counting is in C
    letters = len(_LETTER.findall(sample))
    marked = letters - len(_ASCII_LETTER.findall(sample))
    return letters >= 200 and marked / letters < 0.08


def _number_line(folded: str, span: Span | None) -> bool:
    """The number comes from a "Số:" line, not from a portal's "(Theo Công văn số …)"."""
    if span is None:
        return False
    a = span[0]
    if re.match(r"s[o6]\s*:", folded[a:a + 6]):
        return True
    prefix = folded[folded.rfind("\n", 0, a) + 1:a]
    return bool(re.search(r"(?<![a-z])s[o6]\s*:\s*$", prefix) or re.fullmatch(r"[\s*_|#>]*s[o6]\s+", prefix))


def _has_header(doc: _Doc) -> bool:
    h = doc.header
    return bool(h.quoc_hieu_span or h.date_text or doc.own_number)


def _groups(symbol: str) -> list[str]:
    """Symbol groups without the QPPL year: "41/2019/QĐ-UBND" → ["QĐ", "UBND"]."""
    groups = [g for g in re.split(r"\s*[-/]\s*", symbol.strip()) if g]
    return groups[1:] if groups and re.fullmatch(r"\d{4}", groups[0]) else groups


def _symbol_span(doc: _Doc) -> Span | None:
    """Where the symbol (after "number/") stands in the text."""
    span = doc.header.number_span
    slash = doc.text.find("/", *span) if span and doc.own_number else -1
    if span is None or slash < 0:
        return None
    rest = doc.text[slash + 1:span[1]]
    start = span[1] - len(rest.lstrip())
    return (start, span[1]) if start < span[1] else None


def _phrase_span(doc: _Doc, phrase: str, start: int, end: int) -> Span | None:
    """A phrase of the collapsed fields found again in the text, whatever the spacing."""
    words = fold(phrase).split()
    if not words:
        return None
    pattern = "".join(re.escape(w) + (r"\s*" if w.endswith(".") else r"\s+") for w in words[:-1])
    match = re.compile(pattern + re.escape(words[-1])).search(doc.folded, start, end)
    return match.span() if match else None


def _body_end(doc: _Doc) -> int:
    c, start = doc.closing, doc.header.body_start
    ends = [s[0] for s in (c.noi_nhan_span, c.signature_span) if s and s[0] > start]
    return min(ends, default=len(doc.text))


# -- header ----------------------------------------------------------------
def _date_padding(doc: _Doc) -> Iterator[Finding]:
    h = doc.header
    m = DAY_MONTH.search(doc.folded, *h.date_span) if h.date_text and h.date_span else None
    if m is None:
        return
    day, month = m[2], m[4]
    if len(day) == 1 and day != "0":
        yield doc.find("date_padding", f"Ngày dưới 10 phải viết có số 0 phía trước (ngày 0{day}, "
                       f"không phải ngày {day})", (m.start(1), m.end(2)), "error", "PL I.II.4b")
    if len(month) == 1 and month in "12":
        yield doc.find("date_padding", f"Tháng 1 và tháng 2 phải viết có số 0 phía trước (tháng 0{month}, "
                       f"không phải tháng {month})", (m.start(3), m.end(4)), "error", "PL I.II.4b")
    elif month.startswith("0") and int(month) >= 3:
        yield doc.find("date_month_padded", f"Tháng từ 3 đến 12 viết không có số 0 phía trước "
                       f"(tháng {int(month)}, không phải tháng {month})", (m.start(3), m.end(4)),
                       "warning", "PL I.II.4b")


def _number_padding(doc: _Doc) -> Iterator[Finding]:
    h = doc.header
    digits = re.match(r"\d+", h.number_text or "")
    if h.number_span is None or digits is None or not doc.own_number:
        return
    if len(digits[0]) == 1 and digits[0] != "0":
        span = (h.number_span[0], h.number_span[0] + len(digits[0]))
        yield doc.find("number_padding", f"Số văn bản dưới 10 phải có số 0 phía trước (Số: 0{digits[0]}/…, "
                       f"không phải Số: {digits[0]}/…)", span, "error", "PL I.II.3c")


def _symbol_format(doc: _Doc) -> Iterator[Finding]:
    h, sym_span = doc.header, _symbol_span(doc)
    if not h.symbol or sym_span is None or h.number_span is None:
        return
    severity = "warning" if doc.legacy else "error"
    start = h.number_span[0] if h.number_text else doc.text.rfind("/", 0, sym_span[0])
    if re.search(r"\s", doc.text[start:sym_span[1]]):
        yield doc.find("symbol_spaces", "Số và ký hiệu viết liền, không có khoảng trắng quanh dấu «/» "
                       "và «-» (29/KH-UBND, không phải 29/KH- UBND)", (start, sym_span[1]), severity, "PL I.II.3c")
    compact = re.sub(r"\s", "", h.symbol)
    if "." in compact:
        yield doc.find("symbol_separator", f"Các nhóm chữ của ký hiệu nối bằng dấu gạch nối «-», không dùng "
                       f"dấu chấm (QĐ-UBND, không phải {compact})", sym_span, severity, "PL I.II.3c")
    lower = [g for g in re.split(r"[-/.]", compact)
             if any(c.islower() for c in g) and g not in MIXED_CASE_CODES and not g.isdigit()]
    if lower:
        at = doc.text.find(lower[0], sym_span[0], sym_span[1])
        yield doc.find("symbol_case", f"Ký hiệu viết chữ in hoa (chỉ các mã QyĐ, CTr, TTr, TrS có chữ thường); "
                       f"nhóm «{lower[0]}» có chữ thường", (at, at + len(lower[0])) if at >= 0 else sym_span, severity,
                       "PL I.II.3c")


def _type_code(doc: _Doc) -> Iterator[Finding]:
    h, sym_span = doc.header, _symbol_span(doc)
    groups = _groups(h.symbol or "")
    if not groups or sym_span is None:
        return
    first = groups[0]
    at = doc.text.find(first, sym_span[0], sym_span[1])
    span = (at, at + len(first)) if at >= 0 else sym_span
    if first.upper() == "CV":
        yield doc.find("cv_type_code", "«CV» không phải chữ viết tắt tên loại văn bản: công văn không có "
                       "mã tên loại, ký hiệu gồm tên cơ quan và đơn vị soạn thảo (05/BNV-VP)", span, "error", "PL III")
        return
    code_type = doctypes.type_for_code(first)
    title = h.type_title
    if title and code_type and code_type != title:
        right = TITLE_CODES.get(title)
        expect = f"mã đúng là «{right}»" if right else f"{title} không có mã tên loại"
        yield doc.find("type_code_mismatch", f"Ký hiệu «{first}» là mã của {code_type} nhưng tên loại văn bản là "
                       f"{title.upper()}; {expect}", span, "error", "PL III")


def _cv_unit(doc: _Doc) -> Iterator[Finding]:
    h, sym_span = doc.header, _symbol_span(doc)
    if h.doc_type != "Công văn" or not h.symbol or sym_span is None or h.date is None:
        return
    if h.date >= DECREE30_START and "/" not in h.symbol and len(_groups(h.symbol)) == 1:
        yield doc.find("cv_missing_unit", f"Ký hiệu công văn gồm tên cơ quan và đơn vị soạn thảo hoặc lĩnh vực "
                       f"(05/BNV-VP); «{h.symbol}» thiếu nhóm đơn vị", sym_span, "warning", "PL I.II.3b, Mẫu 1.5")


def _national_heading(doc: _Doc) -> Iterator[Finding]:
    h = doc.header
    if h.quoc_hieu_span is None:
        anchor = h.date_span or h.number_span or h.issuer_span
        yield doc.find("missing_quoc_hieu", "Thiếu Quốc hiệu và Tiêu ngữ «CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / "
                       "Độc lập - Tự do - Hạnh phúc» ở đầu văn bản", anchor, "error", "PL I.II.1")
    elif h.tieu_ngu_span is None:
        yield doc.find("missing_tieu_ngu", "Thiếu Tiêu ngữ «Độc lập - Tự do - Hạnh phúc» dưới Quốc hiệu",
                       h.quoc_hieu_span, "error", "PL I.II.1")
    elif not TIEU_NGU_FORM.fullmatch(doc.text[h.tieu_ngu_span[0]:h.tieu_ngu_span[1]].strip()):
        yield doc.find("tieu_ngu_hyphen", "Các cụm từ của Tiêu ngữ nối bằng gạch nối có cách chữ "
                       "(Độc lập - Tự do - Hạnh phúc)", h.tieu_ngu_span, "warning", "PL I.II.1")


def _place_date(doc: _Doc) -> Iterator[Finding]:
    h = doc.header
    if h.date_text and h.date_span:
        yield from _place_form(doc, h.date_span)
        return
    if h.date_span or h.doc_type == "Biên bản":
        return
    ends = [s[1] for s in (h.number_span, h.tieu_ngu_span, h.quoc_hieu_span) if s]
    limit = min(len(doc.text), max(ends, default=0) + 400)
    bare = BARE_DATE_LINE.search(doc.folded, 0, limit)
    if bare:
        yield doc.find("missing_place", "Thiếu địa danh trước ngày tháng năm ban hành (Cái Răng, ngày 02 tháng 3 "
                       "năm 2020)", bare.span(1), "warning", "PL I.II.4a")
    else:
        anchor = h.number_span or h.quoc_hieu_span
        yield doc.find("missing_date", "Không thấy dòng địa danh và ngày tháng năm ban hành", anchor,
                       "warning", "PL I.II.4")


def _place_form(doc: _Doc, span: Span) -> Iterator[Finding]:
    ngay = doc.folded.find("ngay", span[0], span[1])
    if ngay < 0:
        return
    place = doc.text[span[0]:ngay].rstrip()
    if not place.endswith(","):
        end = span[0] + len(place)
        yield doc.find("place_comma", "Sau địa danh phải có dấu phẩy (Hà Nội, ngày …)", (span[0], end),
                       "warning", "PL I.II.4a")
    abbr = re.match(r"(?i)tp\b\.?", place)
    if abbr:
        yield doc.find("place_abbreviation", "Địa danh viết đầy đủ, không viết tắt «TP.» (Thành phố Hồ Chí Minh, "
                       "không phải TP. Hồ Chí Minh)", (span[0], span[0] + abbr.end()), "warning", "PL I.II.4a")


def _cong_van_vv(doc: _Doc) -> Iterator[Finding]:
    h = doc.header
    if h.doc_type != "Công văn":
        return
    if h.number_span and doc.own_number and not h.has_vv and not h.type_title:
        yield doc.find("missing_vv", "Công văn phải có trích yếu bắt đầu bằng «V/v» dưới số, ký hiệu",
                       h.number_span, "error", "PL I.II.5b")
    for ln in lines_of(doc.prep.masked, 0, min(len(doc.text), HEADER_WINDOW)):
        if fold(ln.text).strip(" :") == "cong van" and ln.text.isupper():
            yield doc.find("cong_van_title", "Công văn không có dòng tên loại «CÔNG VĂN»; trích yếu ghi sau «V/v»",
                           (ln.start, ln.end), "error", "PL I.II.5b")
            return


def _kinh_gui(doc: _Doc) -> Iterator[Finding]:
    h = doc.header
    if not h.kinh_gui_span or len(h.recipients) < 2:
        return
    kg = KINH_GUI.match(doc.folded, h.kinh_gui_span[0])
    if kg is None:
        return
    if ":" not in kg[0]:
        yield doc.find("kinh_gui_colon", "Sau «Kính gửi» phải có dấu hai chấm", kg.span(), "warning", "PL I.II.9d")
    lines = lines_of(doc.prep.masked, kg.end(), h.kinh_gui_span[1])
    if not lines or len(lines) == 1 and "\n" not in doc.prep.masked[kg.end():lines[0].start]:
        return  # label and list on one line: a flattened page, its layout cannot be judged
    entries = _entries(lines)[:len(h.recipients)]
    last = len(entries) - 1
    problems = {
        "kinh_gui_layout": ([e for e in entries if re.search(r";\s*-\s", e[2])], "mỗi nơi nhận viết trên một dòng"),
        "kinh_gui_dash": ([e for e in entries if not re.match(r"-\s", e[2])], "mỗi dòng bắt đầu bằng «- »"),
        "kinh_gui_punctuation": ([e for i, e in enumerate(entries) if e[2][-1] != (";" if i < last else ".")],
                                 "mỗi dòng kết thúc bằng «;», dòng cuối bằng «.»"),
    }
    for code, (bad, rule) in problems.items():
        if bad:
            yield doc.find(code, f"Kính gửi nhiều nơi: {rule} ({len(bad)} dòng chưa đúng)", bad[0][:2],
                           "warning", "PL I.II.9d")


def _entries(lines: list[Line]) -> list[Entry]:
    """Recipient entries: a line opening with a dash, plus its lower-case continuation lines."""
    entries: list[Entry] = []
    for ln in lines:
        if entries and not ln.text.startswith(("-", "+", "•")) and ln.text[:1].islower():
            entries[-1] = (entries[-1][0], ln.end, f"{entries[-1][2]} {ln.text}")
        else:
            entries.append((ln.start, ln.end, ln.text))
    return entries


def _urgency(doc: _Doc) -> Iterator[Finding]:
    if doc.legacy:
        return
    for m in HEN_GIO.finditer(doc.folded, 0, min(len(doc.text), HEADER_WINDOW)):
        if doc.text[m.start():m.end()].isupper():
            yield doc.find("urgency_legacy", "Mức độ khẩn chỉ gồm HỎA TỐC, THƯỢNG KHẨN, KHẨN; «HỎA TỐC HẸN GIỜ» "
                           "là mức của quy định cũ", m.span(), "warning", "PL I.III.2b")
            return


# -- closing ---------------------------------------------------------------
def _noi_nhan(doc: _Doc) -> Iterator[Finding]:
    c, h = doc.closing, doc.header
    if c.noi_nhan_span is None:
        if c.signature_span and _has_header(doc) and h.doc_type != "Thư công":
            yield doc.find("missing_noi_nhan", "Thiếu phần «Nơi nhận:» ở cuối văn bản, ngang hàng với chức vụ "
                           "người ký", c.signature_span, "error", "PL I.II.9")
        return
    if not c.name:
        return  # no signed name after the list: an excerpt cut inside the closing
    keys = [fold(e) for e in c.distribution]
    region = doc.folded[c.noi_nhan_span[0]:c.noi_nhan_span[1] + 400]
    if not any(k.startswith("luu") for k in keys) and not re.search(r"(?<![a-z])luu\s*:?\s*(vt|van thu)", region):
        yield doc.find("missing_luu", "Nơi nhận phải kết thúc bằng dòng lưu văn thư (- Lưu: VT, …)",
                       c.noi_nhan_span, "warning", "PL I.II.9")
    if h.kinh_gui_span and h.doc_type in ("Công văn", "Tờ trình", "Báo cáo") and "nhu tren" not in region:
        yield doc.find("missing_nhu_tren", f"{h.doc_type} gửi các nơi ở «Kính gửi» thì Nơi nhận bắt đầu bằng "
                       "«- Như trên;»", c.noi_nhan_span, "warning", "PL I.II.9")


def _authority_prefix(doc: _Doc) -> Iterator[Finding]:
    span = doc.closing.signature_span
    if span is None:
        return
    m = BAD_PREFIX.search(doc.prep.masked, max(0, span[0] - 20), span[1])
    if m:
        yield doc.find("authority_prefix_format", f"Chữ viết tắt quyền hạn ký viết hoa, có dấu chấm: TM., KT., TL., "
                       f"TUQ. (KT. CHỦ TỊCH, không phải «{m[0].strip()} …»)", m.span(), "error", "PL I.II.7a")


def _kt_deputy(doc: _Doc) -> Iterator[Finding]:
    c, sig = doc.closing, doc.closing.signature_span
    auth, position = c.authority or "", c.position or ""
    signs_for = auth.startswith("KT.") or auth.startswith("TM.") and "KT." in position
    if sig is None or not position or not signs_for or signer_is_deputy(position):
        return
    after = _phrase_span(doc, auth, sig[0], sig[1])
    span = _phrase_span(doc, position, after[1] if after else sig[0], sig[1]) or sig
    yield doc.find("kt_position_not_deputy", f"Ký thay (KT.) là cấp phó ký thay người đứng đầu: dòng chức vụ phải là "
                   f"chức vụ cấp phó (PHÓ CHỦ TỊCH, THỨ TRƯỞNG…), không phải «{position}»", span, "error",
                   "PL I.II.7a")


def _tm_collective(doc: _Doc) -> Iterator[Finding]:
    c = doc.closing
    if not c.authority or not c.authority.startswith("TM.") or c.signature_span is None:
        return
    body = fold(c.authority[3:]).strip() + " "
    if body.startswith(COLLECTIVE):
        return
    span = _phrase_span(doc, c.authority, *c.signature_span) or c.signature_span
    yield doc.find("tm_not_collective", f"«TM.» (thay mặt) chỉ dùng khi ký thay mặt tập thể (TM. ỦY BAN NHÂN DÂN, "
                   f"TM. CHÍNH PHỦ); «{c.authority}» không phải tên một tập thể", span, "warning", "PL I.II.7a")


def _academic_title(doc: _Doc) -> Iterator[Finding]:
    span = doc.closing.signature_span
    if span is None:
        return
    m = ACADEMIC.search(doc.prep.masked, span[0], min(len(doc.text), span[1] + 60))
    if m is None:
        return
    allowed = any(w in fold(doc.header.issuer or "") + " " for w in TITLE_FIELDS)
    severity, note = ("info", "; ngành quản lý có thể cho phép trong lĩnh vực này") if allowed else ("error", "")
    yield doc.find("academic_title", f"Không ghi học hàm, học vị («{m[0].strip()}») trước họ tên người ký{note}",
                   (m.start(), m.start() + len(m[0].rstrip())), severity, "PL I.II.7c")


def _end_mark(doc: _Doc) -> Iterator[Finding]:
    start, end = doc.header.body_start, _body_end(doc)
    if not doc.closing.name or end <= start or END_MARK.search(doc.prep.masked, start, end):
        return
    lines = lines_of(doc.prep.masked, start, end)
    if lines:
        yield doc.find("missing_end_mark", "Phần nội dung văn bản kết thúc bằng dấu «./.»",
                       (lines[-1].start, lines[-1].end), "info", "Mẫu 1.1-1.10")


# -- dates in the body -----------------------------------------------------
def _deadline_order(doc: _Doc) -> Iterator[Finding]:
    issued = doc.header.date
    if issued is None:
        return
    for d in find_deadlines(doc.folded, doc.header.body_start, _body_end(doc), issued):
        if d.kind in ("before", "by") and d.date and d.date < issued:
            yield doc.find("deadline_before_issue", f"Thời hạn {d.date:%d/%m/%Y} sớm hơn ngày ban hành "
                           f"{issued:%d/%m/%Y}; kiểm tra lại ngày hoặc năm", d.phrase_span, "info",
                           "kiểm tra nhất quán")


def _future_date(doc: _Doc) -> Iterator[Finding]:
    h = doc.header
    if doc.today and h.date and h.date > doc.today:
        yield doc.find("date_in_future", f"Ngày ban hành {h.date:%d/%m/%Y} muộn hơn hôm nay "
                       f"{doc.today:%d/%m/%Y}", h.date_span, "warning", "kiểm tra nhất quán")

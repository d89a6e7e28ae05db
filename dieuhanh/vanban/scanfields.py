"""Number and date of a scanned document whose number or day was written by hand.

Offices print the form ("Số:    /TB-UBND", "Hải Phòng, ngày    tháng 02 năm 2020") and
the văn thư writes the number and the day by hand at issue. Tesseract has no
handwriting model: it returns junk there ("Số: #‡ /TB-UBND", "ngày 8Ä tháng"). The
parser then finds nothing, and a guess would be worse than nothing: a wrong number
registers the wrong document. ``review`` looks at the OCR'd "Số:" and date line and

* reads a handwritten field only when OCR read plain digits there (after the usual
  look-alikes: O/Ø → 0, l/I/| → 1);
* otherwise takes the value from independent evidence, and says where it came from:
  the file name when it carries the same symbol ("di-94-TB-UBND.signed.pdf" for
  "Số: … /TB-UBND"), or a number whose first digit matches the legible part; the
  digital signature of the issuing body when its signing day falls in the printed
  month and year (the văn thư signs on the day of issue);
* and when nothing supports a value, leaves it empty and lists it in ``unreadable``
  with a note for the review form ("Số: chưa đọc được (viết tay)").

Output keys added to the parse: ``handwritten`` (fields whose printed form was blank
and OCR read no digits), ``unreadable`` (fields left empty), ``filled_from``
(``{"number": "tên tệp", "date": "chữ ký số"}``) and ``review_notes``.
"""

from __future__ import annotations

import datetime
import difflib
import re
from typing import Any

from dieuhanh.lib.vntext import fold

_LOOKALIKE = str.maketrans({"O": "0", "o": "0", "Ø": "0", "ø": "0", "Q": "0", "D": "0", "l": "1", "I": "1",
                            "|": "1", "!": "1"})
_NUMBER_LINE = re.compile(r"(?im)^\W{0,3}S[ốốoô]\s*[:;.,]?\s*(?P<num>[^/\n]{0,14}?)\s*/\s*"
                          r"(?P<sym>[A-ZĐ0-9][A-ZĐ0-9]*(?:[-–][A-ZĐ0-9]+)*)")
_DATE_LINE = re.compile(r"(?i)ng[àa]y\s*(?P<d>\S{0,4}?)\s*th[áa]ng\s*(?P<m>\S{0,3}?)\s*n[ăa]m\s*(?P<y>(?:19|20)\d\d)")
# The date line with its month word lost under a stamp: "ngày #Š rán: Ÿ_ năm 2025".
_LOOSE_DATE_LINE = re.compile(r"(?i)ng[àa]y\b(?P<d>)(?P<m>)[^\n]{0,30}?n[ăa]m\s*(?P<y>(?:19|20)\d\d)")
_NAME_NUMBER = re.compile(r"(?<!\d)(?P<num>[1-9]\d{1,4})(?!\d)")
_HEAD_CHARS = 1500  # the "Số" and date lines are in the first lines of page 1


def review(parsed: dict[str, Any], text: str, *, filename: str = "",
           signatures: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Fill or flag the number and date of an OCR'd document (see the module docstring)."""
    head = text[:_HEAD_CHARS]
    handwritten: list[str] = []
    unreadable: list[str] = []
    filled: dict[str, str] = {}
    notes: list[str] = []
    number_line = _NUMBER_LINE.search(head)
    if number_line and not parsed.get("number"):
        _review_number(parsed, number_line, filename, handwritten, unreadable, filled, notes)
    date_line = _DATE_LINE.search(head) or _LOOSE_DATE_LINE.search(head)
    if date_line and not parsed.get("date"):
        _review_date(parsed, date_line, signatures or [], handwritten, unreadable, filled, notes)
    parsed.update(handwritten=handwritten, unreadable=unreadable, filled_from=filled, review_notes=notes)
    return parsed


def _digits(token: str) -> str | None:
    """The digits a handwritten token stands for, or None when it is not plainly digits."""
    token = token.strip(" .,:;_-'\"`")
    if not token or " " in token:
        return None
    digits = token.translate(_LOOKALIKE)
    return digits if digits.isdigit() and len(digits) <= 5 and any(c.isdigit() for c in token) else None


def _review_number(parsed: dict[str, Any], line: re.Match[str], filename: str, handwritten: list[str],
                   unreadable: list[str], filled: dict[str, str], notes: list[str]) -> None:
    symbol = line.group("sym").replace("–", "-")
    read = _digits(line.group("num"))
    if read:
        _set_number(parsed, read, symbol)
        notes.append(f"Số: đọc «{line.group('num').strip()}» thành {read}; hãy kiểm tra.")
        return
    if line.group("num").strip():
        handwritten.append("number")
    from_name = _number_from_name(filename, symbol, line.group("num"))
    if from_name:
        _set_number(parsed, from_name, symbol)
        filled["number"] = "tên tệp"
        notes.append(f"Số: chưa đọc được (viết tay); đã lấy {from_name}/{symbol} từ tên tệp, hãy kiểm tra.")
        return
    if not parsed.get("symbol"):
        parsed["symbol"] = symbol
    unreadable.append("number")
    notes.append("Số: chưa đọc được (viết tay).")


def _set_number(parsed: dict[str, Any], digits: str, symbol: str) -> None:
    parsed["number"] = int(digits)
    parsed["symbol"] = symbol
    parsed["number_symbol"] = f"{digits}/{symbol}"


def _number_from_name(filename: str, symbol: str, legible: str) -> str | None:
    """A number in the file name that agrees with the page: beside the same symbol, or
    the only number whose first digit is the first legible character."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    wanted = fold(symbol).upper().replace("_", "-")
    spelled = "[-_ ]".join(re.escape(part) for part in wanted.split("-"))
    beside = re.search(r"(?<![0-9A-Z])(\d{1,5})[-_ ]+(?=" + spelled + r"(?![0-9A-Z]))", fold(stem).upper())
    if beside:
        return beside.group(1)
    first = legible.strip()[:1]
    if first.isdigit():
        candidates = {m.group("num") for m in _NAME_NUMBER.finditer(stem) if m.group("num")[0] == first}
        if len(candidates) == 1:
            return candidates.pop()
    return None


def _review_date(parsed: dict[str, Any], line: re.Match[str], signatures: list[dict[str, Any]],
                 handwritten: list[str], unreadable: list[str], filled: dict[str, str], notes: list[str]) -> None:
    year = int(line.group("y"))
    day, month = _digits(line.group("d")), _digits(line.group("m"))
    if day and month:
        try:
            parsed["date"] = datetime.date(year, int(month), int(day)).isoformat()
            notes.append(f"Ngày: đọc «{line.group('d')}» tháng «{line.group('m')}» thành {int(day):02d}/"
                         f"{int(month):02d}/{year}; hãy kiểm tra.")
            return
        except ValueError:
            pass
    handwritten.append("date")
    signed = _issuer_signing_day(parsed, signatures, year, int(month) if month else None)
    if signed:
        parsed["date"] = signed.isoformat()
        filled["date"] = "chữ ký số"
        notes.append(f"Ngày: chưa đọc được (viết tay); đã lấy ngày ký số {signed:%d/%m/%Y} của cơ quan ban hành, "
                     "hãy kiểm tra.")
        return
    unreadable.append("date")
    notes.append("Ngày ban hành: chưa đọc được (viết tay).")


def _issuer_signing_day(parsed: dict[str, Any], signatures: list[dict[str, Any]], year: int,
                        month: int | None) -> datetime.date | None:
    issuer = fold(parsed.get("issuer") or "").lower()
    if not issuer:
        return None
    for signature in signatures:
        if signature.get("status") == "invalid" or not signature.get("signed_at"):
            continue
        bodies = [fold(signature.get(key) or "").lower() for key in ("signer", "organization")]
        if not any(_same_body(issuer, body) for body in bodies if body):
            continue
        day = datetime.datetime.fromisoformat(signature["signed_at"]).date()
        if day.year == year and (month is None or day.month == month):
            return day
    return None


def _same_body(issuer: str, body: str) -> bool:
    """The OCR'd issuer ("ủy ban nhân dân thành phó hải phòng", slips and all) and a
    certificate's name or organisation name the same body. The province alone ("Tỉnh
    Quảng Ngãi" on a Công báo centre's certificate) is not enough."""
    return difflib.SequenceMatcher(None, " ".join(issuer.split()), " ".join(body.split())).ratio() >= 0.85

"""Documents cited by number ("Kế hoạch số 29/KH-UBND ngày 27 tháng 02 năm 2020")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dieuhanh.vanban.dates import find_dates
from dieuhanh.vanban.doctypes import FOLDED_TYPE_NAMES
from dieuhanh.vanban.textprep import LOWER, UPPER

SYMBOL = re.compile(
    rf"(?<![\w/.\-])(?P<ns>(?P<num>\d+[a-zđ]?)(?:\s?/\s?\d{{4}})?\s?/\s?[{UPPER}][{UPPER}{LOWER}0-9&]*"
    rf"(?:(?:\s?-\s?|/)(?:[{UPPER}0-9][{UPPER}{LOWER}0-9&]*))*"
    rf"|(?P<pnum>\d+)-[{UPPER}][{UPPER}{LOWER}]*/[{UPPER}][{UPPER}{LOWER}0-9]*)"
)
# Words that introduce things numbered like documents but that are not documents.
_NOT_DOCS = re.compile(r"(mau|bieu|bieu mau|phu luc|de an|ma|so hieu|tai khoan|dien thoai|quy trinh)\s*(so)?\s*:?\s*$")
_DOC_CUE = re.compile(r"(so|so:)\s*$")
_DATE_NEAR = re.compile(r"^[\s,;]*(?:\(|ban hanh\s)?\s*(?:ngay|ngay:)")


@dataclass(frozen=True)
class Reference:
    number_symbol: str
    date: date | None
    start: int
    end: int


def _cited_type(before: str) -> bool:
    key = before.rstrip()
    if _DOC_CUE.search(key):
        return True
    return any(key.endswith(name) for name in FOLDED_TYPE_NAMES)


def find_references(text: str, masked: str, folded: str, own: str | None, ref_date: date | None,
                    start: int = 0) -> list[Reference]:
    found: list[Reference] = []
    own_key = _key(own) if own else None
    for match in SYMBOL.finditer(masked, start):
        ns = match.group("ns").rstrip(".-")
        before = folded[max(0, match.start() - 40):match.start()]
        if _NOT_DOCS.search(before):
            continue
        if "-" not in ns and not match.group("pnum") and not _cited_type(before):
            continue
        if _key(ns) == own_key:
            continue
        end = match.start() + len(ns)
        when = _date_after(folded, end, ref_date)
        found.append(Reference(text[match.start():end], when, match.start(), end))
    return _dedupe(found)


def _date_after(folded: str, end: int, ref_date: date | None) -> date | None:
    window = folded[end:end + 40]
    if not _DATE_NEAR.match(window):
        return None
    hits = find_dates(folded, ref_date, end, end + 45)
    return hits[0].value if hits and hits[0].year_given else None


def _key(ns: str) -> str:
    return re.sub(r"\s", "", ns).upper()


def _dedupe(refs: list[Reference]) -> list[Reference]:
    """One entry per cited document: same symbol and compatible dates merge."""
    out: list[Reference] = []
    for ref in refs:
        for i, seen in enumerate(out):
            if _key(seen.number_symbol) != _key(ref.number_symbol):
                continue
            if seen.date is None or ref.date is None or seen.date == ref.date:
                if seen.date is None and ref.date is not None:
                    out[i] = Reference(seen.number_symbol, ref.date, seen.start, seen.end)
                break
        else:
            out.append(ref)
    return out

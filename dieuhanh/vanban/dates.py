"""Dates as Vietnamese administrative documents write them, with their spans.

All patterns run on the diacritic-folded text (``fold_same_length``), so
"ngày 02 tháng 3 năm 2020", "ngay 2 thang 3 nam 2020", "02/3/2020", "2-3-2020"
and "ngày 27/02" (year taken from the document) are found with offsets valid
in the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_SEP = r"[\s,.]{0,4}"
LONG_DATE = re.compile(
    r"ngay" + _SEP + r"(?P<d>\d{1,2})" + _SEP + r"thang" + _SEP + r"(?P<m>\d{1,2})"
    r"(?:" + _SEP + r"nam" + _SEP + r"(?P<y>\d{4}))?"
)
NUMERIC_DATE = re.compile(
    r"(?<![\d/.\-])(?P<d>\d{1,2})\s?(?P<sep>[/.\-])\s?(?P<m>\d{1,2})"
    r"(?:\s?(?P=sep)\s?(?P<y>\d{4}))?(?![\d/\-]|\.\d)"
)
# A day/month without year is only a date when "ngày" introduces it ("ngày 27/02"):
# bare "3/4" is as likely a fraction or a clause number.
_NGAY_BEFORE = re.compile(r"ngay\s{0,2}$")


@dataclass(frozen=True)
class FoundDate:
    value: date
    start: int
    end: int
    year_given: bool
    padded_day: bool
    padded_month: bool


def _year_for(day: int, month: int, ref: date | None) -> int | None:
    """Year for a day/month written without one: the reference date's, rolled over.

    A month more than six months before the reference month belongs to the next
    year ("trước ngày 05/01" in a December document means January next year).
    """
    if ref is None:
        return None
    year = ref.year
    if (ref.month - month) > 6:
        year += 1
    elif (month - ref.month) > 6:
        year -= 1
    return year


def _make(day: str, month: str, year: str | None, ref: date | None) -> tuple[date, bool] | None:
    d, m = int(day), int(month)
    if year is not None:
        y: int | None = int(year)
    else:
        y = _year_for(d, m, ref)
    if y is None or not (1945 <= y <= 2100):
        return None
    try:
        return date(y, m, d), year is not None
    except ValueError:
        return None


def find_dates(folded: str, ref: date | None = None, start: int = 0, end: int | None = None) -> list[FoundDate]:
    """Every calendar date in ``folded[start:end]``, in text order, without overlaps."""
    end = len(folded) if end is None else end
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for match in LONG_DATE.finditer(folded, start, end):
        made = _make(match["d"], match["m"], match["y"], ref)
        if made:
            found.append(FoundDate(made[0], match.start(), match.end(), made[1],
                                   len(match["d"]) == 2, len(match["m"]) == 2))
            taken.append((match.start(), match.end()))
    for match in NUMERIC_DATE.finditer(folded, start, end):
        if any(a <= match.start() < b for a, b in taken):
            continue
        if match["y"] is None and not _NGAY_BEFORE.search(folded, max(0, match.start() - 8), match.start()):
            continue
        made = _make(match["d"], match["m"], match["y"], ref)
        if made:
            found.append(FoundDate(made[0], match.start(), match.end(), made[1],
                                   len(match["d"]) == 2, len(match["m"]) == 2))
    found.sort(key=lambda f: f.start)
    return found


def parse_date(text: str, ref: date | None = None) -> date | None:
    """The first date in a short piece of (folded or unfolded) text, or None."""
    from dieuhanh.lib.vntext import fold_same_length

    hits = find_dates(fold_same_length(text), ref)
    return hits[0].value if hits else None

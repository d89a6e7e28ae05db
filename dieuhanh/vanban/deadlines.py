"""Deadline phrases: "trước ngày X", "chậm nhất ngày X", "trong ngày X", "hạn chót",
"trước 17 giờ ngày X", "đến hết ngày X", "trong thời hạn 05 ngày làm việc kể từ …".

``find_deadlines`` works on folded text and returns the phrase with its kind:
``before`` (the last allowed day is the day before X unless the app reads it
inclusively), ``by`` (X is the last day), ``on`` (that very day),
``within_working_days`` / ``within_days`` (a rule to resolve with the calendar),
``recurring`` (monthly "trước ngày 25 hàng tháng").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from dieuhanh.vanban.dates import find_dates

_NUM_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
              "chin": 9, "muoi": 10, "muoi lam": 15, "hai muoi": 20, "ba muoi": 30}
_DATE_AHEAD = r"(?=(?:ngay\s*)?\d{1,2}\s*(?:[/.\-]|thang))"
_TIME = r"(?P<time>\d{1,2}\s*(?:gio|h)\s*(?:\d{1,2}\s*(?:phut|')?)?[\s,]*)?"
CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("before", re.compile(r"(?:truoc|tr[a-z0-9]{2,3}[ct](?=\s+ngay))\s+(?P<time>\d{1,2}\s*(?:gio|h)\s*(?:\d{1,2}\s*(?:phut)?)?)?[\s,]*(?=ngay\s*,?\s*\d)")),
    # "chậm nhất là 17 giờ 00 ngày 30/01/2026": a time of day may stand before the day.
    ("by", re.compile(r"cham nhat(?:\s+(?:la|vao|den|ke tu|truoc|trong))*[\s:]*" + _TIME + _DATE_AHEAD)),
    ("by", re.compile(r"han chot(?:\s+(?:la|vao|nop))*[\s:]*" + _TIME + _DATE_AHEAD)),
    # "Hạn nộp hồ sơ đăng ký … vào ngày 29/02/2012"
    ("by", re.compile(r"(?<![a-z])han nop(?:(?!truoc|cham nhat)[^.;\n]){0,60}?\s(?:la\s+|vao\s+)?" + _TIME + r"(?=ngay\s*\d{1,2}\s*(?:[/.\-]|thang))")),
    ("by", re.compile(r"(?:den|toi)\s+het\s+(?=ngay\s*\d)")),
    ("on", re.compile(r"(?<![a-z])trong\s+(?=ngay\s*\d)")),
    # plan tables: "Thời gian thực hiện: Ngày 09/11/2015", "Thời hạn hoàn thành: 30/6/2021"
    ("by", re.compile(r"thoi\s+(?:gian|han)(?:\s+(?:thuc hien|hoan thanh|nop|gui))?\s*:\s*(?:truoc\s+)?(?=(?:ngay\s*)?\d{1,2}\s*(?:[/.\-]|thang))")),
    # "Thời gian thực hiện: Từ ngày 17/12/2025 đến ngày 25/01/2026": the work set for that
    # time must be done by the end of the period.
    ("by", re.compile(r"thoi\s+(?:gian|han)\s+(?:thuc hien|hoan thanh|to chuc|lay y kien|gop y)\s*:?\s*tu\s+(?:ngay\s*)?"
                      r"\d{1,2}\s*[/.\-]\s*\d{1,2}(?:\s*[/.\-]\s*\d{4})?\s*(?:den|toi)\s+(?:het\s+)?(?=(?:ngay\s*)?\d{1,2}\s*[/.\-])")),
    ("by", re.compile(r"(?<![a-z])(?:hoan thanh|xong|gui ve|nop|bao cao)(?:(?!truoc|cham nhat)[^.;\n]){0,25}?\s(?:vao\s+|trong\s+)?(?=ngay\s*\d{1,2}\s*(?:[/.\-]|thang))")),
)
WITHIN = re.compile(
    r"trong\s+(?:thoi\s+han|vong|thoi\s+gian)\s+(?:(?:khong\s+qua|toi\s+da)\s+)?(?P<n>\d{1,3}|[a-z ]{2,9}?)\s*(?:\([^)]{0,20}\)\s*)?ngay"
    r"(?P<working>\s+lam\s+viec)?(?:\s*,?\s*(?:ke\s+tu|tinh\s+tu)\s+(?P<event>[^.;,\n]{3,60}))?"
)
# "trước ngày 25 hằng tháng": a monthly (quarterly, yearly) report date, no calendar day.
RECURRING_DAY = re.compile(r"(?:truoc|cham nhat|vao|trong)\s+ngay\s+\d{1,2}\s+(?:hang|moi)\s+(?:thang|quy|nam|tuan)")
_HAS_DIGIT = re.compile(r"\d")
_PERIOD_START = re.compile(r"(?<![a-z])tu\s+(?:ngay\s*)?\d{1,2}\s*(?:[/.\-]|thang)")
_OPENS_PERIOD = re.compile(r"(?<![a-z])(?<!ke )tu\s+(?:ngay\s*)?$")
RECURRING = re.compile(r"(?:hang|moi)\s+(?:thang|quy|nam|tuan)")


# No sentence of a real document sets this many deadlines; a text that does is noise or an attack.
MAX_DEADLINES = 300


class _Cover:
    """A union of half-open intervals with point queries in O(log n)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def holds(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]

    def add(self, a: int, b: int) -> None:
        i = bisect_right(self.starts, a)
        # merge with the interval before when they touch, then swallow those that follow
        if i > 0 and self.ends[i - 1] >= a:
            i -= 1
            a = self.starts[i]
            b = max(b, self.ends[i])
        j = i
        while j < len(self.starts) and self.starts[j] <= b:
            b = max(b, self.ends[j])
            j += 1
        self.starts[i:j] = [a]
        self.ends[i:j] = [b]


@dataclass(frozen=True)
class Deadline:
    kind: str
    phrase_span: tuple[int, int]
    date: date | None = None
    date_span: tuple[int, int] | None = None
    time: str | None = None
    days: int | None = None
    working_days: bool = False
    event: str | None = None


def _number(word: str) -> int | None:
    word = word.strip()
    if word.isdigit():
        return int(word)
    return _NUM_WORDS.get(word)


def find_deadlines(folded: str, start: int, end: int, ref: date | None,
                   limit: int = MAX_DEADLINES) -> list[Deadline]:
    """Every deadline phrase in ``folded[start:end]``, in order, without overlaps.

    Linear in the length of the range: each cue match is checked against the
    phrases already taken through a sorted interval list, not one by one.
    At most about ``limit`` phrases per cue family are read.
    """
    found: list[Deadline] = []
    covered = _Cover()
    dates_taken: set[tuple[int, int]] = set()
    # Every cue needs a date; "trong thời hạn năm ngày" needs "ngay". Most sentences have neither.
    cues = CUES if _HAS_DIGIT.search(folded, start, end) else ()
    for kind, cue in cues:
        for match in cue.finditer(folded, start, end):
            if len(found) >= limit:
                break
            if covered.holds(match.start()):
                continue
            dates = find_dates(folded, ref, match.end(), min(end, match.end() + 40))
            if not dates or dates[0].start - match.end() > 6:
                continue
            hit = dates[0]
            if _OPENS_PERIOD.search(folded, max(start, hit.start - 10), hit.start):
                continue  # "hoàn thành: từ ngày X đến ngày Y": X opens the period, it is no deadline
            if (hit.start, hit.end) in dates_taken:
                continue  # an earlier, more specific cue already took this date
            if kind == "by" and folded.startswith(("den", "toi"), match.start()) and (
                _PERIOD_START.search(folded, max(start, match.start() - 90), match.start())
                or find_dates(folded, ref, max(start, match.start() - 25), match.start())
            ):
                continue  # "từ ngày X đến hết ngày Y" is a period, not a deadline
            tail = folded[hit.end:hit.end + 14]
            covered.add(match.start(), hit.end)
            periodic = not hit.year_given and (
                RECURRING.search(folded, hit.end, min(end, hit.end + 30))
                or "dinh ky" in folded[max(start, match.start() - 40):match.start()])
            if RECURRING.match(folded[hit.end:hit.end + 12].strip()) or periodic or (not hit.year_given and RECURRING.search(tail)):
                found.append(Deadline("recurring", (match.start(), hit.end)))
                continue
            dates_taken.add((hit.start, hit.end))
            time = match.groupdict().get("time")
            found.append(Deadline(kind, (match.start(), hit.end), hit.value, (hit.start, hit.end),
                                  time=time.strip() if time else None))
    for match in RECURRING_DAY.finditer(folded, start, end) if cues else ():
        if len(found) >= 2 * limit:
            break
        found.append(Deadline("recurring", match.span(), days=None, event=match.group(0)))
    for match in WITHIN.finditer(folded, start, end) if folded.find("ngay", start, end) != -1 else ():
        if len(found) >= 3 * limit:
            break
        days = _number(match["n"])
        if days is None:
            continue
        event = match["event"].strip() if match["event"] else None
        found.append(Deadline("within_working_days" if match["working"] else "within_days",
                              match.span(), days=days, working_days=bool(match["working"]), event=event))
    found.sort(key=lambda d: d.phrase_span[0])
    return _drop_overlaps(found)


def _drop_overlaps(found: list[Deadline]) -> list[Deadline]:
    out: list[Deadline] = []
    for d in found:
        if out and d.phrase_span[0] < out[-1].phrase_span[1]:
            continue
        out.append(d)
    return out

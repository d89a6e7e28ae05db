"""Obligations in the body: who must do what, by when.

The body is cut into sentences; a sentence is an obligation when it assigns
work ("Giao …", "Đề nghị …", "Yêu cầu …", "X chủ trì …", "X có trách nhiệm …")
or sets a deadline. A sentence with several deadlines becomes one task per
deadline; a sentence with a deadline but no named assignee inherits the
assignee of the sentence before it in the same item ("Thời gian tổng kết trước
ngày 10 tháng 4 năm 2020" continues "Giao Trưởng phòng Nội vụ quận …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dieuhanh.lib.vntext import collapse, fold, tidy
from dieuhanh.vanban.deadlines import Deadline, find_deadlines
from dieuhanh.vanban.textprep import blank_step

# A document with more obligations than this is noise or an attack: the parser stops
# reading there and says so (the result's "capped"); no corpus document has over 60.
MAX_OBLIGATIONS = 300
# Longer sentences are quoted per clause (a window), not whole in every obligation.
MAX_SENTENCE = 1200

# folded cues that introduce the assignee.
# "giao" also ends "bàn giao", "được giao" and starts "giao thông": only the verb of assigning counts.
ASSIGN_CUE = re.compile(
    r"(?<![a-z])(?:(?<!ban )(?<!duoc )(?<!chuyen )(?<!da )(?<!bi )giao(?:\s+cho)?(?!\s+(?:thong|dich|luu|tiep|ket|khoan|dat|nhan|duc|hang|ban|quyen|vien)(?![a-z]))"
    r"|de nghi|yeu cau|phan cong|chi dao)\s+(?=[a-z])"
)
# folded verbs that start the action after an assignee phrase.
ACTION_VERBS = (
    "chu tri", "phoi hop", "co trach nhiem", "chiu trach nhiem", "can cu", "tren co so", "to chuc",
    "tham muu", "xay dung", "thuc hien", "trien khai", "nghien cuu", "khan truong", "bao cao",
    "gui", "hoan thanh", "ra soat", "theo doi", "huong dan", "kiem tra", "don doc", "pho bien",
    "cap nhat", "lap", "bo sung", "xem xet", "de xuat", "tong hop", "quan triet", "chuan bi",
    "tiep tuc", "tap trung", "chu dong", "danh gia", "tham gia", "cung cap", "ban hanh",
    "nghiem tuc", "tang cuong", "dam bao", "bo tri", "phan cong", "cu ", "tu chuc", "tien hanh",
    "theo chuc nang", "trong pham vi", "dinh ky", "tham dinh", "giai quyet", "dieu chinh",
    "sua doi", "chi dao", "quan ly", "xu ly", "phe duyet", "thong bao", "tuyen truyen",
)
# "tổ chức" is also the noun in "các cơ quan, tổ chức liên quan".
_ACTION_RE = re.compile(
    r" (?:" + "|".join(re.escape(v) for v in sorted(ACTION_VERBS, key=len, reverse=True)) + ")"
    r"(?<!to chuc)|(?<!,) to chuc(?! (?:co )?lien quan| ca nhan| doan the| chinh tri|,|;| va )"
)
# An assignee names a unit or an office holder somewhere in it.
_UNIT_WORD = re.compile(
    r"(?<![a-z])(so|ban|phong|ubnd|uy ban|hdnd|hoi dong|bo|cuc|chu tich|giam doc|thu truong|truong|"
    r"cong an|van phong|don vi|co quan|hoi|doan|trung tam|vien|benh vien|thanh tra|kho bac|bao hiem|"
    r"chinh phu|thu tuong|lanh dao|nguoi dung dau|dia phuong|nganh|to|chi cuc|tinh|huyen|xa|phuong|quan)(?![a-z])"
)
OBLIGATION_WORDS = re.compile(
    r"(?<![a-z])(chu tri|phoi hop voi|co trach nhiem|chiu trach nhiem|khan truong|de nghi|yeu cau|giao)(?![a-z])"
)
EXCLUDE = re.compile(r"co hieu luc|ap dung tu|ap dung ke tu|hieu luc thi hanh")
# Restated instructions of earlier documents ("Tại công văn số … đã giao …").
NARRATION = re.compile(
    r"(?<![a-z])(da giao|da yeu cau|da chi dao|da co van ban|da co cong van|da de nghi|co van ban so|"
    r"co cong van so|tai (?:cong )?van ban so|tai cong van so)(?![a-z])"
)
# folded openings of a phrase that names a unit or an office holder.
SUBJECT_STARTS = (
    "thu truong", "chu tich", "pho chu tich", "giam doc", "truong ", "chanh", "cac ", "ubnd", "uy ban",
    "hdnd", "hoi dong", "so ", "phong", "ban ", "van phong", "bo ", "cuc", "cong an", "trung tam",
    "dai ", "bao ", "hoi ", "doan", "lien doan", "mat tran", "kho bac", "bao hiem", "thanh tra",
    "vien", "benh vien", "tong cuc", "co quan", "don vi", "nguoi dung dau", "lanh dao", "bch",
    "bo chi huy", "chi cuc", "tinh doan", "quan doan", "huyen doan", "ong", "ba ", "dong chi", "d/c",
    "to cong tac", "tong cong ty", "cong ty", "ngan hang", "hieu truong", "thu tuong",
)
# A sentence ends at ". X", at a blank line, or at a line break after end punctuation
# or before a list marker; other line breaks are wrapping (PDF text, broken pages).
_SENTENCE_END_TEMPLATE = (
    r"(?<=[.!?])[ \t]+(?=[A-ZĐ0-9\-•+*(])|\n(?:[ \t]*\n){BLANK}\s*|(?<=[.!?;:])[ \t]*\n\s*"
    r"|[ \t]*\n(?:[ \t]*\n)?(?=[ \t]*(?:[-+•*]\s|\d+(?:\.\d+)*[.)]\s|[a-zđ]\)\s|[IVX]+\.\s|Điều\s+\d|\|))|(?<=\./\.)"
)
# In a double-spaced text (textprep.blank_step) one blank line is only a line break.
_SENTENCE_END = re.compile(_SENTENCE_END_TEMPLATE.replace("{BLANK}", "{1}"))
_SENTENCE_END_DOUBLED = re.compile(_SENTENCE_END_TEMPLATE.replace("{BLANK}", "{2,}"))
_ITEM_START = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[a-zđ]\)|[IVX]+\.|[-+•*])\s+")


@dataclass
class Obligation:
    sentence: str
    span: tuple[int, int]
    assignees: list[str]
    role: str | None
    action: str
    deadline: Deadline | None
    deadline_phrase: str | None = None
    deadline_text: str | None = None
    inherited: bool = False
    coordinators: list[str] = field(default_factory=list)
    # The body whose request this is, when the sentence quotes another body's demand.
    other_body: str | None = None

    def deadline_dict(self) -> dict[str, Any] | None:
        d = self.deadline
        if d is None:
            return None
        return {
            "date": d.date.isoformat() if d.date else None,
            "date_text": self.deadline_text,
            "phrase": self.deadline_phrase,
            "kind": d.kind,
            "time": d.time,
            "days": d.days,
            "working_days": d.working_days or None,
            "event": d.event,
            "for_other_body": self.other_body is not None,
            "other_body": self.other_body,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "assignees": self.assignees,
            "role": self.role,
            "action": self.action,
            "deadline": self.deadline_dict(),
            "sentence": self.sentence,
            "span": list(self.span),
            "coordinators": self.coordinators,
        }

    def as_deadline(self) -> dict[str, Any]:
        assert self.deadline and self.deadline.date
        return {"date": self.deadline.date.isoformat(), "assignee": "; ".join(self.assignees) or None,
                "action": self.action, "for_other_body": self.other_body is not None,
                "other_body": self.other_body}


def sentences(text: str, folded: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """(start, end, starts_item) for each sentence in ``text[start:end]``."""
    out: list[tuple[int, int, bool]] = []
    pos = start
    pattern = _SENTENCE_END_DOUBLED if blank_step(text) else _SENTENCE_END
    for match in pattern.finditer(text, start, end):
        if match.start() > pos:
            out.append(_trimmed(text, pos, match.start()))
        pos = match.end()
    if pos < end:
        out.append(_trimmed(text, pos, end))
    return [s for s in out if s[1] - s[0] > 3]


def _trimmed(text: str, a: int, b: int) -> tuple[int, int, bool]:
    chunk = text[a:b]
    lead = len(chunk) - len(chunk.lstrip(" *|\t"))
    trail = len(chunk.rstrip(" *|\t"))
    starts_item = bool(_ITEM_START.match(chunk[lead:]))
    return a + lead, a + max(trail, lead), starts_item


def _assignee_after(text: str, folded: str, pos: int, end: int) -> tuple[str | None, int]:
    """The assignee phrase starting at ``pos``: words until the first action verb."""
    verb = _ACTION_RE.search(folded, pos, end)
    best = verb.start() if verb else end
    phrase = text[pos:best].strip(" ,;:")
    if not phrase or len(phrase) > 300 or not _UNIT_WORD.search(folded, pos, best):
        return None, pos
    if phrase.isupper() and len(phrase.split()) <= 4 and not _UNIT_WORD.match(folded, pos):
        return None, pos
    return collapse(phrase), best


def _leading_assignee(text: str, folded: str, start: int, end: int) -> tuple[str | None, int]:
    """A sentence that opens with its subject: "Sở Tư pháp chủ trì, phối hợp …"."""
    body = _ITEM_START.match(text[start:end])
    pos = start + (body.end() if body else 0)
    lead_in = re.match(r"(nhan duoc [^,]{3,60}?(?:nay|tren)[, ]+)", folded[pos:end])
    if lead_in:
        pos += lead_in.end()
    if not text[pos:pos + 1].isupper() or not folded[pos:pos + 30].startswith(SUBJECT_STARTS):
        return None, pos
    if folded.startswith(("ban hanh", "truong hop", "bo sung", "dai dien", "doan ket"), pos):
        return None, pos
    phrase, verb_at = _assignee_after(text, folded, pos, end)
    if phrase is None or verb_at >= end or len(phrase.split()) > 40:
        return None, pos
    verb = folded[verb_at + 1:verb_at + 20]
    if not verb.startswith(("chu tri", "phoi hop", "co trach nhiem", "chiu trach nhiem", "to chuc",
                            "khan truong", "thuc hien", "trien khai", "xay dung", "bao cao", "can cu",
                            "tham muu", "hoan thanh", "chu dong", "nghien cuu", "gui")):
        return None, pos
    return phrase, verb_at


def _split_assignees(phrase: str) -> list[str]:
    """"A, Chủ tịch B và Sở C" → three phrases; "các sở, ban, ngành" stays one."""
    parts: list[str] = []
    for chunk in re.split(r";\s*", phrase):
        pieces = re.split(r"((?:,|\s+và|\s+với)\s+)(?=[A-ZĐÀ-Ỹ])", chunk)
        glue = ""
        for i, piece in enumerate(pieces):
            if i % 2:
                glue = piece
                continue
            if parts and i and not fold(piece).startswith(SUBJECT_STARTS):
                parts[-1] = f"{parts[-1]}{glue}{piece}"
            else:
                parts.append(piece)
    return [p.strip(" ,") for p in parts if p.strip(" ,")]


def _role(folded: str, after: int, end: int) -> str | None:
    window = folded[after:min(end, after + 30)]
    if window.lstrip(" ,").startswith("chu tri"):
        return "chủ trì"
    if window.lstrip(" ,").startswith("phoi hop"):
        return "phối hợp"
    return None


def _coordinators(text: str, folded: str, after: int, end: int) -> list[str]:
    match = re.compile(r"phoi hop voi\s+").search(folded, after, end)
    if not match:
        return []
    phrase, _ = _assignee_after(text, folded, match.end(), end)
    if not phrase:
        return []
    return _split_assignees(phrase)


def _clean_action(text: str) -> str:
    text = text[:MAX_SENTENCE]
    action = tidy(text).strip(" ,;:./")
    action = re.sub(r"^(đồng thời|và|, )\s*", "", action)
    action = re.sub(r"^(căn cứ chức năng, nhiệm vụ( được giao)?|theo chức năng, nhiệm vụ( được giao)?)[, ]*", "", action)
    return action.strip(" ,;:./") or collapse(text).strip(" ,;:./")


def _context(text: str, start: int, end: int, c_start: int, c_end: int) -> str:
    """The part of an over-long sentence around one clause, so output stays linear in the text."""
    a = max(start, c_start - MAX_SENTENCE // 4)
    b = min(end, c_end, a + MAX_SENTENCE)
    return tidy(text[a:b]) + (" …" if b < end else "")


def _clause_bounds(text: str, deadlines: list[Deadline], start: int, end: int) -> list[tuple[int, int, Deadline | None]]:
    """Cut a sentence into clauses, one per deadline; ";" separates duties inside it.

    "xây dựng kế hoạch … trước ngày 28/2; lập dự toán …; báo cáo … trước ngày 10/11"
    gives three clauses: two dated, one (the middle one) without a deadline.
    """
    if not deadlines:
        return [(start, end, None)]
    bounds: list[tuple[int, int, Deadline | None]] = []
    pos = start
    for d in deadlines:
        cut = text.rfind(";", pos, d.phrase_span[0])
        if cut != -1 and len(text[cut + 1:d.phrase_span[0]].split()) >= 3:
            if len(text[pos:cut].split()) >= 5:
                bounds.append((pos, cut, None))
            pos = cut + 1
        bounds.append((pos, d.phrase_span[1], d))
        pos = d.phrase_span[1]
    return bounds


def find_obligations(text: str, masked: str, folded: str, start: int, end: int,
                     ref: date | None, limit: int = MAX_OBLIGATIONS, issuer: str | None = None) -> list[Obligation]:
    """Obligations of ``masked[start:end]`` in text order; at most ``limit`` + 1 of them
    (one more than the limit tells the caller the text had too many)."""
    found: list[Obligation] = []
    previous: Obligation | None = None
    for s_start, s_end, starts_item in sentences(masked, folded, start, end):
        if starts_item:
            previous = None if not _continues(folded, s_start, s_end) else previous
        made = _sentence_obligations(masked, folded, s_start, s_end, ref, previous, limit + 1 - len(found), issuer)
        found.extend(made)
        if made:
            previous = made[-1]
        if len(found) > limit:
            break
    return found


def _continues(folded: str, start: int, end: int) -> bool:
    return folded[start:end].lstrip(" -+•*").startswith(("thoi gian", "thoi han", "han"))


def _sentence_obligations(text: str, folded: str, start: int, end: int, ref: date | None,
                          previous: Obligation | None, budget: int = MAX_OBLIGATIONS,
                          issuer: str | None = None) -> list[Obligation]:
    deadlines = [d for d in find_deadlines(folded, start, end, ref, limit=budget) if d.kind != "recurring"]
    assignee, after = (None, start)
    requester = None
    for cue in ASSIGN_CUE.finditer(folded, start, end):
        if text[cue.end()].isupper() or folded.startswith(SUBJECT_STARTS, cue.end()):
            assignee, after = _assignee_after(text, folded, cue.end(), end)
            requester = _requester(text, folded, start, cue.start(), issuer) if assignee else None
            break
    if assignee is None:
        assignee, after = _leading_assignee(text, folded, start, end)
    if assignee is None and not deadlines:
        return []
    if EXCLUDE.search(folded, start, end):
        return []
    if NARRATION.search(folded, start, end) and ref:
        deadlines = [d for d in deadlines if not (d.date and d.date < ref)]
        if not deadlines:
            return []
    if assignee is None and not OBLIGATION_WORDS.search(folded, start, end) and previous is None:
        if not deadlines:
            return []
    inherited = assignee is None and previous is not None
    assignees = _split_assignees(assignee) if assignee else (previous.assignees if previous else [])
    role = _role(folded, after, end) if assignee else (previous.role if previous else None)
    coordinators = _coordinators(text, folded, after, end) if assignee else []
    out = []
    whole = tidy(text[start:end]) if end - start <= MAX_SENTENCE else None
    for c_start, c_end, deadline in _clause_bounds(text, deadlines, max(after, start), end)[:budget]:
        action_text = text[c_start:deadline.phrase_span[0]] if deadline else text[c_start:c_end]
        if deadline and len(action_text.strip(" ,;.")) < 8:
            action_text = text[max(after, start, deadline.phrase_span[0] - MAX_SENTENCE):deadline.phrase_span[0]]
        out.append(Obligation(
            sentence=whole or _context(text, start, end, c_start, c_end), span=(start, end),
            assignees=list(assignees), role=role,
            action=_clean_action(action_text), deadline=deadline,
            deadline_phrase=collapse(text[deadline.phrase_span[0]:deadline.phrase_span[1]]) if deadline else None,
            deadline_text=collapse(text[deadline.date_span[0]:deadline.date_span[1]]) if deadline and deadline.date_span else None,
            inherited=inherited, coordinators=coordinators,
            other_body=requester if requester else (previous.other_body if inherited and previous else None),
        ))
    return out


def _requester(text: str, folded: str, start: int, cue: int, issuer: str | None) -> str | None:
    """The body that asks, when the sentence names one before its "đề nghị/yêu cầu/giao":
    "Bộ Nội vụ đề nghị Sở Nội vụ báo cáo trước …" is the Bộ's deadline for the Sở, which
    the receiving unit reads as information, not as its own time limit."""
    body = _ITEM_START.match(text[start:cue])
    pos = start + (body.end() if body else 0)
    while pos < cue and text[pos].isspace():
        pos += 1
    lead = re.match(r"(?:theo|tai|thuc hien)\s+[^,]{0,80},\s*", folded[pos:cue])
    if lead:
        return None  # "Theo …, UBND tỉnh đề nghị …": the issuer asks
    if not issuer:
        return None  # a portal page without its header: who asks whom is unknown
    courtesy = re.search(r"\s+(?:tran trong|kinh|xin)\s*$", folded[pos:cue])
    if courtesy:
        cue = pos + courtesy.start()
    phrase = text[pos:cue].strip(" ,;:")
    if not phrase or len(phrase) > 200 or not text[pos:pos + 1].isupper():
        return None
    if not folded.startswith(SUBJECT_STARTS, pos) or not _UNIT_WORD.search(folded, pos, cue):
        return None
    if _same_body(folded[pos:cue], issuer):
        return None  # the issuer naming itself ("UBND huyện đề nghị …")
    return collapse(phrase)


_ABBREVIATIONS = (("ubnd", "uy ban nhan dan"), ("hdnd", "hoi dong nhan dan"), ("mttq", "mat tran to quoc"))


def _same_body(folded_phrase: str, issuer: str | None) -> bool:
    """"UBND tỉnh", "Chủ tịch Ủy ban nhân dân tỉnh" name the issuer ỦY BAN NHÂN DÂN TỈNH HÀ NAM."""
    if not issuer:
        return False
    words = []
    for word in folded_phrase.split():
        words += dict(_ABBREVIATIONS).get(word, word).split()
    issuer_words = set(fold(issuer).split())
    for short, long in _ABBREVIATIONS:
        if short in issuer_words:
            issuer_words |= set(long.split())
    words = [w for w in words if w not in ("chu", "tich", "thuong", "truc", "lanh", "dao")]
    return bool(words) and all(w in issuer_words for w in words)


_MEETING = re.compile(r"(?:hop|hoi nghi|lam viec)[^.\n]{0,40}?(?:vao\s+)?(?:thu\s+\w+\s*,?\s*)?(?=ngay\s*\d)")
_REPORTING_UNIT = re.compile(r"don vi (?:chuan bi )?bao cao\s*:\s*")


def invitation_reports(masked: str, folded: str, ref: date | None) -> list[Obligation]:
    """Giấy mời: each "Đơn vị báo cáo: X" must report at the meeting, on the meeting day."""
    from dieuhanh.vanban.dates import find_dates

    meeting = _MEETING.search(folded)
    if not meeting:
        return []
    hits = find_dates(folded, ref, meeting.end(), meeting.end() + 30)
    if not hits:
        return []
    day = hits[0]
    out = []
    for match in _REPORTING_UNIT.finditer(folded):
        line_end = masked.find("\n", match.end())
        line_end = len(masked) if line_end == -1 else line_end
        unit = re.split(r"\.\s", masked[match.end():line_end])[0].strip(" .;")
        if not unit:
            continue
        deadline = Deadline("on", (day.start, day.end), day.value, (day.start, day.end))
        out.append(Obligation(
            sentence=collapse(masked[match.start():line_end]), span=(match.start(), line_end),
            assignees=[unit], role=None, action="báo cáo tại cuộc họp", deadline=deadline,
            deadline_phrase=collapse(masked[meeting.start():day.end]), deadline_text=collapse(masked[day.start:day.end]),
        ))
    return out

"""The closing block: Nơi nhận entries and the signature (authority, position, name).

Layouts differ: Nơi nhận before the signature (two columns read left first),
both in one markdown row, the signature run into the last "Lưu" entry on one
line, or "KT." alone on a line above "BỘ TRƯỞNG THỨ TRƯỞNG Name".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dieuhanh.lib.vntext import collapse, fold
from dieuhanh.vanban.lists import split_entries
from dieuhanh.vanban.patterns import NOI_NHAN
from dieuhanh.vanban.textprep import LOWER, UPPER

Span = tuple[int, int]

# Head titles an authority line names after TL./KT./TUQ. (longest first).
HEAD_TITLES = sorted((
    "BỘ TRƯỞNG, CHỦ NHIỆM", "BỘ TRƯỞNG", "THỦ TƯỚNG", "CHỦ TỊCH", "GIÁM ĐỐC", "TỔNG GIÁM ĐỐC",
    "TỔNG CỤC TRƯỞNG", "CỤC TRƯỞNG", "VỤ TRƯỞNG", "CHỦ NHIỆM", "TRƯỞNG BAN", "VIỆN TRƯỞNG",
    "CHÁNH ÁN", "HIỆU TRƯỞNG", "TRƯỞNG PHÒNG", "CHÁNH VĂN PHÒNG", "CHÁNH THANH TRA",
    "TỔNG THANH TRA CHÍNH PHỦ", "TỔNG KIỂM TOÁN NHÀ NƯỚC", "THỐNG ĐỐC", "CHI CỤC TRƯỞNG",
    "BÍ THƯ", "TRƯỞNG ĐOÀN", "TỔ TRƯỞNG", "GIÁM ĐỐC SỞ",
), key=len, reverse=True)
NAME_WORD = rf"[{UPPER}][{LOWER}]+"
# Two to five words; the last may be one capital alone ("Nguyễn Văn A", as on forms and samples).
NAME = re.compile(rf"{NAME_WORD}(?:[ \t]+{NAME_WORD}){{0,3}}[ \t]+(?:{NAME_WORD}|[{UPPER}](?![{UPPER}{LOWER}]))")
UPPER_RUN = re.compile(rf"[{UPPER}][{UPPER}0-9 ,.\-&()\n]*[{UPPER}.)]")
PREFIX = re.compile(r"^(TM|KT|TL|TUQ|Q)\s?\.\s*")
TITLE_WORDS = ("TRƯỞNG", "CHỦ TỊCH", "GIÁM ĐỐC", "CHỦ NHIỆM", "THỦ TƯỚNG", "CHÁNH", "BÍ THƯ",
               "THỐNG ĐỐC", "PHÓ", "CHÁNH ÁN", "ỦY VIÊN", "KT.", "TM.", "TL.")


# Without a Nơi nhận, the signature is looked for this far from the end of the text.
SIGNATURE_REACH = 6000


@dataclass
class Closing:
    distribution: list[str] = field(default_factory=list)
    noi_nhan_span: Span | None = None
    authority: str | None = None
    position: str | None = None
    name: str | None = None
    signature_span: Span | None = None
    position_lines: list[str] = field(default_factory=list)


def parse_closing(text: str, masked: str, folded: str, body_start: int) -> Closing:
    closing = Closing()
    nn = NOI_NHAN.search(folded, body_start) or _headless_list(folded, body_start)
    region_start = body_start
    region_end = len(text)
    if nn:
        closing.noi_nhan_span = (nn.start(), nn.end())
        region_start = max(body_start, nn.start() - 1500)
        region_end = min(len(text), nn.end() + 3000)
    else:  # no Nơi nhận: the signature closes the text (bounded, so a huge text stays linear)
        region_start = max(body_start, len(text) - SIGNATURE_REACH)
    lifted = _interleaved_signature(masked, nn.end(), region_end) if nn else None
    if lifted:
        masked, sig = lifted
    else:
        sig = _find_signature(text, masked, region_start, region_end, nn.start() if nn else None)
    if sig:
        closing.authority, closing.position, closing.name, closing.signature_span, closing.position_lines = sig
    if nn:
        list_text = masked if lifted else _cut_at(masked, closing.signature_span, nn.end())
        entries, end = split_entries(text, list_text, nn.end(), stop_words=False)
        closing.distribution = entries
        closing.noi_nhan_span = (nn.start(), end)
    return closing


_TRAILING = re.compile(rf"(?<=[;.:])[ \t]+((?:(?:TM|KT|TL|TUQ|Q)\s?\.\s*)?[{UPPER}][{UPPER} ,\-]*[{UPPER}])[ \t]*$", re.M)
_NAME_LINE = re.compile(rf"^[ \t]*({NAME.pattern})[ \t]*$", re.M)


def _interleaved_signature(masked: str, start: int, end: int):
    """Two columns read line by line: "Nơi nhận: KT. CHỦ TỊCH" / "- Lưu: VT. PHÓ CHỦ TỊCH" / name.

    The signature's lines ride at the end of the list's lines; lift them out
    (blanking them in a copy of the masked text) and read them as one block.
    """
    frags = []
    for match in _TRAILING.finditer(masked, start, end):
        frag = match.group(1)
        if not (PREFIX.match(frag) or _is_title(frag)):
            continue
        if not frags and not PREFIX.match(frag):
            return None
        frags.append(match)
        if len(frags) == 3:
            break
    if not frags:
        return None
    name = _NAME_LINE.search(masked, frags[-1].end(), min(end, frags[-1].end() + 200))
    if not name:
        return None
    lines = [collapse(f.group(1)) for f in frags]
    authority, position = _split_authority(lines)
    blanked = list(masked)
    for f in frags:
        blanked[f.start(1):f.end(1)] = " " * (f.end(1) - f.start(1))
    sig = (authority, position, collapse(name.group(1)), (frags[0].start(1), name.end(1)), lines)
    return "".join(blanked), sig


# A Nơi nhận list whose heading was lost still opens with "- Như trên;" / "- Như Điều 3;".
_NHU_TREN = re.compile(r"^[ \t]*(?=[-–+•]?\s*nhu\s+(?:t[a-z]{2,3}|dieu\s*\d+)\s*[;.,])", re.M)


def _headless_list(folded: str, body_start: int) -> re.Match[str] | None:
    return _NHU_TREN.search(folded, body_start)


def _cut_at(masked: str, span: Span | None, after: int) -> str:
    """Blank the signature out of the masked text so list parsing stops before it."""
    if not span or span[0] < after:
        return masked
    return masked[:span[0]] + "\n\n" + " " * (len(masked) - span[0] - 2)


def _candidates(masked: str, start: int, end: int) -> list[re.Match[str]]:
    # The head is bounded (no signature block is longer): unbounded, a wall of capitals
    # without a name makes every start position scan to its end.
    found = []
    pattern = re.compile(
        rf"(?:(?<=\s)|^)((?:(?:TM|KT|TL|TUQ|Q)\s?\.\s*)?[{UPPER}][{UPPER}0-9 ,.\-&()\n]{{0,250}}?)\s*({NAME.pattern})(?=\s|$|[^{LOWER}{UPPER}])",
        re.M,
    )
    for match in pattern.finditer(masked, start, end):
        head = match.group(1)
        if any(word in head for word in TITLE_WORDS) and len(head) < 250:
            found.append(match)
    return found


def _find_signature(text: str, masked: str, start: int, end: int, nn_start: int | None):
    cands = _candidates(masked, start, end)
    if not cands:
        return _nameless_authority(masked, start, end)
    # The signature is the candidate closest after the body: prefer one that
    # begins with an authority prefix, then the last before the annex.
    prefixed = [c for c in cands if PREFIX.match(c.group(1).strip())]
    match = prefixed[0] if prefixed else cands[0]
    head = match.group(1)
    head_start = match.start(1)
    # Drop leading non-title upper-case noise (e.g. a run-on "Lưu: VT" tail).
    pm = re.search(rf"(?<![{UPPER}])(?:TM|KT|TL|TUQ|Q)\s?\.", head)  # not the "Q." of "Lưu: MTTQ."
    if pm:
        head_start += pm.start()
        head = head[pm.start():]
    else:
        idx = _first_title_index(head)
        head_start += idx
        head = head[idx:]
    lines = [collapse(x) for x in head.split("\n") if x.strip()]
    authority, position = _split_authority(lines)
    name = collapse(match.group(2))
    return authority, position, name, (head_start, match.end(2)), lines


def _nameless_authority(masked: str, start: int, end: int):
    """A page cut after the authority line: "TM. ỦY BAN NHÂN DÂN" with no name below."""
    match = re.compile(rf"^[ \t]*((?:TM|KT|TL|TUQ)\s?\.\s*[{UPPER}][{UPPER} ,\-]+?)[ \t]*$", re.M).search(masked, start, end)
    if not match:
        return None
    authority, position = _split_authority([collapse(match.group(1))])
    return authority, position, None, match.span(1), [collapse(match.group(1))]


def _first_title_index(head: str) -> int:
    best = len(head)
    for title in HEAD_TITLES + ["PHÓ ", "THỨ TRƯỞNG"]:
        idx = head.find(title)
        if idx != -1:
            best = min(best, idx)
    return 0 if best == len(head) else best


def _split_authority(lines: list[str]) -> tuple[str | None, str | None]:
    joined = collapse(" ".join(lines))
    prefix = PREFIX.match(joined)
    if not prefix:
        position = lines[0] if len(lines) > 1 and _is_title(lines[1]) else joined
        for title in HEAD_TITLES:
            rest = position[len(title):].strip()
            if position.startswith(title) and (rest.startswith("PHÓ ") or rest.startswith(tuple(HEAD_TITLES))):
                position = title
                break
        return None, position.strip(" ,") or None
    rest = joined[prefix.end():]
    tag = prefix.group(1) + "."
    if tag == "TM.":
        return _split_tm(rest)
    for title in HEAD_TITLES:
        if rest.startswith(title) and len(rest) > len(title):
            return f"{tag} {title}", rest[len(title):].strip(" ,") or None
    if len(lines) >= 2 and PREFIX.match(lines[0]) and PREFIX.match(lines[0]).end() < len(lines[0]):
        return lines[0], " ".join(lines[1:]) or None
    words = rest.split()
    for i, word in enumerate(words[1:], 1):
        if word in ("PHÓ", "THỨ", "CHÁNH", "VỤ", "GIÁM", "TRƯỞNG"):
            return f"{tag} {' '.join(words[:i])}", " ".join(words[i:])
    return f"{tag} {rest}".strip(), None


def _split_tm(rest: str) -> tuple[str | None, str | None]:
    """TM. <collective> [KT. <head title>] <position>.

    "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" → ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH");
    "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" → ("TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH").
    """
    kt = re.search(r"\s(KT|TL|TUQ)\s?\.\s*", rest)
    if kt:
        collective = rest[:kt.start()].strip()
        inner = PREFIX.match(rest[kt.start():].strip())
        tail = rest[kt.end():]
        for title in HEAD_TITLES:
            if tail.startswith(title) and len(tail) > len(title):
                return f"TM. {collective} {kt.group(1)}. {title}", tail[len(title):].strip(" ,") or None
        return f"TM. {collective}", (rest[kt.start():].strip() if inner else None)
    for marker in (" CHỦ TỊCH", " THỦ TƯỚNG", " TRƯỞNG BAN", " BÍ THƯ", " GIÁM ĐỐC", " PHÓ ",
                   " TRƯỞNG TIỂU BAN", " TỔ TRƯỞNG", " TRƯỞNG ĐOÀN"):
        idx = rest.find(marker)
        if idx > 0:
            return f"TM. {rest[:idx].strip()}", rest[idx:].strip() or None
    return f"TM. {rest}".strip(), None


def _is_title(line: str) -> bool:
    return any(word in line for word in TITLE_WORDS)


def signer_is_deputy(position: str | None) -> bool:
    key = fold(position or "")
    return key.startswith(("pho ", "thu truong")) or " pho " in f" {key} "

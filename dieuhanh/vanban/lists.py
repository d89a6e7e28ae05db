"""Dash lists: Kính gửi recipients and Nơi nhận entries."""

from __future__ import annotations

import re

from dieuhanh.lib.vntext import collapse, fold
from dieuhanh.vanban.patterns import BODY_STARTERS
from dieuhanh.vanban.textprep import blank_step

_ENTRY_START = re.compile(r"(?:^\s*[-–+•]\s*|(?:(?<=[;.:])|(?<=\n))\s*[-–+•]\s+)", re.M)
_FOLDED_STARTERS = tuple(sorted({fold(s) for s in BODY_STARTERS}, key=len, reverse=True))


def _cut_body(entry: str) -> tuple[str, bool]:
    """A one-line recipient runs straight into the body ("…Trung ương Thực hiện Luật…")."""
    key = fold(entry)
    for match in re.finditer(r"(?<=\S)\s+(?=[A-ZĐ])", entry):
        rest = key[match.end():]
        if rest.startswith(_FOLDED_STARTERS):
            return entry[:match.start()], True
    return entry, False


def clean_entry(entry: str) -> str:
    return collapse(entry).strip().rstrip(";.,").strip()


def split_entries(text: str, masked: str, pos: int, stop_words: bool) -> tuple[list[str], int]:
    """Entries of a dash list starting at ``pos``; returns them and where the list ends.

    Entries are split on a leading dash (after a line break or ";"), never on an
    inner " - " ("Bộ Công an (Cục A03 - để b/c)").
    """
    limit = min(len(text), pos + 4000)
    segment = masked[pos:limit]
    lines = segment.split("\n")
    entries: list[str] = []
    offset = 0
    end = pos
    started_dash = False
    step = blank_step(masked)
    blanks = 0
    for raw in lines:
        line = raw.strip()
        line_pos = pos + offset
        offset += len(raw) + 1
        if not line:
            blanks += 1
            continue
        is_dash = bool(re.match(r"^[-–+•]\s*", line))
        # A blank line closes the list unless a dash entry follows it.
        if entries and blanks > step and not is_dash:
            break
        blanks = 0
        # A list whose dashes were lost (OCR) still ends each entry with ";".
        after_semicolon = bool(entries) and entries[-1].rstrip().endswith(";")
        if entries and not is_dash and after_semicolon and not line[:1].islower():
            is_dash = True
        if entries and not is_dash and not (line[:1].islower() and started_dash):
            break
        if entries and not is_dash:
            entries[-1] += " " + line
            end = line_pos + len(raw)
            continue
        pieces = [p for p in _ENTRY_START.split(line) if p.strip()] if is_dash or ";" in line else [line]
        started_dash = started_dash or is_dash
        stop = False
        for piece in pieces:
            if stop_words:
                piece, stop = _cut_body(piece)
            if clean_entry(piece):
                entries.append(piece)
            if stop:
                break
        end = line_pos + len(raw)
        if stop or (not is_dash and not stop_words):
            break
        if not is_dash and len(pieces) <= 1 and not line.endswith(";"):
            break
    # A page cut inside the last entry ("- CVP, c" at the very end) is no entry.
    if entries and not text[end:].strip() and not re.search(r"[;.)]\s*$", entries[-1].strip()):
        entries.pop()
    return [e for e in (clean_entry(x) for x in entries) if e], end


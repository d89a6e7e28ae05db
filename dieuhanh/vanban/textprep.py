"""Prepare document text for matching without losing character offsets.

Every span the parser reports points into the document text as read (NFC).
Layout noise is therefore *masked* rather than removed: markdown emphasis,
table pipes, separator rows and decorative rule lines are replaced by spaces
or line breaks of the same length, so the masked text lines up with the
original character for character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dieuhanh.lib.vntext import canon_tone, clean

# Vietnamese letters, for building character classes.
LOWER = "a-zàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
UPPER = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"

_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|^#{1,6} ", re.M)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.M)
_PIPE = re.compile(r"\|")
# Decorative rules under headers, lone dashes, dot leaders; each only runs when its
# marker occurs (one alternation over the whole text is several times slower).
_RULES = (
    ("---", re.compile(r"(?<![\w/])-{3,}(?![\w/])")),
    ("\n", re.compile(r"^[ \t]*-[ \t]*$", re.M)),
    ("____", re.compile(r"_{4,}")),
    ("====", re.compile(r"={4,}")),
    ("....", re.compile(r"\.{4,}")),
    ("……", re.compile(r"…{2,}")),
)
_BACKSLASH_BREAK = re.compile(r"\\$", re.M)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def mask(text: str) -> str:
    """Same-length copy of ``text`` with layout noise replaced by blanks/line breaks."""
    out = _TABLE_RULE.sub(_blank, text) if "|" in text or "---" in text else text
    if "*" in out or "_" in out or "#" in out:
        out = _EMPHASIS.sub(_blank, out)
    out = _PIPE.sub("\n", out)
    for marker, pattern in _RULES:
        if marker in out:
            out = pattern.sub(_blank, out)
    out = _BACKSLASH_BREAK.sub(" ", out)
    # Tone placement is unified for matching (hoà/hòa): same length in NFC.
    canon = canon_tone(out)
    return canon if len(canon) == len(out) else out


@dataclass(frozen=True)
class Line:
    """A stripped line of the masked text and where it starts in the original."""

    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def lines_of(masked: str, start: int = 0, end: int | None = None) -> list[Line]:
    """Non-empty stripped lines of ``masked[start:end]`` with absolute offsets."""
    end = len(masked) if end is None else end
    result: list[Line] = []
    pos = start
    for raw in masked[start:end].split("\n"):
        stripped = raw.strip()
        if stripped:
            result.append(Line(stripped, pos + raw.index(stripped)))
        pos += len(raw) + 1
    return result


_LINE_RUN = re.compile(r"\n(?:[ \t]*\n)*")


def blank_step(masked: str) -> int:
    """Blank lines a text sets between consecutive lines of one block: 0, or 1 when double spaced.

    A page typed (or extracted) with a blank line after every line carries its
    paragraph breaks as two or more blank lines; a blank line there separates nothing.
    """
    cached = _STEP_CACHE.get(id(masked))
    if cached and cached[0] is masked:
        return cached[1]
    runs = [m.group(0).count("\n") for m in _LINE_RUN.finditer(masked.strip())]
    doubled = sum(1 for n in runs if n >= 2)
    step = 1 if len(runs) >= 5 and doubled >= 0.9 * len(runs) else 0
    _STEP_CACHE.clear()
    _STEP_CACHE[id(masked)] = (masked, step)
    return step


_STEP_CACHE: dict[int, tuple[str, int]] = {}


@dataclass
class Prepared:
    """The document text (NFC, cleaned) and its masked twin of equal length."""

    text: str
    masked: str

    @classmethod
    def from_text(cls, raw: str) -> "Prepared":
        text = clean(raw).replace("\r\n", "\n").replace("\r", "\n")
        return cls(text=text, masked=mask(text))

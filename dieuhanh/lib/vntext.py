"""Vietnamese text helpers: Unicode normalisation, tone placement, diacritic folding.

Documents arrive in NFC or NFD, with the tone mark on either vowel of "oa", "oe",
"uy" ("hoà"/"hòa", "thuỷ"/"thủy"), with non-breaking spaces and typographic dashes.
Parsers match on a canonical key and report the text as printed.
"""

from __future__ import annotations

import re
import unicodedata

# Combining tone marks (the five tones other than level).
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

_SPACES = re.compile(r"[\t\u00a0\u2007\u202f\u2000-\u200a\u3000\ufeff]")
_BREAKS = re.compile(r"[\v\f\u2028\u2029\x85]")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060]")
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")

# "oà" → "òa": move the tone from the second vowel of oa/oe/uy to the first when
# nothing follows the pair (hoà, khoẻ, thuỷ); with a final consonant or another
# vowel the tone sits on the second vowel in both styles (hoàn, thuyền). "qu" is
# a consonant, so "quý" stays. Done on NFC text with a table: it runs on every document.
_TONED = {
    "a": "àáảãạ", "e": "èéẻẽẹ", "y": "ỳýỷỹỵ", "o": "òóỏõọ", "u": "ùúủũụ",
}


def _pair_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for first, seconds in (("o", "ae"), ("u", "y")):
        for second in seconds:
            for tone in range(5):
                for up1, up2 in ((False, False), (True, False), (True, True), (False, True)):
                    src1 = first.upper() if up1 else first
                    dst1 = _TONED[first][tone].upper() if up1 else _TONED[first][tone]
                    src2 = _TONED[second][tone].upper() if up2 else _TONED[second][tone]
                    dst2 = second.upper() if up2 else second
                    table[src1 + src2] = dst1 + dst2
    return table


_PAIRS = _pair_table()
_TONE_PAIR = re.compile(
    "(?<![qQ])([oOuU][" + "".join(sorted({pair[1] for pair in _PAIRS})) + r"])(?![^\W\d_])"
)


def _move_tone(match: re.Match[str]) -> str:
    pair = match.group(1)
    return _PAIRS.get(pair, pair)


def clean(text: str) -> str:
    """NFC, ordinary spaces for exotic ones, hyphen-minus for dashes, no zero-widths."""
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _BREAKS.sub("\n", text)
    return _DASHES.sub("-", text)


def canon_tone(text: str) -> str:
    """Put tone marks in the classic position ("hoà" → "hòa", "uỷ" → "ủy"), NFC; same length."""
    return _TONE_PAIR.sub(_move_tone, unicodedata.normalize("NFC", text))


def fold(text: str) -> str:
    """Lower-case skeleton without diacritics, đ → d ("Cái Răng" → "cai rang")."""
    return fold_same_length(unicodedata.normalize("NFC", text)).lower()


def key(text: str) -> str:
    """Matching key: cleaned, tone-canonical, case-folded, whitespace collapsed."""
    return " ".join(canon_tone(clean(text)).casefold().split())


def collapse(text: str) -> str:
    """Collapse every run of whitespace into one space and strip the ends."""
    return " ".join(text.split())


_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)])")


def tidy(text: str) -> str:
    """Collapse whitespace and drop spaces left before punctuation by masked markup."""
    return _SPACE_BEFORE_PUNCT.sub(r"\1", collapse(text))


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    ranges = [range(0x41, 0x5B), range(0xC0, 0x250), range(0x1E00, 0x1F00)]
    for rng in ranges:
        for code in rng:
            ch = chr(code)
            base = unicodedata.normalize("NFD", ch)[0].lower()
            if ch in "đĐ":
                base = "d"
            if len(base) == 1 and base != ch:
                table[code] = base
    return table


_FOLD_TABLE = _build_fold_table()


def fold_same_length(text: str) -> str:
    """Like :func:`fold` but one output character per input character (NFC input).

    Offsets found in the folded text are valid in the original, so patterns can be
    written without diacritics ("ngay ... thang ... nam") and still match text
    typed with or without them.
    """
    return text.translate(_FOLD_TABLE)

"""Legacy Vietnamese 8-bit encodings: TCVN3 (ABC, .VnTime fonts) and VNI-Windows.

Old office files and .txt exports still arrive in these font encodings. Read as
cp1252/latin-1 they turn into mojibake: "Céng hoµ x· héi" (TCVN3) or
"Coäng hoøa xaõ hoäi" (VNI). Both are handled at the character level: each byte
is the latin-1 character with the same code, so raw bytes decoded as latin-1 and
strings that were mis-decoded as cp1252 look alike.

Detection decodes every candidate word and counts how many become valid
Vietnamese syllables; ordinary Unicode Vietnamese, English or French text stays
below the thresholds, so ``fix_legacy`` leaves it untouched.
"""

from __future__ import annotations

import re
import unicodedata

TCVN3 = "tcvn3"
VNI = "vni"
ENCODINGS = (TCVN3, VNI)

# Combining tones in the order the tables below list them.
_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT = "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
_TONE_ORDER = ("", _GRAVE, _HOOK, _TILDE, _ACUTE, _DOT)
_TONE_MARKS = frozenset(_TONE_ORDER[1:])

# TCVN 5712:1993, set VN3 (the "ABC" set): for each vowel, the codes of its
# level/grave/hook/tilde/acute/dot-below forms. VN3 only has lower-case toned
# letters; upper case was drawn with the same codes in the .VnTimeH fonts.
_TCVN3_VOWELS: dict[str, tuple[int, ...]] = {
    "a": (0x61, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0x65, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0x69, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0x6F, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0x75, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0x79, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_OTHERS = {0xAE: "đ", 0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ"}


def _build_tcvn3() -> dict[int, str]:
    table = dict(_TCVN3_OTHERS)
    for base, codes in _TCVN3_VOWELS.items():
        for tone, code in zip(_TONE_ORDER, codes):
            if code >= 0x80:
                table[code] = unicodedata.normalize("NFC", base + tone)
    return table


#: Latin-1 code point → Unicode letter, for ``str.translate``.
TCVN3_TABLE: dict[int, str] = _build_tcvn3()

# VNI-Windows writes a base letter followed by a "mark" byte. Tone marks follow
# a/e/o/u/y and ơ/ư; circumflex and breve marks carry their own tone variants.
_VNI_TONES = ("", "ø", "û", "õ", "ù", "ï")
_VNI_CIRCUMFLEX = ("â", "à", "å", "ã", "á", "ä")
_VNI_BREVE = ("ê", "è", "ú", "ü", "é", "ë")
_VNI_CIRCUMFLEX_OF = {"a": "â", "e": "ê", "o": "ô"}
# i and ỵ are single bytes, as are ơ, ư and đ themselves.
_VNI_I = ("i", "ì", "æ", "ó", "í", "ò")
_VNI_SINGLE_LOWER = {"ô": "ơ", "ö": "ư", "ñ": "đ", "î": "ỵ"}


def _with_tone(base: str, tone_index: int) -> str:
    return unicodedata.normalize("NFC", base + _TONE_ORDER[tone_index])


def _build_vni_lower() -> dict[str, str]:
    """Lower-case VNI sequence → Unicode letter."""
    table: dict[str, str] = {}
    for index in range(1, 6):
        table[_VNI_I[index]] = _with_tone("i", index)
    for seq, letter in _VNI_SINGLE_LOWER.items():
        table[seq] = letter
    for base in "aeouy":
        for index in range(1, 6):
            table[base + _VNI_TONES[index]] = _with_tone(base, index)
    for base in "ôö":
        for index in range(1, 6):
            table[base + _VNI_TONES[index]] = _with_tone(_VNI_SINGLE_LOWER[base], index)
    del table["yï"]  # ỵ is the single byte "î"
    for base, hatted in _VNI_CIRCUMFLEX_OF.items():
        for index, mark in enumerate(_VNI_CIRCUMFLEX):
            table[base + mark] = _with_tone(hatted, index)
    for index, mark in enumerate(_VNI_BREVE):
        table["a" + mark] = _with_tone("ă", index)
    return table


def _build_vni() -> dict[str, str]:
    lower = _build_vni_lower()
    table = dict(lower)
    for seq, letter in lower.items():
        # Upper-case letters use upper-case base and mark bytes; typists mixing
        # the two (Shift on the base only) still mean the base letter's case.
        table[seq.upper()] = letter.upper()
        if len(seq) == 2:
            table[seq[0].upper() + seq[1]] = letter.upper()
            table[seq[0] + seq[1].upper()] = letter
    return table


#: VNI sequence (one or two latin-1 characters) → Unicode letter.
VNI_TABLE: dict[str, str] = _build_vni()
_VNI_MARKS = "".join(_VNI_TONES + _VNI_CIRCUMFLEX + _VNI_BREVE)
_VNI_SINGLES = "".join(seq for seq in VNI_TABLE if len(seq) == 1)
# Marks and single-byte letters are disjoint sets, so one left-to-right pass
# of "base+mark or single" is unambiguous ("öôï" → ư + ợ).
_VNI_PATTERN = re.compile(f"[aeouyAEOUYôöÔÖ][{_VNI_MARKS}{_VNI_MARKS.upper()}]|[{_VNI_SINGLES}]")

# Letters that only Unicode Vietnamese uses (beyond latin-1): a line holding one
# cannot be legacy mojibake, and many of them mean the text is already Unicode.
# Combining marks count too: mis-decoded 8-bit text never contains them (NFD input does).
_UNICODE_VIET = re.compile(
    r"[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9\u0300-\u036f]"
)
_SAMPLE = 200_000  # characters a decision looks at: a long prefix decides as well as the whole
# A word as the legacy encodings spell it: ASCII letters plus any latin-1 symbol.
_TOKEN = re.compile(r"[A-Za-z\u00a1-\u00ff]+")
_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
# Vowel groups of Vietnamese spelling (semivowel codas included: "ai", "ươu").
_NUCLEI = (
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi ua uâ uê ui "
    "uô uơ uy ưa ưi ươ ưu yê iêu yêu oai oay oeo uây uôi ươi ươu uya uyê uyu"
).split()
_SYLLABLE = re.compile(
    rf"(?:{_ONSET})?(?:{'|'.join(sorted(_NUCLEI, key=len, reverse=True))})(?:ch|nh|ng|[cmnpt])?"
)


def is_vietnamese_syllable(word: str) -> bool:
    """True when ``word`` is spelled like one Vietnamese syllable (at most one tone)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(ch in _TONE_MARKS for ch in decomposed)
    if tones > 1 or len(word) > 8:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    return _SYLLABLE.fullmatch(bare) is not None


def count_vietnamese_words(text: str) -> tuple[int, int]:
    """(valid, invalid) counts of the non-ASCII words of ``text`` as Vietnamese syllables."""
    valid = invalid = 0
    for word in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text)):
        if word.isascii():
            continue
        if is_vietnamese_syllable(word):
            valid += 1
        else:
            invalid += 1
    return valid, invalid


def _decode_tcvn3_word(word: str) -> str:
    return word.translate(TCVN3_TABLE)


def _vni_sub(match: re.Match[str]) -> str:
    seq = match.group(0)
    letter = VNI_TABLE.get(seq)
    if letter is not None:
        return letter
    # A mark that this base cannot take ("uâ"): convert the base alone.
    return VNI_TABLE.get(seq[0], seq[0]) + seq[1:]


def _decode_vni_word(word: str) -> str:
    return _VNI_PATTERN.sub(_vni_sub, word)


_DECODERS = {TCVN3: _decode_tcvn3_word, VNI: _decode_vni_word}


def _score(lines: list[str], encoding: str) -> tuple[int, int, int]:
    """(words that decode into Vietnamese syllables, words that decode into junk, words)."""
    decode = _DECODERS[encoding]
    good = bad = words = 0
    for line in lines:
        for token in _TOKEN.findall(line):
            words += 1
            if len(token) == 1 and not token.isalpha():
                continue  # a lone "½", "£" or "©" is a symbol, not evidence
            decoded = decode(token)
            if decoded == token:
                continue
            if is_vietnamese_syllable(decoded):
                good += 1
            else:
                bad += 1
    return good, bad, words


def _unicode_viet_count(text: str) -> int:
    return len(_UNICODE_VIET.findall(text))


def _candidate_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if not _UNICODE_VIET.search(line)]


def detect_legacy(text: str) -> str | None:
    """"tcvn3" or "vni" when ``text`` is legacy Vietnamese read as latin-1/cp1252, else None."""
    text = text[:_SAMPLE]
    lines = _candidate_lines(text)
    unicode_letters = _unicode_viet_count(text)
    best: tuple[int, str] | None = None
    for encoding in ENCODINGS:
        good, bad, words = _score(lines, encoding)
        # Thresholds: real legacy text turns most accented words into valid
        # syllables (a third or more of all words); French "où" or a stray "®"
        # stay far below 10 %, and Unicode Vietnamese has its own letters.
        if good < 2 or good < 0.1 * words or good < 2 * bad or good <= unicode_letters:
            continue
        margin = good - bad
        if best is None or margin > best[0]:
            best = (margin, encoding)
    return best[1] if best else None


# Upper-case heuristics for TCVN3 (see module doc): in a line typed in capitals,
# or in a word with a capital after its first letter, lower-case VN3 codes stood
# for capitals drawn by a .VnTimeH font.
_WORD = re.compile(r"[^\W\d_]+")


def _restore_case(line: str) -> str:
    # Judge the line by the non-initial ASCII letters of words that also hold VN3
    # codes: "Số: 313/UBND" is title case ("UBND" and the initial "S" say nothing),
    # "CéNG HßA" is a capitals line.
    inner = [
        ch for word in _WORD.findall(line) if not word.isascii()
        for ch in word[1:] if ch.isascii()
    ]
    shouting = len(inner) >= 3 and sum(ch.isupper() for ch in inner) >= 0.8 * len(inner)

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        letters = [ch for ch in word if ch.isascii() and ch.isalpha()]
        if any(ch.islower() for ch in letters):
            return word
        inner_capital = any(ch.isascii() and ch.isupper() for ch in word[1:])
        return word.upper() if shouting or inner_capital else word

    return _WORD.sub(fix, line)


def _decode_line(line: str, encoding: str) -> str:
    if _UNICODE_VIET.search(line):
        return line  # already Unicode: legacy text cannot hold these letters
    if encoding == TCVN3:
        return _restore_case(line.translate(TCVN3_TABLE))
    return _VNI_PATTERN.sub(_vni_sub, line)


def decode_legacy(text: str, encoding: str) -> str:
    """Convert legacy text (bytes read as latin-1/cp1252) to Unicode NFC.

    Lines that already contain Unicode-only Vietnamese letters are kept as they are,
    so a document mixing a Unicode header with a legacy body comes out whole.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown legacy encoding: {encoding!r}")
    lines = text.splitlines(keepends=True)
    return unicodedata.normalize("NFC", "".join(_decode_line(line, encoding) for line in lines))


def fix_legacy(text: str) -> tuple[str, str | None]:
    """Detect and convert in one call: (text, encoding) or (text unchanged, None)."""
    encoding = detect_legacy(text)
    if encoding is None:
        return text, None
    return decode_legacy(text, encoding), encoding


# cp1252 differs from latin-1 only in 0x80-0x9F (curly quotes, dashes, ...).
_CP1252_C1 = {b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0xA0)}


def single_byte_text(data: bytes) -> str:
    """Bytes as cp1252 where it defines a character, latin-1 elsewhere: never fails,
    and gives the same characters as a mis-decoded legacy string."""
    return data.decode("latin-1").translate(_CP1252_C1)


def decode_8bit(data: bytes) -> tuple[str, str]:
    """(text, encoding) for non-UTF-8 bytes: TCVN3 or VNI when detected, else the
    Windows code page that reads better: cp1258 (Vietnamese) or cp1252 (Western)."""
    single = single_byte_text(data)
    encoding = detect_legacy(single)
    if encoding:
        return decode_legacy(single, encoding), encoding
    best: tuple[tuple[int, bool], str, str] | None = None
    for codec in ("cp1258", "cp1252"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        valid, invalid = count_vietnamese_words(text[:_SAMPLE])
        # On a tie, cp1258 wins only when it yields Vietnamese words at all.
        key = (valid - invalid, (codec == "cp1258") == bool(valid))
        if best is None or key > best[0]:
            best = (key, codec, text)
    if best is None:  # bytes undefined in both code pages
        return single, "latin-1"
    return best[2], best[1]

"""TCVN3 / VNI detection and conversion, checked with encoders written independently here."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dieuhanh.vanban.legacy import (
    TCVN3,
    VNI,
    decode_legacy,
    detect_legacy,
    fix_legacy,
    is_vietnamese_syllable,
)

from tests.conftest import SHARED
SEED = SHARED / "seeds" / "000_3d324eb5ea0723cd.txt"
CORPUS = sorted((SHARED / "corpus" / "dev").glob("*.txt"))

TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # level, grave, hook, tilde, acute, dot
VOWELS = "a ă â e ê i o ô ơ u ư y".split()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def all_letters() -> list[str]:
    """The 134 Vietnamese letters outside ASCII: 66 toned/modified vowels and đ, both cases."""
    lower = [nfc(v + t) for v in VOWELS for t in TONES if nfc(v + t) not in "aeiouy"] + ["đ"]
    return lower + [ch.upper() for ch in lower]


# --- independent encoders --------------------------------------------------------

# TCVN3 (VN3) written out as published: each vowel's grave/hook/tilde/acute/dot forms.
_TCVN3_ROWS = {
    "a": "µ¶·¸¹", "ă": "»¼½¾Æ", "â": "ÇÈÉÊË", "e": "ÌÎÏÐÑ", "ê": "ÒÓÔÕÖ", "i": "×ØÜÝÞ",
    "o": "ßáâãä", "ô": "åæçèé", "ơ": "êëìíî", "u": "ïñòóô", "ư": "õö÷øù", "y": "úûüýþ",
}
_TCVN3_PLAIN = {"ă": "¨", "â": "©", "ê": "ª", "ô": "«", "ơ": "¬", "ư": "\xad", "đ": "®",
                "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§"}
_CP1252_SPECIALS = "“”‘’…–—•"


def _tcvn3_map() -> dict[str, str]:
    table = dict(_TCVN3_PLAIN)
    for vowel, codes in _TCVN3_ROWS.items():
        for tone, code in zip(TONES[1:], codes):
            table[nfc(vowel + tone)] = code
    return table


TCVN3_ENC = _tcvn3_map()


def representable(ch: str) -> bool:
    return ch.isascii() or ch in _CP1252_SPECIALS or ch.lower() in TCVN3_ENC


def portable(text: str) -> str:
    """What a legacy file can hold: other symbols (°, Ø, nbsp) become '?'."""
    return "".join(ch if representable(ch) else "?" for ch in nfc(text))


def encode_tcvn3(text: str) -> str:
    """Unicode → TCVN3 as latin-1 characters. Capitals without a code use the
    lower-case code, as typists did with the .VnTimeH fonts."""
    out = []
    for ch in portable(text):
        out.append(TCVN3_ENC.get(ch) or TCVN3_ENC.get(ch.lower(), ch))
    return "".join(out)


_VNI_TONE = dict(zip(TONES, ("", "ø", "û", "õ", "ù", "ï")))
_VNI_HAT = dict(zip(TONES, ("â", "à", "å", "ã", "á", "ä")))
_VNI_BREVE = dict(zip(TONES, ("ê", "è", "ú", "ü", "é", "ë")))
_VNI_I = dict(zip(TONES, ("i", "ì", "æ", "ó", "í", "ò")))


def _vni_letter(ch: str) -> str:
    if ch in "đĐ":
        return "ñ" if ch == "đ" else "Ñ"
    parts = unicodedata.normalize("NFD", ch.lower())
    base, marks = parts[0], parts[1:]
    tone = next((m for m in marks if m in TONES[1:]), "")
    if base == "i":
        out = _VNI_I[tone]
    elif base == "y" and tone == "\u0323":
        out = "î"
    elif "\u0302" in marks:
        out = base + _VNI_HAT[tone]
    elif "\u0306" in marks:
        out = base + _VNI_BREVE[tone]
    elif "\u031b" in marks:
        out = {"o": "ô", "u": "ö"}[base] + _VNI_TONE[tone]
    else:
        out = base + _VNI_TONE[tone]
    return out.upper() if ch.isupper() else out


def encode_vni(text: str) -> str:
    letters = set(all_letters())
    return "".join(_vni_letter(ch) if ch in letters else ch for ch in portable(text))


# --- tables --------------------------------------------------------------------


def test_there_are_134_letters() -> None:
    assert len(set(all_letters())) == 134


def test_vni_covers_every_letter_in_both_cases() -> None:
    for letter in all_letters():
        assert decode_legacy(encode_vni(letter), VNI) == letter, letter


def test_tcvn3_covers_every_lower_case_letter_and_its_capitals() -> None:
    for letter in all_letters():
        decoded = decode_legacy(encode_tcvn3(letter), TCVN3)
        if letter.islower() or letter in _TCVN3_PLAIN:
            assert decoded == letter, letter
        else:  # no code point: read back as the lower-case letter
            assert decoded == letter.lower(), letter


def test_published_mojibake_examples() -> None:
    assert fix_legacy("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == ("Cộng hoà xã hội chủ nghĩa Việt Nam", TCVN3)
    assert fix_legacy("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam") == ("Cộng hòa xã hội chủ nghĩa Việt Nam", VNI)
    assert fix_legacy("§éc lËp - Tù do - H¹nh phóc")[0] == "Độc lập - Tự do - Hạnh phúc"
    assert fix_legacy("Ñoäc laäp - Töï do - Haïnh phuùc")[0] == "Độc lập - Tự do - Hạnh phúc"
    assert fix_legacy("ñöôïc ngöôøi tröôøng")[0] == "được người trường"


def test_tcvn3_capitals_typed_with_vntimeh_come_back() -> None:
    heading = encode_tcvn3("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert heading == "CéNG HßA X· HéI CHñ NGHÜA VIÖT NAM"
    assert decode_legacy(heading, TCVN3) == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert decode_legacy(encode_tcvn3("Ủy ban nhân dân QUẬN"), TCVN3) == "ủy ban nhân dân QUẬN"


# --- round trips on real documents ------------------------------------------------


def _documents() -> list[str]:
    docs = [SEED.read_text(encoding="utf-8")]
    docs += [path.read_text(encoding="utf-8") for path in CORPUS[:12]]
    assert len(docs) >= 10, "corpus files are missing"
    return docs


def test_vni_round_trip_is_exact() -> None:
    for original in _documents():
        encoded = encode_vni(original)
        assert detect_legacy(encoded) == VNI
        assert decode_legacy(encoded, VNI) == portable(original)


def test_tcvn3_round_trip_up_to_lost_capitals() -> None:
    for original in _documents():
        encoded = encode_tcvn3(original)
        assert detect_legacy(encoded) == TCVN3
        decoded = decode_legacy(encoded, TCVN3)
        assert decoded.lower() == portable(original).lower()


def test_tcvn3_seed_header_lines_are_restored_exactly() -> None:
    original = SEED.read_text(encoding="utf-8")
    decoded = decode_legacy(encode_tcvn3(original), TCVN3)
    for line in ("**ỦY BAN NHÂN DÂN  ", "QUẬN CÁI RĂNG**", "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM  ",
                 "**KT. CHỦ TỊCH  ", "PHÓ CHỦ TỊCH**", "Độc lập - Tự do - Hạnh phúc**",
                 "**Vương Công Khanh**", "Cái Răng, ngày 02 tháng 3 năm 2020", "Số: 313/UBND",
                 "- Lưu: VT.", "**Nơi nhận:**", "Kính gửi:"):
        assert line in decoded.splitlines(), line


def test_mixed_unicode_header_and_legacy_body() -> None:
    text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n" + encode_tcvn3(
        "Thực hiện Kế hoạch số 29/KH-UBND của Ủy ban nhân dân thành phố về tổng kết công tác cải cách hành chính."
    )
    fixed, encoding = fix_legacy(text)
    assert encoding == TCVN3
    assert fixed.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nThực hiện Kế hoạch số 29/KH-UBND của ủy ban")


# --- no false positives ----------------------------------------------------------

FOREIGN = [
    "The committee shall report to the minister before 10 April 2020. Microsoft® Word© £5 ½ price.",
    "Prices: £ 12, ½ off, ¼ or ¾ of © 2020 · Section § 4 ± 2 ° ¶ 3 « quoted » ª º ¹ ² ³ µ.",
    "Où est la gare ? Déjà vu, à côté de l'hôtel, c'était très agréable. Noël, naïf, où, là, garçon.",
    "Schöne Grüße aus München; die Mädchen äßen Brötchen über dem Fluss. Ärger, Öl, Übung.",
    "El niño pequeño comió en España; la acción fue rápida, ¿qué más? Año, señor, mañana.",
    "Não há informações; a situação é pública, você está à espera. São Paulo, coração, três irmãos.",
]


def test_unicode_english_and_western_text_are_left_alone() -> None:
    samples = _documents() + FOREIGN
    samples += [unicodedata.normalize("NFD", text) for text in _documents()[:3]]
    samples += [path.read_text(encoding="utf-8") for path in CORPUS]
    samples += ["", "UBND", "Cong hoa xa hoi chu nghia Viet Nam", "Khánh Hoà", "12/2020/NĐ-CP"]
    for text in samples:
        assert fix_legacy(text) == (text, None), text[:80]


def test_foreign_text_read_as_cp1252_is_not_legacy() -> None:
    for text in FOREIGN:
        single_bytes = text.encode("cp1252", errors="replace").decode("latin-1")
        assert detect_legacy(single_bytes) is None, text


def test_syllable_check() -> None:
    for word in ("người", "nghĩa", "khuyến", "Quốc", "gìn", "ĐƯỢC", "khuỷu", "thuở"):
        assert is_vietnamese_syllable(word), word
    for word in ("café", "coọng", "hoứa", "microsoftđ", "ộtộ"):
        assert not is_vietnamese_syllable(word), word


def test_decode_rejects_unknown_encoding() -> None:
    with pytest.raises(ValueError):
        decode_legacy("abc", "viscii")


# --- properties ------------------------------------------------------------------

_LOWER = [ch for ch in all_letters() if ch.islower()] + list("aeiouybcdghklmnpqrstvx")
_WORDS = st.lists(st.sampled_from(_LOWER), min_size=1, max_size=6).map("".join)
_SENTENCES = st.lists(_WORDS, min_size=1, max_size=12).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(_SENTENCES, st.booleans())
def test_any_letter_sequence_round_trips(text: str, capitals: bool) -> None:
    if capitals:
        assert decode_legacy(encode_vni(text.upper()), VNI) == text.upper()
    assert decode_legacy(encode_vni(text), VNI) == text
    assert decode_legacy(encode_tcvn3(text), TCVN3) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=200))
def test_fix_legacy_never_raises(text: str) -> None:
    fixed, encoding = fix_legacy(text)
    assert encoding in (None, TCVN3, VNI)
    assert isinstance(fixed, str)

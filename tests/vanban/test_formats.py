"""The seed read from DOCX, PDF and legacy encodings parses to the same fields as its text."""

from __future__ import annotations

import pytest

from dieuhanh.vanban import parse_bytes, parse_file
from tests.conftest import SHARED

from .test_legacy import encode_tcvn3, encode_vni
from .test_readers import font, make_pdf, seed_docx  # noqa: F401  (font is a fixture)

SEED = SHARED / "seeds" / "000_3d324eb5ea0723cd.txt"
FIELDS = ("number", "symbol", "doc_type", "place", "date", "signer_authority", "signer_position", "signer_name")


@pytest.fixture(scope="module")
def expected() -> dict:
    return parse_file(SEED)


def _same(result: dict, expected: dict) -> None:
    assert {f: result[f] for f in FIELDS} == {f: expected[f] for f in FIELDS}
    assert result["issuer"].upper() == expected["issuer"].upper()
    assert result["recipients"] == expected["recipients"]
    assert [d["date"] for d in result["deadlines"]] == ["2020-04-10", "2020-05-01"]


def test_docx_in_decree30_layout(expected: dict) -> None:
    result = parse_bytes(seed_docx(), "313-UBND.docx")
    _same(result, expected)
    assert result["subject"] == expected["subject"]
    assert result["distribution"] == expected["distribution"]


def test_pdf_text_layer(expected: dict, font) -> None:  # noqa: F811
    text = SEED.read_text(encoding="utf-8").replace("**", "").replace("*", "")
    result = parse_bytes(make_pdf(font, text), "313-UBND.pdf")
    _same(result, expected)


@pytest.mark.parametrize("encode", [encode_tcvn3, encode_vni], ids=["tcvn3", "vni"])
def test_legacy_encodings(expected: dict, encode) -> None:
    data = encode(SEED.read_text(encoding="utf-8")).encode("cp1252")
    result = parse_bytes(data, "313-UBND.txt")
    for field in ("number", "symbol", "date", "place"):
        assert str(result[field]).casefold() == str(expected[field]).casefold()
    assert [d["date"] for d in result["deadlines"]] == ["2020-04-10", "2020-05-01"]

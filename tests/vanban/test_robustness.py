"""Layout noise must not change what is read: every corpus document and the seed,
re-typed with decomposed Unicode, CRLF, indentation, tabs, non-breaking spaces and
double spacing, parse to the same fields as the original."""

from __future__ import annotations

import unicodedata

import pytest

from dieuhanh.vanban import parse_text
from tests.conftest import SHARED

FILES = sorted((SHARED / "corpus" / "dev").glob("*.txt")) + [SHARED / "seeds" / "000_3d324eb5ea0723cd.txt"]
FIELDS = ("issuer", "issuer_parent", "doc_type", "number", "symbol", "number_symbol", "place", "date", "subject",
          "recipients", "signer_authority", "signer_position", "signer_name", "distribution")
VARIANTS = {
    "nfd": lambda t: unicodedata.normalize("NFD", t),
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "indent": lambda t: "\n".join("   " + line + "  " for line in t.split("\n")),
    "tabs": lambda t: t.replace(" ", "\t", 50),
    "nbsp": lambda t: t.replace(" ", "\u00a0", 200),
    "double-spaced": lambda t: t.replace("\n", "\n\n"),
}
# 030 prints its place name split over two lines ("Sơn" / "La"), which double spacing tears apart.
KNOWN = {("030", "double-spaced")}


def _norm(result: dict) -> dict:
    def one(value):
        if isinstance(value, str):
            return " ".join(unicodedata.normalize("NFC", value).split()).casefold()
        if isinstance(value, list):
            return [one(v) for v in value]
        return value

    out = {k: one(result[k]) for k in FIELDS}
    out["deadlines"] = [d["date"] for d in result["deadlines"]]
    return out


@pytest.fixture(scope="module")
def originals() -> dict:
    return {path.stem: (path.read_text(encoding="utf-8"), _norm(parse_text(path.read_text(encoding="utf-8"))))
            for path in FILES}


@pytest.mark.parametrize("variant", VARIANTS)
def test_layout_noise_changes_nothing(originals: dict, variant: str) -> None:
    changed = {}
    for stem, (text, expected) in originals.items():
        if (stem[:3], variant) in KNOWN:
            continue
        got = _norm(parse_text(VARIANTS[variant](text)))
        diff = [k for k in expected if expected[k] != got[k]]
        if diff:
            changed[stem] = diff
    assert changed == {}

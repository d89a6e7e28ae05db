"""File names that keep a document's whole identity.

"BC-UBND-2020-04-tong-ket-chuong-trinh-tong-the-CCHC-2011-2020.docx": the kind of document and the
issuing body as in its symbol (Decree 30, Phụ lục III), the year and month it is dated, then the
subject in plain ASCII. Words that say nothing (the kind again, "giai đoạn", "về việc") are dropped,
the abbreviations every office uses (CCHC, UBND, HĐND…) are kept in capitals, and a long subject is
shortened in its middle, never through a word or the year range at its end, so two reports of the
same series stay told apart.
"""

from __future__ import annotations

import re
from datetime import date

from dieuhanh.lib.vntext import fold

MAX_SUBJECT = 90

# Longest phrases first: "cải cách hành chính nhà nước" before "cải cách hành chính".
ABBREVIATIONS = (
    ("cai cach hanh chinh nha nuoc", "CCHC"),
    ("cai cach hanh chinh", "CCHC"),
    ("uy ban nhan dan", "UBND"),
    ("hoi dong nhan dan", "HDND"),
    ("cong nghe thong tin", "CNTT"),
    ("kinh te - xa hoi", "KT-XH"),
    ("kinh te xa hoi", "KT-XH"),
    ("mat tran to quoc", "MTTQ"),
)
SILENT_WORDS = ("ve viec", "v/v", "giai doan")
KIND_WORDS = ("bao cao", "ke hoach", "cong van", "quyet dinh", "thong bao", "to trinh", "giay moi")


def subject_slug(subject: str) -> str:
    words = " " + " ".join(fold(subject).split()) + " "
    for kind in KIND_WORDS:
        if words.startswith(f" {kind} "):
            words = words[len(kind) + 1:]
            break
    for phrase, short in ABBREVIATIONS:
        words = words.replace(f" {phrase} ", f" {short} ")
    for phrase in SILENT_WORDS:
        words = words.replace(f" {phrase} ", " ")
    tokens = [t for t in re.split(r"[^A-Za-z0-9]+", words) if t]
    return "-".join(_shorten(tokens))


def _shorten(tokens: list[str]) -> list[str]:
    """Drop words from the middle until the slug fits; the first words and a trailing year range stay."""
    tail = 0
    while tail < len(tokens) and tokens[len(tokens) - 1 - tail].isdigit() and tail < 2:
        tail += 1
    head, end = tokens[:len(tokens) - tail], tokens[len(tokens) - tail:]
    while head and len("-".join(head + end)) > MAX_SUBJECT:
        head.pop()
    return head + end


def document_filename(kind_code: str, agency_symbol: str, dated: date | None, subject: str, ext: str) -> str:
    # Kinds and bodies are written in capitals in a symbol ("QĐ" → "QD", "UBND").
    parts = [fold(p).upper().strip() for p in (kind_code, agency_symbol) if p and p.strip()]
    parts = [re.sub(r"[^A-Za-z0-9]+", "-", p).strip("-") for p in parts]
    if dated is not None:
        parts.append(f"{dated:%Y-%m}")
    slug = subject_slug(subject)
    if slug:
        parts.append(slug)
    return "-".join(p for p in parts if p) + "." + ext.lstrip(".")

"""Directory of issuing agencies: one official name for every way an issuer is printed or read.

The same issuer reaches the register as "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI" (capitals in
the header), "B Ộ LAO ĐỘNG - THƯƠNG BINH V À X Ã HỘI" (letter-spaced by a PDF or OCR),
"Bộ LĐTBXH" (short name) or "UBND tỉnh Nghệ An". Registers, the search filter and
duplicate detection would count each spelling as another issuer; ``normalise`` maps them
to the directory's official name.

The directory is a YAML file (``dieuhanh/documents/data/agencies.yaml`` by default, or
the file named by ``DIEUHANH_AGENCIES``), replaceable by each province::

    agencies:
    - name: Bộ Lao động - Thương binh và Xã hội     # official name, as it should be stored
      short_names: [Bộ LĐTBXH, LĐTBXH]              # other spellings (optional)
      e_id: G12                                     # mã định danh (optional)

Matching ignores case, diacritics, spaces and punctuation (so letter spacing and "Uỷ"/
"Ủy" do not matter) and expands the common abbreviations (UBND, HĐND, MTTQ). Pure Python:
``dieuhanh parse`` can use it as well as the app.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from dieuhanh.lib.vntext import fold

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "documents" / "data" / "agencies.yaml"
_ABBREVIATIONS = (
    (re.compile(r"\bUBND\b"), "UY BAN NHAN DAN"),
    (re.compile(r"\bHDND\b"), "HOI DONG NHAN DAN"),
    (re.compile(r"\bUBMTTQ\b"), "UY BAN MAT TRAN TO QUOC"),
    (re.compile(r"\bMTTQ\b"), "MAT TRAN TO QUOC"),
    (re.compile(r"\bTP\b\.?"), "THANH PHO"),
)
_NOT_LETTER = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Agency:
    name: str
    short_names: tuple[str, ...] = ()
    e_id: str = ""


@dataclass
class Directory:
    agencies: list[Agency] = field(default_factory=list)
    _index: dict[str, Agency] = field(default_factory=dict)

    def add(self, agency: Agency) -> None:
        self.agencies.append(agency)
        for name in (agency.name, *agency.short_names):
            self._index.setdefault(match_key(name), agency)

    def find(self, printed: str | None) -> Agency | None:
        wanted = match_key(printed or "")
        return self._index.get(wanted) if wanted else None


def match_key(name: str) -> str:
    """"B Ộ LAO ĐỘNG - THƯƠNG BINH V À X Ã HỘI" and "Bộ Lao động – Thương binh và Xã hội"
    share one key: folded, upper-case, abbreviations expanded, letters and digits only."""
    text = fold(" ".join(name.split())).upper()
    for pattern, expansion in _ABBREVIATIONS:
        text = pattern.sub(expansion, text)
    return _NOT_LETTER.sub("", text)


def load(path: str | os.PathLike[str] | None = None) -> Directory:
    """The directory in ``path`` (default: ``DIEUHANH_AGENCIES`` or the bundled file)."""
    import yaml

    target = Path(path or os.environ.get("DIEUHANH_AGENCIES") or DEFAULT_FILE)
    directory = Directory()
    try:
        data = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return directory
    for row in data.get("agencies") or []:
        if isinstance(row, dict) and str(row.get("name") or "").strip():
            directory.add(Agency(name=" ".join(str(row["name"]).split()),
                                 short_names=tuple(str(n) for n in row.get("short_names") or [] if str(n).strip()),
                                 e_id=str(row.get("e_id") or "")))
    return directory


@functools.lru_cache(maxsize=4)
def _cached(path: str) -> Directory:
    return load(path or None)


def default_directory() -> Directory:
    return _cached(os.environ.get("DIEUHANH_AGENCIES", ""))


def normalise(printed: str | None, directory: Directory | None = None) -> tuple[str, Agency | None]:
    """The official name for ``printed`` and the agency, or ``printed`` (spaces tidied) and None."""
    tidy = " ".join((printed or "").split())
    agency = (directory or default_directory()).find(tidy)
    return (agency.name, agency) if agency else (tidy, None)

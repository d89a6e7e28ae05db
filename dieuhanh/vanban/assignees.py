"""Map an assignee phrase of an administrative document to the units it designates.

"Giao Thủ trưởng các cơ quan chuyên môn quận, Chủ tịch UBND các phường ..." must become one
task per specialised office of the issuing district and one per ward. Nothing here knows a
place name: every rule reads the unit kinds, names and the tree, so any province given as
data works. Words such as "quận", "tỉnh", "thành phố" without a proper name mean "of the
issuer's territory"; they are looked up along the issuer's chain of parents.

Matching runs on diacritic-free, lower-case word tokens with abbreviations expanded
("UBND" → "uy ban nhan dan"), so NFD input, "hoà"/"hòa" and odd spacing do not matter.
Validity dates are inclusive on both ends, as in the shared YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import product
from pathlib import Path
from typing import Any

import yaml

from dieuhanh.lib.vntext import canon_tone, clean, collapse, fold

# "bo_phan" is an addition: councils, steering committees and the web portal hang under a
# committee in the data but are not legal agencies, so "các cơ quan chuyên môn" must skip them.
KINDS = ("ubnd_tinh", "ubnd_huyen", "ubnd_xa", "hdnd", "so", "phong", "van_phong",
         "don_vi_su_nghiep", "bo_phan", "ben_ngoai")
COMMITTEES = frozenset({"ubnd_tinh", "ubnd_huyen", "ubnd_xa"})
# Cơ quan chuyên môn: a sở (or Thanh tra tỉnh), a phòng of a district, and the Văn phòng,
# which the law counts as a specialised agency of its committee.
AGENCIES = frozenset({"so", "phong", "van_phong"})


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None = None
    short_names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    valid_from: date | None = None  # inclusive
    valid_to: date | None = None  # inclusive (last day in force)
    successors: tuple[str, ...] = ()  # codes the unit was merged into

    def in_force(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class Resolution:
    phrase: str
    units: tuple[Unit, ...]
    collective: bool
    role_title: str | None  # of the first part; each part keeps its own in `parts`
    unresolved: tuple[str, ...]
    partners: tuple[Unit, ...] = ()  # "X chủ trì, phối hợp với Y": Y coordinates, owns no task
    parts: tuple[Resolution, ...] = ()  # one per lead assignee part, in phrase order


# --- tokens ---------------------------------------------------------------------------

_EXPAND = {"ubnd": "uy ban nhan dan", "ub": "uy ban nhan dan", "hdnd": "hoi dong nhan dan",
           "tp": "thanh pho", "vp": "van phong", "cchc": "cai cach hanh chinh",
           "ttdt": "thong tin dien tu", "tdkt": "thi dua khen thuong", "bcd": "ban chi dao",
           "tw": "trung uong"}
# A dotted single letter abbreviates a level word ("Q. Ninh Kiều"); bare letters do not.
_DOTTED = {"q": "quan", "h": "huyen", "tx": "thi xa"}
# "P." is "Phòng" before an office and "phường" before a ward: both are tried.
_P_DOT = "p."
_HEADS = {"uy ban nhan dan": "committee", "hoi dong nhan dan": "hdnd", "van phong": "van_phong",
          "thanh tra": "thanh_tra", "so": "so", "phong": "phong", "ban chi dao": "bo_phan",
          "hoi dong": "bo_phan", "to cong tac": "bo_phan", "trang": "bo_phan", "ban": "ban",
          "chi cuc": "ban", "trung tam": "don_vi_su_nghiep", "truong": "don_vi_su_nghiep",
          "benh vien": "don_vi_su_nghiep", "dai": "don_vi_su_nghiep", "bo": "ben_ngoai",
          "cuc": "ben_ngoai", "tong cuc": "ben_ngoai", "cong an": "ben_ngoai",
          "bao hiem xa hoi": "ben_ngoai", "kho bac": "ben_ngoai", "toa an": "ben_ngoai",
          "vien kiem sat": "ben_ngoai"}
# level word → tier; "thanh pho" is a province or a district-level city depending on the tree.
_LEVELS = {"tinh": "tinh", "thanh pho": "tp", "quan": "huyen", "huyen": "huyen",
           "thi xa": "huyen", "phuong": "xa", "xa": "xa", "thi tran": "xa", "dac khu": "xa"}
_TIER_KIND = {"tinh": "ubnd_tinh", "huyen": "ubnd_huyen", "xa": "ubnd_xa"}
# Role title → (display, how many trailing words belong to the unit: "Trưởng phòng Nội vụ").
_ROLES = {"pho chu tich": ("Phó Chủ tịch", 0), "chu tich": ("Chủ tịch", 0),
          "pct": ("Phó Chủ tịch", 0), "ct": ("Chủ tịch", 0), "thu truong": ("Thủ trưởng", 0),
          "nguoi dung dau": ("Người đứng đầu", 0), "lanh dao": ("Lãnh đạo", 0),
          "tong giam doc": ("Tổng Giám đốc", 0), "pho giam doc": ("Phó Giám đốc", 0),
          "giam doc": ("Giám đốc", 0), "pho truong phong": ("Phó Trưởng phòng", 1),
          "truong phong": ("Trưởng phòng", 1), "chanh van phong": ("Chánh Văn phòng", 2),
          "pho chanh van phong": ("Phó Chánh Văn phòng", 2),
          "chanh thanh tra": ("Chánh Thanh tra", 2), "truong ban": ("Trưởng ban", 1),
          "pho truong ban": ("Phó Trưởng ban", 1), "hieu truong": ("Hiệu trưởng", 0),
          "chi cuc truong": ("Chi cục trưởng", 0), "cuc truong": ("Cục trưởng", 0),
          "bo truong": ("Bộ trưởng", 0)}
_PLURAL = {"cac": 1, "tat ca": 2, "nhung": 1, "moi": 1}
# Collective nouns after "các": a set of kinds picks the scope's own agencies, "local" the
# committees one tier below, a level word the committees of that type anywhere below.
_NOUNS: dict[str, Any] = {"co quan chuyen mon": AGENCIES, "co quan": AGENCIES,
                          "so": frozenset({"so"}), "ban": AGENCIES, "nganh": AGENCIES,
                          "phong": frozenset({"phong"}),
                          "don vi su nghiep": frozenset({"don_vi_su_nghiep"}),
                          "don vi": AGENCIES | {"don_vi_su_nghiep"}, "dia phuong": "local",
                          **{k: "level" for k in _LEVELS}}
_CONNECTORS = {"truc thuoc", "thuoc", "cua", "tren dia ban", "tai", "o"}
_TAILS = ("truc thuoc trung uong", "thuoc trung uong", "trung uong")
# Verbs that end the assignee and start the task ("... chủ trì", "... căn cứ chức năng").
_PREDICATES = ("chu tri", "phoi hop", "can cu", "tren co so", "tham muu", "co trach nhiem",
               "chiu trach nhiem", "khan truong", "trien khai", "to chuc trien khai",
               "thuc hien", "nghien cuu", "bao cao", "xay dung", "ra soat", "theo doi",
               "huong dan", "kiem tra", "don doc", "quan triet", "tiep tuc", "tong hop",
               "gui ve", "truoc ngay", "theo chuc nang", "trong pham vi", "chi dao")
_PRED_RE = re.compile(r"\b(?:%s)\b" % "|".join(sorted(_PREDICATES, key=len, reverse=True)))
_PARTNER_RE = re.compile(r"^\W*phoi hop (?:voi|cung)\b")
# A noun before the verb makes it part of a name: "Ban chỉ đạo", "Sở xây dựng".
_NAME_WORDS = {"ban", "so", "phong", "doan", "to", "cuc", "tam"}
_LEADINS = re.compile(r"^\W*(?:dong kinh gui|kinh gui|giao cho|giao|de nghi|yeu cau|"
                      r"nhan duoc cong van nay)\b[\s:,]*")
_HYPHEN_JOIN = re.compile(r"\b([a-z]{1,3})-([a-z]{1,3})\b")  # "LĐ-TB&XH" → one abbreviation
_WORD = re.compile(r"[a-z0-9]+\.?")


def _fold_aligned(text: str) -> str:
    """fold() one character at a time so positions match the input (for slicing)."""
    return "".join((fold(ch) or " ")[0] for ch in text)


def _tokens(text: str) -> list[str]:
    folded = _fold_aligned(clean(text)).replace("d/c", " dong chi ")
    folded = _HYPHEN_JOIN.sub(r"\1\2", folded).replace("&", "")
    out: list[str] = []
    for word in _WORD.findall(folded):
        bare = word.rstrip(".")
        if word.endswith(".") and bare in _DOTTED:
            out.append(_DOTTED[bare])
        elif word == _P_DOT:
            out.append(_P_DOT)
        elif bare in _EXPAND:
            out.extend(_EXPAND[bare].split())
        elif bare != "va":  # "và" is noise inside names ("Kế hoạch và Đầu tư" = "KH-ĐT")
            out.append(bare)
    return out


def _match_at(toks: Sequence[str], i: int, table: Iterable[str] | dict[str, Any]) -> str | None:
    """Longest entry of `table` (space-joined words) found at toks[i:]."""
    for n in range(min(5, len(toks) - i), 0, -1):
        k = " ".join(toks[i:i + n])
        if k in table:
            return k
    return None


def _variants(toks: list[str]) -> list[list[str]]:
    slots = [("phong", "phuong") if t == _P_DOT else (t,) for t in toks]
    return [list(v) for v, _ in zip(product(*slots), range(4))]


def _strip_front(toks: list[str]) -> tuple[list[str], str | None, bool]:
    """Drop plural markers, "đồng chí" and role titles; return (rest, role, plural)."""
    role, plural = None, False
    while toks:
        if (k := _match_at(toks, 0, _PLURAL)) is not None:
            plural, toks = True, toks[_PLURAL[k]:]
        elif toks[:2] == ["dong", "chi"]:
            toks = toks[2:]
        elif (k := _match_at(toks, 0, _ROLES)) is not None:
            title, keep = _ROLES[k]
            role = role or title
            toks = toks[len(k.split()) - keep:]
        else:
            break
    return toks, role, plural


def _generic(text: str) -> bool:
    """An abbreviation that is really a head noun or level word ("UBND", "VP", "TP")."""
    k = " ".join(_tokens(text))
    return len(k) < 2 or k in _HEADS or k in _LEVELS or k in _ROLES


# --- display-name helpers (shared by the loader and the directory) --------------------

def _strip_suffix(name: str, suffix: str) -> str | None:
    f, s = _fold_aligned(name), _fold_aligned(collapse(suffix))
    if s and f.endswith(" " + s):
        return name[:len(name) - len(s) - 1].rstrip(" -,")
    return None


def _territory(committee_name: str) -> str:
    """'Ủy ban nhân dân quận Cái Răng' → 'quận Cái Răng'."""
    words = committee_name.split()
    return " ".join(words[4:]) if fold(" ".join(words[:4])) == "uy ban nhan dan" else ""


def _level_words(territory: str) -> str:
    """'quận Cái Răng' → 'quận'; 'thành phố Cần Thơ' → 'thành phố'."""
    k = _match_at(_tokens(territory), 0, _LEVELS)
    return " ".join(territory.split()[:len(k.split())]) if k else ""


def _initials(words: Sequence[str]) -> str:
    # Initials drop tone and vowel marks but keep Đ: "Lao động" → "LĐ", "Ủy ban" → "UB".
    return "".join(w[0].upper() if w[0] in "đĐ" else fold(w[0]).upper()
                   for w in words if w and fold(w) != "va" and w[0].isalnum())


def _short_forms(name: str, suffixes: Sequence[str]) -> list[str]:
    """Forms an office is written by without its territory: stem, "P. X", "Phòng NV", "PNV"."""
    stem = next((s for s in (_strip_suffix(name, x) for x in suffixes if x) if s), name)
    compact = stem.replace("Hội đồng nhân dân", "HĐND").replace("Ủy ban nhân dân", "UBND")
    forms = [stem, compact]
    words = stem.split()
    head_key = _match_at([fold(w) for w in words], 0, _HEADS)
    if head_key:
        n = len(head_key.split())
        head, fields = words[:n], [w for w in re.split(r"[\s\-]+", " ".join(words[n:])) if w]
        if head_key == "phong" and fields:
            forms.append("P. " + " ".join(words[n:]))
        if fields and len([w for w in fields if fold(w) != "va"]) <= 6 and not any(w.isupper() and len(w) > 1 for w in fields):
            forms += [" ".join(head) + " " + _initials(fields), _initials(head) + _initials(fields)]
    return list(dict.fromkeys(f for f in forms if f))


@dataclass
class _Ctx:
    on: date | None
    chain: list[str]  # issuer code, then its parents


class UnitDirectory:
    """The units of one tree (all eras), with a name index for `resolve`."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units: dict[str, Unit] = {}
        for unit in units:
            self._units.setdefault(unit.code, unit)
        self._kids: dict[str | None, list[str]] = {}
        for u in self._units.values():
            self._kids.setdefault(u.parent if u.parent in self._units else None, []).append(u.code)
        self._order = {c: i for i, c in enumerate(self._walk())}
        self._owner = {c: self._owner_of(c) for c in self._units}
        self._terr: dict[str, tuple[str, str]] = {}  # committee → (level word, proper name)
        self._names: dict[str, list[str]] = {}  # keys that carry their territory
        self._stems: dict[str, list[str]] = {}  # keys relative to the owning committee
        for u in self.units:
            self._index(u)

    # -- tree ---------------------------------------------------------------------------
    def _walk(self) -> Iterator[str]:
        seen: set[str] = set()
        stack = list(reversed(self._kids.get(None, [])))
        while stack:
            code = stack.pop()
            if code not in seen:
                seen.add(code)
                yield code
                stack.extend(reversed(self._kids.get(code, [])))
        yield from (c for c in self._units if c not in seen)  # parent cycles in bad data

    def _chain(self, code: str | None) -> list[str]:
        out: list[str] = []
        while code in self._units and code not in out:
            out.append(code)
            code = self._units[code].parent
        return out

    def _owner_of(self, code: str) -> str | None:
        return next((c for c in self._chain(code)[1:] if self._units[c].kind in COMMITTEES), None)

    def _below(self, code: str | None) -> Iterator[str]:
        stack = list(self._kids.get(code, []))
        while stack:
            c = stack.pop()
            yield c
            stack.extend(self._kids.get(c, []))

    def _live(self, code: str, on: date | None) -> bool:
        return on is None or self._units[code].in_force(on)

    def _index(self, u: Unit) -> None:
        def add(table: dict[str, list[str]], text: str) -> None:
            k = " ".join(_tokens(text))
            if k and u.code not in table.setdefault(k, []):
                table[k].append(u.code)

        for text in (u.name, *u.aliases):
            add(self._names, text)
        if u.kind in COMMITTEES:
            toks = _tokens(u.name)[4:] if _tokens(u.name)[:4] == ["uy", "ban", "nhan", "dan"] else []
            lv = _match_at(toks, 0, _LEVELS) or ""
            self._terr[u.code] = (lv, " ".join(toks[len(lv.split()):]))
            for text in u.short_names:
                add(self._names, text)
            return
        owner = self._units.get(self._owner[u.code] or "")
        terr = _territory(owner.name) if owner else ""
        parent = self._units.get(u.parent or "")
        suffixes = [parent.name if parent and parent is not owner else "", terr, _level_words(terr)]
        # Declared short names are authoritative; derive them only for bare hand-made units.
        for text in u.short_names or [f for f in _short_forms(u.name, suffixes) if not _generic(f)]:
            add(self._stems, text)

    # -- public -------------------------------------------------------------------------
    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(self._units[c] for c in sorted(self._units, key=self._order.__getitem__))

    def get(self, code: str) -> Unit | None:
        return self._units.get(code)

    def __len__(self) -> int:
        return len(self._units)

    def in_force(self, on: date) -> UnitDirectory:
        return UnitDirectory(u for u in self.units if u.in_force(on))

    def split(self, phrase: str) -> list[str]:
        """Assignee parts of a phrase: the lead units, then any "phối hợp với" partners."""
        lead, partners = self._sections(phrase)
        return self._split_text(lead) + self._split_text(partners)

    def resolve(self, phrase: str, *, issuer: str | None = None,
                on: date | None = None) -> Resolution:
        ctx = _Ctx(on, self._chain(self._issuer_code(issuer, on)))
        lead, partner_text = self._sections(phrase)
        parts = self._resolve_parts(self._split_text(lead), ctx)
        partners = self._resolve_parts(self._split_text(partner_text), ctx)
        return Resolution(
            phrase=phrase,
            units=self._ordered(u for p in parts for u in p.units),
            collective=any(p.collective for p in parts),
            role_title=next((p.role_title for p in parts if p.role_title), None),
            unresolved=tuple(x for p in (*parts, *partners) for x in p.unresolved),
            partners=self._ordered(u for p in partners for u in p.units),
            parts=tuple(parts))

    # -- phrase → parts -----------------------------------------------------------------
    def _issuer_code(self, issuer: str | None, on: date | None) -> str | None:
        if not issuer or issuer in self._units:
            return issuer
        got = self._specific(_tokens(issuer), _Ctx(on, []))  # a name such as the header
        return got[0] if len(got) == 1 else None

    def _sections(self, phrase: str) -> tuple[str, str]:
        """Cut the phrase into (lead assignees, "phối hợp với" partners), dropping the task."""
        lines = (self._drop_leadin(x.replace("*", " ")) for x in clean(phrase).splitlines())
        text = "; ".join(x for x in lines if x.strip())
        pos = self._predicate(text)
        if pos is None:
            return text, ""
        lead, rest = text[:pos], text[pos:]
        f = _fold_aligned(rest)
        if f.startswith("chu tri"):
            rest = rest[len("chu tri"):]
            f = _fold_aligned(rest)
        if m := _PARTNER_RE.match(f):
            rest = rest[m.end():]
            end = self._predicate(rest)
            return lead, rest[:end]
        after = re.match(r"^[\s,;]*", f)
        # "X chủ trì, Y phối hợp": Y stands before its verb.
        tail = rest[after.end() if after else 0:]
        end = self._predicate(tail)
        if end and _fold_aligned(tail[end:]).startswith("phoi hop"):
            return lead, tail[:end]
        return lead, ""

    @staticmethod
    def _drop_leadin(line: str) -> str:
        line = re.sub(r"^[\s\-+•*–>]+", "", line)
        m = _LEADINS.match(_fold_aligned(line))
        return line[m.end():] if m else line

    @staticmethod
    def _predicate(text: str) -> int | None:
        """Start of the first lower-case task verb that is not part of a name."""
        f = _fold_aligned(text)
        for m in _PRED_RE.finditer(f):
            before = f[:m.start()].split()
            if text[m.start()].islower() and not (before and before[-1] in _NAME_WORDS):
                return m.start()
        return None

    def _split_text(self, text: str) -> list[str]:
        parts: list[str] = []
        for chunk in text.split(";"):
            seps = list(re.finditer(r"\s*,\s*|\s+va\s+", _fold_aligned(chunk)))
            start = 0
            for i, m in enumerate(seps):
                seg_end = seps[i + 1].start() if i + 1 < len(seps) else len(chunk)
                if self._new_part(chunk[start:m.start()], chunk[m.end():seg_end],
                                  chunk[m.end():]):
                    parts.append(chunk[start:m.start()])
                    start = m.end()
            parts.append(chunk[start:])
        return [p for p in (collapse(x).strip(" ,.;:-") for x in parts) if p]

    def _new_part(self, left: str, right: str, right_all: str) -> bool:
        lt_all, rt = _tokens(left), _tokens(right)
        lt = _strip_front(lt_all)[0]
        if not lt or not rt:
            return False
        if "cac" in lt_all and self._continues(rt):
            return False  # "các sở, ban, ngành", "UBND các quận, huyện"
        joined = lt + _tokens(right_all)
        for n in range(len(joined), len(lt), -1):  # a known name runs across the comma/và
            k = " ".join(joined[:n])
            if k in self._names or k in self._stems:
                return False
        if lt[:2] == ["van", "phong"] and lt[-4:] == ["hoi", "dong", "nhan", "dan"]:
            return False  # "Văn phòng HĐND và UBND" in a tree that lacks it
        return bool(_match_at(rt, 0, _PLURAL) or rt[:2] == ["dong", "chi"]
                    or _match_at(rt, 0, _ROLES) or _match_at(rt, 0, _HEADS)
                    or _match_at(rt, 0, _LEVELS) or rt[0] == _P_DOT
                    or any(" ".join(rt[:n]) in self._names or " ".join(rt[:n]) in self._stems
                           for n in range(1, len(rt) + 1)))

    def _continues(self, rt: list[str]) -> bool:
        nouns, j = self._nouns(rt)
        rest = rt[j:]
        return bool(nouns) and (not rest or bool(
            _match_at(rest, 0, _CONNECTORS) or _match_at(rest, 0, _LEVELS)
            or rest[:4] == ["uy", "ban", "nhan", "dan"] or _match_at(rest, 0, _TAILS)))

    # -- part → units -------------------------------------------------------------------
    def _resolve_parts(self, texts: list[str], ctx: _Ctx) -> list[Resolution]:
        out: list[Resolution] = []
        pending: list[str] = []  # "CT, PCT. UBND quận": a bare title shares the next unit
        for text in texts:
            toks, role, plural = _strip_front(_tokens(text))
            if not toks and role and text is not texts[-1]:
                pending.append(text)
                continue
            phrase = ", ".join([*pending, text])
            first_role = _strip_front(_tokens(phrase))[1]
            codes, plural = self._part(toks, plural, ctx)
            units = self._ordered(self._units[c] for c in codes)
            out.append(Resolution(phrase, units, plural, first_role or role,
                                  () if units else (phrase,)))
            pending = []
        return out

    def _part(self, toks: list[str], plural: bool, ctx: _Ctx) -> tuple[list[str], bool]:
        for variant in _variants(toks) if toks else []:
            if "cac" in variant or plural:
                i = variant.index("cac") if "cac" in variant else -1
                got = self._collective(variant[:max(i, 0)], variant[i + 1:], ctx)
                if got is not None:
                    plural = True
                    if got:
                        return got, True
                    continue
            if got := self._specific(variant, ctx):
                return got, plural
        return [], plural

    def _nouns(self, toks: list[str]) -> tuple[list[str], int]:
        nouns, i = [], 0
        while (k := _match_at(toks, i, _NOUNS)) is not None:
            if k in _LEVELS and any(n not in _LEVELS for n in nouns):
                break  # "cơ quan chuyên môn quận": the level word is a qualifier
            nouns.append(k)
            i += len(k.split())
        return nouns, i

    def _scopes(self, toks: list[str], ctx: _Ctx) -> tuple[str, list[str]]:
        """Read a place qualifier: ("implicit", []), ("explicit", codes) or ("fail", [])."""
        while (k := _match_at(toks, 0, _CONNECTORS)) is not None:
            toks = toks[len(k.split()):]
        for tail in _TAILS:
            if " ".join(toks).endswith(tail):
                toks = toks[:len(toks) - len(tail.split())]
                break
        if toks[:4] == ["uy", "ban", "nhan", "dan"]:
            toks = toks[4:]
        if not toks:
            return "implicit", []
        lv = _match_at(toks, 0, _LEVELS)
        proper = " ".join(toks[len(lv.split()) if lv else 0:])
        if proper:
            hits = [c for c, (t, p) in self._terr.items()
                    if p == proper and lv in (None, t) and self._live(c, ctx.on)]
        else:
            pool = ctx.chain or [c for c in self._terr if self._live(c, ctx.on)]
            hits = [c for c in pool if self._terr.get(c, ("",))[0] == lv] or [
                c for c in pool if self._units[c].kind == _TIER_KIND.get(_LEVELS[lv or ""], "")]
            hits = hits[:1] if ctx.chain else hits
        return ("explicit", hits) if hits else ("fail", [])

    def _specific(self, toks: list[str], ctx: _Ctx) -> list[str]:
        """One named unit: longest known name, then a place qualifier picks among homonyms."""
        for j in range(len(toks), 0, -1):
            key = " ".join(toks[:j])
            for table, full in ((self._names, True), (self._stems, False)):
                codes = [c for c in table.get(key, ()) if self._live(c, ctx.on)]
                mode, scopes = self._scopes(toks[j:], ctx) if codes else ("fail", [])
                if mode != "fail" and (got := self._pick(codes, mode, scopes, ctx, full)):
                    return got
        head = _match_at(toks, 0, ("uy ban nhan dan", "hoi dong nhan dan"))
        if head is None:
            return []
        mode, scopes = self._scopes(toks[4:], ctx)
        if mode == "implicit":  # "UBND quận" said by the district itself, or bare "UBND"
            scopes = [c for c in ctx.chain if self._units[c].kind in COMMITTEES][:1]
        if head == "hoi dong nhan dan":
            scopes = [k for c in scopes for k in self._kids.get(c, [])
                      if self._units[k].kind == "hdnd"]
        scopes = [c for c in scopes if self._live(c, ctx.on)]
        return scopes if mode != "fail" and len(scopes) == 1 else []  # singular: one or none

    def _pick(self, codes: list[str], mode: str, scopes: list[str], ctx: _Ctx,
              full: bool) -> list[str]:
        if mode == "explicit":
            return [c for c in codes if self._owner[c] in scopes or c in scopes]
        for scope in ctx.chain:  # the issuer's own office first, then its parents'
            if got := [c for c in codes if self._owner[c] == scope or c == scope]:
                return got
        # A full name needs no context; a bare stem with an issuer that owns none is ambiguous.
        return codes if len(codes) == 1 and (full or not ctx.chain) else []

    def _collective(self, head: list[str], rest: list[str], ctx: _Ctx) -> list[str] | None:
        nouns, j = self._nouns(rest)
        if not nouns:
            return None
        mode, scopes = self._scopes(rest[j:], ctx)
        if mode == "fail":
            return []
        if mode == "explicit":
            return [c for s in scopes for c in self._select(head, nouns, s, ctx.on)]
        # The nearest level that has such units. A specific noun fixes the level for the
        # whole list: in "các sở, ban, ngành" "sở" puts "ban, ngành" at province level too.
        specific = [n for n in nouns if _NOUNS[n] not in (AGENCIES, "local")
                    and n not in ("don vi", "co quan")] or nouns
        for scope in ctx.chain or [None]:
            if self._select(head, specific, scope, ctx.on):
                return self._select(head, nouns, scope, ctx.on)
        return []

    def _select(self, head: list[str], nouns: list[str], scope: str | None,
                on: date | None) -> list[str]:
        out: list[str] = []
        below = [c for c in self._below(scope) if self._live(c, on)]
        for noun in nouns:
            want = _NOUNS[noun]
            if isinstance(want, frozenset):
                out += [c for c in below if self._units[c].kind in want
                        and self._units[c].parent == (scope or self._owner[c])]
            elif want == "local":
                out += [c for c in below if self._units[c].kind in COMMITTEES
                        and self._owner[c] == scope]
            else:
                tier = _LEVELS[noun]
                kind = _TIER_KIND["tinh" if "tinh" in nouns else "huyen"] if tier == "tp" \
                    else _TIER_KIND[tier]
                out += [c for c in below if self._units[c].kind == kind
                        and self._terr[c][0] == noun]
        key = " ".join(head)
        if not head or key == "uy ban nhan dan":
            return out
        if key == "hoi dong nhan dan":
            return [k for c in out for k in self._kids.get(c, []) if self._units[k].kind == "hdnd"
                    and self._live(k, on)]
        # "Sở Y tế các tỉnh": that office of each territory named.
        return [k for k in self._stems.get(key, []) + self._names.get(key, [])
                if self._owner[k] in out and self._live(k, on)]

    def _ordered(self, units: Iterable[Unit]) -> tuple[Unit, ...]:
        uniq = {u.code: u for u in units}
        return tuple(uniq[c] for c in sorted(uniq, key=self._order.__getitem__))


# --- loading the shared YAML ----------------------------------------------------------

@dataclass
class _Rec:
    id: str
    name: str
    parent: str | None
    level: str | None
    valid_from: date | None
    valid_to: date | None
    abbrs: tuple[str, ...] = ()
    merged_into: str | None = None
    year: int | None = None
    within: str | None = None  # "(thuộc Sở Nội vụ)" in the name: the parent, by name
    tier: str | None = field(default=None)


_EMPTY = _Rec("", "", None, None, None, None)


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _rec(item: dict[str, Any], parent: str | None, group: dict[str, Any], year: int | None) -> _Rec:
    name = canon_tone(collapse(clean(str(item.get("name_vi") or item.get("name")))))
    within = None
    for note in re.findall(r"\(([^)]*)\)", name):
        if m := re.match(r"(?:truc )?thuoc (.+)", fold(note)):
            within = note[len(note) - len(m.group(1)):]
    abbrs = [item.get("abbr"), *(item.get("abbr_candidates") or [])]
    return _Rec(id=str(item["id"]), name=collapse(re.sub(r"\([^)]*\)", " ", name)),
                parent=item.get("parent") or group.get("parent") or parent,
                level=item.get("level"),
                valid_from=_date(item.get("valid_from", group.get("valid_from"))),
                valid_to=_date(item.get("valid_to", group.get("valid_to"))),
                abbrs=tuple(str(a) for a in abbrs if a), merged_into=item.get("merged_into"),
                year=year, within=within)


def _collect(node: Any, parent: str | None, group: dict[str, Any], year: int | None,
             out: list[_Rec]) -> None:
    """Every dict with an id and a name is a unit; nesting gives the parent, and a group's
    valid_from/valid_to/parent apply to its items. Dicts without ids (events, templates
    such as commune_level_structure_2025) hold no units."""
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict) and "id" in item and (item.get("name_vi") or item.get("name")):
                out.append(_rec(item, parent, group, year))
                _collect({k: v for k, v in item.items() if isinstance(v, (dict, list))},
                         out[-1].id, {}, year, out)
            elif isinstance(item, (dict, list)):
                _collect(item, parent, group, year, out)
    elif isinstance(node, dict):
        for key, value in node.items():
            y = int(m.group(1)) if (m := re.search(r"_(\d{4})$", str(key))) else year
            if key == "list_vi" and isinstance(value, list):
                for s in (v for v in value if isinstance(v, str)):
                    slug = "_".join(_tokens(s)) + (f"_{y}" if y else "")
                    out.append(_rec({"id": slug, "name_vi": s}, parent, group, y))
            elif isinstance(value, dict):
                sub = {**group, **{f: value[f] for f in ("valid_from", "valid_to", "parent")
                                   if f in value}}
                _collect(value, parent, sub, y, out)
            elif isinstance(value, list):
                _collect(value, parent, group, y, out)


def _window(r: _Rec) -> tuple[date, date]:
    if r.valid_from or r.valid_to or not r.year:
        return r.valid_from or date.min, r.valid_to or date.max
    return date(r.year, 1, 1), date(r.year, 12, 31)


class _Builder:
    """Turn raw records into Units: a territory and its People's Committee become one unit."""

    def __init__(self, recs: list[_Rec]) -> None:
        self.recs = recs
        self.by = {r.id: r for r in recs}
        levels = {"province": "tinh", "district": "huyen", "commune": "xa", "ward": "xa"}
        for r in recs:
            lv = _match_at(_tokens(r.name), 0, _LEVELS)
            r.tier = levels.get(str(r.level)) or (_LEVELS[lv] if lv else None)
            if r.tier == "tp":  # a city with a parent territory is district-level
                r.tier = "huyen" if self.by.get(r.parent or "") else "tinh"
        self.terr = {r.id for r in recs if r.tier}
        self.t2c: dict[str, str] = {}
        for r in recs:
            if _match_at(_tokens(r.name), 0, ("uy ban nhan dan",)) and r.parent in self.terr:
                self.t2c.setdefault(r.parent, r.id)
        self.merged = set(self.t2c.values())
        self.built: dict[str, Unit] = {}

    def units(self) -> list[Unit]:
        codes = [self.t2c.get(r.id, r.id) for r in self.recs if r.id not in self.merged]
        units = [self._unit(c, set()) for c in dict.fromkeys(codes)]
        # Derived initials may clash between siblings (Sở Nội vụ / Sở Ngoại vụ → "SNV"):
        # such a form designates neither, unless the data itself gives it as an abbreviation.
        seen: dict[tuple[str | None, str], int] = {}
        for u in units:
            for s in set(u.short_names):
                seen[u.parent, s] = seen.get((u.parent, s), 0) + 1
        return [replace(u, short_names=tuple(
            s for s in u.short_names
            if seen[u.parent, s] == 1 or s in self.by.get(u.code, _EMPTY).abbrs)) for u in units]

    def _infer_parent(self, r: _Rec) -> str | None:
        # Wards without a parent belong to the only district of their era; agencies of a
        # year's list to the province committee of that year (the newest if two overlap).
        wanted = {"xa": ["huyen", "tinh"], "huyen": ["tinh"], "tinh": []}.get(r.tier or "", ["tinh"])
        lo, hi = _window(r)
        for tier in wanted:
            cands = [t for t in self.terr if self.by[t].tier == tier
                     and _window(self.by[t])[0] <= hi and lo <= _window(self.by[t])[1]]
            if len(cands) == 1 or (cands and r.tier is None):
                return max(cands, key=lambda t: _window(self.by[t])[0])
        return None

    def _parent(self, r: _Rec) -> str | None:
        p = r.parent
        if r.within:
            key, (lo, hi) = _tokens(r.within), _window(r)
            named = [x.id for x in self.recs if _tokens(x.name) == key and x.id != r.id]
            fits = [i for i in named if _window(self.by[i])[0] <= hi and lo <= _window(self.by[i])[1]]
            p = (fits or named or [p])[0]
        p = p if p in self.by else self._infer_parent(r)
        return self.t2c.get(p, p) if p else None

    def _unit(self, code: str, seen: set[str]) -> Unit:
        if code in self.built:
            return self.built[code]
        terr = next((t for t, c in self.t2c.items() if c == code), code if code in self.terr else None)
        rec = self.by[code]
        base = self.by[terr] if terr else rec
        pcode = self._parent(base)
        parent = self._unit(pcode, seen | {code}) if pcode and pcode not in seen | {code} else None
        lo, hi = base.valid_from, base.valid_to
        if parent:  # a unit cannot outlive the body it belongs to
            lo = max(filter(None, (lo, parent.valid_from)), default=None)
            hi = min(filter(None, (hi, parent.valid_to)), default=None)
        if terr:
            tname = self.by[terr].name
            name = rec.name if code != terr else "Ủy ban nhân dân " + tname[:1].lower() + tname[1:]
            kind = _TIER_KIND[self.by[terr].tier or "xa"]
            shorts, aliases = ["UBND " + _territory(name)], (tname,)
        else:
            name, kind, shorts, aliases = self._office(rec, parent), "", [], ()
            kind = self._kind(rec, parent)
            shorts = [*_short_forms(name, self._suffixes(parent)),
                      *(a for a in rec.abbrs if not _generic(a))]
        succ = self.by[terr].merged_into if terr else rec.merged_into
        unit = Unit(code=code, name=name, kind=kind, parent=parent.code if parent else None,
                    short_names=tuple(s for s in dict.fromkeys(shorts) if s != name),
                    aliases=tuple(a for a in aliases if a != name), valid_from=lo, valid_to=hi,
                    successors=(self.t2c.get(succ, succ),) if succ else ())
        self.built[code] = unit
        return unit

    def _suffixes(self, parent: Unit | None) -> list[str]:
        if parent is None:
            return []
        if parent.kind in COMMITTEES:
            terr = _territory(parent.name)
            return [terr, _level_words(terr)]
        return [parent.name]

    def _office(self, rec: _Rec, parent: Unit | None) -> str:
        """Official name: abbreviations spelt out, the owner's territory appended once."""
        name = re.sub(r"\bHĐND\b", "Hội đồng nhân dân", rec.name)
        name = re.sub(r"\bUBND\b", "Ủy ban nhân dân", name)
        if parent is None:
            return name
        if parent.kind not in COMMITTEES:
            return name if _strip_suffix(name, parent.name) else f"{name} {parent.name}"
        terr = _territory(parent.name)
        level = _level_words(terr)
        if not terr or _fold_aligned(name).endswith(_fold_aligned(terr)):
            return name
        if level and _strip_suffix(name, level) is not None:
            return f"{name} {terr[len(level):].strip()}"
        return f"{name} {terr}"

    def _kind(self, rec: _Rec, parent: Unit | None) -> str:
        head = _HEADS.get(_match_at(_tokens(rec.name), 0, _HEADS) or "")
        pkind = parent.kind if parent else None
        if head == "thanh_tra":
            return "so" if pkind == "ubnd_tinh" else "phong"
        if head == "ban":
            return {"so": "phong", "ubnd_tinh": "so"}.get(pkind or "", "don_vi_su_nghiep")
        if head == "committee":
            lv = _match_at(_tokens(rec.name)[4:], 0, _LEVELS)
            return _TIER_KIND["huyen" if lv and _LEVELS[lv] == "tp" else _LEVELS[lv] if lv else "xa"]
        if head:
            return head
        return "ben_ngoai" if parent is None else "don_vi_su_nghiep"


def load_units_yaml(path: str | Path) -> list[Unit]:
    """Units from the `organisations` part of cchc-data.yaml (or a file of the same shape)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    org = data.get("organisations", data) if isinstance(data, dict) else data
    recs: list[_Rec] = []
    _collect(org, None, {}, None, recs)
    return _Builder(recs).units()

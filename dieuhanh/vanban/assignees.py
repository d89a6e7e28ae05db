"""Map an assignee phrase of an administrative document to the units it designates.

"Giao Thủ trưởng các cơ quan chuyên môn quận, Chủ tịch UBND các phường ..." must become one
task per specialised office of the issuing district and one per ward. Nothing here knows a
place name: every rule reads unit kinds, names and the tree, so any province given as data
works. "quận", "tỉnh", "thành phố" without a proper name mean "of the issuer's territory"
and are looked up along the issuer's chain of parents.

Matching runs on diacritic-free lower-case word tokens with abbreviations spelt out
("UBND" → "uy ban nhan dan"), so NFD input, "hoà"/"hòa" and odd spacing do not matter.
Validity dates are inclusive at both ends, as in the shared YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import islice, product
from pathlib import Path
from typing import Any

import yaml

from dieuhanh.lib.vntext import canon_tone, clean, collapse, fold

# "bo_phan" is an addition: councils, steering committees and the web portal hang under a
# committee in the data but are no legal agency, so "các cơ quan chuyên môn" must skip them.
KINDS = ("ubnd_tinh", "ubnd_huyen", "ubnd_xa", "hdnd", "so", "phong", "van_phong",
         "don_vi_su_nghiep", "bo_phan", "ben_ngoai")
COMMITTEES = frozenset({"ubnd_tinh", "ubnd_huyen", "ubnd_xa"})
# Cơ quan chuyên môn: a sở (Thanh tra tỉnh too), a phòng of a district (Thanh tra huyện too)
# and the Văn phòng, which the law counts as a specialised agency of its committee.
AGENCIES = frozenset({"so", "phong", "van_phong"})


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None = None
    short_names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    valid_from: date | None = None  # first day in force
    valid_to: date | None = None  # last day in force (inclusive)
    successors: tuple[str, ...] = ()  # codes the unit was merged into

    def in_force(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class Resolution:
    phrase: str
    units: tuple[Unit, ...]
    collective: bool
    role_title: str | None  # the first part's; each part keeps its own in `parts`
    unresolved: tuple[str, ...]
    partners: tuple[Unit, ...] = ()  # "X chủ trì, phối hợp với Y": Y helps, owns no task
    parts: tuple[Resolution, ...] = ()  # one per lead assignee part, in phrase order


def _table(spec: str) -> dict[str, str]:
    """'v: a|b; w: c' → {'a': 'v', 'b': 'v', 'c': 'w'}."""
    pairs = (p.split(":") for p in spec.split(";"))
    return {k.strip(): v.strip() for v, ks in pairs for k in ks.split("|")}


_EXPAND = {"ubnd": "uy ban nhan dan", "ub": "uy ban nhan dan", "hdnd": "hoi dong nhan dan",
           "tp": "thanh pho", "vp": "van phong", "cchc": "cai cach hanh chinh",
           "ttdt": "thong tin dien tu", "tdkt": "thi dua khen thuong", "bcd": "ban chi dao",
           "tw": "trung uong"}
_DOTTED = {"q": "quan", "h": "huyen", "tx": "thi xa"}  # only with the dot: "Q. Ninh Kiều"
_P_DOT = "p."  # "Phòng" before an office, "phường" before a ward: both are tried
_HEADS = _table(
    "committee: uy ban nhan dan; hdnd: hoi dong nhan dan; van_phong: van phong; so: so;"
    "thanh_tra: thanh tra; phong: phong; bo_phan: ban chi dao|hoi dong|to cong tac|trang;"
    "ban: ban|chi cuc; don_vi_su_nghiep: trung tam|truong|benh vien|dai; ben_ngoai: bo|cuc|"
    "tong cuc|cong an|bao hiem xa hoi|kho bac|toa an|vien kiem sat")
# Level word → tier; a "thành phố" is a province or a district-level city by its place.
_LEVELS = _table("tinh: tinh; tp: thanh pho; huyen: quan|huyen|thi xa;"
                 "xa: phuong|xa|thi tran|dac khu")
_TIER_KIND = {"tinh": "ubnd_tinh", "huyen": "ubnd_huyen", "xa": "ubnd_xa"}
_ROLES = {fold(t): t for t in (
    "Phó Chủ tịch", "Chủ tịch", "Thủ trưởng", "Người đứng đầu", "Lãnh đạo", "Tổng Giám đốc",
    "Phó Giám đốc", "Giám đốc", "Phó Trưởng phòng", "Trưởng phòng", "Chánh Văn phòng",
    "Phó Chánh Văn phòng", "Chánh Thanh tra", "Trưởng ban", "Phó Trưởng ban", "Hiệu trưởng",
    "Chi cục trưởng", "Cục trưởng", "Bộ trưởng")} | {"ct": "Chủ tịch", "pct": "Phó Chủ tịch"}
_ROLE_UNIT = ("van phong", "thanh tra", "phong", "ban")  # "Trưởng phòng Nội vụ": keep "phòng"
_PLURAL = {"cac": 1, "tat ca": 2}  # not "mọi"/"những": they fold to "Môi", "nhưng"
# Nouns after "các": a kind set picks the scope's own agencies, "local" the committees one
# tier below it, a level word the committees of that type anywhere below it.
_NOUNS: dict[str, Any] = {"co quan chuyen mon": AGENCIES, "co quan": AGENCIES,
                          "ban": AGENCIES, "nganh": AGENCIES, "so": frozenset({"so"}),
                          "phong": frozenset({"phong"}), "dia phuong": "local",
                          "don vi su nghiep": frozenset({"don_vi_su_nghiep"}),
                          "don vi": AGENCIES | {"don_vi_su_nghiep"}, **_LEVELS}
_GENERIC_NOUNS = {"co quan chuyen mon", "co quan", "ban", "nganh", "dia phuong", "don vi"}
_CONNECTORS = {"truc thuoc", "thuoc", "cua", "tren dia ban"}  # not "tại", "ở": "Tài", "Ô Môn"
_TAILS = ("truc thuoc trung uong", "thuoc trung uong", "trung uong")
_UBND = ["uy", "ban", "nhan", "dan"]
# Verbs that end the assignee and start the task ("... chủ trì", "... căn cứ chức năng").
_PRED_RE = re.compile(r"\b(?:%s)\b" % "|".join(
    "chu tri|phoi hop|can cu|tren co so|tham muu|co trach nhiem|chiu trach nhiem|khan truong|"
    "to chuc trien khai|trien khai|thuc hien|nghien cuu|bao cao|xay dung|ra soat|theo doi|"
    "huong dan|kiem tra|don doc|quan triet|tiep tuc|tong hop|gui ve|truoc ngay|"
    "theo chuc nang|trong pham vi|chi dao".split("|")))
_NAME_WORDS = {"ban", "so", "phong", "doan", "to", "cuc", "tam"}  # "Ban chỉ đạo", "Sở xây dựng"
_LEADIN_RE = re.compile(r"^\W*(?:dong kinh gui|kinh gui|giao cho|giao|de nghi|yeu cau|"
                        r"nhan duoc cong van nay)\b[\s:,]*")
_HYPHEN_JOIN = re.compile(r"\b([a-z]{1,3})-([a-z]{1,3})\b")  # "LĐ-TB&XH" is one abbreviation
_WORD = re.compile(r"[a-z0-9]+\.?")


def _fold_aligned(text: str) -> str:
    """fold() one character at a time, so positions match the input for slicing."""
    return "".join((fold(ch) or " ")[0] for ch in text)


def _tokens(text: str) -> list[str]:
    folded = _fold_aligned(clean(text)).replace("d/c", " dong chi ")
    out: list[str] = []
    for word in _WORD.findall(_HYPHEN_JOIN.sub(r"\1\2", folded).replace("&", "")):
        bare = word.rstrip(".")
        if word.endswith(".") and bare in _DOTTED:
            out.append(_DOTTED[bare])
        elif word == _P_DOT or bare not in _EXPAND:
            # "và" is noise inside names: "Kế hoạch và Đầu tư" = "KH-ĐT" = "KH&ĐT"
            out += [word if word == _P_DOT else bare] if bare != "va" else []
        else:
            out += _EXPAND[bare].split()
    return out


def _match_at(toks: Sequence[str], i: int, table: Iterable[str]) -> str | None:
    """Longest entry of `table` (space-joined words) found at toks[i:]."""
    for n in range(min(5, len(toks) - i), 0, -1):
        if (k := " ".join(toks[i:i + n])) in table:
            return k
    return None


def _strip_front(toks: list[str]) -> tuple[list[str], str | None, bool]:
    """Drop plural markers, "đồng chí" and role titles: (rest, first role, plural)."""
    role, plural = None, False
    while toks:
        if k := _match_at(toks, 0, _PLURAL):
            plural, toks = True, toks[_PLURAL[k]:]
        elif toks[:2] == ["dong", "chi"]:
            toks = toks[2:]
        elif k := _match_at(toks, 0, _ROLES):
            unit = next((u for u in _ROLE_UNIT if k.endswith(" " + u)), "")
            role = role or _ROLES[k]
            toks = toks[len(k.split()) - len(unit.split()):]
        else:
            break
    return toks, role, plural


def _generic(text: str) -> bool:
    """An abbreviation that is really a head noun or a level word ("UBND", "VP", "TP")."""
    k = " ".join(_tokens(text))
    return len(k) < 2 or k in _HEADS or k in _LEVELS or k in _ROLES


def _drop_leadin(line: str) -> str:
    line = re.sub(r"^[\s\-+•*–>]+", "", line.replace("*", " "))
    m = _LEADIN_RE.match(_fold_aligned(line))
    return line[m.end():] if m else line


def _predicate(text: str) -> int | None:
    """Start of the first lower-case task verb that is not part of a name."""
    f = _fold_aligned(text)
    for m in _PRED_RE.finditer(f):
        before = f[:m.start()].split()
        if text[m.start()].islower() and not (before and before[-1] in _NAME_WORDS):
            return m.start()
    return None


def _sections(phrase: str) -> tuple[str, str]:
    """(lead assignees, "phối hợp với" partners); the task text after them is dropped."""
    text = "; ".join(x for x in map(_drop_leadin, clean(phrase).splitlines()) if x.strip())
    pos = _predicate(text)
    if pos is None:
        return text, ""
    lead, rest = text[:pos], text[pos:]
    if m := re.match(r"chu tri\W*", _fold_aligned(rest)):
        rest = rest[m.end():]
    if m := re.match(r"phoi hop (?:voi|cung)\b", _fold_aligned(rest)):
        rest = rest[m.end():]
        return lead, rest[:_predicate(rest)]
    end = _predicate(rest)  # "X chủ trì, Y phối hợp": Y stands before its verb
    return lead, rest[:end] if end and _fold_aligned(rest[end:]).startswith("phoi hop") else ""


# --- display names (shared by the loader and the directory) -----------------------------

def _strip_suffix(name: str, suffix: str) -> str | None:
    f, s = _fold_aligned(name), _fold_aligned(collapse(suffix))
    return name[:len(name) - len(s) - 1].rstrip(" -,") if s and f.endswith(" " + s) else None


def _territory(committee_name: str) -> str:
    """'Ủy ban nhân dân quận Cái Răng' → 'quận Cái Răng'."""
    words = committee_name.split()
    return " ".join(words[4:]) if fold(" ".join(words[:4])) == "uy ban nhan dan" else ""


def _level_words(territory: str) -> str:
    """'quận Cái Răng' → 'quận'; 'thành phố Cần Thơ' → 'thành phố'."""
    k = _match_at(_tokens(territory), 0, _LEVELS)
    return " ".join(territory.split()[:len(k.split())]) if k else ""


def _initials(words: Sequence[str]) -> str:
    # Tone and vowel marks go, Đ stays: "Lao động" → "LĐ", "Ủy ban" → "UB".
    return "".join(w[0].upper() if w[0] in "đĐ" else fold(w[0]).upper()
                   for w in words if w and fold(w) != "va" and w[0].isalnum())


def _short_forms(name: str, suffixes: Sequence[str]) -> list[str]:
    """An office without its territory: stem, "P. Nội vụ", "Phòng NV", "PNV"."""
    stem = next((s for s in (_strip_suffix(name, x) for x in suffixes if x) if s), name)
    forms = [stem, stem.replace("Hội đồng nhân dân", "HĐND").replace("Ủy ban nhân dân", "UBND")]
    words = stem.split()
    if head := _match_at([fold(w) for w in words], 0, _HEADS):
        n = len(head.split())
        field = [w for w in re.split(r"[\s\-]+", " ".join(words[n:])) if w]
        if head == "phong" and field:
            forms.append("P. " + " ".join(words[n:]))
        if 0 < len([w for w in field if fold(w) != "va"]) <= 6 and not any(
                w.isupper() and len(w) > 1 for w in field):
            forms += [" ".join(words[:n]) + " " + _initials(field),
                      _initials(words[:n]) + _initials(field)]
    return list(dict.fromkeys(forms))


@dataclass
class _Ctx:
    on: date | None
    chain: list[str]  # the issuer's code, then its parents'


class UnitDirectory:
    """The units of one tree (all eras), indexed by name for `resolve`."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units: dict[str, Unit] = {}
        for unit in units:
            self._units.setdefault(unit.code, unit)
        self._kids: dict[str | None, list[str]] = {}
        for u in self._units.values():
            self._kids.setdefault(u.parent if u.parent in self._units else None, []).append(u.code)
        self._order = {c: i for i, c in enumerate(self._walk())}
        self._owner = {c: next((a for a in self._chain(c)[1:]
                                if self._units[a].kind in COMMITTEES), None) for c in self._units}
        self._terr: dict[str, tuple[str, str]] = {}  # committee → (level word, proper name)
        self._names: dict[str, list[str]] = {}  # keys that carry their own territory
        self._stems: dict[str, list[str]] = {}  # keys relative to the owning committee
        for u in self.units:
            self._index(u)

    def _walk(self) -> Iterator[str]:
        seen: set[str] = set()
        stack = list(reversed(self._kids.get(None, [])))
        while stack:
            if (code := stack.pop()) not in seen:
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

    def _below(self, code: str | None) -> Iterator[str]:
        stack = list(self._kids.get(code, []))
        while stack:
            yield (c := stack.pop())
            stack.extend(self._kids.get(c, []))

    def _live(self, code: str, on: date | None) -> bool:
        return on is None or self._units[code].in_force(on)

    def _index(self, u: Unit) -> None:
        def add(table: dict[str, list[str]], text: str) -> None:
            if (k := " ".join(_tokens(text))) and u.code not in table.setdefault(k, []):
                table[k].append(u.code)

        for text in (u.name, *u.aliases):
            add(self._names, text)
        if u.kind in COMMITTEES:
            toks = _tokens(u.name)[4:] if _tokens(u.name)[:4] == _UBND else []
            lv = _match_at(toks, 0, _LEVELS) or ""
            self._terr[u.code] = (lv, " ".join(toks[len(lv.split()):]))
            for text in (*u.short_names, " ".join(toks)):  # "phường Ba Láng" alone names it
                add(self._names, text)
            return
        owner, parent = self._units.get(self._owner[u.code] or ""), self._units.get(u.parent or "")
        terr = _territory(owner.name) if owner else ""
        suffixes = [parent.name if parent and parent is not owner else "", terr, _level_words(terr)]
        # Declared short names are authoritative; derive some only for bare hand-made units.
        for text in u.short_names or [f for f in _short_forms(u.name, suffixes) if not _generic(f)]:
            add(self._stems, text)

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
        """Assignee parts of a phrase: the lead units', then any "phối hợp với" partners'."""
        lead, partners = _sections(phrase)
        return self._split_text(lead) + self._split_text(partners)

    def resolve(self, phrase: str, *, issuer: str | None = None,
                on: date | None = None) -> Resolution:
        ctx = _Ctx(on, self._chain(self._issuer_code(issuer, on)))
        lead, partner_text = _sections(phrase)
        parts = self._resolve_parts(self._split_text(lead), ctx)
        partners = self._resolve_parts(self._split_text(partner_text), ctx)
        return Resolution(
            phrase=phrase, units=self._ordered(u for p in parts for u in p.units),
            collective=any(p.collective for p in parts),
            role_title=next((p.role_title for p in parts if p.role_title), None),
            unresolved=tuple(x for p in (*parts, *partners) for x in p.unresolved),
            partners=self._ordered(u for p in partners for u in p.units), parts=tuple(parts))

    def _issuer_code(self, issuer: str | None, on: date | None) -> str | None:
        if not issuer or issuer in self._units:
            return issuer
        got = self._specific(_tokens(issuer), _Ctx(on, []))  # a name, e.g. from the header
        return got[0] if len(got) == 1 else None

    # -- splitting ------------------------------------------------------------------------
    def _split_text(self, text: str) -> list[str]:
        parts: list[str] = []
        for chunk in text.split(";"):
            seps = list(re.finditer(r"\s*,\s*|\s+va\s+", _fold_aligned(chunk)))
            start = 0
            for m, nxt in zip(seps, [*seps[1:], None]):
                right = chunk[m.end():nxt.start() if nxt else len(chunk)]
                if self._new_part(chunk[start:m.start()], right, chunk[m.end():]):
                    parts.append(chunk[start:m.start()])
                    start = m.end()
            parts.append(chunk[start:])
        return [p for p in (collapse(x).strip(" ,.;:-") for x in parts) if p]

    def _new_part(self, left: str, right: str, right_all: str) -> bool:
        """Does the text after a comma or "và" start a new assignee?"""
        lt_all, rt = _tokens(left), _tokens(right)
        lt = _strip_front(lt_all)[0]
        listing = "cac" in lt_all or any(" ".join(lt[-n:]) in _LEVELS for n in (1, 2))
        if not lt or not rt or (listing and self._continues(rt)):
            return False  # "các sở, ban, ngành", "UBND các quận, huyện", "UBND tỉnh, thành phố"
        joined = lt + _tokens(right_all)
        if any(" ".join(joined[:n]) in self._names or " ".join(joined[:n]) in self._stems
               for n in range(len(lt) + 1, len(joined) + 1)):
            return False  # a known name runs across it: "Sở Văn hóa, Thể thao và Du lịch"
        if lt[:2] == ["van", "phong"] and lt[-4:] == ["hoi", "dong", "nhan", "dan"]:
            return False  # "Văn phòng HĐND và UBND" in a tree that lacks it
        # Not a bare level word: "Xã hội" in "Thương binh và Xã hội" is no ward.
        starts = (_PLURAL, _ROLES, _HEADS, self._names, self._stems)
        return rt[0] == _P_DOT or rt[:2] == ["dong", "chi"] or any(
            _match_at(rt, 0, t) for t in starts[:3]) or any(
            " ".join(rt[:n]) in t for t in starts[3:] for n in range(1, len(rt) + 1))

    def _continues(self, rt: list[str]) -> bool:
        nouns, j = self._nouns(rt)
        rest = rt[j:]
        return bool(nouns) and (not rest or rest[:4] == _UBND or any(
            _match_at(rest, 0, t) for t in (_CONNECTORS, _LEVELS, _TAILS)))

    # -- parts → units --------------------------------------------------------------------
    def _resolve_parts(self, texts: list[str], ctx: _Ctx) -> list[Resolution]:
        out: list[Resolution] = []
        pending: list[str] = []  # "CT, PCT. UBND quận": a bare title shares the next unit
        for i, text in enumerate(texts):
            toks, role, plural = _strip_front(_tokens(text))
            if not toks and role and i < len(texts) - 1:
                pending.append(text)
                continue
            phrase = ", ".join([*pending, text])
            codes, plural = self._part(toks, plural, ctx)
            units = self._ordered(self._units[c] for c in codes)
            out.append(Resolution(phrase, units, plural, _strip_front(_tokens(phrase))[1],
                                  () if units else (phrase,)))
            pending = []
        return out

    def _part(self, toks: list[str], plural: bool, ctx: _Ctx) -> tuple[list[str], bool]:
        slots = [("phong", "phuong") if t == _P_DOT else (t,) for t in toks]
        for variant in (list(v) for v in islice(product(*slots), 4) if toks):
            if group := self._group(variant, plural):
                got = self._collective(*group, ctx)
                if got is not None:
                    plural = True
                    if got:
                        return got, True
                    continue
            if got := self._specific(variant, ctx):
                return got, plural
        return [], plural

    def _group(self, toks: list[str], plural: bool) -> tuple[list[str], list[str]] | None:
        """(head, nouns...) of a collective: "UBND các phường", "UBND tỉnh, thành phố"."""
        if "cac" in toks:
            return toks[:toks.index("cac")], toks[toks.index("cac") + 1:]
        if plural:
            return [], toks
        for i in range(len(toks)):
            if len(nouns := self._nouns(toks[i:])[0]) > 1 and all(n in _LEVELS for n in nouns):
                return toks[:i], toks[i:]
        return None

    def _nouns(self, toks: list[str]) -> tuple[list[str], int]:
        nouns: list[str] = []
        i = 0
        while (k := _match_at(toks, i, _NOUNS)) is not None:
            if k in _LEVELS and any(n not in _LEVELS for n in nouns):
                break  # "cơ quan chuyên môn quận": that level word is a qualifier
            nouns.append(k)
            i += len(k.split())
        return nouns, i

    def _scopes(self, toks: list[str], ctx: _Ctx) -> tuple[str, list[str]]:
        """Read a place qualifier: ("implicit", []), ("explicit", codes) or ("fail", [])."""
        while k := _match_at(toks, 0, _CONNECTORS):
            toks = toks[len(k.split()):]
        tail = next((t for t in _TAILS if " ".join(toks).endswith(t)), "")
        toks = toks[:len(toks) - len(tail.split())]
        toks = toks[4:] if toks[:4] == _UBND else toks
        if not toks:
            return "implicit", []
        lv = _match_at(toks, 0, _LEVELS)
        if proper := " ".join(toks[len(lv.split()) if lv else 0:]):
            hits = [c for c, (t, p) in self._terr.items()
                    if p == proper and lv in (None, t) and self._live(c, ctx.on)]
        else:  # a bare level word: the issuer's own territory of that level
            pool = ctx.chain or [c for c in self._terr if self._live(c, ctx.on)]
            hits = [c for c in pool if self._terr.get(c, ("",))[0] == lv] or [
                c for c in pool if self._units[c].kind == _TIER_KIND.get(_LEVELS[lv or ""], "")]
            hits = hits[:1] if ctx.chain else hits
        return ("explicit", hits) if hits else ("fail", [])

    def _specific(self, toks: list[str], ctx: _Ctx) -> list[str]:
        """One named unit: the longest known name, then a qualifier picks among homonyms."""
        for j in range(len(toks), 0, -1):
            for table, full in ((self._names, True), (self._stems, False)):
                codes = [c for c in table.get(" ".join(toks[:j]), ()) if self._live(c, ctx.on)]
                mode, scopes = self._scopes(toks[j:], ctx) if codes else ("fail", [])
                if mode != "fail" and (got := self._pick(codes, mode, scopes, ctx, full)):
                    return got
        head = _match_at(toks, 0, ("uy ban nhan dan", "hoi dong nhan dan"))
        if head is None:
            return []
        mode, scopes = self._scopes(toks[4:], ctx)
        if mode == "implicit":  # "UBND quận" written by the district itself, or bare "UBND"
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
        # A full name needs no context; a bare stem that the issuer's chain lacks is ambiguous.
        return codes if len(codes) == 1 and (full or not ctx.chain) else []

    def _collective(self, head: list[str], rest: list[str], ctx: _Ctx) -> list[str] | None:
        nouns, j = self._nouns(rest)
        if not nouns:
            return None
        mode, scopes = self._scopes(rest[j:], ctx)
        if mode != "implicit":
            return [c for s in scopes for c in self._select(head, nouns, s, ctx.on)]
        # The nearest level that has such units. A specific noun fixes the level for the
        # whole list: in "các sở, ban, ngành" the "sở" puts "ban, ngành" at province level.
        specific = [n for n in nouns if n not in _GENERIC_NOUNS] or nouns
        scopes_up: list[str | None] = [*ctx.chain] or [None]  # None: the whole directory
        for scope in scopes_up:
            if self._select(head, specific, scope, ctx.on):
                return self._select(head, nouns, scope, ctx.on)
        return []

    def _select(self, head: list[str], nouns: list[str], scope: str | None,
                on: date | None) -> list[str]:
        out: list[str] = []
        below = [self._units[c] for c in self._below(scope) if self._live(c, on)]
        for noun in nouns:
            want = _NOUNS[noun]
            if isinstance(want, frozenset):  # agencies hang right under their committee
                out += [u.code for u in below if u.kind in want
                        and u.parent == (scope or self._owner[u.code])]
            elif want == "local":
                out += [u.code for u in below if u.kind in COMMITTEES
                        and self._owner[u.code] == scope]
            else:
                tier = ("tinh" if "tinh" in nouns else "huyen") if want == "tp" else want
                out += [u.code for u in below if u.kind == _TIER_KIND[tier]
                        and self._terr[u.code][0] == noun]
        key = " ".join(head)
        if key in ("", "uy ban nhan dan"):
            return out
        if key == "hoi dong nhan dan":
            return [k for c in out for k in self._kids.get(c, [])
                    if self._units[k].kind == "hdnd" and self._live(k, on)]
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
    level: str | None  # "province", "district"... when the data says
    lo: date | None  # valid_from
    hi: date | None  # valid_to
    abbrs: tuple[str, ...]
    merged_into: str | None
    year: int | None  # from a "..._2020" section key
    within: str | None  # "(thuộc Sở Nội vụ)" in the name: the parent, by name
    tier: str | None = None


def _date(value: Any) -> date | None:
    """PyYAML reads ISO dates itself; null or free text leaves the end open."""
    return value.date() if isinstance(value, datetime) else (
        value if isinstance(value, date) else None)


def _rec(item: dict[str, Any], parent: str | None, group: dict[str, Any], year: int | None) -> _Rec:
    name = canon_tone(collapse(clean(str(item.get("name_vi") or item.get("name")))))
    notes = [n for n in re.findall(r"\(([^)]*)\)", name) if re.match(r"(truc )?thuoc ", fold(n))]
    within = re.sub(r"^(?:[Tt]rực )?[Tt]huộc\s+", "", notes[0]) if notes else None
    abbrs = [item.get("abbr"), *(item.get("abbr_candidates") or [])]
    return _Rec(str(item["id"]), collapse(re.sub(r"\([^)]*\)", " ", name)),
                item.get("parent") or group.get("parent") or parent, item.get("level"),
                _date(item.get("valid_from", group.get("valid_from"))),
                _date(item.get("valid_to", group.get("valid_to"))),
                tuple(str(a) for a in abbrs if a), item.get("merged_into"), year, within)


def _collect(node: Any, parent: str | None, group: dict[str, Any], year: int | None,
             out: list[_Rec]) -> None:
    """Each dict with an id and a name is a unit; nesting gives its parent, and a section's
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
            if key == "list_vi" and isinstance(value, list):  # bare names: slug ids
                out += [_rec({"id": "_".join(_tokens(s)) + f"_{y or ''}", "name_vi": s},
                             parent, group, y) for s in value if isinstance(s, str)]
            elif isinstance(value, (dict, list)):
                sub = {**group, **{f: value[f] for f in ("valid_from", "valid_to", "parent")
                                   if isinstance(value, dict) and f in value}}
                _collect(value, parent, sub, y, out)


def _window(r: _Rec) -> tuple[date, date]:
    if r.lo or r.hi or not r.year:
        return r.lo or date.min, r.hi or date.max
    return date(r.year, 1, 1), date(r.year, 12, 31)


def _overlap(a: _Rec, b: _Rec) -> bool:
    (a_lo, a_hi), (b_lo, b_hi) = _window(a), _window(b)
    return a_lo <= b_hi and b_lo <= a_hi


class _Builder:
    """Raw records → Units. A territory and its People's Committee become one unit."""

    def __init__(self, recs: list[_Rec]) -> None:
        self.recs, self.by = recs, {r.id: r for r in recs}
        levels = {"province": "tinh", "district": "huyen", "commune": "xa", "ward": "xa"}
        for r in recs:
            lv = _match_at(_tokens(r.name), 0, _LEVELS)
            r.tier = levels.get(str(r.level)) or (_LEVELS[lv] if lv else None)
            if r.tier == "tp":  # a city inside another territory is district-level
                r.tier = "huyen" if r.parent in self.by else "tinh"
        self.terr = {r.id for r in recs if r.tier}
        self.t2c: dict[str, str] = {}  # territory id → code of its committee unit
        for r in recs:
            if _tokens(r.name)[:4] == _UBND and r.parent in self.terr:
                self.t2c.setdefault(r.parent, r.id)
        self.built: dict[str, Unit] = {}

    def units(self) -> list[Unit]:
        merged = set(self.t2c.values())
        codes = dict.fromkeys(self.t2c.get(r.id, r.id) for r in self.recs if r.id not in merged)
        units = [self._unit(c, set()) for c in codes]
        # Derived initials may clash between siblings (Sở Nội vụ / Sở Ngoại vụ → "SNV"):
        # then the form designates neither, unless the data gives it as an abbreviation.
        count: dict[tuple[str | None, str], int] = {}
        for u in units:
            for s in set(u.short_names):
                count[u.parent, s] = count.get((u.parent, s), 0) + 1
        return [replace(u, short_names=tuple(s for s in u.short_names if count[u.parent, s] == 1
                                             or s in self.by[u.code].abbrs)) for u in units]

    def _parent(self, r: _Rec) -> str | None:
        p = r.parent
        if r.within:
            named = [x for x in self.recs if _tokens(x.name) == _tokens(r.within) and x is not r]
            p = next(iter([x.id for x in named if _overlap(x, r)] + [x.id for x in named]), p)
        if p not in self.by:
            # Wards without a parent belong to the only district of their era; a year's list
            # of agencies to the province committee of that year (the newer if two overlap).
            for tier in {"xa": ["huyen", "tinh"], "huyen": ["tinh"], "tinh": []}.get(
                    r.tier or "", ["tinh"]):
                cands = [self.by[t] for t in self.terr if self.by[t].tier == tier
                         and _overlap(self.by[t], r)]
                if len(cands) == 1 or (cands and r.tier is None):
                    p = max(cands, key=lambda t: _window(t)[0]).id
                    break
        return self.t2c.get(p, p) if p in self.by else None

    def _unit(self, code: str, seen: set[str]) -> Unit:
        if code in self.built:
            return self.built[code]
        terr = next((t for t, c in self.t2c.items() if c == code), code if code in self.terr else None)
        rec = self.by[code]
        base = self.by[terr] if terr else rec
        pcode = self._parent(base)
        parent = self._unit(pcode, seen | {code}) if pcode and pcode not in seen | {code} else None
        lo, hi = base.lo, base.hi
        if parent:  # a unit cannot outlive the body it belongs to
            lo = max(filter(None, (lo, parent.valid_from)), default=None)
            hi = min(filter(None, (hi, parent.valid_to)), default=None)
        if terr:
            tname = self.by[terr].name
            name = rec.name if code != terr else "Ủy ban nhân dân " + tname[:1].lower() + tname[1:]
            kind, shorts, aliases = _TIER_KIND[base.tier or "xa"], ["UBND " + _territory(name)], [tname]
        else:
            name, kind, aliases = self._office(rec, parent), self._kind(rec, parent), []
            suffixes = [parent.name] if parent and parent.kind not in COMMITTEES else [
                _territory(parent.name), _level_words(_territory(parent.name))] if parent else []
            shorts = [*_short_forms(name, suffixes), *(a for a in rec.abbrs if not _generic(a))]
        succ = base.merged_into
        self.built[code] = Unit(
            code, name, kind, parent.code if parent else None,
            tuple(s for s in dict.fromkeys(shorts) if s != name), tuple(a for a in aliases if a != name),
            lo, hi, (self.t2c.get(succ, succ),) if succ else ())
        return self.built[code]

    @staticmethod
    def _office(rec: _Rec, parent: Unit | None) -> str:
        """Official name: abbreviations spelt out, the owner's territory appended once."""
        name = re.sub(r"\bUBND\b", "Ủy ban nhân dân", re.sub(r"\bHĐND\b", "Hội đồng nhân dân", rec.name))
        if parent is None:
            return name
        if parent.kind not in COMMITTEES:
            return name if _strip_suffix(name, parent.name) else f"{name} {parent.name}"
        terr = _territory(parent.name)
        level = _level_words(terr)
        if not terr or _fold_aligned(name).endswith(_fold_aligned(terr)):
            return name
        if level and _strip_suffix(name, level) is not None:  # "Thanh tra quận" + "Cái Răng"
            return f"{name} {terr[len(level):].strip()}"
        return f"{name} {terr}"

    @staticmethod
    def _kind(rec: _Rec, parent: Unit | None) -> str:
        head = _HEADS.get(_match_at(_tokens(rec.name), 0, _HEADS) or "")
        pkind = parent.kind if parent else ""
        if head == "thanh_tra":
            return "so" if pkind == "ubnd_tinh" else "phong"
        if head == "ban":  # a ban of a sở is a division; of a province, a department
            return {"so": "phong", "ubnd_tinh": "so"}.get(pkind, "don_vi_su_nghiep")
        if head == "committee":
            lv = _match_at(_tokens(rec.name)[4:], 0, _LEVELS)
            return _TIER_KIND["huyen" if lv and _LEVELS[lv] == "tp" else _LEVELS[lv] if lv else "xa"]
        return head or ("ben_ngoai" if parent is None else "don_vi_su_nghiep")


def load_units_yaml(path: str | Path) -> list[Unit]:
    """Units from the `organisations` part of cchc-data.yaml (or a file of that shape)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    recs: list[_Rec] = []
    _collect(data.get("organisations", data) if isinstance(data, dict) else data, None, {}, None, recs)
    return _Builder(recs).units()

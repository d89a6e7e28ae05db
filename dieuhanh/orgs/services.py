"""Multi-row operations on the unit tree: import, export, the units in force on a day,
and the :class:`~dieuhanh.vanban.assignees.UnitDirectory` that resolves assignee phrases.

An import is all-or-nothing: every row is checked first (messages name the row), then
everything is written in one transaction with one audit row per created or updated
unit. Units are matched by code; a unit listed in the file takes exactly the file's
values (an omitted field is empty) and its successors; units not in the file are left
alone, never deleted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction
from dieuhanh.accounts.scope import can_see_unit
from dieuhanh.orgs import files
from dieuhanh.orgs.models import Succession, Unit, UnitQuerySet
from dieuhanh.orgs.schema import check_row, label, where_of
from dieuhanh.orgs.tree import model_forest, row_forest, walk
from dieuhanh.vanban import assignees

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "cantho.yaml"
UNIT_FIELDS = ("name", "kind", "short_names", "aliases", "symbol", "e_id", "place",
               "valid_from", "valid_to", "note")


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return _("Không nhập được: %(n)d lỗi; không có thay đổi nào được lưu.") % {"n": len(self.errors)}
        counts = {"created": len(self.created), "updated": len(self.updated), "unchanged": len(self.unchanged)}
        if self.dry_run:
            return _("Chạy thử (không lưu gì): sẽ tạo mới %(created)d, cập nhật %(updated)d, "
                     "giữ nguyên %(unchanged)d đơn vị.") % counts
        return _("Đã nhập: tạo mới %(created)d, cập nhật %(updated)d, giữ nguyên %(unchanged)d đơn vị.") % counts


# --- checking -------------------------------------------------------------------------

def check_rows(raw_rows: list[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """Checked rows and messages: each row alone, then codes, parents and successors
    against the file and the database."""
    rows: list[tuple[str, dict[str, Any]]] = []
    errors: list[str] = []
    for i, raw in enumerate(raw_rows, 1):
        where = where_of(raw, i)
        row, problems = check_row(raw, where)
        errors += problems
        if row is not None:
            rows.append((where, row))
    if not rows and not errors:
        errors.append(_("Không có đơn vị nào để nhập."))
    errors += _check_links(rows)
    return [row for _, row in rows], errors


def _check_links(rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    errors: list[str] = []
    first: dict[str, str] = {}
    for where, row in rows:
        if row["code"] in first:
            errors.append(f"{label(where, row['code'])}: "
                          + _("mã trùng với %(other)s") % {"other": first[row["code"]]})
        first.setdefault(row["code"], where)
    db_parents = dict(Unit.objects.values_list("code", "parent__code"))
    parents = {**db_parents, **{row["code"]: row["parent"] for _, row in rows}}
    for where, row in rows:
        head = label(where, row["code"])
        if row["parent"] and row["parent"] not in parents:
            errors.append(f"{head}: " + _("đơn vị cấp trên «%(code)s» không có trong tệp và cũng chưa có "
                                          "trong cơ sở dữ liệu") % {"code": row["parent"]})
        for succ in row["successors"]:
            if succ["code"] not in parents:
                errors.append(f"{head}: " + _("đơn vị kế thừa «%(code)s» không có trong tệp và cũng chưa có "
                                              "trong cơ sở dữ liệu") % {"code": succ["code"]})
        chain = [row["code"]]
        while (up := parents.get(chain[-1])) and up not in chain:
            chain.append(up)
        if up == row["code"]:
            errors.append(f"{head}: " + _("quan hệ cấp trên tạo thành vòng lặp (%(chain)s)")
                          % {"chain": " → ".join([*chain, up])})
    return errors


# --- writing --------------------------------------------------------------------------

def import_units(rows: list[Any], *, actor: Any = None, dry_run: bool = False,
                 note: str = "") -> ImportResult:
    """Create or update units by code from raw rows (as read from a file or built in code)."""
    result = ImportResult(dry_run=dry_run)
    checked, result.errors = check_rows(rows)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _write(checked, result, actor, note or _("Nhập danh sách đơn vị"))
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as exc:
        result.created, result.updated, result.unchanged = [], [], []
        result.errors = [_("Không ghi được vào cơ sở dữ liệu, không có thay đổi nào được lưu: %(error)s")
                         % {"error": exc}]
    return result


def import_file(path: str | Path, *, actor: Any = None, dry_run: bool = False) -> ImportResult:
    """Read a .yaml/.csv unit file and import it; raises ``files.UnitFileError``."""
    rows = files.read_file(path)
    note = _("Nhập đơn vị từ tệp %(name)s") % {"name": Path(path).name}
    return import_units(rows, actor=actor, dry_run=dry_run, note=note)


def load_default(*, actor: Any = None, dry_run: bool = False) -> ImportResult:
    """Import the packaged sample tree (Cần Thơ, Cái Răng; 2020 and 2025)."""
    return import_file(DEFAULT_FILE, actor=actor, dry_run=dry_run)


def _state(unit: Unit, successions: list[Succession]) -> dict[str, Any]:
    data = snapshot(unit)
    data["successors"] = sorted([s.successor.code, s.kind, s.on.isoformat() if s.on else None]
                                for s in successions)
    return data


def _write(rows: list[dict[str, Any]], result: ImportResult, actor: Any, note: str) -> None:
    codes = {r["code"] for r in rows}
    wanted = codes | {r["parent"] for r in rows if r["parent"]} | {
        s["code"] for r in rows for s in r["successors"]}
    by_code = {u.code: u for u in Unit.objects.filter(code__in=wanted)}
    outgoing: dict[str, list[Succession]] = defaultdict(list)
    for s in Succession.objects.filter(predecessor__code__in=codes).select_related("predecessor", "successor"):
        outgoing[s.predecessor.code].append(s)
    before = {c: _state(by_code[c], outgoing[c]) for c in codes if c in by_code}
    for node in walk(row_forest(rows)):  # parents first
        row = node.item
        unit = by_code.setdefault(row["code"], Unit(code=row["code"]))
        values = {f: row[f] for f in UNIT_FIELDS}
        values["parent_id"] = by_code[row["parent"]].pk if row["parent"] else None
        if unit.pk is None or any(getattr(unit, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(unit, k, v)
            unit.save()
    for row in rows:
        outgoing[row["code"]] = _set_successions(by_code, row, outgoing[row["code"]])
    for row in rows:
        unit = by_code[row["code"]]
        after = _state(unit, outgoing[row["code"]])
        if row["code"] not in before:
            record(actor, AuditAction.CREATE, unit, after=after, note=note, unit_id=unit.pk)
            result.created.append(unit.code)
        elif after != before[row["code"]]:
            record(actor, AuditAction.UPDATE, unit, before=before[row["code"]], after=after,
                   note=note, unit_id=unit.pk)
            result.updated.append(unit.code)
        else:
            result.unchanged.append(unit.code)


def _set_successions(by_code: dict[str, Unit], row: dict[str, Any],
                     current: list[Succession]) -> list[Succession]:
    """Make the unit's outgoing links exactly the row's; returns them."""
    unit, wanted = by_code[row["code"]], {s["code"]: s for s in row["successors"]}
    kept: list[Succession] = []
    for link in current:
        spec = wanted.pop(link.successor.code, None)
        if spec is None:
            link.delete()
            continue
        if (link.kind, link.on) != (spec["kind"], spec["on"]):
            link.kind, link.on = spec["kind"], spec["on"]
            link.save(update_fields=["kind", "on"])
        kept.append(link)
    for code, spec in wanted.items():
        kept.append(Succession.objects.create(predecessor=unit, successor=by_code[code],
                                              kind=spec["kind"], on=spec["on"]))
    return kept


# --- reading ----------------------------------------------------------------------------

def rows_in_force(rows: list[dict[str, Any]], on: date | None) -> list[dict[str, Any]]:
    """The rows in force on a day (all when ``on`` is None), successors kept only when
    they are among them, so the result is a file of its own."""
    if on is None:
        return rows
    live = [r for r in rows if (r.get("valid_from") is None or r["valid_from"] <= on)
            and (r.get("valid_to") is None or on <= r["valid_to"])]
    codes = {r["code"] for r in live}
    return [{**r, "successors": [s for s in r["successors"] if s["code"] in codes]} for r in live]


def ordered_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in tree order (parents first), successors by date and code: export order."""
    out = []
    for node in walk(row_forest(rows)):
        succ = sorted(node.item.get("successors") or [], key=lambda s: (s.get("on") or date.min, s["code"]))
        out.append({**node.item, "successors": succ})
    return out


def unit_rows(on: date | None = None) -> list[dict[str, Any]]:
    """Every unit (or those in force on ``on``) as file rows, in tree order. Two queries."""
    units = list(Unit.objects.all())
    code_of = {u.pk: u.code for u in units}
    succ: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pred_id, succ_id, kind, day in Succession.objects.values_list("predecessor_id", "successor_id", "kind", "on"):
        succ[pred_id].append({"code": code_of[succ_id], "kind": kind, "on": day})
    rows = [{"code": u.code, "name": u.name, "kind": u.kind, "parent": code_of.get(u.parent_id),
             "short_names": list(u.short_names), "aliases": list(u.aliases), "symbol": u.symbol,
             "e_id": u.e_id, "place": u.place, "valid_from": u.valid_from, "valid_to": u.valid_to,
             "successors": succ[u.pk], "note": u.note} for u in units]
    return ordered_rows(rows_in_force(rows, on))


def export_units(format: str = "yaml", *, on: date | None = None) -> str:  # noqa: A002
    """The unit tree as YAML or CSV text (``format`` is "yaml" or "csv")."""
    return write_rows(unit_rows(on), format)


def write_rows(rows: list[dict[str, Any]], format: str, header: str = "") -> str:  # noqa: A002
    if format == "yaml":
        return files.write_yaml(rows, header)
    if format == "csv":
        return files.write_csv(rows)
    raise ValueError(_("Định dạng «%(format)s» không được hỗ trợ: dùng yaml hoặc csv.") % {"format": format})


def units_in_force(on: date) -> UnitQuerySet:
    """Units in force on a day (validity dates are inclusive), with their parents."""
    return Unit.objects.in_force(on).select_related("parent")


def unit_directory(on: date | None = None) -> assignees.UnitDirectory:
    """The database tree as an assignee directory: all eras, or the units in force on
    ``on``, so "các cơ quan chuyên môn quận" resolves to the offices of that day."""
    units = list(Unit.objects.all())
    code_of = {u.pk: u.code for u in units}
    succ: dict[int, list[str]] = defaultdict(list)
    for pred_id, succ_id in Succession.objects.order_by("on", "pk").values_list("predecessor_id", "successor_id"):
        succ[pred_id].append(code_of[succ_id])
    directory = assignees.UnitDirectory(
        assignees.Unit(code=u.code, name=u.name, kind=u.kind, parent=code_of.get(u.parent_id),
                       short_names=tuple(u.short_names), aliases=tuple(u.aliases),
                       valid_from=u.valid_from, valid_to=u.valid_to, successors=tuple(succ[u.pk]))
        for u in (n.item for n in walk(model_forest(units))))
    return directory.in_force(on) if on else directory


# --- pages ------------------------------------------------------------------------------

def get_unit_for_user(user: Any, code: str) -> Unit:
    """The unit with that code, for any logged-in user: the tree is public inside the
    system (only documents are scoped). Http404 for an unknown code or no user."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    unit = Unit.objects.select_related("parent").filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def can_see_members(user: Any, unit: Unit) -> bool:
    """Who works in a unit: administrators, and leaders whose scope covers the unit."""
    if getattr(user, "is_admin_role", False):
        return True
    return bool(getattr(user, "is_leader", False)) and can_see_unit(user, unit.pk)

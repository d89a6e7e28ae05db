"""The leader dashboard: what a leader sees of the units under them.

Everything is computed with a constant number of queries, whatever the size of the subtree:

1. the unit tree (``id, parent, code, name``), one query — units are hundreds;
2. the per-unit table: finished work from the tallies (:mod:`dieuhanh.tasks.tally`, one
   GROUP BY over units × months), open work with one GROUP BY ``unit_id, status`` over the
   open assignments only, with conditional counts (past the original due date), folded into
   the four buckets; the bucket totals and the on-time rate are the sums of its rows (the
   rules of :func:`dieuhanh.tasks.buckets.bucket_counts`, checked against it in the tests);
3. the overdue list (top 50 by days late), with its task, unit and assignee joined;
4. the heads of the overdue units (one prefetch);
5. the monthly trend: the tallies of the last 12 months plus one GROUP BY ``original_due_on,
   status`` over the open assignments due in them, folded into months.

Scope (who sees what here): administrators see everything; leaders (of a committee or
of a unit) see their unit's subtree; a specialist sees the assignments of the tasks
their unit assigned; anyone else sees their own unit. A drill-down (``?don_vi=``) outside
that scope is a 404, never an empty page that would confirm the unit exists.

Scoring follows ``original_due_on``: an approved extension moves the reminders, not the
score, so an extended assignment stays overdue here by its original date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import Role, User
from dieuhanh.orgs.models import Unit
from dieuhanh.tasks.buckets import today
from dieuhanh.tasks.models import OPEN_STATUSES, Assignment, DoneTally, Status

OVERDUE_LIMIT = 50
TREND_MONTHS = 12
HEAD_ROLES = (Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND)

# Column key → label, in display order; the keys are also the ?sort= values.
UNIT_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("name", _("Đơn vị")),
    ("total", _("Được giao")),
    ("done_on_time", _("Hoàn thành đúng hạn")),
    ("done_late", _("Hoàn thành quá hạn")),
    ("open_in_term", _("Đang thực hiện trong hạn")),
    ("open_overdue", _("Quá hạn chưa hoàn thành")),
    ("on_time_rate", _("Tỷ lệ đúng hạn (%)")),
)
SORT_KEYS = {key for key, _label in UNIT_COLUMNS}
DEFAULT_SORT = "-open_overdue"
COUNT_KEYS = ("total", "done_on_time", "done_late", "open_in_term", "open_overdue")


def _status_counts(on: date) -> dict[str, Count]:
    """Per (group, status): how many, how many finished late, how many past their original due date.

    Grouping by status as well leaves two cheap conditions per row instead of five bucket
    tests (a quarter less time over 500,000 rows); :func:`_fold` turns the groups into the
    buckets of :func:`dieuhanh.tasks.buckets.bucket_counts` — the tests check both agree.
    """
    due = Q(original_due_on__isnull=False)
    return {
        "n": Count("id"),
        "late": Count("id", filter=due & (Q(completed_on__isnull=True) | Q(completed_on__gt=F("original_due_on")))),
        "past": Count("id", filter=Q(original_due_on__lt=on)),
    }


def _open_counts(on: date) -> dict[str, Count]:
    """:func:`_status_counts` for open work only: "finished late" never applies, and leaving it
    out lets the open-work indexes (unit or due day, status) answer without reading a row."""
    return {"n": Count("id"), "past": Count("id", filter=Q(original_due_on__lt=on))}


def _fold(into: dict[str, Any], row: dict[str, Any]) -> None:
    """Add one (…, status) group to bucket counts."""
    status = row["status"]
    if status == Status.CANCELLED:
        return
    into["total"] += row["n"]
    if status == Status.DONE:
        into["done_late"] += row["late"]
        into["done_on_time"] += row["n"] - row["late"]
    else:
        into["open_overdue"] += row["past"]
        into["open_in_term"] += row["n"] - row["past"]


def on_time_rate(done_on_time: int, done_late: int) -> float | None:
    finished = done_on_time + done_late
    return round(100 * done_on_time / finished, 1) if finished else None


# --- the unit tree and the user's scope --------------------------------------------------

@dataclass
class UnitTree:
    """All units, loaded once: enough to roll counts up and to check a drill-down."""

    units: dict[int, dict[str, Any]]
    children: dict[int | None, list[int]]

    @classmethod
    def load(cls) -> "UnitTree":
        units: dict[int, dict[str, Any]] = {}
        children: dict[int | None, list[int]] = defaultdict(list)
        for row in Unit.objects.order_by().values("id", "parent_id", "code", "name", "valid_to"):
            units[row["id"]] = row
            children[row["parent_id"]].append(row["id"])
        return cls(units, children)

    def subtree(self, root_id: int) -> set[int]:
        found, stack = set(), [root_id]
        while stack:
            current = stack.pop()
            if current in found:
                continue
            found.add(current)
            stack.extend(self.children.get(current, ()))
        return found

    def by_code(self, code: str) -> dict[str, Any] | None:
        for row in self.units.values():
            if row["code"] == code:
                return row
        return None

    def path(self, unit_id: int, stop_at: int | None = None) -> list[dict[str, Any]]:
        """From ``stop_at`` (or the top) down to ``unit_id``."""
        chain: list[dict[str, Any]] = []
        current: int | None = unit_id
        seen: set[int] = set()
        while current is not None and current not in seen:
            seen.add(current)
            chain.append(self.units[current])
            if current == stop_at:
                break
            current = self.units[current]["parent_id"]
        return list(reversed(chain))


@dataclass
class Scope:
    """What a user's dashboard covers.

    ``base`` filters the assignments; ``home`` is the unit the dashboard opens on (None:
    the top of the tree); ``allowed`` the units one may drill into (None: any).
    ``flat`` lists the units that received the tasks instead of rolling up a subtree.
    """

    base: Q
    home: int | None
    allowed: set[int] | None
    flat: bool = False
    # The same scope over DoneTally rows (finished work counted ahead); None: count live.
    tally: Q | None = None


def scope_for(user: Any, tree: UnitTree) -> Scope:
    # The roles of dieuhanh.accounts.scope.visible_unit_ids, with the subtree taken from the
    # tree already loaded here (visible_unit_ids would load the units a second time).
    if not getattr(user, "is_authenticated", False):
        return Scope(base=Q(pk__in=[]), home=None, allowed=set())
    if user.is_superuser or user.role == Role.QUAN_TRI:  # administrators
        return Scope(base=Q(), home=None, allowed=None, tally=Q())
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None or unit_id not in tree.units:
        return Scope(base=Q(pk__in=[]), home=None, allowed=set())
    if user.role in HEAD_ROLES:
        return Scope(base=Q(), home=unit_id, allowed=tree.subtree(unit_id), tally=Q())
    if user.role == Role.CHUYEN_VIEN:
        return Scope(base=Q(task__assigned_by_unit_id=unit_id), home=None, allowed=None, flat=True)
    return Scope(base=Q(unit_id=unit_id), home=unit_id, allowed={unit_id}, tally=Q(unit_id=unit_id))


# --- the dashboard ------------------------------------------------------------------------

@dataclass
class Dashboard:
    on: date
    unit: dict[str, Any] | None  # the unit being looked at (None: everything in scope)
    breadcrumbs: list[dict[str, Any]]
    counts: dict[str, Any]
    rows: list[dict[str, Any]]
    sort: str
    overdue: list[Assignment]
    trend: list[dict[str, Any]]
    columns: tuple[tuple[str, Any], ...] = UNIT_COLUMNS
    extra: dict[str, Any] = field(default_factory=dict)


def parse_sort(value: str | None) -> str:
    value = (value or "").strip()
    return value if value.lstrip("-") in SORT_KEYS else DEFAULT_SORT


def sort_rows(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    key = sort.lstrip("-")
    reverse = sort.startswith("-")
    if key == "name":
        return sorted(rows, key=lambda r: (r["name"].casefold(), r["id"]), reverse=reverse)
    # None (no finished assignment) sorts last in either direction.
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    present.sort(key=lambda r: (r[key], r["name"].casefold()), reverse=reverse)
    return present + sorted(missing, key=lambda r: r["name"].casefold())


def _assignments(scope: Scope, tree: UnitTree, unit_ids: set[int] | None) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(scope.base).order_by()
    # The whole tree (a province leader, an administrator at the top): no IN list of
    # every unit id — it would only slow the planner down.
    if unit_ids is not None and len(unit_ids) < len(tree.units):
        qs = qs.filter(unit_id__in=unit_ids)
    return qs


def _empty_counts() -> dict[str, Any]:
    return dict.fromkeys(COUNT_KEYS, 0)


def _tallies(scope: Scope, tree: UnitTree, unit_ids: set[int] | None) -> QuerySet[DoneTally]:
    qs = DoneTally.objects.filter(scope.tally).order_by()
    if unit_ids is not None and len(unit_ids) < len(tree.units):
        qs = qs.filter(unit_id__in=unit_ids)
    return qs


def _add_done(into: dict[str, Any], on_time: int, late: int) -> None:
    into["total"] += on_time + late
    into["done_on_time"] += on_time
    into["done_late"] += late


def _per_unit(qs: QuerySet[Assignment], on: date, tree: UnitTree, scope: Scope,
              unit_ids: set[int] | None) -> dict[int, dict[str, Any]]:
    """Bucket counts per unit: finished work from the tallies, open work counted live.

    Without a tally scope (a specialist's flat view of what their unit assigned) all of it
    is counted live: the tallies are per receiving unit, not per assigning one.
    """
    per_unit: dict[int, dict[str, Any]] = {}
    if scope.tally is None:
        live = qs.values("unit_id", "status").annotate(**_status_counts(on))
    else:
        live = qs.filter(status__in=OPEN_STATUSES).values("unit_id", "status").annotate(**_open_counts(on))
    for row in live:
        _fold(per_unit.setdefault(row["unit_id"], _empty_counts()), row)
    if scope.tally is not None:
        done = _tallies(scope, tree, unit_ids).values("unit_id").annotate(t=Sum("on_time"), l=Sum("late"))
        for row in done:
            _add_done(per_unit.setdefault(row["unit_id"], _empty_counts()), row["t"], row["l"])
    return per_unit


def _unit_rows(per_unit: dict[int, dict[str, Any]], on: date, tree: UnitTree, scope: Scope,
               root: int | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Counts per unit rolled up in Python onto the root's children. Returns rows and totals."""
    totals = _empty_counts()
    for row in per_unit.values():
        for key in COUNT_KEYS:
            totals[key] += row[key]
    totals["on_time_rate"] = on_time_rate(totals["done_on_time"], totals["done_late"])

    if scope.flat and root is None:
        groups = {unit_id: {unit_id} for unit_id in per_unit}
        own = None
    else:
        tops = tree.children.get(root, []) if root is not None else tree.children.get(None, [])
        groups = {child: tree.subtree(child) for child in tops
                  if scope.allowed is None or child in scope.allowed}
        own = root
    owner: dict[int, int] = {}
    for top, members in groups.items():
        for member in members:
            owner[member] = top
    acc: dict[int, dict[str, Any]] = {}
    for unit_id, row in per_unit.items():
        top = unit_id if unit_id == own else owner.get(unit_id)
        if top is None:
            continue
        bucket = acc.setdefault(top, _empty_counts())
        for key in COUNT_KEYS:
            bucket[key] += row[key]
    shown = set(acc)
    # Units still in force appear even with nothing assigned: a zero is information.
    for top in groups:
        valid_to = tree.units[top]["valid_to"]
        if valid_to is None or valid_to >= on:
            shown.add(top)
    rows = []
    for unit_id in shown:
        unit = tree.units[unit_id]
        counts = acc.get(unit_id, _empty_counts())
        rows.append({
            "id": unit_id, "code": unit["code"], "name": unit["name"], **counts,
            "on_time_rate": on_time_rate(counts["done_on_time"], counts["done_late"]),
            "own": unit_id == own,
            "drillable": unit_id != own and (not scope.flat or root is not None)
            and bool(tree.children.get(unit_id)),
        })
    return rows, totals


def _overdue(qs: QuerySet[Assignment], on: date, limit: int = OVERDUE_LIMIT) -> list[Assignment]:
    heads = User.objects.filter(role__in=HEAD_ROLES, is_active=True).order_by("-role", "id")
    # The 50 ids first, over the assignment indexes alone; then their rows with the joins.
    # (Joined in one go, SQLite walks the units first and sorts every overdue row.)
    top = (qs.filter(status__in=OPEN_STATUSES, original_due_on__lt=on)
           .order_by("original_due_on", "id").values("id")[:limit])
    items = list(
        Assignment.objects.filter(pk__in=top)
        .select_related("task", "unit", "assignee")
        .prefetch_related(Prefetch("unit__users", queryset=heads, to_attr="heads"))
        .order_by("original_due_on", "id")
    )
    from dieuhanh.tasks.lateness import late_counter

    late = late_counter(on)  # lateness is counted in working days everywhere (dieuhanh.tasks.lateness)
    for item in items:
        item.days_late = late(item.original_due_on)
        head = item.unit.heads[0] if item.unit.heads else None
        item.responsible = (head.get_full_name() or head.username) if head else ""
        item.extended = item.due_on is not None and item.due_on != item.original_due_on
    return items


def month_starts(on: date, months: int = TREND_MONTHS) -> list[date]:
    index = on.year * 12 + on.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def _trend(qs: QuerySet[Assignment], on: date, tallies: QuerySet[DoneTally] | None,
           months: int = TREND_MONTHS) -> list[dict[str, Any]]:
    """Assigned / done on time / done late per month of the original due date, last ``months`` months.

    One GROUP BY on the due day, folded into months here: at most 366 groups come back, and
    no per-row function runs in the database (SQLite's TruncMonth is a Python callback per row,
    ~1 s over a province's year of assignments; grouping on the indexed column is not).
    """
    starts = month_starts(on, months)
    after = date(on.year + (on.month == 12), on.month % 12 + 1, 1)
    live = qs if tallies is None else qs.filter(status__in=OPEN_STATUSES)
    counts = _status_counts(on) if tallies is None else _open_counts(on)
    rows = (live.filter(original_due_on__gte=starts[0], original_due_on__lt=after)
            .values("original_due_on", "status").annotate(**counts))
    found: dict[tuple[int, int], dict[str, int]] = {}
    for row in rows:
        day = row["original_due_on"]
        _fold(found.setdefault((day.year, day.month), _empty_counts()), row)
    if tallies is not None:
        done = (tallies.filter(month__gte=starts[0], month__lt=after)
                .values("month").annotate(t=Sum("on_time"), l=Sum("late")))
        for row in done:
            _add_done(found.setdefault((row["month"].year, row["month"].month), _empty_counts()), row["t"], row["l"])
    keys = ("total", "done_on_time", "done_late")
    return [{"month": start, **{k: found.get((start.year, start.month), _empty_counts())[k] for k in keys}}
            for start in starts]


def resolve_unit(user: Any, code: str | None, tree: UnitTree | None = None) -> tuple[UnitTree, Scope, int | None]:
    """The unit to show for ``?don_vi=code``: Http404 when it is unknown or outside the scope."""
    tree = tree or UnitTree.load()
    scope = scope_for(user, tree)
    if not code:
        return tree, scope, scope.home
    row = tree.by_code(code)
    if row is None or (scope.allowed is not None and row["id"] not in scope.allowed):
        raise Http404(_("Không tìm thấy đơn vị."))
    return tree, scope, row["id"]


def leader_dashboard(user: Any, on: date | None = None, unit: str | None = None,
                     sort: str | None = None) -> Dashboard:
    """Bucket counts, on-time rate, overdue list, per-unit table and trend for ``user``'s scope.

    ``unit`` is a unit code to drill into (Http404 if outside the scope).
    """
    on = on or today()
    tree, scope, root = resolve_unit(user, unit)
    unit_ids = tree.subtree(root) if root is not None else None
    qs = _assignments(scope, tree, unit_ids)
    rows, counts = _unit_rows(_per_unit(qs, on, tree, scope, unit_ids), on, tree, scope, root)
    sort = parse_sort(sort)
    stop = scope.home if scope.allowed is not None else None
    return Dashboard(
        on=on,
        unit=tree.units[root] if root is not None else None,
        breadcrumbs=tree.path(root, stop_at=stop) if root is not None else [],
        counts=counts,
        rows=sort_rows(rows, sort),
        sort=sort,
        overdue=_overdue(qs, on),
        trend=_trend(qs, on, _tallies(scope, tree, unit_ids) if scope.tally is not None else None),
    )


# --- tables for export --------------------------------------------------------------------

def unit_table(dashboard: Dashboard) -> tuple[list[tuple[str, Any]], list[dict[str, Any]]]:
    """The per-unit table as (key, header) columns and dict rows, for ``exports.table_response``."""
    return list(UNIT_COLUMNS), [{key: row[key] for key, _label in UNIT_COLUMNS} for row in dashboard.rows]


OVERDUE_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("task", _("Nhiệm vụ")),
    ("unit", _("Đơn vị thực hiện")),
    ("original_due_on", _("Hạn ban đầu")),
    ("due_on", _("Hạn hiện tại")),
    ("days_late", _("Quá hạn (ngày làm việc)")),
    ("status", _("Trạng thái")),
    ("assignee", _("Người thực hiện")),
    ("responsible", _("Lãnh đạo đơn vị")),
)


def overdue_table(dashboard: Dashboard) -> tuple[list[tuple[str, Any]], list[dict[str, Any]]]:
    rows = []
    for item in dashboard.overdue:
        assignee = (item.assignee.get_full_name() or item.assignee.username) if item.assignee else ""
        rows.append({"task": item.task.title, "unit": item.unit.name, "original_due_on": item.original_due_on,
                     "due_on": item.due_on, "days_late": item.days_late, "status": str(item.get_status_display()),
                     "assignee": assignee, "responsible": item.responsible})
    return list(OVERDUE_COLUMNS), rows


# --- SVG chart ----------------------------------------------------------------------------

CHART_SERIES = (
    ("total", "dash-bar-total", _("Được giao")),
    ("done_on_time", "dash-bar-ontime", _("Hoàn thành đúng hạn")),
    ("done_late", "dash-bar-late", _("Hoàn thành quá hạn")),
)


def trend_chart(trend: Iterable[dict[str, Any]], width: int = 720, height: int = 240) -> dict[str, Any]:
    """Geometry of a grouped bar chart, drawn by the template as inline SVG (no script, no style)."""
    trend = list(trend)
    left, right, top, bottom = 40, 10, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([m[key] for m in trend for key, _c, _l in CHART_SERIES] + [0])
    scale_max = _nice(peak)
    slot = plot_w / max(len(trend), 1)
    bar_w = slot * 0.8 / len(CHART_SERIES)
    groups = []
    for i, month in enumerate(trend):
        bars = []
        for j, (key, css, label) in enumerate(CHART_SERIES):
            value = month[key]
            h = plot_h * value / scale_max if scale_max else 0
            bars.append({"x": round(left + i * slot + slot * 0.1 + j * bar_w, 1), "y": round(top + plot_h - h, 1),
                         "w": round(bar_w, 1), "h": round(h, 1), "css": css, "label": label, "value": value})
        groups.append({"month": month["month"], "bars": bars, "label_x": round(left + i * slot + slot / 2, 1)})
    ticks = []
    for k in range(5):
        value = scale_max * k / 4
        ticks.append({"value": int(value) if value == int(value) else round(value, 1),
                      "y": round(top + plot_h - plot_h * k / 4, 1)})
    return {"width": width, "height": height, "groups": groups, "ticks": ticks, "left": left,
            "right": width - right, "baseline": top + plot_h, "label_y": height - 10,
            "series": CHART_SERIES}


def _nice(value: int) -> int:
    """The axis top: four equal steps of 1, 2, 2.5 or 5 × 10^k covering ``value``."""
    if value <= 0:
        return 4  # an empty chart still gets a readable 0–4 axis
    raw = value / 4
    magnitude = 10 ** max(len(str(int(raw))) - 1, 0)
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude * 4
        if step * magnitude >= raw and top == int(top):
            return int(top)
    return int(40 * magnitude)

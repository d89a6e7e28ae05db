"""Who sees which tasks and assignments, and where a unit may assign work.

A user sees an assignment when its unit is in their scope (they must do it) or
when its task was assigned by a unit in their scope (they follow it up). The files
attached to an assignment's progress notes and results are seen by the same people.

Where work may go is :func:`assign_scope` (the one rule: down, or across within the
committee an office works for), used by the services, the forms and the API.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dieuhanh.accounts.scope import visible_unit_ids
from dieuhanh.orgs.models import COMMITTEE_KINDS, Unit, UnitKind
from dieuhanh.tasks.models import Assignment, ProgressNote, Task


def assignments_visible_to(user: Any) -> QuerySet[Assignment]:
    ids = visible_unit_ids(user)
    qs = Assignment.objects.all()
    if ids is None:
        return qs
    return qs.filter(Q(unit_id__in=ids) | Q(task__assigned_by_unit_id__in=ids))


def tasks_visible_to(user: Any) -> QuerySet[Task]:
    ids = visible_unit_ids(user)
    qs = Task.objects.all()
    if ids is None:
        return qs
    return qs.filter(Q(assigned_by_unit_id__in=ids) | Q(assignments__unit_id__in=ids)).distinct()


def get_assignment_for_user(user: Any, pk: Any) -> Assignment:
    try:
        return assignments_visible_to(user).select_related("task", "unit", "task__assigned_by_unit").get(pk=int(pk))
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_note_for_user(user: Any, assignment_pk: Any, pk: Any) -> ProgressNote:
    """A progress or result note that has a file, of an assignment the user may see (else Http404)."""
    assignment = get_assignment_for_user(user, assignment_pk)
    try:
        note = assignment.notes.exclude(attachment="").get(pk=int(pk))
    except (ProgressNote.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    note.assignment = assignment
    return note


def get_task_for_user(user: Any, pk: Any) -> Task:
    try:
        return tasks_visible_to(user).get(pk=int(pk))
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_assigner(user: Any, task: Task) -> bool:
    """The assigning unit's specialists, heads and leaders act for the assigner."""
    ids = visible_unit_ids(user)
    return ids is None or task.assigned_by_unit_id in ids


def is_doer(user: Any, assignment: Assignment) -> bool:
    ids = visible_unit_ids(user)
    return ids is None or assignment.unit_id in ids


# --- where a unit may assign work ------------------------------------------------------------
#
# Work goes down or across, never up and never into another branch. The issuing unit's
# reach is the subtree of its *scope root*:
#
# - a People's Committee (UBND tỉnh / huyện / xã) assigns within its own subtree: itself, its
#   offices and the committees below it (UBND quận → Phòng Nội vụ, phường Lê Bình…);
# - an office of a committee (a Sở, Phòng, Văn phòng, or a coordinating body such as the Ban
#   chỉ đạo) works for that committee: it reaches the committee's whole subtree (the other
#   offices and the committees below: Phòng Nội vụ → Phòng Tư pháp, phường Lê Bình) but not
#   the committee itself, nor anything above or beside it;
# - any other unit (a division inside a Sở, a public service unit, an external body) assigns
#   within its own subtree only.
#
# The tree is effective-dated (``Unit.valid_from/valid_to``): a parent never changes, a
# reorganisation makes new units. Issuing filters the reach to the units in force on the
# task's date; deciding on existing work (accepting, extending) uses the structure alone, so
# a unit that ended since is still the issuer's.

OFFICE_KINDS = frozenset({UnitKind.SO, UnitKind.PHONG, UnitKind.VAN_PHONG, UnitKind.BO_PHAN})
COMMITTEES = frozenset(str(k) for k in COMMITTEE_KINDS)


class UnitRow(NamedTuple):
    pk: int
    parent_id: int | None
    kind: str
    code: str
    name: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    def in_force_on(self, on: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class AssignScope:
    """The units ``issuer`` may assign work to (``ids``), and why (``explanation``)."""

    issuer: UnitRow
    root: UnitRow  # the issuer itself, or the committee an office works for
    ids: frozenset[int]
    on: datetime.date | None = None
    names: dict[int, str] = field(default_factory=dict, repr=False, compare=False)  # every unit's name

    def allows(self, unit_id: Any) -> bool:
        return unit_id in self.ids

    def outside(self, unit_ids: Iterable[int]) -> list[int]:
        return [pk for pk in unit_ids if pk not in self.ids]

    def names_of(self, unit_ids: Iterable[int]) -> list[str]:
        return sorted(self.names.get(pk, str(pk)) for pk in unit_ids)

    @property
    def explanation(self) -> str:
        if self.root.pk != self.issuer.pk:
            return _("%(unit)s giao việc cho các cơ quan, đơn vị thuộc %(root)s (các phòng, ban và UBND cấp dưới); "
                     "không giao lên %(root)s, lên cấp trên hay sang đơn vị ngoài phạm vi này.") % {
                "unit": self.issuer.name, "root": self.root.name}
        return _("%(unit)s giao việc cho chính mình và các đơn vị trực thuộc; không giao lên cấp trên hay sang "
                 "đơn vị ngoài phạm vi này.") % {"unit": self.issuer.name}

    def units(self) -> QuerySet[Unit]:
        """The reachable units as a queryset (for the forms' choices)."""
        return Unit.objects.filter(pk__in=self.ids)


def _scope_root(unit: UnitRow, rows: dict[int, UnitRow]) -> UnitRow:
    parent = rows.get(unit.parent_id) if unit.parent_id is not None else None
    if unit.kind not in COMMITTEES and unit.kind in OFFICE_KINDS and parent is not None and parent.kind in COMMITTEES:
        return parent
    return unit


def assign_scope(unit: Unit | int, on: datetime.date | None = None) -> AssignScope:
    """Where ``unit`` may assign work (see above); ``on``: only the units in force that day.

    One query (the whole tree: units are hundreds, a province a few thousand)."""
    unit_id = getattr(unit, "pk", unit)
    rows = {r[0]: UnitRow(*r) for r in Unit.objects.order_by().values_list(
        "id", "parent_id", "kind", "code", "name", "valid_from", "valid_to")}
    issuer = rows[unit_id]
    root = _scope_root(issuer, rows)
    children: dict[int | None, list[int]] = defaultdict(list)
    for row in rows.values():
        children[row.parent_id].append(row.pk)
    ids, stack = set(), [root.pk]
    while stack:
        current = stack.pop()
        if current not in ids:
            ids.add(current)
            stack.extend(children.get(current, ()))
    if root.pk != issuer.pk:
        ids.discard(root.pk)  # never upward: an office does not assign to its own committee
    if on is not None:
        ids = {pk for pk in ids if rows[pk].in_force_on(on)}
    return AssignScope(issuer, root, frozenset(ids), on, {pk: r.name for pk, r in rows.items()})


def refuse_outside(scope: AssignScope, unit_ids: Iterable[int]) -> None:
    """PermissionDenied naming the units ``scope`` does not reach (the service's guard)."""
    outside = scope.outside(unit_ids)
    if outside:
        names = ", ".join(scope.names_of(outside))
        raise PermissionDenied(_("Không giao việc được cho: %(names)s. %(why)s")
                               % {"names": names, "why": scope.explanation})


def has_authority(assignment: Assignment) -> bool:
    """Does the task's assigning unit reach the assignment's unit (structure only, any date)?

    Work issued before the rule existed (a ward "assigning" the city) gives its issuer no
    power to accept, return or extend it."""
    return assign_scope(assignment.task.assigned_by_unit_id).allows(assignment.unit_id)

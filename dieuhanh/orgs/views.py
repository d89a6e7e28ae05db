"""Unit pages: the tree on a chosen day, and one unit with its history.

The tree is visible to every logged-in user; only documents are scoped. Who works in
a unit is shown to administrators and to leaders whose scope covers it.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dieuhanh.accounts.models import User
from dieuhanh.orgs.forms import OnDateForm
from dieuhanh.orgs.models import Succession, Unit
from dieuhanh.orgs.services import can_see_members, get_unit_for_user
from dieuhanh.orgs.tree import model_forest, unit_key


@require_GET
@login_required
def tree(request: HttpRequest) -> HttpResponse:
    form, asked = OnDateForm.from_query(request.GET)
    on = asked or timezone.localdate()
    live = list(Unit.objects.in_force(on))  # one query for the whole tree
    return render(request, "orgs/tree.html", {
        "form": form, "on": on, "forest": model_forest(live), "count": len(live)})


def _reference_day(unit: Unit, asked: date | None) -> date:
    """The day whose children are listed: the one asked for, else today moved into the
    unit's own period (a unit abolished in 2025 shows its last structure)."""
    if asked:
        return asked
    day = timezone.localdate()
    if unit.valid_to and day > unit.valid_to:
        return unit.valid_to
    if unit.valid_from and day < unit.valid_from:
        return unit.valid_from
    return day


@require_GET
@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_user(request.user, code)
    form, asked = OnDateForm.from_query(request.GET)
    on = _reference_day(unit, asked)
    if not form.is_bound:
        form = OnDateForm(initial={"ngay": on})
    children = sorted(unit.children.in_force(on), key=unit_key)
    links = list(Succession.objects.filter(Q(predecessor=unit) | Q(successor=unit))
                 .select_related("predecessor", "successor").order_by("on", "pk"))
    members = None
    if can_see_members(request.user, unit):
        members = list(User.objects.filter(unit=unit, is_active=True)
                       .order_by("first_name", "last_name", "username"))
    return render(request, "orgs/detail.html", {
        "unit": unit, "form": form, "on": on, "children": children,
        "predecessors": [s for s in links if s.successor_id == unit.pk],
        "successors": [s for s in links if s.predecessor_id == unit.pk],
        "members": members,
    })

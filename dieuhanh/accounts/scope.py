"""Who sees what: the units in a user's scope.

An administrator sees everything. A committee leader (lãnh đạo UBND) and a unit
head (lãnh đạo đơn vị) see their unit and everything under it. Clerks and
specialists see their own unit. Units are few (hundreds), so the subtree is
computed in Python from one query and cached per request on the user object.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from dieuhanh.accounts.models import Role

ALL = None  # sentinel: no restriction


def subtree_ids(root_id: int) -> set[int]:
    from dieuhanh.orgs.models import Unit

    children: dict[int | None, list[int]] = defaultdict(list)
    for unit_id, parent_id in Unit.objects.values_list("id", "parent_id"):
        children[parent_id].append(unit_id)
    found, stack = set(), [root_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, ()))
    return found


def visible_unit_ids(user: Any) -> set[int] | None:
    """Unit ids the user may see, or ``None`` for no restriction (administrators)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_visible_unit_ids", False)
    if cached is not False:
        return cached
    if user.is_superuser or user.role == Role.QUAN_TRI:
        result: set[int] | None = ALL
    elif user.unit_id is None:
        result = set()
    elif user.role in (Role.LANH_DAO_UBND, Role.LANH_DAO_DON_VI):
        result = subtree_ids(user.unit_id)
    else:
        result = {user.unit_id}
    user._visible_unit_ids = result
    return result


def can_see_unit(user: Any, unit_id: int | None) -> bool:
    ids = visible_unit_ids(user)
    return ids is ALL or (unit_id is not None and unit_id in ids)


def unit_filter(user: Any, field: str = "unit") -> dict[str, Any]:
    """Keyword arguments for ``QuerySet.filter`` limiting ``field`` to the user's scope."""
    ids = visible_unit_ids(user)
    if ids is ALL:
        return {}
    return {f"{field}__in": ids}

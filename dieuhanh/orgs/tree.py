"""The unit tree in memory: units are few (hundreds), so pages and exports load them
in one query and arrange them here.

Siblings are ordered the way an organisation chart reads: the office, departments and
divisions first, then service units and coordinating bodies, then the committees below
(districts, then wards), each group by start date and name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from dieuhanh.lib.vntext import fold

T = TypeVar("T")

KIND_ORDER = ("ubnd_tinh", "hdnd", "van_phong", "so", "phong", "don_vi_su_nghiep", "bo_phan",
              "ubnd_huyen", "ubnd_xa", "ben_ngoai")
_RANK = {kind: i for i, kind in enumerate(KIND_ORDER)}


def sort_key(kind: str, valid_from: date | None, name: str) -> tuple[int, date, str]:
    return _RANK.get(str(kind), len(_RANK)), valid_from or date.min, fold(name)


def unit_key(unit: Any) -> tuple[int, date, str]:
    """Order of model units (or anything with kind, valid_from and name attributes)."""
    return sort_key(unit.kind, unit.valid_from, unit.name)


def row_key(row: dict[str, Any]) -> tuple[int, date, str]:
    return sort_key(row["kind"], row.get("valid_from"), row["name"])


@dataclass
class Node(Generic[T]):
    item: T
    children: list["Node[T]"] = field(default_factory=list)


def build_forest(items: Iterable[T], *, key: Callable[[T], Any], parent: Callable[[T], Any],
                 order: Callable[[T], Any]) -> list[Node[T]]:
    """Nest items under their parents. An item whose parent is not among the items is a
    root; items caught in a parent cycle (bad data) become roots too, never lost."""
    items = sorted(items, key=order)
    keys = {key(x) for x in items}
    kids: dict[Any, list[T]] = {}
    for x in items:
        p = parent(x)
        kids.setdefault(p if p in keys and p != key(x) else None, []).append(x)
    seen: set[Any] = set()

    def grow(x: T) -> Node[T]:
        seen.add(key(x))
        node = Node(x)
        node.children = [grow(c) for c in kids.get(key(x), []) if key(c) not in seen]
        return node

    forest = [grow(x) for x in kids.get(None, [])]
    for x in items:
        if key(x) not in seen:
            forest.append(grow(x))
    return forest


def walk(forest: list[Node[T]]) -> Iterator[Node[T]]:
    """Every node, parents before children, in display order."""
    stack = list(reversed(forest))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def model_forest(units: Iterable[Any]) -> list[Node[Any]]:
    return build_forest(units, key=lambda u: u.pk, parent=lambda u: u.parent_id, order=unit_key)


def row_forest(rows: Iterable[dict[str, Any]]) -> list[Node[dict[str, Any]]]:
    return build_forest(rows, key=lambda r: r["code"], parent=lambda r: r.get("parent"), order=row_key)

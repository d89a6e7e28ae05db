"""The in-memory tree: display order, orphans and parent cycles (no database)."""

from __future__ import annotations

from datetime import date

from dieuhanh.orgs.tree import row_forest, walk


def row(code: str, kind: str, parent: str | None = None, name: str = "", start: date | None = None) -> dict:
    return {"code": code, "kind": kind, "parent": parent, "name": name or code, "valid_from": start}


def test_offices_before_wards_then_by_name():
    forest = row_forest([row("p2", "ubnd_xa", "q", "Phường Ba Láng"), row("q", "ubnd_huyen"),
                         row("pk", "phong", "q", "Phòng Y tế"), row("vp", "van_phong", "q", "Văn phòng"),
                         row("p1", "ubnd_xa", "q", "Phường An Bình"), row("pa", "phong", "q", "Phòng Ánh")])
    assert [n.item["code"] for n in walk(forest)] == ["q", "vp", "pa", "pk", "p1", "p2"]


def test_orphans_and_cycles_become_roots_and_nothing_is_lost():
    forest = row_forest([row("a", "phong", "b"), row("b", "phong", "a"), row("c", "phong", "gone")])
    assert sorted(n.item["code"] for n in walk(forest)) == ["a", "b", "c"]
    assert {n.item["code"] for n in forest} >= {"c"}

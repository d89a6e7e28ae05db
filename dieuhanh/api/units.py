"""GET /api/units and /api/units/{code}: the unit tree (the same for every logged-in caller)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from dieuhanh.api.schemas import UnitDetailOut, UnitOut
from dieuhanh.orgs.models import Unit, UnitKind

router = Router()


class UnitFilter(Schema):
    on: date | None = None  # in force on that day (YYYY-MM-DD)
    kind: UnitKind | None = None


def unit_out(unit: Unit, parent_codes: dict[int, str]) -> dict:
    return {
        "code": unit.code, "name": unit.name, "kind": unit.kind, "kind_label": str(unit.get_kind_display()),
        "parent": parent_codes.get(unit.parent_id) if unit.parent_id else None,
        "short_names": list(unit.short_names or []), "symbol": unit.symbol, "place": unit.place,
        "valid_from": unit.valid_from, "valid_to": unit.valid_to,
    }


def _codes() -> dict[int, str]:
    return dict(Unit.objects.values_list("id", "code"))


@router.get("", response=list[UnitOut], summary="Danh sách đơn vị")
def list_units(request: HttpRequest, filters: Query[UnitFilter]) -> list[dict]:
    """Đơn vị, lọc theo ngày hiệu lực (`on`) và loại (`kind`)."""
    qs = Unit.objects.all()
    if filters.on:
        qs = qs.in_force(filters.on)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    codes = _codes()
    return [unit_out(u, codes) for u in qs.order_by("code")]


@router.get("/{code}", response=UnitDetailOut, summary="Một đơn vị")
def get_unit(request: HttpRequest, code: str) -> dict:
    unit = get_object_or_404(Unit, code=code)
    codes = _codes()
    data = unit_out(unit, codes)
    data.update(aliases=list(unit.aliases or []), e_id=unit.e_id, note=unit.note,
                children=sorted(unit.children.values_list("code", flat=True)))
    return data

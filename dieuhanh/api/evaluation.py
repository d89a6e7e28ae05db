"""GET /api/evaluation/rounds/{id}: a round's results (the same rows as ``dieuhanh export evaluation``).

The ward-sees-only-itself rule of the web pages holds: before the results are published, a
caller outside the organiser's scope and the council gets only their own units' rows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from dieuhanh.accounts.scope import visible_unit_ids
from dieuhanh.evaluation import permissions as perms

router = Router()


class RankedUnitOut(Schema):
    rank: int
    group: str
    unit_code: str
    unit: str
    self_total: str
    total: str
    max_points: str
    index: str
    band: str
    flagged: bool
    scores: dict[str, str]


class RoundOut(Schema):
    id: int
    title: str
    year: int
    stage: str
    published: bool
    units: list[RankedUnitOut]


@router.get("/evaluation/rounds/{round_id}", response=RoundOut, summary="Kết quả một đợt đánh giá CCHC")
def get_evaluation_round(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """Điểm từng tiêu chí thành phần, tổng điểm, chỉ số (%), hạng và xếp loại của mỗi đơn vị."""
    from dieuhanh.evaluation.cli import round_rows
    from dieuhanh.orgs.models import Unit

    user = request.auth
    rnd = perms.get_round_for_user(user, round_id)
    rows, _codes = round_rows(rnd)
    if not perms.sees_results(user, rnd):
        ids = visible_unit_ids(user) or set()
        own = set(Unit.objects.filter(pk__in=ids).values_list("code", flat=True))
        rows = [r for r in rows if r["unit_code"] in own]
    return {"id": rnd.pk, "title": rnd.title, "year": rnd.year, "stage": rnd.stage, "published": rnd.published,
            "units": rows}

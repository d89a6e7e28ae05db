"""The evaluation story of the demo: the 2020 PAR round of Cái Răng's 12 offices and 7 wards.

Phòng Nội vụ (cv.noivu) opens the round with the default criteria sets (assumptions) and 313/UBND
as the CCHC plan: the items computable from the tracked work are pre-filled from the demo's
tasks and reports. Every unit self-scores (Lê Bình links 313/UBND as evidence), the survey
points are imported, the council (tp.noivu, pct.cairang) lowers one of Lê Bình's scores with a
reason, Lê Bình explains, the second appraisal accepts part of it and the results are published.
A commendation campaign "tổng kết CCHC 2011-2020" then builds its shortlist with reasons; the
council's vote is recorded, and the Tờ trình, Quyết định and Giấy khen are ready to download.
The dated steps are replayed on their 2021 days (``on=``)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from dieuhanh.web.demo_story import DOERS, HEAD, SPECIALIST

TITLE = "Đánh giá, xếp hạng công tác cải cách hành chính năm 2020"
CAMPAIGN = "Tổng kết công tác cải cách hành chính giai đoạn 2011-2020"
UNIT_CODES_2020 = tuple(code for code in DOERS if not code.endswith("_2025"))
SELF_DAY, EXPLAIN_DAY = date(2021, 1, 12), date(2021, 2, 3)
ITEM = "1.3.1"  # Lê Bình's "Tuyên truyền CCHC", the one the council lowers


def _self_scores(users: dict[str, Any], rnd: Any, rng: random.Random) -> None:
    from dieuhanh.evaluation import workflow

    for p in rnd.participants.select_related("unit", "round").order_by("unit__name"):
        entries = {}
        for score in p.scores.filter(method__in=("manual", "computed")).order_by("id"):
            if score.method == "computed" and score.computed is not None:
                continue
            share = Decimal(rng.choice((60, 70, 80, 90, 100))) / 100
            entries[score.item] = {"points": str((score.max_points * share).quantize(Decimal("0.25"))),
                                   "note": "Theo báo cáo kết quả CCHC năm 2020 của đơn vị"}
        workflow.self_score(users[DOERS[p.unit.code]], p, entries, on=SELF_DAY)


def _survey(users: dict[str, Any], rnd: Any, rng: random.Random) -> None:
    from dieuhanh.evaluation import workflow
    from dieuhanh.evaluation.models import Score

    lines = ["ma_don_vi;tieu_chi;diem"]
    for code, item, maximum in (Score.objects.filter(participant__round=rnd, method="survey")
                                .values_list("participant__unit__code", "item", "max_points").order_by("id")):
        share = Decimal(rng.randint(72, 96)) / 100
        lines.append(f"{code};{item};{str((maximum * share).quantize(Decimal('0.01'))).replace('.', ',')}")
    workflow.import_survey(users[SPECIALIST], rnd, "\n".join(lines).encode())


def _appraisal(users: dict[str, Any], rnd: Any, letter: Any) -> None:
    from dieuhanh.evaluation import workflow
    from dieuhanh.evaluation.models import Participant

    def le_binh() -> Any:
        return Participant.objects.select_related("round").get(round=rnd, unit__code="p_le_binh")

    chairman = users["ct.lebinh"]
    workflow.add_evidence(chairman, le_binh().scores.get(item=ITEM), document=letter)
    workflow.self_score(chairman, le_binh(), {ITEM: {"points": "2,5", "note": "Đã tuyên truyền trên loa phường"}},
                        on=SELF_DAY)
    workflow.advance(users[SPECIALIST], rnd)
    workflow.appraise(users[HEAD], le_binh(), {ITEM: {
        "points": "1,5", "reason": "Chưa có kế hoạch tuyên truyền CCHC năm 2020 bằng văn bản"}})
    workflow.advance(users[SPECIALIST], rnd)
    workflow.explain(chairman, le_binh(), {ITEM: "Phường đã ban hành kế hoạch tuyên truyền (lồng ghép trong "
                                                 "kế hoạch CCHC năm 2020, mục III.2) và báo cáo kết quả."},
                     on=EXPLAIN_DAY)
    workflow.advance(users[SPECIALIST], rnd)
    workflow.appraise(users[HEAD], le_binh(), {ITEM: {
        "points": "2", "reason": "Chấp nhận một phần giải trình: kế hoạch lồng ghép, chưa có báo cáo riêng"}})
    workflow.advance(users[SPECIALIST], rnd)


def _campaign(users: dict[str, Any], rnd: Any) -> Any:
    from dieuhanh.evaluation import commendation

    campaign = commendation.create_campaign(users[SPECIALIST], rnd, {
        "title": CAMPAIGN, "decided_on": date(2021, 2, 26), "min_index": Decimal(70), "min_on_time": Decimal(50),
        "quota_collectives": 5, "quota_individuals": 5})
    approved = list(campaign.nominees.values_list("id", flat=True))
    commendation.record_vote(users[SPECIALIST], campaign, approved, 7, 9,
                             "Hội đồng Thi đua - Khen thưởng quận họp ngày 24/02/2021, 09 thành viên dự họp; "
                             "07/09 thành viên tán thành danh sách đề nghị.")
    return campaign


def run(users: dict[str, Any], letter: Any, units: dict[str, Any]) -> dict[str, Any]:
    from dieuhanh.evaluation import services
    from dieuhanh.evaluation.models import Round
    from dieuhanh.orgs.models import Unit

    existing = Round.objects.filter(title=TITLE).first()
    if existing is not None:
        return {"created": False, "round": existing}
    rng = random.Random(20201231)
    with transaction.atomic():
        services.load_defaults()
        evaluated = list(Unit.objects.filter(code__in=UNIT_CODES_2020).order_by("kind", "name"))
        rnd = services.open_round(
            users[SPECIALIST], title=TITLE, year=2020, units=evaluated, self_deadline=date(2021, 1, 15),
            explain_deadline=date(2021, 2, 5), cutoff_on=date(2020, 12, 31),
            council=[users[HEAD], users["pct.cairang"]], plan_documents=[letter])
        _self_scores(users, rnd, rng)
        _survey(users, rnd, rng)
        _appraisal(users, rnd, letter)
        campaign = _campaign(users, rnd)
    return {"created": True, "round": rnd, "campaign": campaign}


def summary(rnd: Any) -> list[str]:
    from dieuhanh.evaluation.ranking import full_ranking

    rows = full_ranking(rnd)
    lines = [f"{rnd.title}: {len(rows)} đơn vị, {rnd.get_stage_display().lower()} — /danh-gia/{rnd.pk}/xep-hang/"]
    for row in rows[:3]:
        p = row["participant"]
        lines.append(f"  {row['rank']:>2}. {p.unit.name}: {p.index}% ({row['band']})")
    campaign = rnd.campaigns.first()
    if campaign is not None:
        lines.append(f"Khen thưởng «{campaign.title}»: {campaign.nominees.count()} đề xuất — "
                     f"/danh-gia/khen-thuong/{campaign.pk}/ (Tờ trình, Quyết định, Giấy khen DOCX)")
    return lines

"""A small evaluation world on the test tree: the default sets, a 2020 round for Phòng Nội vụ,
Văn phòng and wards Lê Bình and Ba Láng, tracked tasks and reports that pre-fill scores."""

from __future__ import annotations

from datetime import date

from dieuhanh.evaluation import services


def open_2020_round(units, actors, *, council=("noi_vu_head",), plan=None):  # type: ignore[no-untyped-def]
    services.load_defaults()
    return services.open_round(
        actors["district_specialist"], title="Đánh giá CCHC năm 2020", year=2020,
        units=[units["van_phong"], units["le_binh"], units["ba_lang"]],
        self_deadline=date(2021, 1, 15), explain_deadline=date(2021, 2, 15), cutoff_on=date(2020, 12, 31),
        council=[actors[c] for c in council], plan_documents=[plan] if plan is not None else [])

"""Helpers for the reports tests: a small outline, a request to the wards, a submission's data."""

from __future__ import annotations

from datetime import date
from typing import Any

from dieuhanh.reports.models import OutlineVersion, PeriodKind, ReportRequest

# The shape of the Cái Răng outline, cut down: one narrative section required on sending,
# one table with a required cell and a cross rule (on time ≤ received).
SMALL_OUTLINE_YAML = """\
code: cchc-thu-nghiem
title: "Báo cáo tổng kết cải cách hành chính 2011-2020 (thử nghiệm)"
sections:
  - key: "1"
    no: "Phần I"
    title: "Kết quả thực hiện"
    narrative: false
    children:
      - key: "1.1"
        no: "1"
        title: "Công tác chỉ đạo, điều hành"
      - key: "1.2"
        no: "2"
        title: "Cải cách thủ tục hành chính"
        tables: [PL3]
tables:
  - key: PL3
    title: "Cải cách thủ tục hành chính"
    columns:
      - {key: gd1, label: "Giai đoạn 2011-2015", type: integer}
      - {key: gd2, label: "Giai đoạn 2016-2020", type: integer}
    rows:
      - {key: tiep_nhan, label: "Hồ sơ tiếp nhận", unit: "hồ sơ"}
      - {key: dung_han, label: "Giải quyết đúng hạn", unit: "hồ sơ"}
rules:
  - {kind: required, section: "1.1"}
  - {kind: required, table: PL3, rows: [tiep_nhan], columns: [gd2]}
  - {kind: le, table: PL3, left: dung_han, right: tiep_nhan}
"""

GOOD_DATA = {
    "sections": {"1.1": "Ủy ban nhân dân phường ban hành kế hoạch cải cách hành chính hằng năm."},
    "tables": {"PL3": {"tiep_nhan": {"gd1": "1.200", "gd2": "1.500"}, "dung_han": {"gd1": "1.150", "gd2": "1.480"}}},
}

DRAFT_DATA = {"sections": {"1.1": "Đang soạn"}, "tables": {"PL3": {"tiep_nhan": {"gd1": "1.200"}}}}


def small_outline(actor: Any) -> OutlineVersion:
    from dieuhanh.reports.services import import_outline

    return import_outline(actor, SMALL_OUTLINE_YAML)


def make_request(actor: Any, units: list[Any], due_on: date = date(2020, 4, 20), *,
                 title: str = "Tổng kết cải cách hành chính giai đoạn 2011-2020",
                 outline_version: OutlineVersion | None = None, **extra: Any) -> ReportRequest:
    """The district's request (313/UBND) to ``units``, due ``due_on``; time must be frozen in 2020
    (the test units end on 30/06/2025)."""
    from dieuhanh.reports.services import create_request

    fields: dict[str, Any] = {
        "period_kind": PeriodKind.CUSTOM, "period_start": date(2011, 1, 1), "period_end": date(2020, 3, 31),
        "cutoff_on": date(2020, 3, 31), "recipient": "Sở Nội vụ thành phố Cần Thơ",
        "instructions": "Báo cáo theo đề cương kèm theo.",
    }
    fields.update(extra)
    return create_request(actor, title=title, outline_version=outline_version or small_outline(actor),
                          units=units, due_on=due_on, **fields)


def submission_of(request: ReportRequest, unit: Any) -> Any:
    return request.submissions.select_related("assignment", "request").get(unit=unit)

"""Who a consolidated report rests on, said in words ("Số liệu tổng hợp từ 16/19 đơn vị; …").

A figure summed over 16 of 19 units is not the district's figure: the report must say which
units it rests on and which are missing, under review or returned, so that the level above
reads the numbers for what they are. The same statement is shown on the consolidation page
and written into the body of the DOCX.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from dieuhanh.reports.models import ReportRequest, SubmissionStatus
from dieuhanh.reports.timeliness import request_timeliness


@dataclass
class Completeness:
    total: int = 0
    included: list[str] = field(default_factory=list)  # accepted and aggregated
    late: list[str] = field(default_factory=list)  # included, first sent after the due date
    under_review: list[str] = field(default_factory=list)  # sent, not yet accepted
    accepted_later: list[str] = field(default_factory=list)  # accepted after this consolidation was built
    returned: list[str] = field(default_factory=list)  # returned, not sent again
    not_reported: list[str] = field(default_factory=list)  # nothing sent and the due date has passed
    within_term: list[str] = field(default_factory=list)  # nothing sent, still within the time
    returns: dict[str, int] = field(default_factory=dict)  # unit → times returned ("trả lại 1 lần")

    @property
    def complete(self) -> bool:
        return len(self.included) == self.total

    def sentence(self) -> str:
        parts = [f"Số liệu tổng hợp từ {len(self.included)}/{self.total} đơn vị"]
        for label, names in (("tiếp nhận sau lần tổng hợp này", self.accepted_later),
                             ("đang xem xét", self.under_review), ("bị trả lại, chưa gửi lại", self.returned),
                             ("chưa báo cáo", self.not_reported), ("còn trong hạn báo cáo", self.within_term)):
            if names:
                parts.append(f"{label}: {', '.join(names)}")
        text = "; ".join(parts) + "."
        if self.late:
            text += f" Báo cáo trễ hạn: {', '.join(self.late)}."
        return text


def completeness(request: ReportRequest, included_ids: list[int] | None = None,
                 on: datetime.date | None = None) -> Completeness:
    """The statement for ``request``; ``included_ids`` are the units the consolidation aggregated
    (by default, every accepted one). One query."""
    from dieuhanh.reports.consolidation import short_unit_name

    rows = request_timeliness(request, on=on)
    included = set(included_ids) if included_ids is not None else {
        r["unit_id"] for r in rows if r["status"] == SubmissionStatus.ACCEPTED}
    out = Completeness(total=len(rows))
    for row in rows:
        name = short_unit_name(row["unit"])
        if row["returns"]:
            out.returns[name] = row["returns"]
        _place(out, row, name, row["unit_id"] in included)
    return out


def _place(out: Completeness, row: dict[str, Any], name: str, included: bool) -> None:
    if included:
        out.included.append(name)
        if row["late"]:
            out.late.append(name)
    elif row["status"] == SubmissionStatus.ACCEPTED:
        out.accepted_later.append(name)
    elif row["status"] == SubmissionStatus.SUBMITTED:
        out.under_review.append(name)
    elif row["status"] == SubmissionStatus.RETURNED:
        out.returned.append(name)
    elif row["missing"]:
        out.not_reported.append(name)
    else:
        out.within_term.append(name)

"""The demo's report story: the units' CCHC summaries, their timeliness and the consolidated report."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from docx import Document as Docx

from dieuhanh.reports.consolidation import consolidated_docx
from dieuhanh.reports.models import ReportRequest, SubmissionStatus
from dieuhanh.reports.timeliness import request_timeliness, totals
from dieuhanh.tasks import tally
from dieuhanh.tasks.models import DoneTally, Status
from dieuhanh.vanban import parse_bytes
from dieuhanh.web import demo_reports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS_BEFORE_INCLUSIVE = False


@pytest.fixture
def request_2020() -> ReportRequest:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Báo cáo tổng kết CCHC" in out.getvalue()
    return ReportRequest.objects.select_related("source_task__task", "task").get(title=demo_reports.TITLE)


def test_the_report_story(request_2020):
    """One demo load (it takes a while), three chapters."""
    check_the_request_comes_from_noi_vus_report_task(request_2020)
    check_timeliness_tells_the_scripted_story(request_2020)
    check_the_consolidated_report_is_ready_to_issue(request_2020)


def check_the_request_comes_from_noi_vus_report_task(request_2020):
    req = request_2020
    assert req.requested_by_unit.code == "phong_noi_vu" and req.due_on == date(2020, 4, 9)
    assert req.source_task.task.document.number_symbol == "313/UBND"
    assert req.task.parent_id == req.source_task_id
    assert req.outline_version.outline.code == "cchc-tong-ket-2011-2020"
    assert req.submissions.count() == 19 == req.task.assignments.count()


def check_timeliness_tells_the_scripted_story(request_2020):
    rows = {r["unit_code"]: r for r in request_timeliness(request_2020, on=date(2020, 5, 1))}
    sums = totals(rows.values())
    assert (sums["expected"], sums["submitted"], sums["on_time"], sums["late"], sums["missing"]) == (19, 17, 13, 4, 2)
    assert rows["p_phu_thu"]["on_time"] and rows["phong_kinh_te"]["late"]
    assert rows["p_thuong_thanh"]["missing"] and rows["p_tan_phu"]["missing"]
    statuses = dict(request_2020.submissions.values_list("unit__code", "status"))
    assert statuses["p_tan_phu"] == SubmissionStatus.DRAFT and statuses["phong_vhtt"] == SubmissionStatus.SUBMITTED
    returned = request_2020.submissions.get(unit__code="p_phu_thu")
    assert [v.event for v in returned.versions.order_by("at", "id")] == ["da_nop", "tra_lai", "da_nop", "da_duyet"]
    assert returned.versions.order_by("at", "id").first().at.date() == date(2020, 4, 7)
    # The linked tasks follow: accepted reports are done, scored by the day they were first sent
    # (one rule with the report tables; the return is counted apart).
    done = returned.assignment
    assert (done.status, done.completed_on) == (Status.DONE, date(2020, 4, 7))
    # The finished-work tally kept count through the backdated story: a recount changes nothing.
    counted = sorted(DoneTally.objects.values_list("unit_id", "month", "on_time", "late"))
    tally.rebuild()
    assert sorted(DoneTally.objects.values_list("unit_id", "month", "on_time", "late")) == counted


def check_the_consolidated_report_is_ready_to_issue(request_2020):
    c = request_2020.consolidation
    assert len(c.units_included) == 16
    # issued through the workflow (issue 11): a Báo cáo draft of Phòng Nội vụ, signed, numbered by the văn thư
    assert c.document.number_symbol == "315/BC-UBND" and c.draft.created_by.username == "cv.noivu"
    assert c.document.signer_name == "Lê Văn Cường" and c.document.issued_on == date(2020, 4, 28)
    figures = c.figures["tables"]["PL3"]
    accepted = request_2020.submissions.filter(status=SubmissionStatus.ACCEPTED)
    expected = sum(s.data["tables"]["PL3"]["ho_so_tiep_nhan"]["gd2"] for s in accepted)
    assert figures["ho_so_tiep_nhan"]["gd2"] == expected
    content = consolidated_docx(c)
    parsed = parse_bytes(content, "bao-cao.docx")
    assert parsed["issuer"] == "ỦY BAN NHÂN DÂN QUẬN CÁI RĂNG" and parsed["doc_type"] == "Báo cáo"
    assert "Sở Nội vụ thành phố Cần Thơ" in parsed["distribution"]
    text = "\n".join(p.text for p in Docx(io.BytesIO(content)).paragraphs)
    assert "Phường Lê Bình" in text and "BÁO CÁO" in text

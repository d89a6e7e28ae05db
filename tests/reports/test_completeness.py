"""The consolidated report says which units its figures rest on; the reporting rate counts a unit
as expected only once its due date has passed; returns are counted apart."""

from __future__ import annotations

import io
from datetime import date

import docx as python_docx
import pytest
import time_machine
from django.urls import reverse

from dieuhanh.reports import consolidation as service
from dieuhanh.reports import services
from dieuhanh.reports.completeness import completeness
from dieuhanh.reports.models import Submission, SubmissionStatus
from dieuhanh.reports.timeliness import request_timeliness, totals
from tests.factories import UserFactory
from tests.reports.factories import GOOD_DATA, make_request


@pytest.fixture
def req(actors, units):  # type: ignore[no-untyped-def]
    """Nội vụ asks Lê Bình, Ba Láng and Văn phòng for a report due 20/04/2020."""
    with time_machine.travel("2020-04-01 09:00 +0700", tick=False):
        return make_request(actors["district_specialist"], [units["le_binh"], units["ba_lang"], units["van_phong"]],
                            date(2020, 4, 20), recipient="Sở Nội vụ")


@pytest.fixture
def ward_specialist(units):  # type: ignore[no-untyped-def]
    return UserFactory(username="cv.lebinh", unit=units["le_binh"], role="chuyen_vien")


def _send(user, request, unit, when: str):  # type: ignore[no-untyped-def]
    sub = Submission.objects.get(request=request, unit=unit)
    with time_machine.travel(when, tick=False):
        assert services.submit(user, sub, GOOD_DATA) == []
    sub.refresh_from_db()
    return sub


def test_statement_names_who_the_figures_rest_on(req, actors, units, ward_specialist):  # type: ignore[no-untyped-def]
    specialist = actors["district_specialist"]
    le_binh = _send(ward_specialist, req, units["le_binh"], "2020-04-15 09:00 +0700")
    with time_machine.travel("2020-04-16 09:00 +0700", tick=False):
        services.return_submission(specialist, le_binh, "Bổ sung số liệu.")
    le_binh = _send(ward_specialist, req, units["le_binh"], "2020-04-22 09:00 +0700")
    with time_machine.travel("2020-04-25 09:00 +0700", tick=False):
        services.accept_submission(specialist, le_binh)
        Submission.objects.filter(request=req, unit=units["ba_lang"]).update(status=SubmissionStatus.RETURNED)
        c = service.consolidate(specialist, req)
        stated = completeness(req, c.units_included)
    assert stated.total == 3 and len(stated.included) == 1 and not stated.complete
    assert stated.returns == {stated.included[0]: 1}  # "trả lại 1 lần", counted apart
    assert stated.late == []  # first sent on 15/04, before the due date: on time
    assert len(stated.returned) == 1 and len(stated.not_reported) == 1
    sentence = stated.sentence()
    assert sentence.startswith("Số liệu tổng hợp từ 1/3 đơn vị; bị trả lại, chưa gửi lại: ")
    assert "; chưa báo cáo: " in sentence
    # The same words open the body of the DOCX and show on the consolidation page.
    body = "\n".join(p.text for p in python_docx.Document(io.BytesIO(service.consolidated_docx(c))).paragraphs)
    assert sentence in body
    page = actors["district_specialist"]
    from django.test import Client

    client = Client()
    client.force_login(page)
    html = client.get(reverse("reports:consolidation", args=[req.pk])).content.decode()
    assert "data-completeness" in html and "1/3 đơn vị" in html


def test_a_unit_within_its_time_is_not_yet_expected(req, units, ward_specialist):  # type: ignore[no-untyped-def]
    _send(ward_specialist, req, units["le_binh"], "2020-04-10 09:00 +0700")
    before = totals(request_timeliness(req, on=date(2020, 4, 18)))
    assert before["expected"] == 1 and before["pending"] == 2 and before["reporting_rate"] == 100.0
    after = totals(request_timeliness(req, on=date(2020, 4, 21)))
    assert after["expected"] == 3 and after["missing"] == 2 and after["reporting_rate"] == 33.3

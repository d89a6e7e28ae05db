"""Reporting rates under frozen time: on time, late, missing, pending, returned and sent again."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from dieuhanh.reports import services
from dieuhanh.reports.models import ReportRequest
from dieuhanh.reports.timeliness import request_timeliness, submission_state, timeliness_by_unit, totals
from tests.factories import UserFactory
from tests.reports.factories import GOOD_DATA, make_request, submission_of


@pytest.fixture
def story(units, actors):  # type: ignore[no-untyped-def]
    """Three wards asked on 10/04/2020 for a report due 20/04/2020.

    Lê Bình sends on 20/04 at 23:30 local time (on time, although it is 16:30 UTC),
    Ba Láng sends on 18/04, is returned and sends again on 23/04 (on time: first submission),
    Thường Thạnh sends on 22/04 (two days late); Phòng Nội vụ itself never sends (missing).
    """
    from tests.factories import UnitFactory

    thuong_thanh = UnitFactory(code="p_thuong_thanh", name="Ủy ban nhân dân phường Thường Thạnh", kind="ubnd_xa",
                               parent=units["district"])
    people = {code: UserFactory(username=f"cv.{code}", unit=unit, role="chuyen_vien")
              for code, unit in (("lb", units["le_binh"]), ("bl", units["ba_lang"]), ("tt", thuong_thanh))}
    requester = actors["district_specialist"]
    with time_machine.travel("2020-04-10 09:00 +0700", tick=False) as t:
        req = make_request(requester, [units["le_binh"], units["ba_lang"], thuong_thanh, units["van_phong"]],
                           date(2020, 4, 20))
        t.move_to("2020-04-18 09:00 +0700")
        ba_lang = submission_of(req, units["ba_lang"])
        services.submit(people["bl"], ba_lang, GOOD_DATA)
        t.move_to("2020-04-19 09:00 +0700")
        services.return_submission(requester, ba_lang, "Thiếu số liệu")
        t.move_to("2020-04-20 23:30 +0700")
        services.submit(people["lb"], submission_of(req, units["le_binh"]), GOOD_DATA)
        t.move_to("2020-04-22 08:00 +0700")
        services.submit(people["tt"], submission_of(req, thuong_thanh), GOOD_DATA)
        t.move_to("2020-04-23 08:00 +0700")
        services.submit(people["bl"], ba_lang)
    return req


def _by_code(rows):  # type: ignore[no-untyped-def]
    return {r["unit_code"]: r for r in rows}


def test_request_rows_on_a_later_day(story, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        rows = _by_code(request_timeliness(story, on=date(2020, 4, 25)))
    assert rows["p_le_binh"]["on_time"] and rows["p_le_binh"]["days_late"] == 0
    assert rows["p_ba_lang"]["on_time"] and rows["p_ba_lang"]["first_submitted_on"] == date(2020, 4, 18)
    assert rows["p_thuong_thanh"]["late"] and rows["p_thuong_thanh"]["days_late"] == 2
    assert rows["vp_hdnd_ubnd"]["missing"] and rows["vp_hdnd_ubnd"]["days_late"] == 5
    assert rows["vp_hdnd_ubnd"]["status"] == "chua_lam"
    t = totals(rows.values())
    assert (t["expected"], t["submitted"], t["on_time"], t["late"], t["missing"], t["pending"]) == (4, 3, 2, 1, 1, 0)
    assert t["reporting_rate"] == 75.0 and t["on_time_rate"] == 50.0


def test_before_the_due_date_nothing_is_missing(story):
    rows = _by_code(request_timeliness(story, on=date(2020, 4, 19)))
    assert rows["p_ba_lang"]["submitted"] and rows["p_ba_lang"]["status"] == "da_nop"  # status today
    assert rows["p_le_binh"]["pending"] and rows["vp_hdnd_ubnd"]["pending"]
    t = totals(rows.values())
    assert (t["submitted"], t["missing"], t["pending"]) == (1, 0, 3)


def test_defaults_to_today(story):
    with time_machine.travel("2020-04-21 09:00 +0700", tick=False):
        rows = _by_code(request_timeliness(story))
    assert rows["p_thuong_thanh"]["missing"] and rows["p_thuong_thanh"]["days_late"] == 1


def test_by_unit_across_requests(story, units, actors, django_assert_max_num_queries):
    with time_machine.travel("2020-05-02 09:00 +0700", tick=False):
        second = make_request(actors["district_specialist"], [units["le_binh"], units["van_phong"]],
                              date(2020, 5, 10), title="Báo cáo quý II", outline_version=story.outline_version)
        services.submit(UserFactory(username="cv2.lb", unit=units["le_binh"], role="chuyen_vien"),
                        submission_of(second, units["le_binh"]), GOOD_DATA)
    with django_assert_max_num_queries(1):
        rows = _by_code(timeliness_by_unit(ReportRequest.objects.all(), on=date(2020, 5, 15)))
    lb, vp = rows["p_le_binh"], rows["vp_hdnd_ubnd"]
    assert (lb["expected"], lb["submitted"], lb["on_time"], lb["reporting_rate"], lb["on_time_rate"]) == (2, 2, 2, 100.0,
                                                                                                          100.0)
    assert (vp["expected"], vp["missing"], vp["reporting_rate"], vp["on_time_rate"]) == (2, 2, 0.0, 0.0)
    tt = rows["p_thuong_thanh"]
    assert (tt["expected"], tt["late"], tt["on_time_rate"], tt["reporting_rate"]) == (1, 1, 0.0, 100.0)
    assert timeliness_by_unit([second.pk], on=date(2020, 5, 15))[0]["expected"] == 1
    assert timeliness_by_unit(ReportRequest.objects.none()) == []


def test_rates_round_to_one_decimal_and_none_when_nothing_expected():
    assert totals([]) ["reporting_rate"] is None
    rows = [submission_state(None, date(2020, 4, 20), date(2020, 4, 25))] * 2 + [
        {**submission_state(None, date(2020, 4, 20), date(2020, 4, 25)), "submitted": True, "missing": False,
         "on_time": True}]
    assert totals(rows)["reporting_rate"] == 33.3

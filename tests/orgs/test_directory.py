"""The database tree as an assignee directory for the task-proposal feature."""

from __future__ import annotations

from datetime import date

from dieuhanh.orgs.services import unit_directory

DISTRICT_OFFICES = {"vp_hdnd_ubnd", "phong_noi_vu", "phong_tu_phap", "phong_tc_kh", "phong_tnmt", "phong_ldtbxh",
                    "phong_vhtt", "phong_gddt", "phong_yte", "thanh_tra", "phong_kinh_te", "phong_qldt"}


def test_specialised_offices_of_the_district_in_2020(cantho, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        directory = unit_directory(date(2020, 3, 2))
    got = directory.resolve("Thủ trưởng các cơ quan chuyên môn quận", issuer="ubnd_q_cairang")
    assert {u.code for u in got.units} == DISTRICT_OFFICES
    assert got.collective and got.role_title == "Thủ trưởng"


def test_wards_of_the_district_in_2020(cantho):
    got = unit_directory(date(2020, 3, 2)).resolve("Chủ tịch UBND các phường", issuer="ubnd_q_cairang")
    assert len(got.units) == 7


def test_directory_of_a_day_holds_only_units_in_force(cantho):
    assert unit_directory(date(2026, 1, 1)).get("ubnd_q_cairang") is None
    everything = unit_directory()
    assert len(everything) == 50
    assert everything.get("p_le_binh").successors == ("p_cai_rang_2025",)
    assert everything.get("phong_noi_vu").parent == "ubnd_q_cairang"

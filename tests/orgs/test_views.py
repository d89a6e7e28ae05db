"""The tree page and the unit page: dates, permissions, methods and query counts."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.urls import reverse

from dieuhanh.orgs.models import Succession

TREE = reverse("orgs:tree")
OLD_WARDS = ("Lê Bình", "Thường Thạnh", "Ba Láng", "Hưng Thạnh", "Phú Thứ", "Tân Phú", "Hưng Phú")


def detail(code: str) -> str:
    return reverse("orgs:detail", args=[code])


def names(html: str) -> list[str]:
    return re.findall(r'<li class="unit-node">\s*<a href="[^"]*">([^<]*)</a>', html)


# --- the tree --------------------------------------------------------------------------

def test_tree_in_2020_shows_the_district_and_its_seven_wards(cantho, actors, login):
    html = login(actors["ward_clerk"]).get(TREE, {"ngay": "02/03/2020"}).content.decode()
    shown = names(html)
    assert "Ủy ban nhân dân quận Cái Răng" in shown
    old_wards = {f"Ủy ban nhân dân phường {w}" for w in OLD_WARDS}
    assert old_wards <= set(shown)
    assert "Ủy ban nhân dân phường Cái Răng" not in shown
    assert 'value="02/03/2020"' in html
    assert '<span class="badge kind-ubnd_huyen">UBND cấp huyện</span>' in html
    # The wards hang under the district: their list comes after it, inside its <li>.
    district = html.index("Ủy ban nhân dân quận Cái Răng</a>")
    assert district < html.index("Ủy ban nhân dân phường Lê Bình</a>")


def test_tree_in_2026_shows_the_merged_wards_and_no_district(cantho, actors, login):
    html = login(actors["ward_clerk"]).get(TREE, {"ngay": "15/01/2026"}).content.decode()
    shown = names(html)
    assert "Ủy ban nhân dân quận Cái Răng" not in shown
    assert not {f"Ủy ban nhân dân phường {w}" for w in OLD_WARDS if w != "Hưng Phú"} & set(shown)
    assert shown.count("Ủy ban nhân dân phường Hưng Phú") == 1  # the new ward, not the old one
    assert {"Ủy ban nhân dân phường Cái Răng", "Ủy ban nhân dân phường Hưng Phú"} <= set(shown)
    assert "Sở Ngoại vụ thành phố Cần Thơ" in shown


@time_machine.travel("2020-03-02 09:00 +0700", tick=False)
def test_tree_defaults_to_today(units, actors, login):
    html = login(actors["outsider"]).get(TREE).content.decode()
    assert 'value="02/03/2020"' in html
    assert "Ủy ban nhân dân phường Tân An" in names(html)  # outside the user's scope, still shown


@pytest.mark.parametrize("value", ["31/02/2020", "hôm qua", "2020-13-01", "99999999999"])
def test_invalid_date_gives_a_vietnamese_message(units, actors, login, value):
    response = login(actors["ward_clerk"]).get(TREE, {"ngay": value})
    assert response.status_code == 200
    assert "Ngày không hợp lệ: hãy nhập theo dạng dd/mm/yyyy" in response.content.decode()
    assert names(response.content.decode())  # today's tree is still shown


def test_tree_query_count_does_not_grow_with_units(cantho, actors, login, django_assert_max_num_queries):
    client = login(actors["district_clerk"])
    with django_assert_max_num_queries(4):  # session, user, the user's unit, all units
        response = client.get(TREE, {"ngay": "02/03/2020"})
    assert len(names(response.content.decode())) > 30


def test_empty_tree_says_how_to_load_one(db, login):
    from tests.factories import UserFactory

    html = login(UserFactory(username="x")).get(TREE).content.decode()
    assert "units load-default" in html


def test_tree_anonymous_goes_to_login(client, units):
    response = client.get(TREE)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_tree_refuses_post(units, actors, login):
    assert login(actors["admin"]).post(TREE).status_code == 405


# --- one unit --------------------------------------------------------------------------

def test_detail_shows_fields_children_and_history(cantho, actors, login):
    html = login(actors["ward_clerk"]).get(detail("ubnd_q_cairang")).content.decode()
    assert "Ủy ban nhân dân quận Cái Răng" in html and "UBND cấp huyện" in html
    assert "Ủy ban nhân dân thành phố Cần Thơ</a>" in html  # parent
    # Abolished on 30/06/2025: the children listed are those of its last day.
    assert "Đơn vị trực thuộc tại ngày 30/06/2025" in html and 'value="30/06/2025"' in html
    assert "Ủy ban nhân dân phường Lê Bình</a>" in html and "Phòng Nội vụ quận Cái Răng</a>" in html


def test_detail_links_predecessors_and_successors_with_dates(cantho, actors, login):
    client = login(actors["ward_clerk"])
    old = client.get(detail("p_le_binh")).content.decode()
    assert "Đơn vị kế thừa" in old
    assert re.search(r"hợp nhất vào <a href=\"/don-vi/p_cai_rang_2025/\">Ủy ban nhân dân phường Cái Răng</a>"
                     r" từ ngày 01/07/2025", old)
    new = client.get(detail("p_cai_rang_2025")).content.decode()
    for ward in ("Lê Bình", "Ba Láng", "Hưng Thạnh", "Thường Thạnh"):
        assert f"Ủy ban nhân dân phường {ward}</a>" in new


def test_detail_children_on_a_chosen_day(cantho, actors, login):
    html = login(actors["ward_clerk"]).get(detail("ubnd_tp_cantho"), {"ngay": "01/03/2025"}).content.decode()
    assert "Sở Kế hoạch và Đầu tư" not in html  # ended 28/02/2025
    assert "Sở Tư pháp thành phố Cần Thơ</a>" in html


@pytest.mark.parametrize("who, sees", [
    ("admin", True), ("district_leader", True), ("noi_vu_head", True), ("ward_chairman", False),
    ("district_clerk", False), ("district_specialist", False), ("outsider", False),
])
def test_members_only_for_admins_and_leaders_covering_the_unit(units, actors, login, who, sees):
    html = login(actors[who]).get(detail("phong_noi_vu")).content.decode()
    assert ("Người dùng của đơn vị" in html) is sees
    assert ('<tr class="member"><td>Nguyễn Văn' in html) is sees


def test_ward_chairman_sees_own_ward_members(units, actors, login):
    html = login(actors["ward_chairman"]).get(detail("p_le_binh")).content.decode()
    assert html.count('<tr class="member">') == 2  # the chairman and the clerk
    assert "Lãnh đạo UBND" in html and "Văn thư" in html


def test_detail_query_count_is_constant(cantho, actors, login, django_assert_max_num_queries):
    client = login(actors["admin"])
    with django_assert_max_num_queries(7):
        assert client.get(detail("ubnd_q_cairang")).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(detail("ubnd_tp_cantho")).status_code == 200


def test_detail_unknown_code_is_404(units, actors, login):
    assert login(actors["admin"]).get(detail("khong_co")).status_code == 404


def test_detail_invalid_date_is_a_message(units, actors, login):
    response = login(actors["ward_clerk"]).get(detail("p_le_binh"), {"ngay": "30/02/2021"})
    assert response.status_code == 200
    assert "Ngày không hợp lệ" in response.content.decode()


def test_detail_anonymous_and_post(client, units, actors, login):
    response = client.get(detail("p_le_binh"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert login(actors["admin"]).post(detail("p_le_binh")).status_code == 405


def test_successions_made_by_hand_show_too(units, actors, login):
    Succession.objects.create(predecessor=units["le_binh"], successor=units["ba_lang"], kind="merged")
    html = login(actors["ward_clerk"]).get(detail("p_ba_lang")).content.decode()
    assert "Ủy ban nhân dân phường Lê Bình</a> — hợp nhất vào" in html

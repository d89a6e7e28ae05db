"""GET /van-ban/tim-kiem/: the form, counts, highlights, pagination, HTMX partials, scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.search.conftest import make_document

pytestmark = pytest.mark.django_db
URL = "/van-ban/tim-kiem/"


def test_url_name():
    assert reverse("documents:search") == URL


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL, {"q": "cai rang"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_wrong_method(login, actors):
    assert login(actors["district_clerk"]).post(URL, {"q": "x"}).status_code == 405


def test_empty_form_prompts(login, actors, docs):
    response = login(actors["district_clerk"]).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="q"' in page and "Gõ vài chữ" in page and "<mark>" not in page


def test_results_with_count_and_highlights(login, actors, docs):
    response = login(actors["district_leader"]).get(URL, {"q": "cai cach hanh chinh"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tìm thấy 3 văn bản" in page
    assert "<mark>cải</mark> <mark>cách</mark> <mark>hành</mark> <mark>chính</mark>" in page
    assert reverse("documents:detail", args=[docs["plan"].pk]) in page
    assert "<html" in page  # a full page without HTMX


def test_outsider_sees_nothing_and_no_count_leaks(login, actors, docs):
    page = login(actors["outsider"]).get(URL, {"q": "cai cach"}).content.decode()
    assert "Không tìm thấy văn bản nào" in page and "12/KH-UBND" not in page


def test_ward_clerk_count_is_scoped(login, actors, docs):
    page = login(actors["ward_clerk"]).get(URL, {"q": "cai cach hanh chinh"}).content.decode()
    assert "Tìm thấy 1 văn bản" in page and "12/KH-UBND" in page and "14/KH-UBND" not in page
    # The filter lists offer only what the clerk may see.
    assert "Ba Láng" not in page


def test_filters_from_the_form(login, actors, docs):
    client = login(actors["admin"])
    page = client.get(URL, {"q": "", "doc_type": "Kế hoạch", "date_from": "01/03/2020",
                            "date_to": "10/04/2020"}).content.decode()
    assert "Tìm thấy 1 văn bản" in page and "12/KH-UBND" in page
    page = client.get(URL, {"register": docs["letter"].register_id}).content.decode()
    assert "Tìm thấy 2 văn bản" in page
    page = client.get(URL, {"issuer": "Ủy ban nhân dân thành phố Cần Thơ"}).content.decode()
    assert "Tìm thấy 1 văn bản" in page and "29/KH-UBND" in page


@pytest.mark.parametrize("params", [{"date_from": "31/02/2020"}, {"date_from": "2020/13/45"},
                                    {"date_from": "10/04/2020", "date_to": "01/04/2020"}])
def test_bad_dates_get_a_vietnamese_message(login, actors, docs, params):
    response = login(actors["admin"]).get(URL, {"q": "cai", **params})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Chưa tìm được" in page and ("dd/mm/yyyy" in page or "phải sau" in page)


def test_unknown_choice_and_garbage_page_never_fail(login, actors, docs):
    client = login(actors["admin"])
    assert client.get(URL, {"q": "cai", "page": "abc"}).status_code == 200
    assert client.get(URL, {"q": "cai", "register": "999999"}).status_code == 200
    assert client.get(URL, {"q": "x" * 5000}).status_code == 200


def test_htmx_gets_only_the_results(login, actors, docs):
    response = login(actors["admin"]).get(URL, {"q": "cai rang"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="search-results"') and "<html" not in page
    assert "<mark>Cái</mark> <mark>Răng</mark>" in page
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(login, actors, docs):
    response = login(actors["admin"]).get(URL, {"q": "cai rang"}, HTTP_HX_REQUEST="true",
                                          HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


def test_form_degrades_to_a_plain_get(login, actors):
    page = login(actors["admin"]).get(URL).content.decode()
    assert f'method="get" action="{URL}"' in page and f'hx-get="{URL}"' in page
    assert "delay:" in page and "<script" not in page.split("</head>")[1]  # no inline script (CSP)


def test_pagination_links_keep_the_query(login, actors, registers):
    for n in range(1, 26):
        make_document(registers["district_in"], number_symbol=f"{n}/GM-UBND", subject=f"mời họp lần {n}",
                      issued_on=date(2020, 1, n), reg_number=n)
    client = login(actors["district_clerk"])
    page = client.get(URL, {"q": "moi hop"}).content.decode()
    assert "Tìm thấy 25 văn bản" in page and "q=moi+hop&amp;page=2" in page
    page2 = client.get(URL, {"q": "moi hop", "page": 2}).content.decode()
    assert "5/GM-UBND" in page2 and "25/GM-UBND" not in page2


def test_query_count_is_bounded(login, actors, registers, django_assert_max_num_queries):
    for n in range(1, 21):
        make_document(registers["district_in"], number_symbol=f"{n}/GM-UBND", subject=f"mời họp {n}",
                      reg_number=n)
    client = login(actors["district_clerk"])
    with django_assert_max_num_queries(14):
        response = client.get(URL, {"q": "moi hop"})
    assert "Tìm thấy 20 văn bản" in response.content.decode()

"""Each endpoint: success, filters, and 404 outside the caller's scope."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def test_units_list_and_filters(bearer, actors):
    api = bearer(actors["ward_clerk"])
    rows = api.get("/api/units").json()
    codes = {r["code"] for r in rows}
    assert {"ubnd_tp_cantho", "ubnd_q_cairang", "p_le_binh"} <= codes
    district = next(r for r in rows if r["code"] == "ubnd_q_cairang")
    assert district["parent"] == "ubnd_tp_cantho" and district["kind"] == "ubnd_huyen"
    wards = api.get("/api/units", {"kind": "ubnd_xa"}).json()
    assert {r["code"] for r in wards} == {"p_le_binh", "p_ba_lang", "p_tan_an"}
    # The factory's district ends on 30/06/2025: not in force in 2026.
    later = {r["code"] for r in api.get("/api/units", {"on": "2026-01-01"}).json()}
    assert "ubnd_q_cairang" not in later and "ubnd_tp_cantho" in later
    assert "ubnd_q_cairang" in {r["code"] for r in api.get("/api/units", {"on": "2020-03-02"}).json()}


def test_units_bad_filter_is_400_in_vietnamese(bearer, actors):
    api = bearer(actors["ward_clerk"])
    response = api.get("/api/units", {"on": "02/03/2020x"})
    assert response.status_code == 400 and "không hợp lệ" in response.json()["detail"]
    assert api.get("/api/units", {"kind": "khong_co"}).status_code == 400


def test_unit_detail_and_404(bearer, actors):
    api = bearer(actors["ward_clerk"])
    unit = api.get("/api/units/ubnd_q_cairang").json()
    assert unit["name"] == "Ủy ban nhân dân quận Cái Răng"
    assert {"p_le_binh", "p_ba_lang", "phong_noi_vu"} <= set(unit["children"])
    response = api.get("/api/units/khong_co_don_vi_nay")
    assert response.status_code == 404 and "Không tìm thấy" in response.json()["detail"]


def test_documents_list_is_scoped_and_counted(bearer, actors, docs):
    body = bearer(actors["ward_clerk"]).get("/api/documents").json()
    assert body["count"] == 1 and [d["number_symbol"] for d in body["items"]] == ["12/KH-UBND"]
    body = bearer(actors["district_leader"]).get("/api/documents").json()
    assert body["count"] == 5
    assert bearer(actors["outsider"]).get("/api/documents").json()["count"] == 0


def test_documents_filters(bearer, actors, docs):
    api = bearer(actors["admin"])

    def numbers(**params):  # type: ignore[no-untyped-def]
        response = api.get("/api/documents", params)
        assert response.status_code == 200, response.content
        return {d["number_symbol"] for d in response.json()["items"]}

    assert numbers(direction="di") == {"313/UBND", "5/QĐ-UBND"}
    assert numbers(doc_type="Kế hoạch", issuer="cai rang") == {"12/KH-UBND", "14/KH-UBND"}
    assert numbers(date_from="2020-03-01", date_to="2020-04-10") == {"313/UBND", "12/KH-UBND"}
    assert numbers(register=docs["plan"].register_id) == {"29/KH-UBND"}
    assert numbers(q="cai cach hanh chinh", direction="den") == {"29/KH-UBND", "12/KH-UBND", "14/KH-UBND"}
    page = api.get("/api/documents", {"per_page": 2, "page": 2}).json()
    assert (page["count"], page["page"], page["pages"], len(page["items"])) == (5, 2, 3, 2)
    assert api.get("/api/documents", {"direction": "sang_ngang"}).status_code == 400


def test_documents_list_query_count(bearer, actors, registers, django_assert_max_num_queries):
    from tests.search.conftest import make_document

    for n in range(1, 31):
        make_document(registers["district_in"], number_symbol=f"{n}/GM-UBND", reg_number=n)
    api = bearer(actors["district_clerk"])
    with django_assert_max_num_queries(6):
        body = api.get("/api/documents", {"per_page": 30}).json()
    assert body["count"] == 30 and body["items"][0]["register"]["unit"] == "ubnd_q_cairang"


def test_document_detail_and_404_outside_scope(bearer, actors, docs):
    own = bearer(actors["ward_clerk"]).get(f"/api/documents/{docs['le_binh'].pk}")
    assert own.status_code == 200
    data = own.json()
    assert data["number_symbol"] == "12/KH-UBND" and data["register"]["direction"] == "den"
    assert data["url"] == f"/van-ban/{docs['le_binh'].pk}/"
    other = bearer(actors["ward_clerk"]).get(f"/api/documents/{docs['ba_lang'].pk}")
    assert other.status_code == 404 and "Không tìm thấy" in other.json()["detail"]
    assert bearer(actors["ward_clerk"]).get("/api/documents/999999").status_code == 404


def test_search_endpoint(bearer, actors, docs):
    api = bearer(actors["ward_clerk"])
    body = api.get("/api/search", {"q": "cai cach hanh chinh"}).json()
    assert body["count"] == 1 and body["items"][0]["document"]["number_symbol"] == "12/KH-UBND"
    assert "<mark>cải</mark>" in body["items"][0]["highlight"]["subject"]
    assert api.get("/api/search").status_code == 400  # q is required


def test_openapi_schema_is_json_with_the_paths(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/units", "/api/units/{code}", "/api/documents", "/api/documents/{document_id}",
            "/api/search"} <= set(schema["paths"])
    assert {"get", "post"} <= set(schema["paths"]["/api/documents"])
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_page_is_offline_and_csp_clean(login, actors, client):
    assert client.get("/api/docs").status_code == 302  # anonymous → login
    response = login(actors["district_clerk"]).get("/api/docs")
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/web/swagger/swagger-ui-bundle.js" in page and "/static/api/swagger-init.js" in page
    assert "http://" not in page and "https://" not in page  # no CDN
    assert "<script>" not in page and "onload=" not in page  # nothing inline
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for path in ("/static/web/swagger/swagger-ui-bundle.js", "/static/web/swagger/swagger-ui.css",
                 "/static/api/swagger-init.js"):
        static = client.get(path)
        assert static.status_code == 200, path
        b"".join(static.streaming_content) if static.streaming else static.content

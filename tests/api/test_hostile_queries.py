"""SQL and markup in the search box, the API's search and filters: answered normally (200, escaped,
nothing matched by accident), never a 500, and the tables are still there afterwards."""

from __future__ import annotations

import pytest

from dieuhanh.documents.models import Document

pytestmark = pytest.mark.django_db

HOSTILE = ["' OR 1=1 --", "\"; DROP TABLE documents_document; --", "%' UNION SELECT password FROM accounts_user --",
           "<script>alert(1)</script>", "\\x00\x00", "ủy ban') OR ('a'='a"]


@pytest.mark.parametrize("q", HOSTILE)
def test_search_page(login, actors, docs, q):  # type: ignore[no-untyped-def]
    before = Document.objects.count()
    response = login(actors["ward_clerk"]).get("/van-ban/tim-kiem/", {"q": q, "tu_ngay": q})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "Tìm thấy 3" not in page and "Tìm thấy 4" not in page  # no "match everything"
    assert Document.objects.count() == before


@pytest.mark.parametrize("q", HOSTILE)
def test_api_search(bearer, actors, docs, q):  # type: ignore[no-untyped-def]
    api = bearer(actors["ward_clerk"])
    response = api.get("/api/search", {"q": q})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["items"] == []
    assert api.get("/api/documents", {"q": q, "per_page": q}).status_code in (200, 400, 422)

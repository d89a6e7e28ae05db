"""Audit rows written through the API carry the caller's address and user agent, although the
services below the API are not handed the request (the middleware's context does it)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dieuhanh.accounts.models import AuditLog

pytestmark = pytest.mark.django_db


def test_api_registration_rows_have_ip_and_user_agent(bearer, actors, registers, seed_bytes):
    api = bearer(actors["district_clerk"])
    response = api.post("/api/documents", {"register": registers["district_out"].pk,
                                           "file": SimpleUploadedFile("313-UBND.txt", seed_bytes, "text/plain")},
                        headers={"User-Agent": "curl/7.88.1 (phần mềm văn thư)"}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 201, response.content
    rows = list(AuditLog.objects.filter(actor=actors["district_clerk"]))
    assert {r.object_type for r in rows} >= {"documents.document", "documents.attachment"}
    for row in rows:
        assert row.ip == "203.0.113.7" and row.user_agent == "curl/7.88.1 (phần mềm văn thư)"

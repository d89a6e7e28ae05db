"""Who may call /api/: bearer tokens (hashed, revocable) and the browser session."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from dieuhanh.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_a_valid_token_is_accepted_and_last_used_is_written(bearer, actors, docs):
    api = bearer(actors["district_clerk"])
    assert api.token.last_used is None
    response = api.get("/api/documents")
    assert response.status_code == 200
    api.token.refresh_from_db()
    assert api.token.last_used is not None and (timezone.now() - api.token.last_used).total_seconds() < 60


def test_only_the_digest_is_stored(bearer, actors):
    api = bearer(actors["district_clerk"])
    assert api.secret.startswith("dh_")
    assert not ApiToken.objects.filter(digest=api.secret).exists()
    assert ApiToken.objects.filter(digest=ApiToken.hash(api.secret)).exists()


def test_revoked_token_is_refused(bearer, actors):
    api = bearer(actors["district_clerk"])
    api.token.revoke()
    response = api.get("/api/units")
    assert response.status_code == 401
    assert "xác thực" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_of_an_inactive_user_is_refused(bearer, actors):
    api = bearer(actors["district_clerk"])
    actors["district_clerk"].is_active = False
    actors["district_clerk"].save()
    assert api.get("/api/units").status_code == 401


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer dh_not-a-real-token", "Bearer xyz",
                                    "Basic dXNlcjpwYXNz", "Token dh_abc"])
def test_missing_or_unknown_credentials_are_401(client, units, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/units", headers=headers)
    assert response.status_code == 401
    assert json.loads(response.content)["detail"]


def test_the_browser_session_works_too(login, actors):
    assert login(actors["district_clerk"]).get("/api/units").status_code == 200


def test_session_post_needs_the_csrf_token(actors, registers, seed_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(actors["district_clerk"])
    upload = SimpleUploadedFile("313-UBND.txt", seed_bytes, "text/plain")
    response = client.post("/api/documents", {"register": registers["district_out"].pk, "file": upload})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_token_post_needs_no_csrf_token(actors, registers, seed_bytes):
    """Scripts authenticate with the token alone: CSRF protects cookie sessions only."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    _token, plain = ApiToken.issue(actors["district_clerk"], "kịch bản")
    client = Client(enforce_csrf_checks=True)
    upload = SimpleUploadedFile("313-UBND.txt", seed_bytes, "text/plain")
    response = client.post("/api/documents", {"register": registers["district_out"].pk, "file": upload},
                           headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 201, response.content

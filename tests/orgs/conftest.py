"""Fixtures of the orgs tests: the packaged Cần Thơ tree loaded into the test database."""

from __future__ import annotations

import pytest


@pytest.fixture
def cantho(db):  # type: ignore[no-untyped-def]
    """The packaged sample tree (50 units, 2004-2025 and 2025 on), imported; returns codes → units."""
    from dieuhanh.orgs.models import Unit
    from dieuhanh.orgs.services import load_default

    result = load_default()
    assert result.ok, result.errors
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """The actors' Argon2 hashing dominated these tests; no test here checks passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

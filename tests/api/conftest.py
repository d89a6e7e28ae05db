"""API fixtures: the search tests' registers and documents, tokens, a bearer client."""

from __future__ import annotations

from pathlib import Path

import pytest

from dieuhanh.accounts.models import ApiToken
from tests.search.conftest import _fast_password_hasher, docs, make_document, registers  # noqa: F401

SEED = Path(__file__).resolve().parents[2] / "dieuhanh" / "web" / "demo_data" / "313-UBND.txt"


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED.read_bytes()


@pytest.fixture
def bearer(client):  # type: ignore[no-untyped-def]
    """``bearer(user)`` → (get, post) callables sending a fresh token of that user."""

    def _make(user):  # type: ignore[no-untyped-def]
        _token, plain = ApiToken.issue(user, "kiểm thử")
        headers = {"Authorization": f"Bearer {plain}"}

        class Caller:
            token = _token
            secret = plain

            @staticmethod
            def get(path, params=None):  # type: ignore[no-untyped-def]
                return client.get(path, params or {}, headers=headers)

            @staticmethod
            def post(path, data=None, **extra):  # type: ignore[no-untyped-def]
                return client.post(path, data or {}, headers={**headers, **extra.pop("headers", {})}, **extra)

        return Caller

    return _make

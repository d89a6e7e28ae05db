"""Fixtures for the documents tests: files under a temporary MEDIA_ROOT, registers, the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from dieuhanh.documents.models import Direction, Register
from tests.documents.helpers import SEED


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Every test stores its files under its own temporary MEDIA_ROOT."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture(autouse=True)
def fast_password_hasher(settings) -> None:  # type: ignore[no-untyped-def]
    # The actors' passwords are never typed here (force_login): hash them quickly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def registers(units):  # type: ignore[no-untyped-def]
    def make(unit: str, direction: str, name: str) -> Register:
        return Register.objects.create(unit=units[unit], direction=direction, name=name)

    return {
        "district_in": make("district", Direction.INCOMING, "Sổ văn bản đến"),
        "district_out": make("district", Direction.OUTGOING, "Sổ văn bản đi"),
        "noi_vu_draft": make("noi_vu", Direction.DRAFT, "Sổ dự thảo"),
        "le_binh_in": make("le_binh", Direction.INCOMING, "Sổ văn bản đến"),
        "le_binh_out": make("le_binh", Direction.OUTGOING, "Sổ văn bản đi"),
        "ba_lang_in": make("ba_lang", Direction.INCOMING, "Sổ văn bản đến"),
        "tan_an_in": make("tan_an", Direction.INCOMING, "Sổ văn bản đến"),
    }


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    return SEED.read_bytes()

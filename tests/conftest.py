"""Shared test helpers: where the repository and the shared data folder are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# shared/ sits beside the clone: /work/shared locally, a read-only copy in CI.
SHARED = REPO.parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    return SHARED

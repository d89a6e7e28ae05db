"""Shared test helpers: where the repository and the vendored test data are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The seed, the corpus, the real files and the domain data the tests read, copied from ../shared/
# (where new data arrives) into the repository so that a fresh clone runs the whole suite.
# tests/data/README.md says where each part came from.
SHARED = REPO / "tests" / "data"


@pytest.fixture
def shared_dir() -> Path:
    return SHARED


@pytest.fixture
def units(db):  # type: ignore[no-untyped-def]
    from tests.factories import build_tree

    return build_tree()


@pytest.fixture
def actors(units):  # type: ignore[no-untyped-def]
    from tests.factories import build_actors

    return build_actors(units)


@pytest.fixture
def login(client):  # type: ignore[no-untyped-def]
    """``login(user)`` logs the test client in as that user and returns the client."""

    def _login(user):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fresh_work_calendar():  # type: ignore[no-untyped-def]
    """The working-day calendar is cached per process; a rolled-back CalendarDay must not leak."""
    yield
    try:
        from dieuhanh.tasks.calendar import invalidate_calendar
    except Exception:  # noqa: BLE001 - Django not configured for pure vanban runs
        return
    invalidate_calendar()


@pytest.fixture(autouse=True)
def _two_factor_not_required(settings):  # type: ignore[no-untyped-def]
    """Production requires two factors of administrators and leaders (``TWO_FACTOR_REQUIRED_ROLES``);
    the tests log those actors in with ``force_login``, so the requirement is off unless a test
    (tests/accounts/test_twofactor.py) turns it on."""
    settings.TWO_FACTOR_REQUIRED_ROLES = []

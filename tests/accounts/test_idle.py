"""Session limits: idle timeout (DIEUHANH_IDLE_MINUTES) and an absolute lifetime."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from dieuhanh.accounts.middleware import SEEN_KEY, idle_minutes
from dieuhanh.accounts.models import AuditAction
from tests.accounts.conftest import IDLE_MIDDLEWARE
from tests.accounts.helpers import audit_rows, post_login, text_of

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
PAGE = "/tai-khoan/ma-api/"


def test_default_is_sixty_minutes(settings, monkeypatch) -> None:
    if hasattr(settings, "DIEUHANH_IDLE_MINUTES"):
        del settings.DIEUHANH_IDLE_MINUTES
    monkeypatch.delenv("DIEUHANH_IDLE_MINUTES", raising=False)
    assert idle_minutes() == 60
    monkeypatch.setenv("DIEUHANH_IDLE_MINUTES", "15")
    assert idle_minutes() == 15
    settings.DIEUHANH_IDLE_MINUTES = 30
    assert idle_minutes() == 30


def test_middleware_is_installed() -> None:
    if IDLE_MIDDLEWARE not in django_settings.MIDDLEWARE:
        pytest.skip("settings.MIDDLEWARE lacks the idle timeout: add it after MessageMiddleware")
    stack = django_settings.MIDDLEWARE
    assert stack.index(IDLE_MIDDLEWARE) > stack.index("django.contrib.messages.middleware.MessageMiddleware")


def test_idle_user_is_logged_out_with_a_message(client, actors, idle_middleware, settings) -> None:
    settings.DIEUHANH_IDLE_MINUTES = 60
    with time_machine.travel(T0, tick=False) as clock:
        assert post_login(client, "cv.noivu").status_code == 302
        clock.shift(timedelta(minutes=59))
        assert client.get(PAGE).status_code == 200
        clock.shift(timedelta(minutes=59))  # activity resets the clock
        assert client.get(PAGE).status_code == 200
        clock.shift(timedelta(minutes=61))
        response = client.get(PAGE)
        assert response.status_code == 302 and response["Location"] == f"{reverse('accounts:login')}?next={PAGE}"
        assert "_auth_user_id" not in client.session
        page = text_of(client.get(response["Location"]))
        assert "Phiên làm việc đã kết thúc vì không hoạt động quá 60 phút. Vui lòng đăng nhập lại." in page
    [row] = audit_rows(AuditAction.LOGOUT)
    assert row.actor == actors["district_specialist"] and row.note == "Hết phiên do không hoạt động"


def test_session_ends_after_its_lifetime_even_when_active(client, actors, idle_middleware, settings) -> None:
    settings.DIEUHANH_IDLE_MINUTES = 60
    settings.SESSION_COOKIE_AGE = 2 * 3600
    with time_machine.travel(T0, tick=False) as clock:
        post_login(client, "cv.noivu")
        for _ in range(3):  # active every 40 minutes: never idle, 120 minutes in all
            clock.shift(timedelta(minutes=40))
            assert client.get(PAGE).status_code == 200
        clock.shift(timedelta(minutes=1))
        response = client.get(PAGE, follow=True)
        assert "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại." in text_of(response)
    assert audit_rows(AuditAction.LOGOUT)[0].note == "Hết hạn phiên làm việc"


def test_zero_turns_the_idle_timeout_off(client, actors, idle_middleware, settings) -> None:
    settings.DIEUHANH_IDLE_MINUTES = 0
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(actors["admin"])
        clock.shift(timedelta(hours=5))
        assert client.get(PAGE).status_code == 200


def test_activity_is_written_at_most_once_a_minute(client, actors, idle_middleware) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(actors["admin"])
        first = client.session[SEEN_KEY]
        clock.shift(timedelta(seconds=30))
        client.get(PAGE)
        assert client.session[SEEN_KEY] == first
        clock.shift(timedelta(seconds=31))
        client.get(PAGE)
        assert client.session[SEEN_KEY] == first + 61


def test_session_cookie_settings() -> None:
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert django_settings.SESSION_COOKIE_HTTPONLY is True
    assert 0 < django_settings.SESSION_COOKIE_AGE <= 24 * 3600

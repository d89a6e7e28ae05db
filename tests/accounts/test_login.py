"""Login and logout: success, wrong password, lockout and its release, audit rows, `next`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from dieuhanh.accounts.models import AuditAction, LoginFailure
from tests.accounts.helpers import audit_rows, post_login, text_of

LOGIN = "/tai-khoan/dang-nhap/"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
LOCKED_TEXT = "Tạm thời chưa đăng nhập được vì đã nhập sai nhiều lần. Vui lòng thử lại sau"


def test_urls_are_where_the_brief_says() -> None:
    assert reverse("accounts:login") == LOGIN
    assert reverse("accounts:audit") == "/tai-khoan/nhat-ky/"


def test_login_page_is_vietnamese(client, db) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    page = text_of(response)
    assert "Tên đăng nhập" in page and "Mật khẩu" in page and "csrfmiddlewaretoken" in page


def test_login_success_redirects_home_and_records_it(client, actors) -> None:
    response = post_login(client, "vanthu.cairang")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(actors["district_clerk"].pk)
    [row] = audit_rows(AuditAction.LOGIN)
    assert row.actor == actors["district_clerk"] and row.actor_name == "vanthu.cairang"
    assert row.unit_id == actors["district_clerk"].unit_id and row.ip == "10.0.0.7"


def test_wrong_password_is_refused_in_vietnamese_and_recorded(client, actors) -> None:
    response = post_login(client, "vanthu.cairang", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in text_of(response)
    assert "_auth_user_id" not in client.session
    [row] = audit_rows(AuditAction.LOGIN_FAILED)
    assert row.actor is None and row.actor_name == "vanthu.cairang"
    assert row.object_id == str(actors["district_clerk"].pk) and row.unit_id == actors["district_clerk"].unit_id
    assert LoginFailure.objects.filter(username="vanthu.cairang").count() == 1


def test_unknown_username_reads_like_a_wrong_password(client, actors) -> None:
    response = post_login(client, "khong.ton.tai", "x")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in text_of(response)
    [row] = audit_rows(AuditAction.LOGIN_FAILED)
    assert row.actor_name == "khong.ton.tai" and row.unit_id is None and row.object_id == ""


def test_empty_form_gets_vietnamese_field_errors(client, db) -> None:
    page = text_of(client.post(LOGIN, {"username": "", "password": ""}))
    assert "Hãy nhập tên đăng nhập." in page and "Hãy nhập mật khẩu." in page
    assert not audit_rows()


def test_inactive_user_cannot_log_in(client, actors) -> None:
    user = actors["ward_clerk"]
    user.is_active = False
    user.save()
    response = post_login(client, user.username)
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@override_settings(LOGIN_MAX_FAILURES=5, LOGIN_LOCKOUT_MINUTES=15)
def test_lockout_after_repeated_failures_and_release_after_the_window(client, actors) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        for attempt in range(4):
            response = post_login(client, "vanthu.lebinh", f"sai-{attempt}")
            assert LOCKED_TEXT not in text_of(response)
        response = post_login(client, "vanthu.lebinh", "sai-5")
        assert f"{LOCKED_TEXT} 15 phút." in text_of(response)
        # The right password is refused while locked, and the refusal does not extend the lock.
        response = post_login(client, "vanthu.lebinh")
        assert f"{LOCKED_TEXT} 15 phút." in text_of(response)
        assert "_auth_user_id" not in client.session
        clock.shift(timedelta(minutes=14, seconds=30))
        assert f"{LOCKED_TEXT} 1 phút." in text_of(post_login(client, "vanthu.lebinh"))
        assert LoginFailure.objects.filter(username="vanthu.lebinh").count() == 5
        clock.shift(timedelta(seconds=31))
        response = post_login(client, "vanthu.lebinh")
        assert response.status_code == 302
        assert not LoginFailure.objects.filter(username="vanthu.lebinh").exists()
    # Five password checks and one lockout; the two refused attempts wrote nothing.
    failed = audit_rows(AuditAction.LOGIN_FAILED)
    assert [r.note for r in failed] == ["Sai tên đăng nhập hoặc mật khẩu"] * 5 + [
        "Tạm khóa đăng nhập tên này từ địa chỉ này"]


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_MINUTES=10)
def test_failures_spread_beyond_the_window_do_not_lock(client, actors) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(2):
            post_login(client, "vanthu.lebinh", "sai")
        clock.shift(timedelta(minutes=11))
        post_login(client, "vanthu.lebinh", "sai")
        assert post_login(client, "vanthu.lebinh").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_MINUTES=10)
def test_lockout_ignores_username_case_and_other_users_are_unaffected(client, actors) -> None:
    for name in ("VANTHU.LEBINH", "VanThu.LeBinh", "vanthu.lebinh"):
        post_login(client, name, "sai")
    assert LOCKED_TEXT in text_of(post_login(client, "vanthu.lebinh"))
    assert post_login(client, "vanthu.balang").status_code == 302


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_MINUTES=10)
def test_success_clears_earlier_failures(client, actors) -> None:
    for _ in range(2):
        post_login(client, "vanthu.lebinh", "sai")
    assert post_login(client, "vanthu.lebinh").status_code == 302
    client.logout()
    for _ in range(2):
        post_login(client, "vanthu.lebinh", "sai")
    assert post_login(client, "vanthu.lebinh").status_code == 302


def test_logout_is_post_only_and_recorded(client, actors) -> None:
    post_login(client, "vanthu.cairang")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session
    [row] = audit_rows(AuditAction.LOGOUT)
    assert row.actor == actors["district_clerk"]
    assert "Bạn đã đăng xuất." in text_of(client.get(LOGIN))


def test_anonymous_logout_just_goes_to_login(client, db) -> None:
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and not audit_rows()


def test_login_page_when_already_logged_in_goes_on(login, actors) -> None:
    client = login(actors["admin"])
    response = client.get(LOGIN, {"next": "/tai-khoan/ma-api/"})
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/ma-api/"


def test_same_site_next_is_followed(client, actors) -> None:
    response = post_login(client, "quantri", next_url="/tai-khoan/nhat-ky/?action=login")
    assert response["Location"] == "/tai-khoan/nhat-ky/?action=login"


def test_next_survives_the_login_form(client, db) -> None:
    page = text_of(client.get(LOGIN, {"next": "/tai-khoan/nhat-ky/"}))
    assert 'name="next" value="/tai-khoan/nhat-ky/"' in page


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
    "http://testserver@evil.example/", "javascript:alert(1)", "evil.example", "/tai-khoan/dang-xuat/",
])
def test_open_redirect_in_next_is_ignored(client, actors, target) -> None:
    assert client.get(LOGIN, {"next": target}).context["next"] == ""
    response = post_login(client, "quantri", next_url=target)
    assert response.status_code == 302 and response["Location"] == "/"

"""Site-wide security: Argon2 hashes, CSRF on login and logout, security headers on every
page (HSTS only behind TLS), wrong methods, open redirects."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory, build_actors

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "dieuhanh" / "settings.py"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(units, settings):  # type: ignore[no-untyped-def]
    """The named actors, hashed cheaply (the Argon2 tests below create their own user)."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    return build_actors(units)


# --- passwords ----------------------------------------------------------------------------

def test_argon2_is_the_hasher_in_use(units) -> None:
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = UserFactory(username="argon", unit=units["le_binh"])
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_password_change_stores_an_argon2_hash(client, units) -> None:
    user = UserFactory(username="argon", unit=units["le_binh"])
    client.force_login(user)
    new = "Cai-Rang-Cho-Noi-2024"
    response = client.post(reverse("accounts:password_change"),
                           {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$") and user.check_password(new)


# --- CSRF ---------------------------------------------------------------------------------

def _csrf_token(client: Client, url: str) -> str:
    assert client.get(url).status_code == 200
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def test_login_requires_csrf(staff) -> None:
    client = Client(enforce_csrf_checks=True)
    login_url = reverse("accounts:login")
    data = {"username": "quantri", "password": PASSWORD}
    assert client.post(login_url, data).status_code == 403
    assert "_auth_user_id" not in client.session
    data["csrfmiddlewaretoken"] = _csrf_token(client, login_url)
    assert client.post(login_url, data).status_code == 302
    assert client.session["_auth_user_id"] == str(staff["admin"].pk)


def test_logout_requires_csrf(staff) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["ward_clerk"])
    logout_url = reverse("accounts:logout")
    assert client.post(logout_url).status_code == 403
    assert client.post(logout_url, {"csrfmiddlewaretoken": "x" * 32}).status_code == 403
    assert "_auth_user_id" in client.session
    token = _csrf_token(client, reverse("accounts:tokens"))
    assert client.post(logout_url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert "_auth_user_id" not in client.session


def test_other_posts_require_csrf_too(staff) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["admin"])
    for name in ("accounts:token_create", "accounts:password_change", "accounts:user_create"):
        assert client.post(reverse(name), {"name": "x"}).status_code == 403, name


@override_settings(CSRF_FAILURE_VIEW="dieuhanh.accounts.views.auth.csrf_failure")
def test_csrf_failure_page_is_vietnamese(db) -> None:
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ (CSRF)" in response.content.decode()
    _assert_headers(response)


# --- headers ------------------------------------------------------------------------------

PAGES_AS_ADMIN = ["accounts:password_change", "accounts:password_change_done", "accounts:audit",
                  "accounts:tokens", "accounts:users", "accounts:user_create"]


def _assert_headers(response) -> None:  # type: ignore[no-untyped-def]
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response


def test_security_headers_on_every_page(client, staff) -> None:
    responses = [client.get(reverse("accounts:login")), client.get("/khong-co-trang-nay/"),
                 client.get(reverse("accounts:audit"))]  # anonymous: page, 404, redirect
    client.force_login(staff["ward_clerk"])
    responses += [client.get(reverse("accounts:users")), client.get(reverse("accounts:logout"))]  # 403, 405
    client.force_login(staff["admin"])
    responses += [client.get(reverse(name)) for name in PAGES_AS_ADMIN]
    assert sorted({r.status_code for r in responses}) == [200, 302, 403, 404, 405]
    for response in responses:
        _assert_headers(response)


def test_no_inline_script_or_style_on_the_login_page(client, db) -> None:
    page = client.get(reverse("accounts:login")).content.decode()
    assert "<script>" not in page and "style=" not in page and "<style" not in page


@override_settings(BEHIND_TLS=True, SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
                   SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), SECURE_SSL_REDIRECT=True,
                   SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_hsts_behind_tls(client, db) -> None:
    response = client.get(reverse("accounts:login"), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.cookies[settings.CSRF_COOKIE_NAME]["secure"]
    plain = client.get(reverse("accounts:login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")


def test_no_hsts_without_tls_even_over_https(client, db) -> None:
    assert settings.BEHIND_TLS is False
    response = client.get(reverse("accounts:login"), secure=True)
    assert "Strict-Transport-Security" not in response


def test_settings_turn_on_hsts_and_secure_cookies_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SECRET_KEY", "test-only-key")
    monkeypatch.setenv("DIEUHANH_VAR", str(tmp_path))
    monkeypatch.setenv("BEHIND_TLS", "true")
    on = runpy.run_path(str(SETTINGS_FILE))
    assert on["SECURE_HSTS_SECONDS"] >= 31536000 and on["SESSION_COOKIE_SECURE"] and on["CSRF_COOKIE_SECURE"]
    assert on["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("BEHIND_TLS", "false")
    off = runpy.run_path(str(SETTINGS_FILE))
    assert off["SECURE_HSTS_SECONDS"] == 0 and not off["SESSION_COOKIE_SECURE"]


# --- methods and redirects ------------------------------------------------------------------

@pytest.mark.parametrize(("method", "name"), [
    ("put", "accounts:login"), ("get", "accounts:logout"), ("delete", "accounts:password_change"),
    ("post", "accounts:password_change_done"), ("post", "accounts:audit"), ("post", "accounts:tokens"),
    ("get", "accounts:token_create"), ("post", "accounts:users"), ("patch", "accounts:user_create"),
])
def test_wrong_methods_are_405(client, staff, method, name) -> None:
    client.force_login(staff["admin"])
    assert getattr(client, method)(reverse(name)).status_code == 405


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_open_redirect_after_login_is_ignored(client, staff, target) -> None:
    response = client.post(reverse("accounts:login"), {"username": "quantri", "password": PASSWORD, "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_english_browser_still_gets_vietnamese(client) -> None:
    """Accept-Language does not switch the UI; only the user's own choice of English does."""
    response = client.get("/tai-khoan/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/tai-khoan/dang-nhap/"})
    response = client.get("/tai-khoan/dang-nhap/", HTTP_ACCEPT_LANGUAGE="vi")
    assert 'lang="en"' in response.content.decode()

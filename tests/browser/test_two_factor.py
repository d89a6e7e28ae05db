"""A leader whose role requires two factors, in a real browser: the first login leads to the
enrolment page, the QR code is drawn by the server (no image from elsewhere), the app's code
turns it on, recovery codes are shown once; the next login asks for a code and lets the leader
in only with it.

Same chromium launch as ``test_intake_flow.py`` (Debian's ``/usr/bin/chromium`` through
Playwright against ``live_server``; skipped without it, failed under ``CI=true``). The code is
what an authenticator app would compute from the key printed on the page (RFC 6238, here).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import time_machine

from tests.accounts.test_twofactor import rfc6238
from tests.browser.test_intake_flow import _shot, browser, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leader(db: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TWO_FACTOR_REQUIRED_ROLES = ["quan_tri", "lanh_dao_ubnd"]
    from tests.factories import build_actors, build_tree

    return build_actors(build_tree())["district_leader"]


def _submit_login(page: Any, base: str, username: str, password: str) -> None:  # noqa: F811
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.stacked button[type=submit]")


def test_leader_enrols_and_logs_in_with_a_code(page: Any, live_server: Any, leader: Any) -> None:  # noqa: F811
    from dieuhanh.accounts.models import AuditLog
    from tests.factories import PASSWORD

    base = live_server.url
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    # 1. The password is right, but a leader must enrol first: every page leads to the enrolment.
    _submit_login(page, base, leader.username, PASSWORD)
    page.wait_for_url(re.compile(r"/xac-thuc-hai-buoc/cai-dat/$"))
    page.goto(f"{base}/nhiem-vu/")
    page.wait_for_url(re.compile(r"/xac-thuc-hai-buoc/cai-dat/$"))
    assert page.locator(".qr svg path").count() >= 1
    assert all(url.startswith(base) for url in requests), "the enrolment page loads nothing from elsewhere"
    assert page.csp_errors == []  # type: ignore[attr-defined]
    _shot(page, "xac-thuc-hai-buoc.png")
    secret = page.inner_text("#otp-secret")

    # 2. A wrong code is refused; the app's code turns two factors on and shows ten recovery codes.
    page.fill("input[name=code]", "000000" if rfc6238(secret) != "000000" else "111111")
    page.click("form.stacked button[type=submit]")
    assert "Mã không đúng" in page.inner_text("main")
    page.wait_for_timeout(1100)  # django-otp waits a second after a wrong code
    page.fill("input[name=code]", rfc6238(secret))
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("ul.recovery-codes")
    assert page.locator("ul.recovery-codes li").count() == 10
    page.click("a.btn:has-text('Tôi đã cất các mã')")
    page.wait_for_url(f"{base}/")
    page.click("header button:has-text('Đăng xuất')")
    page.wait_for_url(re.compile(r"/dang-nhap/$"))

    # 3. The next login stops at the code; only the app's next code lets the leader in.
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(seconds=35), tick=True):
        _submit_login(page, base, leader.username, PASSWORD)
        page.wait_for_url(re.compile(r"/dang-nhap/xac-thuc/$"))
        page.goto(f"{base}/nhiem-vu/")
        page.wait_for_url(re.compile(r"/dang-nhap/\?next="))  # not logged in on the password alone
        _submit_login(page, base, leader.username, PASSWORD)
        page.wait_for_url(re.compile(r"/dang-nhap/xac-thuc/$"))
        page.fill("input[name=code]", rfc6238(secret))
        page.click("form.stacked button[type=submit]")
        page.wait_for_url(f"{base}/")
        assert leader.get_full_name() in page.inner_text("header")
    notes = list(AuditLog.objects.filter(actor=leader).values_list("note", flat=True))
    assert "Bật xác thực hai bước" in notes and "Xác thực hai bước" in notes

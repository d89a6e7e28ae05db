"""Two-factor authentication: enrolment with a server-drawn QR code, the login's second step,
recovery codes, enforcement by role, an administrator's reset; the API's tokens unaffected."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dieuhanh.accounts import twofactor
from dieuhanh.accounts.models import ApiToken, AuditAction
from tests.accounts.helpers import audit_rows, post_login, text_of
from tests.factories import PASSWORD

STATUS = "/tai-khoan/xac-thuc-hai-buoc/"
ENROL = "/tai-khoan/xac-thuc-hai-buoc/cai-dat/"
CODES = "/tai-khoan/xac-thuc-hai-buoc/ma-du-phong/"
DISABLE = "/tai-khoan/xac-thuc-hai-buoc/tat/"
VERIFY = "/tai-khoan/dang-nhap/xac-thuc/"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


def rfc6238(secret_b32: str, at: datetime | None = None) -> str:
    """What an authenticator app shows for the secret printed on the enrolment page (RFC 6238,
    computed here, not by django-otp)."""
    key = base64.b32decode(secret_b32.replace(" ", ""))
    counter = int((at or datetime.now(timezone.utc)).timestamp()) // 30
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def code_for(device: TOTPDevice, at: datetime | None = None) -> str:
    return rfc6238(twofactor.secret_text(device), at)


def enrol(client: Client, user) -> tuple[TOTPDevice, list[str]]:  # type: ignore[no-untyped-def]
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": code_for(device)})
    assert response.status_code == 200, text_of(response)[:300]
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", text_of(response))
    device.refresh_from_db()
    return device, codes


def test_urls() -> None:
    assert reverse("accounts:twofactor") == STATUS and reverse("accounts:twofactor_enrol") == ENROL
    assert reverse("accounts:login_verify") == VERIFY


def test_enrolment_page_draws_the_qr_code_itself(login, actors) -> None:
    client = login(actors["district_leader"])
    page = text_of(client.get(ENROL))
    assert "<svg" in page and "<path" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0]\
        .replace("http://www.w3.org/2000/svg", "")
    device = TOTPDevice.objects.get(user=actors["district_leader"])
    assert not device.confirmed and twofactor.secret_text(device).replace(" ", "") in page.replace(" ", "")
    # The same unconfirmed device on every visit: the code scanned first stays valid.
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=actors["district_leader"]).count() == 1


def test_enrolment_confirms_with_a_code_and_shows_ten_recovery_codes_once(login, actors) -> None:
    user = actors["district_leader"]
    client = login(user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    wrong = client.post(ENROL, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert "Mã không đúng" in text_of(wrong) and not TOTPDevice.objects.get(pk=device.pk).confirmed
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(seconds=5), tick=False):
        device, codes = enrol(client, user)  # a second later (django-otp waits 1 s after a wrong code)
    assert device.confirmed and len(codes) == 10 and len(set(codes)) == 10
    assert twofactor.recovery_left(user) == 10
    [row] = audit_rows(AuditAction.STATE, note="Bật xác thực hai bước")
    assert row.actor == user and row.after == {"two_factor": True}
    assert "Còn 10 mã dự phòng" in text_of(client.get(STATUS))
    assert not any(code in text_of(client.get(STATUS)) for code in codes)


def test_login_asks_for_the_code_and_only_then_logs_in(client, actors) -> None:
    user = actors["district_leader"]
    client.force_login(user)
    device, _codes = enrol(client, user)
    client.post(reverse("accounts:logout"))
    response = post_login(client, user.username, next_url="/nhiem-vu/")
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert "_auth_user_id" not in client.session  # the password alone logs nobody in
    assert client.get("/nhiem-vu/")["Location"].startswith("/tai-khoan/dang-nhap/")
    assert "Mã xác thực không đúng" in text_of(client.post(VERIFY, {"code": "123456"}))
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(seconds=40), tick=False):
        # The next 30-second code (the one used to enrol cannot be used again).
        response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/nhiem-vu/"
    assert client.session["_auth_user_id"] == str(user.pk)
    logins = audit_rows(AuditAction.LOGIN)
    assert logins[-1].note == "Xác thực hai bước"
    assert audit_rows(AuditAction.LOGIN_FAILED)[-1].note == "Sai mã xác thực hai bước"


def test_a_code_is_accepted_once(client, actors) -> None:
    user = actors["district_leader"]
    client.force_login(user)
    device, _codes = enrol(client, user)
    client.post(reverse("accounts:logout"))
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(minutes=2), tick=False):
        code = code_for(device)  # a later time step than the code used to enrol
        post_login(client, user.username)
        assert client.post(VERIFY, {"code": code}).status_code == 302
        client.post(reverse("accounts:logout"))
        post_login(client, user.username)
        assert "Mã xác thực không đúng" in text_of(client.post(VERIFY, {"code": code}))


def test_wrong_codes_back_off(client, actors) -> None:
    user = actors["district_leader"]
    client.force_login(user)
    enrol(client, user)
    client.post(reverse("accounts:logout"))
    with time_machine.travel(T0, tick=False):
        post_login(client, user.username)
        client.post(VERIFY, {"code": "000001"})
        client.post(VERIFY, {"code": "000002"})
        assert "Vui lòng chờ" in text_of(client.post(VERIFY, {"code": "000003"}))


def test_a_recovery_code_works_once(client, actors) -> None:
    user = actors["district_leader"]
    client.force_login(user)
    _device, codes = enrol(client, user)
    client.post(reverse("accounts:logout"))
    post_login(client, user.username)
    assert client.post(VERIFY, {"code": codes[0].upper().replace("-", " ")}).status_code == 302
    assert audit_rows(AuditAction.LOGIN)[-1].note == "Đăng nhập bằng mã dự phòng"
    assert twofactor.recovery_left(user) == 9
    client.post(reverse("accounts:logout"))
    post_login(client, user.username)
    assert "Mã xác thực không đúng" in text_of(client.post(VERIFY, {"code": codes[0]}))


def test_the_pending_step_expires(client, actors) -> None:
    user = actors["district_leader"]
    client.force_login(user)
    device, _codes = enrol(client, user)
    client.post(reverse("accounts:logout"))
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(minutes=1), tick=False) as clock:
        post_login(client, user.username)
        clock.shift(timedelta(minutes=6))
        response = client.post(VERIFY, {"code": code_for(device)})
        assert response.status_code == 302 and response["Location"] == "/tai-khoan/dang-nhap/"
        assert "_auth_user_id" not in client.session


def test_verify_page_without_a_pending_login(client, actors) -> None:
    assert client.get(VERIFY)["Location"] == "/tai-khoan/dang-nhap/"
    client.force_login(actors["ward_clerk"])
    assert client.get(VERIFY)["Location"] == "/"
    assert client.put(VERIFY).status_code == 405


def test_required_roles_are_kept_on_the_enrolment_page(client, actors, settings) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["quan_tri", "lanh_dao_ubnd"]
    leader = actors["district_leader"]
    assert post_login(client, leader.username).status_code == 302
    for path in ("/", "/nhiem-vu/", "/tai-khoan/ma-api/"):
        assert client.get(path)["Location"] == ENROL
    assert client.get("/api/documents").status_code == 403
    assert client.get(ENROL, headers={"HX-Request": "true"}).status_code == 200
    assert client.get("/nhiem-vu/", headers={"HX-Request": "true"})["HX-Redirect"] == ENROL
    enrol(client, leader)
    assert client.get("/").status_code == 200
    # A clerk's role is not in the list: never asked.
    other = Client()
    assert post_login(other, "vanthu.lebinh").status_code == 302 and other.get("/").status_code == 200
    # The bearer token of a leader who has not enrolled still works: tokens are not sessions.
    _token, plain = ApiToken.issue(actors["ward_chairman"], "script")
    assert Client().get("/api/documents", headers={"Authorization": f"Bearer {plain}"}).status_code == 200


def test_required_users_cannot_turn_it_off_others_can(login, actors, settings) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["quan_tri"]
    admin = login(actors["admin"])
    enrol(admin, actors["admin"])
    assert admin.post(DISABLE, {"password": PASSWORD}).status_code == 403
    assert twofactor.has_device(actors["admin"])
    clerk = Client()
    clerk.force_login(actors["ward_clerk"])
    enrol(clerk, actors["ward_clerk"])
    assert "Mật khẩu hiện tại không đúng" in text_of(clerk.post(DISABLE, {"password": "sai"}))
    assert clerk.post(DISABLE, {"password": PASSWORD})["Location"] == STATUS
    assert not twofactor.has_device(actors["ward_clerk"])
    assert audit_rows(AuditAction.STATE, note="Tắt xác thực hai bước")[0].actor == actors["ward_clerk"]


def test_new_recovery_codes_replace_the_old(login, actors) -> None:
    user = actors["ward_chairman"]
    client = login(user)
    _device, old = enrol(client, user)
    response = client.post(CODES)
    new = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", text_of(response))
    assert len(new) == 10 and not set(new) & set(old)
    assert twofactor.check_code(user, new[0]) is not None and twofactor.check_code(user, old[0]) is None
    assert audit_rows(AuditAction.UPDATE, note="Tạo lại mã dự phòng")


def test_pages_need_a_login_and_the_right_method(client, actors) -> None:
    for path in (STATUS, ENROL):
        assert client.get(path)["Location"].startswith("/tai-khoan/dang-nhap/?next=")
    for path in (CODES, DISABLE):
        assert client.post(path)["Location"].startswith("/tai-khoan/dang-nhap/?next=")
    client.force_login(actors["ward_clerk"])
    assert client.post(STATUS).status_code == 405 and client.get(CODES).status_code == 405
    assert client.get(DISABLE).status_code == 405 and client.put(ENROL).status_code == 405
    # Without an enrolled app there are no codes to make.
    assert client.post(CODES)["Location"] == STATUS


def test_a_user_only_ever_sees_their_own_device(login, actors) -> None:
    leader = login(actors["district_leader"])
    leader.get(ENROL)
    secret = twofactor.secret_text(TOTPDevice.objects.get(user=actors["district_leader"])).replace(" ", "")
    other = Client()
    other.force_login(actors["outsider"])
    assert secret not in text_of(other.get(ENROL)).replace(" ", "")


@pytest.mark.parametrize("code", ["", "   ", "abc", "1" * 30])
def test_odd_codes_are_refused_calmly(client, actors, code) -> None:
    user = actors["district_leader"]
    client.force_login(user)
    enrol(client, user)
    client.post(reverse("accounts:logout"))
    post_login(client, user.username)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200 and "_auth_user_id" not in client.session

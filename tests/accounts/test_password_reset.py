"""Password reset by e-mail: one answer for every address, a Vietnamese mail with a link that
works once and expires, the new password checked, lockouts released, all audited."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import time_machine
from django.core import mail
from django.urls import reverse

from dieuhanh.accounts import lockout
from dieuhanh.accounts.models import AuditAction, User
from tests.accounts.helpers import audit_rows, post_login, text_of

REQUEST = "/tai-khoan/quen-mat-khau/"
NEW = "Phuong-Le-Binh-Moi-2026"
SENT = "thư có liên kết đặt lại mật khẩu sẽ đến trong vài phút"


def with_email(user: User, email: str = "vanthu.lebinh@cantho.gov.vn") -> User:
    user.email = email
    user.save(update_fields=["email"])
    return user


def link_in(message) -> str:  # type: ignore[no-untyped-def]
    [link] = re.findall(r"https?://\S+/tai-khoan/dat-lai-mat-khau/\S+/", message.body)
    return link.split("testserver", 1)[1]


def test_urls() -> None:
    assert reverse("accounts:password_reset") == REQUEST
    assert reverse("accounts:password_reset_confirm", args=["MQ", "abc"]) == "/tai-khoan/dat-lai-mat-khau/MQ/abc/"


def test_login_page_links_to_the_reset(client, db) -> None:
    assert REQUEST in text_of(client.get("/tai-khoan/dang-nhap/"))


def test_the_whole_reset(client, actors, settings) -> None:
    user = with_email(actors["ward_clerk"])
    settings.SITE_URL = ""
    response = client.post(REQUEST, {"email": "VanThu.LeBinh@CanTho.gov.vn"})
    assert response.status_code == 200 and SENT in text_of(response)
    [message] = mail.outbox
    assert message.to == [user.email] and message.subject == "Đặt lại mật khẩu tài khoản Điều hành"
    assert "vanthu.lebinh" in message.body and "hết hạn sau 60 phút" in message.body
    assert message.alternatives and "<a href=" in message.alternatives[0][0]
    link = link_in(message)
    # The token moves to the session; the page itself is at an address without it.
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].endswith("/dat-mat-khau/")
    page = client.get(response["Location"])
    assert "Đặt mật khẩu mới" in text_of(page)
    weak = client.post(response["Location"], {"new_password1": "12345678", "new_password2": "12345678"})
    assert "Mật khẩu quá ngắn" in text_of(weak)
    done = client.post(response["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/tai-khoan/dang-nhap/"
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.must_change_password
    # Used once: the same link no longer works.
    assert "Liên kết không còn hiệu lực" in text_of(client.get(link))
    assert post_login(client, user.username, NEW).status_code == 302
    notes = [r.note for r in audit_rows(object_id=str(user.pk))]
    assert "Gửi thư đặt lại mật khẩu" in notes and "Đặt lại mật khẩu qua thư" in notes


def test_unknown_and_inactive_addresses_get_the_same_answer_and_no_mail(client, actors) -> None:
    with_email(actors["outsider"], "da.nghi@cantho.gov.vn")
    User.objects.filter(pk=actors["outsider"].pk).update(is_active=False)
    known = text_of(client.post(REQUEST, {"email": "khong.co@cantho.gov.vn"}))
    inactive = text_of(client.post(REQUEST, {"email": "da.nghi@cantho.gov.vn"}))
    assert SENT in known and SENT in inactive
    assert mail.outbox == [] and not audit_rows()


def test_the_link_expires(client, actors, settings) -> None:
    settings.PASSWORD_RESET_TIMEOUT = 3600
    with_email(actors["ward_clerk"])
    start = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False) as clock:
        client.post(REQUEST, {"email": "vanthu.lebinh@cantho.gov.vn"})
        link = link_in(mail.outbox[0])
        clock.shift(timedelta(minutes=61))
        assert "Liên kết không còn hiệu lực" in text_of(client.get(link))


def test_a_login_in_between_kills_the_link(client, actors) -> None:
    user = with_email(actors["ward_clerk"])
    client.post(REQUEST, {"email": user.email})
    link = link_in(mail.outbox[0])
    assert post_login(client, user.username).status_code == 302
    assert "Liên kết không còn hiệu lực" in text_of(client.get(link))


def test_at_most_one_mail_per_account_every_few_minutes(client, actors) -> None:
    with_email(actors["ward_clerk"])
    for _ in range(5):
        client.post(REQUEST, {"email": "vanthu.lebinh@cantho.gov.vn"})
    assert len(mail.outbox) == 1


def test_forged_or_broken_links(client, actors) -> None:
    for uid, token in (("MQ", "bad-token"), ("!!!", "x"), ("OTk5OTk5", "abc-def"), ("MQ", "dat-mat-khau")):
        response = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]))
        assert response.status_code == 200 and "Liên kết không còn hiệu lực" in text_of(response)
        post = client.post(reverse("accounts:password_reset_confirm", args=[uid, token]),
                           {"new_password1": NEW, "new_password2": NEW})
        assert "Liên kết không còn hiệu lực" in text_of(post)


def test_a_reset_releases_lockouts(client, actors, settings) -> None:
    user = with_email(actors["ward_clerk"])
    for n in range(settings.LOGIN_MAX_FAILURES):
        post_login(client, user.username, f"sai-{n}")
    assert lockout.check(user.username, "10.0.0.7") is not None
    client.post(REQUEST, {"email": user.email})
    location = client.get(link_in(mail.outbox[0]))["Location"]
    client.post(location, {"new_password1": NEW, "new_password2": NEW})
    assert lockout.check(user.username, "10.0.0.7") is None


def test_a_failing_mail_server_is_not_a_500(client, actors, settings) -> None:
    with_email(actors["ward_clerk"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    response = client.post(REQUEST, {"email": "vanthu.lebinh@cantho.gov.vn"})
    assert response.status_code == 200 and SENT in text_of(response)
    assert not audit_rows(AuditAction.STATE)


def test_methods_and_bad_input(client, db) -> None:
    assert client.put(REQUEST).status_code == 405
    assert "Địa chỉ thư điện tử không hợp lệ." in text_of(client.post(REQUEST, {"email": "khong-phai-thu"}))
    assert "Hãy nhập địa chỉ thư điện tử." in text_of(client.post(REQUEST, {"email": ""}))
    assert client.delete(reverse("accounts:password_reset_confirm", args=["MQ", "x"])).status_code == 405


def test_logged_in_users_may_use_it_too(login, actors) -> None:
    assert login(actors["ward_clerk"]).get(REQUEST).status_code == 200

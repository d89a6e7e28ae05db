"""Password change: the flow, Django's validators in Vietnamese, the audit row."""

from __future__ import annotations

from django.urls import reverse

from dieuhanh.accounts.models import AuditAction
from tests.accounts.helpers import audit_rows, post_login, text_of
from tests.accounts.matrix import assert_matrix
from tests.factories import PASSWORD

URL = "/tai-khoan/doi-mat-khau/"
NEW = "Song-Hau-mua-nuoc-2024"


def change(client, old=PASSWORD, new1=NEW, new2=NEW):  # type: ignore[no-untyped-def]
    return client.post(URL, {"old_password": old, "new_password1": new1, "new_password2": new2})


def test_url() -> None:
    assert reverse("accounts:password_change") == URL


def test_every_logged_in_user_may_open_it(client, actors) -> None:
    assert_matrix(client, actors, URL, allowed=set(actors))


def test_anonymous_goes_to_login(client, db) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/?next=")


def test_change_password_flow(client, actors) -> None:
    user = actors["district_specialist"]
    post_login(client, user.username)
    page = text_of(client.get(URL))
    assert "Mật khẩu hiện tại" in page and "Nhập lại mật khẩu mới" in page
    response = change(client)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change_done")
    assert "Đã đổi mật khẩu" in text_of(client.get(response["Location"]))
    # still logged in on this session, and the new password works next time
    assert client.get(URL).status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    [row] = audit_rows(AuditAction.UPDATE, object_type="accounts.user")
    assert row.actor == user and row.object_id == str(user.pk) and row.note == "Đổi mật khẩu"
    assert NEW not in str(row.after) and "password" not in (row.before or {})
    client.post(reverse("accounts:logout"))
    assert post_login(client, user.username, NEW).status_code == 302


def test_wrong_current_password(login, actors) -> None:
    client = login(actors["ward_clerk"])
    page = text_of(change(client, old="khong-dung"))
    assert "Mật khẩu hiện tại không đúng." in page
    assert not audit_rows(AuditAction.UPDATE)


def test_mismatch_and_validators_speak_vietnamese(login, actors) -> None:
    client = login(actors["ward_clerk"])
    assert "Hai lần nhập mật khẩu mới không khớp nhau." in text_of(change(client, new2=NEW + "x"))
    page = text_of(change(client, new1="1234", new2="1234"))
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in page and "Mật khẩu không được chỉ gồm chữ số." in page
    assert "quá phổ biến" in text_of(change(client, new1="password123", new2="password123"))
    assert "Mật khẩu quá giống tên đăng nhập." in text_of(change(client, new1="vanthu.lebinh1", new2="vanthu.lebinh1"))
    assert "phải khác mật khẩu hiện tại" in text_of(change(client, new1=PASSWORD, new2=PASSWORD))
    actors["ward_clerk"].refresh_from_db()
    assert actors["ward_clerk"].check_password(PASSWORD)
    assert not audit_rows(AuditAction.UPDATE)


def test_done_page_and_methods(login, actors) -> None:
    client = login(actors["admin"])
    assert client.get(reverse("accounts:password_change_done")).status_code == 200
    assert client.post(reverse("accounts:password_change_done")).status_code == 405
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405

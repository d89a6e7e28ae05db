"""An administrator's page for one account: role and unit changes, deactivation (sessions and
tokens stop at once), a temporary password that must be changed, a reset link, 2FA reset,
login unlock — each audited with before/after; nobody else may open or post any of it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from dieuhanh.accounts import lockout, twofactor
from dieuhanh.accounts.models import ApiToken, AuditAction, Role, User
from tests.accounts.helpers import audit_rows, post_login, text_of
from tests.accounts.matrix import assert_matrix


def detail(user: User) -> str:
    return reverse("accounts:user_detail", args=[user.pk])


def edit_form(user: User, **changes):  # type: ignore[no-untyped-def]
    data = {"full_name": user.get_full_name(), "email": user.email, "phone": user.phone,
            "unit": user.unit_id or "", "role": user.role, "position": user.position}
    data.update(changes)
    return data


ACTIONS = ("user_deactivate", "user_activate", "user_password", "user_twofactor_reset", "user_unlock")


def test_urls(actors) -> None:
    pk = actors["ward_clerk"].pk
    assert detail(actors["ward_clerk"]) == f"/tai-khoan/nguoi-dung/{pk}/"
    assert reverse("accounts:user_deactivate", args=[pk]) == f"/tai-khoan/nguoi-dung/{pk}/khoa/"


def test_only_administrators(client, actors) -> None:
    target = actors["ward_clerk"]
    assert_matrix(client, actors, detail(target), allowed={"admin"})
    others = {k: v for k, v in actors.items() if k != "admin"}
    assert_matrix(client, others, detail(target), allowed=set(), method="post",
                  data=edit_form(target, role=Role.QUAN_TRI))
    for name in ACTIONS:
        assert_matrix(client, others, reverse(f"accounts:{name}", args=[target.pk]), allowed=set(), method="post",
                      data={})
    target.refresh_from_db()
    assert target.role == Role.VAN_THU and target.is_active and not audit_rows()


def test_anonymous_and_wrong_methods_and_unknown_users(client, actors) -> None:
    target = actors["ward_clerk"]
    assert client.get(detail(target))["Location"].startswith("/tai-khoan/dang-nhap/?next=")
    for name in ACTIONS:
        assert client.post(reverse(f"accounts:{name}", args=[target.pk]))["Location"].startswith(
            "/tai-khoan/dang-nhap/")
    client.force_login(actors["admin"])
    assert client.put(detail(target)).status_code == 405
    for name in ACTIONS:
        assert client.get(reverse(f"accounts:{name}", args=[target.pk])).status_code == 405
        assert client.post(reverse(f"accounts:{name}", args=[999999])).status_code == 404
    assert client.get(reverse("accounts:user_detail", args=[999999])).status_code == 404


def test_page_shows_the_account(login, actors) -> None:
    page = text_of(login(actors["admin"]).get(detail(actors["ward_chairman"])))
    assert "ct.lebinh" in page and "Ủy ban nhân dân phường Lê Bình (p_le_binh)" in page
    assert "Khóa tài khoản" in page and "Đặt mật khẩu tạm thời" in page


def test_list_links_to_each_account(login, actors) -> None:
    assert detail(actors["ward_clerk"]) in text_of(login(actors["admin"]).get(reverse("accounts:users")))


def test_role_change_is_audited_with_before_and_after(login, actors) -> None:
    client, target = login(actors["admin"]), actors["ward_clerk"]
    response = client.post(detail(target), edit_form(target, role=Role.CHUYEN_VIEN))
    assert response.status_code == 302 and response["Location"] == detail(target)
    target.refresh_from_db()
    assert target.role == Role.CHUYEN_VIEN
    [row] = audit_rows(AuditAction.UPDATE)
    assert row.note == "Đổi vai trò" and row.actor == actors["admin"]
    assert row.before == {"role": "van_thu"} and row.after == {"role": "chuyen_vien"}
    # Posting the same again changes nothing and writes nothing.
    client.post(detail(target), edit_form(target))
    assert len(audit_rows(AuditAction.UPDATE)) == 1


def test_unit_change_moves_the_users_scope(login, units, actors) -> None:
    client, target = login(actors["admin"]), actors["ward_clerk"]
    client.post(detail(target), edit_form(target, unit=units["ba_lang"].pk, email="vt@balang.gov.vn"))
    target.refresh_from_db()
    assert target.unit == units["ba_lang"] and target.email == "vt@balang.gov.vn"
    [row] = audit_rows(AuditAction.UPDATE)
    assert row.before == {"unit": units["le_binh"].pk, "email": ""}
    assert row.after == {"unit": units["ba_lang"].pk, "email": "vt@balang.gov.vn"}
    assert row.note == "Cập nhật tài khoản"


def test_edit_errors_are_vietnamese(login, actors) -> None:
    client, target = login(actors["admin"]), actors["ward_clerk"]
    assert "Người dùng (trừ quản trị) phải thuộc một đơn vị." in text_of(client.post(detail(target), edit_form(target, unit="")))
    assert "Vai trò không hợp lệ." in text_of(client.post(detail(target), edit_form(target, role="chu_tich")))
    assert "Địa chỉ thư điện tử không hợp lệ." in text_of(client.post(detail(target), edit_form(target, email="x@")))
    assert not audit_rows()


def test_an_administrator_cannot_demote_or_lock_themselves(login, actors) -> None:
    admin = actors["admin"]
    client = login(admin)
    page = text_of(client.post(detail(admin), edit_form(admin, role=Role.CHUYEN_VIEN)))
    assert "Bạn không thể tự bỏ vai trò quản trị của mình." in page
    admin.refresh_from_db()
    assert admin.role == Role.QUAN_TRI
    response = client.post(reverse("accounts:user_deactivate", args=[admin.pk]))
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.is_active
    assert "Bạn không thể tự khóa tài khoản của mình." in text_of(client.get(detail(admin)))


def test_deactivation_ends_sessions_and_tokens_at_once(login, actors) -> None:
    target = actors["ward_chairman"]
    session = Client()
    session.force_login(target)
    assert session.get("/").status_code == 200
    _token, plain = ApiToken.issue(target, "máy chủ báo cáo")
    bearer = {"Authorization": f"Bearer {plain}"}
    assert Client().get("/api/documents", headers=bearer).status_code == 200
    admin = login(actors["admin"])
    response = admin.post(reverse("accounts:user_deactivate", args=[target.pk]))
    assert response.status_code == 302
    assert session.get("/")["Location"].startswith("/tai-khoan/dang-nhap/")
    assert Client().get("/api/documents", headers=bearer).status_code == 401
    assert post_login(Client(), target.username).status_code == 200  # cannot log in again
    [row] = audit_rows(AuditAction.STATE, note="Khóa tài khoản")
    assert row.before == {"is_active": True} and row.after["is_active"] is False
    assert len(row.after["api_tokens_revoked"]) == 1
    assert "Đã khóa tài khoản “ct.lebinh”; thu hồi 1 mã API." in text_of(admin.get(detail(target)))
    # Reactivated: the person logs in again; the revoked token stays revoked.
    admin.post(reverse("accounts:user_activate", args=[target.pk]))
    assert post_login(Client(), target.username).status_code == 302
    assert Client().get("/api/documents", headers=bearer).status_code == 401
    assert audit_rows(AuditAction.STATE, note="Mở lại tài khoản")[0].after == {"is_active": True}


def test_temporary_password_is_shown_once_and_must_be_changed(login, actors) -> None:
    target = actors["ward_clerk"]
    old_session = Client()
    old_session.force_login(target)
    admin = login(actors["admin"])
    response = admin.post(reverse("accounts:user_password", args=[target.pk]), {"cach": "tam-thoi"})
    assert response.status_code == 200
    password = response.context["temporary_password"]
    assert password in text_of(response) and password not in text_of(admin.get(detail(target)))
    # The user's old session ended (sessions are tied to the password).
    assert old_session.get("/")["Location"].startswith("/tai-khoan/dang-nhap/")
    client = Client()
    assert post_login(client, target.username, password).status_code == 302
    for path in ("/", "/nhiem-vu/", "/api/documents"):
        response = client.get(path)
        assert response.status_code == 403 if path.startswith("/api/") else \
            response["Location"] == "/tai-khoan/doi-mat-khau/"
    page = text_of(client.get("/tai-khoan/doi-mat-khau/"))
    assert "Bạn đang dùng mật khẩu tạm thời" in page
    new = "Phuong-Le-Binh-Moi-2026"
    client.post("/tai-khoan/doi-mat-khau/", {"old_password": password, "new_password1": new, "new_password2": new})
    assert client.get("/").status_code == 200
    notes = [r.note for r in audit_rows(AuditAction.UPDATE)]
    assert notes == ["Quản trị đặt mật khẩu tạm thời", "Đổi mật khẩu tạm thời"]
    assert password not in str([r.after for r in audit_rows()])


def test_reset_link_by_mail_or_a_clear_refusal(login, actors) -> None:
    admin, target = login(actors["admin"]), actors["ward_clerk"]
    url = reverse("accounts:user_password", args=[target.pk])
    admin.post(url, {"cach": "thu"})
    assert "chưa có địa chỉ thư điện tử" in text_of(admin.get(detail(target))) and not mail.outbox
    target.email = "vanthu.lebinh@cantho.gov.vn"
    target.save()
    admin.post(url, {"cach": "thu"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [target.email]
    [row] = audit_rows(AuditAction.STATE, note="Gửi thư đặt lại mật khẩu")
    assert row.actor == actors["admin"]


def test_two_factor_reset(login, actors) -> None:
    target = actors["district_leader"]
    device = twofactor.enrolment_device(target)
    device.confirmed = True
    device.save()
    twofactor.new_recovery_codes(target)
    admin = login(actors["admin"])
    assert "Hủy xác thực hai bước" in text_of(admin.get(detail(target)))
    admin.post(reverse("accounts:user_twofactor_reset", args=[target.pk]))
    assert not twofactor.has_device(target) and twofactor.recovery_left(target) == 0
    [row] = audit_rows(AuditAction.STATE, note="Hủy xác thực hai bước")
    assert row.before == {"two_factor": True} and row.after == {"two_factor": False}
    admin.post(reverse("accounts:user_twofactor_reset", args=[target.pk]))  # nothing left: no row
    assert len(audit_rows(AuditAction.STATE, note="Hủy xác thực hai bước")) == 1


def test_unlock(login, actors, settings) -> None:
    target = actors["ward_clerk"]
    for n in range(settings.LOGIN_MAX_FAILURES):
        post_login(Client(), target.username, f"sai-{n}")
    admin = login(actors["admin"])
    assert "Không có khóa đăng nhập nào" not in text_of(admin.get(detail(target)))
    admin.post(reverse("accounts:user_unlock", args=[target.pk]))
    assert lockout.check(target.username, "10.0.0.7") is None
    assert post_login(Client(), target.username).status_code == 302
    assert audit_rows(AuditAction.STATE, note="Mở khóa đăng nhập")[0].after == {"locks_ended": 1}


def test_created_users_change_their_first_password(login, units, actors) -> None:
    admin = login(actors["admin"])
    admin.post(reverse("accounts:user_create"), {
        "username": "cv.moi", "full_name": "Trần Thị Bích Ngọc", "unit": units["le_binh"].pk,
        "role": Role.CHUYEN_VIEN, "position": "", "email": "cv.moi@cantho.gov.vn", "password": "Phuong-Le-Binh-2025"})
    user = User.objects.get(username="cv.moi")
    assert user.must_change_password and user.email == "cv.moi@cantho.gov.vn"


@pytest.mark.parametrize("pk", ["0", "abc"])
def test_odd_ids_are_404(login, actors, pk) -> None:
    response = login(actors["admin"]).get(f"/tai-khoan/nguoi-dung/{pk}/")
    assert response.status_code == 404


def test_detail_query_count_is_flat(login, actors, django_assert_max_num_queries) -> None:
    client = login(actors["admin"])
    target = actors["ward_clerk"]
    for n in range(30):
        ApiToken.issue(target, f"t{n}")
    with django_assert_max_num_queries(14):
        assert client.get(detail(target)).status_code == 200

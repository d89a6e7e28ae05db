"""Administrators list users and create them; both pages are closed to everyone else."""

from __future__ import annotations

from django.urls import reverse

from dieuhanh.accounts.models import AuditAction, Role, User
from tests.accounts.helpers import audit_rows, post_login, text_of
from tests.accounts.matrix import assert_matrix

LIST = "/tai-khoan/nguoi-dung/"
CREATE = "/tai-khoan/nguoi-dung/tao/"
GOOD_PASSWORD = "Phuong-Le-Binh-2025"


def form(units, **changes):  # type: ignore[no-untyped-def]
    data = {"username": "cv.lebinh", "full_name": "  Trần Thị   Bích Ngọc ", "unit": units["le_binh"].pk,
            "role": Role.CHUYEN_VIEN, "position": "Chuyên viên văn phòng", "password": GOOD_PASSWORD}
    data.update(changes)
    return data


def test_urls() -> None:
    assert reverse("accounts:users") == LIST and reverse("accounts:user_create") == CREATE


def test_only_admins(client, actors) -> None:
    assert_matrix(client, actors, LIST, allowed={"admin"})
    assert_matrix(client, actors, CREATE, allowed={"admin"})


def test_denied_post_creates_nothing(client, units, actors) -> None:
    others = {k: v for k, v in actors.items() if k != "admin"}
    assert_matrix(client, others, CREATE, allowed=set(), method="post", data=form(units))
    assert not User.objects.filter(username="cv.lebinh").exists()


def test_anonymous_goes_to_login(client, db) -> None:
    for url in (LIST, CREATE):
        assert client.get(url)["Location"].startswith("/tai-khoan/dang-nhap/?next=")


def test_list_shows_unit_and_role_and_searches(login, actors) -> None:
    client = login(actors["admin"])
    page = text_of(client.get(LIST))
    assert "vanthu.lebinh" in page and "Ủy ban nhân dân phường Lê Bình" in page and "Lãnh đạo UBND" in page
    page = text_of(client.get(LIST, {"q": "Ba Láng"}))
    assert "vanthu.balang" in page and "vanthu.lebinh" not in page


def test_list_query_count_is_flat(login, units, actors, django_assert_max_num_queries) -> None:
    client = login(actors["admin"])
    for n in range(30):
        User.objects.create(username=f"u{n}", unit=units["tan_an"], role=Role.VAN_THU)
    with django_assert_max_num_queries(6):
        assert client.get(LIST).status_code == 200


def test_create_user_is_audited_and_can_log_in(client, units, actors) -> None:
    client.force_login(actors["admin"])
    page = text_of(client.get(CREATE))
    assert "Mật khẩu ban đầu" in page and "Ủy ban nhân dân phường Lê Bình (p_le_binh)" in page
    response = client.post(CREATE, form(units))
    assert response.status_code == 302 and response["Location"] == LIST
    user = User.objects.get(username="cv.lebinh")
    assert (user.first_name, user.last_name, user.get_full_name()) == ("Trần", "Thị Bích Ngọc", "Trần Thị Bích Ngọc")
    assert user.unit == units["le_binh"] and user.role == Role.CHUYEN_VIEN and user.check_password(GOOD_PASSWORD)
    [row] = audit_rows(AuditAction.CREATE, object_type="accounts.user")
    assert row.actor == actors["admin"] and row.object_id == str(user.pk) and row.unit_id == units["le_binh"].pk
    assert row.after["username"] == "cv.lebinh" and row.after["role"] == "chuyen_vien"
    assert "password" not in row.after and GOOD_PASSWORD not in str(row.after)
    assert "Đã tạo tài khoản “cv.lebinh”." in text_of(client.get(LIST))
    client.logout()
    assert post_login(client, "cv.lebinh", GOOD_PASSWORD).status_code == 302


def test_create_user_errors_are_vietnamese_and_write_nothing(login, units, actors) -> None:
    client = login(actors["admin"])
    cases = [
        (form(units, username="VanThu.LeBinh"), "Đã có người dùng với tên đăng nhập này."),
        (form(units, username="có dấu cách"), "Tên đăng nhập chỉ gồm chữ, số"),
        (form(units, unit=999999), "Đơn vị đã chọn không tồn tại."),
        (form(units, role="chu_tich"), "Vai trò không hợp lệ."),
        (form(units, password="12345678"), "Mật khẩu quá ngắn"),
        (form(units, username="", full_name=""), "Trường này bắt buộc."),
    ]
    for data, message in cases:
        response = client.post(CREATE, data)
        assert response.status_code == 200 and message in text_of(response), message
    assert User.objects.count() == len(actors) and not audit_rows()


def test_double_post_creates_one_user(login, units, actors) -> None:
    client = login(actors["admin"])
    client.post(CREATE, form(units))
    response = client.post(CREATE, form(units))
    assert "Đã có người dùng với tên đăng nhập này." in text_of(response)
    assert User.objects.filter(username="cv.lebinh").count() == 1 and len(audit_rows(AuditAction.CREATE)) == 1


def test_wrong_methods(login, actors) -> None:
    client = login(actors["admin"])
    assert client.post(LIST).status_code == 405
    assert client.put(CREATE).status_code == 405


def test_menu_links_follow_the_role(login, actors) -> None:
    tokens = reverse("accounts:tokens")
    assert LIST in text_of(login(actors["admin"]).get(tokens))
    assert LIST not in text_of(login(actors["district_leader"]).get(tokens))

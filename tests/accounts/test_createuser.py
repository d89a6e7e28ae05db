"""`dieuhanh manage createuser USERNAME --unit CODE --role ROLE [--password ...]`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dieuhanh.accounts.models import AuditAction, Role, User
from tests.accounts.helpers import audit_rows


def run(*args: str) -> str:
    out = StringIO()
    call_command("createuser", *args, stdout=out)
    return out.getvalue()


def test_creates_a_user_in_a_unit_with_a_role(units) -> None:
    out = run("vanthu.lebinh2", "--unit", "p_le_binh", "--role", "van_thu", "--password", "Song-Hau-2024-xyz",
              "--full-name", "Lê Thị Hoa")
    user = User.objects.get(username="vanthu.lebinh2")
    assert user.unit == units["le_binh"] and user.role == Role.VAN_THU and user.check_password("Song-Hau-2024-xyz")
    assert user.get_full_name() == "Lê Thị Hoa"
    assert "Đã tạo tài khoản vanthu.lebinh2 (Văn thư) thuộc Ủy ban nhân dân phường Lê Bình." in out
    [row] = audit_rows(AuditAction.CREATE)
    assert row.actor is None and row.object_id == str(user.pk) and row.note == "lệnh createuser"


def test_role_by_vietnamese_name_and_generated_password(units) -> None:
    out = run("ld.cairang", "--unit", "ubnd_q_cairang", "--role", "Lãnh đạo UBND")
    user = User.objects.get(username="ld.cairang")
    assert user.role == Role.LANH_DAO_UBND
    password = out.split("Mật khẩu (chỉ hiện một lần): ")[1].strip()
    assert len(password) >= 12 and user.check_password(password)


def test_admin_needs_no_unit(db) -> None:
    run("quantri2", "--role", "quan_tri", "--password", "Quan-Tri-He-Thong-1")
    assert User.objects.get(username="quantri2").unit is None


@pytest.mark.parametrize(("args", "message"), [
    (["x", "--unit", "khong_co", "--role", "van_thu"], "Không có đơn vị mã 'khong_co'"),
    (["x", "--unit", "p_le_binh", "--role", "chu_tich"], "Vai trò không hợp lệ: 'chu_tich'"),
    (["x", "--role", "van_thu"], "Thiếu --unit"),
    (["vanthu.lebinh", "--unit", "p_le_binh", "--role", "van_thu"], "Đã có người dùng với tên đăng nhập"),
    (["có dấu", "--unit", "p_le_binh", "--role", "van_thu"], "Tên đăng nhập không hợp lệ"),
    (["x", "--unit", "p_le_binh", "--role", "van_thu", "--password", "123"], "Mật khẩu chưa đạt yêu cầu"),
])
def test_vietnamese_errors(actors, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not User.objects.filter(username="x").exists() and not audit_rows()


def test_no_validate_for_demo_data(units) -> None:
    run("demo", "--unit", "p_le_binh", "--role", "van_thu", "--password", "demo", "--no-validate")
    assert User.objects.get(username="demo").check_password("demo")

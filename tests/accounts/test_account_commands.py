"""Administrative commands that change accounts write audit rows naming who ran them."""

from __future__ import annotations

import getpass
import io

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from dieuhanh.accounts import lockout, twofactor
from dieuhanh.accounts.commands import masked
from dieuhanh.accounts.models import ApiToken, AuditAction, Role, User
from tests.accounts.helpers import audit_rows

NEW = "Cai-Rang-Cho-Noi-2026"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_our_commands_replace_djangos() -> None:
    commands = get_commands()
    assert commands["changepassword"] == "dieuhanh.accounts" and commands["createsuperuser"] == "dieuhanh.accounts"


def test_changepassword_is_validated_and_audited(actors, monkeypatch) -> None:
    answers = iter(["12345678", "12345678", NEW, "khac", NEW, NEW])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    user = actors["ward_clerk"]
    for n in range(5):
        lockout.record_failure(user.username, "203.0.113.9")
    output = run("changepassword", user.username)
    assert "Đã đổi mật khẩu cho vanthu.lebinh." in output
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.must_change_password
    assert lockout.check(user.username, "203.0.113.9") is None
    [row] = audit_rows(AuditAction.UPDATE)
    assert row.note == "Đổi mật khẩu bằng lệnh quản trị" and row.actor is None
    assert row.actor_name.endswith("(lệnh changepassword)") and row.object_id == str(user.pk)
    assert NEW not in str(row.after)


def test_changepassword_temporary_and_gives_up_after_three_tries(actors, monkeypatch) -> None:
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": NEW)
    run("changepassword", "vanthu.lebinh", "--temporary")
    assert User.objects.get(username="vanthu.lebinh").must_change_password
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "123")
    with pytest.raises(CommandError, match="Nhập sai 3 lần"):
        run("changepassword", "vanthu.balang")
    with pytest.raises(CommandError, match="Không có người dùng"):
        run("changepassword", "khong.co")
    assert len(audit_rows(AuditAction.UPDATE)) == 1


def test_createsuperuser_is_audited_and_an_administrator(db, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NEW)
    run("createsuperuser", "--noinput", "--username", "it.quan", "--email", "it@cairang.gov.vn")
    user = User.objects.get(username="it.quan")
    assert user.is_superuser and user.role == Role.QUAN_TRI
    [row] = audit_rows(AuditAction.CREATE)
    assert row.object_id == str(user.pk) and row.actor_name.endswith("(lệnh createsuperuser)")
    assert row.after["username"] == "it.quan" and row.after["role"] == Role.QUAN_TRI


def test_createuser_names_who_ran_it(units, monkeypatch) -> None:
    run("createuser", "cv.moi", "--unit", "p_le_binh", "--role", "chuyen_vien", "--password", NEW)
    [row] = audit_rows(AuditAction.CREATE)
    assert row.actor_name == f"{getpass.getuser()} (lệnh createuser)"


def test_account_command(actors) -> None:
    user = actors["ward_chairman"]
    ApiToken.issue(user, "script")
    assert "thu hồi 1 mã API" in run("account", "deactivate", user.username)
    assert not User.objects.get(pk=user.pk).is_active
    run("account", "activate", user.username)
    for n in range(5):
        lockout.record_failure(user.username, "203.0.113.9")
    run("account", "unlock", user.username)
    assert lockout.check(user.username, "203.0.113.9") is None
    device = twofactor.enrolment_device(user)
    device.confirmed = True
    device.save()
    run("account", "reset-2fa", user.username)
    assert not twofactor.has_device(user)
    output = run("account", "temporary-password", user.username)
    password = output.rsplit(": ", 1)[1].strip()
    user.refresh_from_db()
    assert user.check_password(password) and user.must_change_password
    notes = [r.note for r in audit_rows()]
    assert notes == ["Khóa tài khoản", "Mở lại tài khoản", "Mở khóa đăng nhập", "Hủy xác thực hai bước",
                     "Quản trị đặt mật khẩu tạm thời"]
    assert all(r.actor_name.startswith(getpass.getuser() + " (lệnh account") for r in audit_rows())


def test_account_command_unlocks_an_address_and_refuses_nonsense(actors) -> None:
    for n in range(20):
        lockout.record_failure(f"u{n}", "203.0.113.9")
    assert lockout.check("ai.do", "203.0.113.9") is not None
    run("account", "unlock-ip", "203.0.113.9")
    assert lockout.check("ai.do", "203.0.113.9") is None
    [row] = audit_rows(AuditAction.STATE)
    assert row.object_type == "command" and row.after["locks_ended"] == 1
    with pytest.raises(CommandError, match="Địa chỉ IP không hợp lệ"):
        run("account", "unlock-ip", "khong-phai-ip")
    with pytest.raises(CommandError, match="Không có người dùng"):
        run("account", "unlock", "khong.co")


def test_the_last_administrator_cannot_be_locked_from_the_command_line(actors) -> None:
    with pytest.raises(CommandError, match="quản trị viên cuối cùng"):
        run("account", "deactivate", "quantri")
    assert User.objects.get(username="quantri").is_active and not audit_rows()


def test_units_and_reindex_say_who_ran_them(db) -> None:
    run("units", "load-default")
    run("search_reindex")
    commands = [r for r in audit_rows(object_type="command")]
    assert [r.note for r in commands] == ["Nạp danh sách đơn vị bằng lệnh quản trị",
                                         "Dựng lại chỉ mục tìm kiếm bằng lệnh quản trị"]
    assert commands[0].after["created"] >= 40 and commands[0].after["args"] == ["load-default"]
    run("units", "load-default", "--dry-run")
    assert len(audit_rows(object_type="command")) == 2


def test_secrets_never_reach_the_audit_log() -> None:
    assert masked(["cv.moi", "--password", "bi-mat", "--password=bi-mat-2", "--role", "x"]) == [
        "cv.moi", "--password", "***", "--password=***", "--role", "x"]

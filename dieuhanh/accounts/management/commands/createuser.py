"""``dieuhanh manage createuser USERNAME --unit CODE --role ROLE [--password ...]``.

Without ``--password`` a random password is generated and printed once. The role
is its code (``van_thu``) or its name (``"Văn thư"``). An administrator
(``quan_tri``) may be created without a unit; everyone else needs one.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dieuhanh.accounts.commands import actor_name
from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.passwords import validate_password
from dieuhanh.accounts.services import create_user
from dieuhanh.lib.vntext import fold
from dieuhanh.orgs.models import Unit


def parse_role(text: str) -> str:
    wanted = fold(text.strip()).lower().replace(" ", "_")
    for value, label in Role.choices:
        if wanted in (value, fold(str(label)).lower().replace(" ", "_")):
            return value
    known = ", ".join(f"{value} ({label})" for value, label in Role.choices)
    raise CommandError(f"Vai trò không hợp lệ: {text!r}. Chọn một trong: {known}.")


class Command(BaseCommand):
    help = "Tạo tài khoản người dùng thuộc một đơn vị với một vai trò (create a user in a unit with a role)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="tên đăng nhập")
        parser.add_argument("--unit", help="mã đơn vị (unit code), ví dụ ubnd_q_cairang")
        parser.add_argument("--role", required=True, help="vai trò: " + ", ".join(v for v, _l in Role.choices))
        parser.add_argument("--password", help="mật khẩu; bỏ trống thì tự sinh và in ra một lần")
        parser.add_argument("--full-name", default="", help="họ và tên, ví dụ \"Nguyễn Văn An\"")
        parser.add_argument("--position", default="", help="chức vụ")
        parser.add_argument("--no-validate", action="store_true",
                            help="không kiểm tra độ mạnh của mật khẩu (chỉ dùng cho dữ liệu trình diễn)")

    def handle(self, *args: Any, **opts: Any) -> None:
        username = opts["username"].strip()
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            raise CommandError(f"Tên đăng nhập không hợp lệ: {username!r} (chỉ gồm chữ, số và @ . + - _).")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"Đã có người dùng với tên đăng nhập {username!r}.")
        role = parse_role(opts["role"])
        unit = self._unit(opts["unit"], role)
        password, generated = opts["password"], not opts["password"]
        if generated:
            password = secrets.token_urlsafe(12)
        data = {"username": username, "full_name": opts["full_name"], "unit": unit, "role": role,
                "position": opts["position"], "password": password}
        if not opts["no_validate"] and not generated:
            self._validate(password, data)
        user = create_user(None, data, note="lệnh createuser", actor_name=actor_name("createuser"))
        where = f" thuộc {unit.name}" if unit else ""
        self.stdout.write(f"Đã tạo tài khoản {user.username} ({user.get_role_display()}){where}.")
        if generated:
            self.stdout.write(f"Mật khẩu (chỉ hiện một lần): {password}")

    @staticmethod
    def _unit(code: str | None, role: str) -> Unit | None:
        if not code:
            if role == Role.QUAN_TRI:
                return None
            raise CommandError("Thiếu --unit: người dùng (trừ quản trị) phải thuộc một đơn vị.")
        unit = Unit.objects.filter(code=code.strip()).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {code!r}. Xem danh sách đơn vị trong trang Đơn vị.")
        return unit

    @staticmethod
    def _validate(password: str, data: dict[str, Any]) -> None:
        probe = User(username=data["username"])
        try:
            validate_password(password, probe)
        except ValidationError as error:
            raise CommandError("Mật khẩu chưa đạt yêu cầu: " + " ".join(error.messages))

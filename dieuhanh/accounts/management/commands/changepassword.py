"""``dieuhanh manage changepassword [USERNAME] [--temporary]``: Django's command, audited.

Replaces ``django.contrib.auth``'s command of the same name (``dieuhanh.accounts`` comes first in
INSTALLED_APPS): the password is asked twice without echo, checked by the same Vietnamese
validators as the web pages, saved with an audit row naming who ran the command, and the
username's login lockouts end. ``--temporary``: the user must change it at the next login.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext_noop as N_

from dieuhanh.accounts import lockout
from dieuhanh.accounts.commands import actor_name
from dieuhanh.accounts.audit import record
from dieuhanh.accounts.models import AuditAction, User
from dieuhanh.accounts.passwords import validate_password

MAX_TRIES = 3


class Command(BaseCommand):
    help = ("Đổi mật khẩu của một người dùng, có ghi nhật ký (change a user's password, audited). "
            "--temporary: người dùng phải đổi lại ở lần đăng nhập tới.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="tên đăng nhập (mặc định: tài khoản hệ điều hành đang dùng)")
        parser.add_argument("--temporary", action="store_true",
                            help="mật khẩu tạm thời: người dùng phải đổi ở lần đăng nhập tới")
        parser.add_argument("--database", default="default", help="(không dùng; giữ để tương thích với Django)")

    def handle(self, *args: Any, **opts: Any) -> None:
        username = opts["username"] or getpass.getuser()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng {username!r}.")
        self.stdout.write(f"Đổi mật khẩu cho {user.username}")
        password = self._ask(user)
        with transaction.atomic():
            user.set_password(password)
            user.must_change_password = bool(opts["temporary"])
            user.save(update_fields=["password", "must_change_password"])
            lockout.unlock_username(user.username)
            record(None, AuditAction.UPDATE, user, actor_name=actor_name("changepassword"),
                   note=N_("Đổi mật khẩu bằng lệnh quản trị"),
                   after={"password": N_("(đã đổi)"), "must_change_password": user.must_change_password})
        self.stdout.write(f"Đã đổi mật khẩu cho {user.username}.")

    def _ask(self, user: User) -> str:
        for _try in range(MAX_TRIES):
            first = getpass.getpass("Mật khẩu mới: ")
            second = getpass.getpass("Nhập lại mật khẩu mới: ")
            if first != second:
                self.stderr.write("Hai lần nhập không khớp nhau. Hãy nhập lại.")
                continue
            try:
                validate_password(first, user)
            except ValidationError as error:
                self.stderr.write("Mật khẩu chưa đạt yêu cầu: " + " ".join(error.messages))
                continue
            return first
        raise CommandError(f"Nhập sai {MAX_TRIES} lần; mật khẩu của {user.username} không đổi.")

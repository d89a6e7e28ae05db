"""``dieuhanh manage account …``: what an IT officer does to an account from the server,
each audited (the row names the operating-system account and the command).

    account unlock USERNAME           end the username's login lockouts
    account unlock-ip ADDRESS         end an address's lockout
    account deactivate USERNAME       lock the account (sessions end, API tokens revoked)
    account activate USERNAME         open it again
    account reset-2fa USERNAME        remove the authenticator app and recovery codes (a lost phone)
    account temporary-password USERNAME   a random password, printed once; to be changed at next login

The last two are how an administrator who lost both phone and recovery codes gets back in.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext_noop as N_

from dieuhanh.accounts import lockout, user_admin
from dieuhanh.accounts.audit import record
from dieuhanh.accounts.commands import actor_name, record_command
from dieuhanh.accounts.models import AuditAction, User

ACTIONS = ("unlock", "unlock-ip", "deactivate", "activate", "reset-2fa", "temporary-password")


class Command(BaseCommand):
    help = ("Thao tác quản trị trên một tài khoản, có ghi nhật ký: " + ", ".join(ACTIONS)
            + " (account administration, audited).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=ACTIONS, metavar="|".join(ACTIONS))
        parser.add_argument("target", metavar="TÊN-ĐĂNG-NHẬP|ĐỊA-CHỈ")

    def handle(self, *args: Any, **opts: Any) -> None:
        action, target = opts["action"], opts["target"].strip()
        if action == "unlock-ip":
            self._unlock_ip(target)
            return
        user = User.objects.filter(username=target).first()
        if user is None:
            raise CommandError(f"Không có người dùng {target!r}.")
        who = actor_name("account " + action)
        if action == "unlock":
            ended = user_admin.unlock(None, user, actor_name=who)
            self.stdout.write(f"Đã mở khóa đăng nhập của {user.username} ({ended} khóa đang hiệu lực).")
        elif action == "deactivate":
            try:
                revoked = user_admin.deactivate(None, user, actor_name=who)
            except user_admin.Refused as refusal:
                raise CommandError(str(refusal.message)) from None
            self.stdout.write(f"Đã khóa tài khoản {user.username}; thu hồi {revoked} mã API.")
        elif action == "activate":
            done = user_admin.activate(None, user, actor_name=who)
            self.stdout.write(f"Đã mở lại tài khoản {user.username}." if done else f"{user.username} vẫn đang hoạt động.")
        elif action == "reset-2fa":
            done = user_admin.reset_two_factor(None, user, actor_name=who)
            self.stdout.write(f"Đã hủy xác thực hai bước của {user.username}." if done
                              else f"{user.username} chưa bật xác thực hai bước.")
        else:
            self._temporary_password(user, who)

    def _temporary_password(self, user: User, who: str) -> None:
        password = user_admin.temporary_password()
        with transaction.atomic():
            user.set_password(password)
            user.must_change_password = True
            user.save(update_fields=["password", "must_change_password"])
            lockout.unlock_username(user.username)
            record(None, AuditAction.UPDATE, user, actor_name=who, note=N_("Quản trị đặt mật khẩu tạm thời"),
                   after={"password": N_("(đã đổi)"), "must_change_password": True})
        self.stdout.write(f"Mật khẩu tạm thời của {user.username} (chỉ hiện một lần, phải đổi khi đăng nhập): "
                          f"{password}")

    def _unlock_ip(self, target: str) -> None:
        try:
            address = str(ipaddress.ip_address(target))
        except ValueError:
            raise CommandError(f"Địa chỉ IP không hợp lệ: {target!r}.") from None
        ended = lockout.unlock_ip(address)
        record_command("account unlock-ip", N_("Mở khóa đăng nhập từ một địa chỉ"), args=[address],
                       after={"ip": address, "locks_ended": ended})
        self.stdout.write(f"Đã mở khóa địa chỉ {address} ({ended} khóa đang hiệu lực).")

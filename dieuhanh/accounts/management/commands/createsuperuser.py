"""``dieuhanh manage createsuperuser``: Django's command, audited, and the account gets the
administrator's role (``quan_tri``) so the application treats it as one everywhere."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands.createsuperuser import Command as DjangoCommand
from django.db.models.signals import post_save
from django.utils.translation import gettext_noop as N_

from dieuhanh.accounts.audit import snapshot
from dieuhanh.accounts.commands import record_command
from dieuhanh.accounts.models import AuditAction, Role, User
from dieuhanh.accounts.services import USER_AUDIT_FIELDS


class Command(DjangoCommand):
    help = "Tạo tài khoản quản trị cao nhất, có ghi nhật ký (create a superuser, audited)."

    def handle(self, *args: Any, **options: Any) -> None:
        created: list[int] = []

        def seen(sender: Any, instance: User, **kwargs: Any) -> None:
            if kwargs.get("created") and instance.is_superuser:
                created.append(instance.pk)

        post_save.connect(seen, sender=User, dispatch_uid="dieuhanh.createsuperuser.seen")
        try:
            super().handle(*args, **options)
        finally:
            post_save.disconnect(sender=User, dispatch_uid="dieuhanh.createsuperuser.seen")
        for user in User.objects.filter(pk__in=created):
            if user.role != Role.QUAN_TRI:
                user.role = Role.QUAN_TRI
                user.save(update_fields=["role"])
            record_command("createsuperuser", N_("Tạo tài khoản quản trị bằng lệnh quản trị"), obj=user,
                           action=AuditAction.CREATE, after=snapshot(user, USER_AUDIT_FIELDS))

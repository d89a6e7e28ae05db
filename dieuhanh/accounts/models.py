"""Users (one unit, one role), API tokens, login throttling and the audit log."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VAN_THU = "van_thu", _("Văn thư")
    CHUYEN_VIEN = "chuyen_vien", _("Chuyên viên")
    LANH_DAO_DON_VI = "lanh_dao_don_vi", _("Lãnh đạo đơn vị")
    LANH_DAO_UBND = "lanh_dao_ubnd", _("Lãnh đạo UBND")
    QUAN_TRI = "quan_tri", _("Quản trị")


class User(AbstractUser):
    unit = models.ForeignKey("orgs.Unit", verbose_name=_("đơn vị"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="users")
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices, default=Role.CHUYEN_VIEN)
    position = models.CharField(_("chức vụ"), max_length=100, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    # Set when an administrator gives a temporary password: every page leads to "Đổi mật khẩu" until then.
    must_change_password = models.BooleanField(_("phải đổi mật khẩu"), default=False)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.QUAN_TRI or self.is_superuser

    @property
    def is_leader(self) -> bool:
        return self.role in (Role.LANH_DAO_UBND, Role.LANH_DAO_DON_VI)


class ApiToken(models.Model):
    """A bearer token for /api/. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("mã truy cập API")

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple["ApiToken", str]:
        token = "dh_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, prefix=token[:8], digest=cls.hash(token)), token

    def revoke(self) -> bool:
        """Revoke the token; ``False`` if it already was (nothing changes then)."""
        if self.revoked:
            return False
        self.revoked = True
        self.save(update_fields=["revoked"])
        return True


class LoginFailure(models.Model):
    """Failed logins (username as typed, case-folded; client address), for throttling."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # From a browser that has logged in as this username before (its own counter: see lockout).
    known_device = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"], name="accounts_loginfail_ip_at"),
                   models.Index(fields=["username", "at"], name="accounts_loginfail_user_at")]


class LockScope(models.TextChoices):
    PAIR = "pair", _("Tên đăng nhập từ một địa chỉ")
    IP = "ip", _("Một địa chỉ")


class LoginLock(models.Model):
    """A lockout of a (username, address) pair or of an address; ``level`` counts the lockouts of
    the same key within a day, and each one lasts twice as long as the one before."""

    scope = models.CharField(max_length=8, choices=LockScope.choices)
    key = models.CharField(max_length=200)
    username = models.CharField(max_length=150, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    locked_at = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField()
    level = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("khóa đăng nhập")
        indexes = [models.Index(fields=["key", "until"], name="accounts_loginlock_key_until"),
                   models.Index(fields=["username"], name="accounts_loginlock_username")]

    def __str__(self) -> str:
        return f"{self.key} → {self.until:%Y-%m-%d %H:%M}"


class AuditAction(models.TextChoices):
    CREATE = "create", _("Tạo mới")
    UPDATE = "update", _("Cập nhật")
    DELETE = "delete", _("Xóa")
    STATE = "state", _("Chuyển trạng thái")
    LOGIN = "login", _("Đăng nhập")
    LOGIN_FAILED = "login_failed", _("Đăng nhập thất bại")
    LOGOUT = "logout", _("Đăng xuất")
    DOWNLOAD = "download", _("Tải tệp")


class AppendOnlyError(ValueError):
    """Raised on any attempt to change or remove an audit row."""


class AuditLogQuerySet(models.QuerySet["AuditLog"]):
    # Bulk paths bypass Model.save/delete, so they refuse too. A deleted user or
    # unit still nulls its foreign key here: the deletion collector works through
    # the default base manager, not ``AuditLog.objects``.
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("AuditLog rows are append-only")

    def bulk_update(self, objs, fields, batch_size=None):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("AuditLog rows are append-only")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("AuditLog rows are append-only")


class AuditLog(models.Model):
    """Append-only: who did what to which object, with the state before and after."""

    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    unit = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("hành động"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("loại đối tượng"), max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=300, blank=True)
    note = models.CharField(max_length=255, blank=True)
    # The hash chain (dieuhanh.accounts.chain): the row's place in it, the previous row's hash
    # and this row's hash over its canonical JSON. NULL seq only on a row written around record().
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise AppendOnlyError("AuditLog rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("AuditLog rows are append-only")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.object_type}"


class AuditChainHead(models.Model):
    """The one row that holds the end of the audit hash chain.

    Appending locks it (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions
    already hold the database's write lock), so appends are serialised and the chain never forks.
    It also lets ``dieuhanh audit verify`` notice that the newest rows were removed.
    """

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")

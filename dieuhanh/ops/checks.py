"""``dieuhanh check``: is this installation safe to run and running? For people and for monitoring.

Each check says ``ok``, ``warning`` or ``critical`` with a Vietnamese message; the command's
exit code is the worst of them (0, 1, 2: the convention of Nagios/Icinga/Zabbix plugins).
Thresholds come from the environment: ``CHECK_DISK_WARN_PERCENT`` (10), ``CHECK_DISK_CRIT_PERCENT``
(5) and ``CHECK_WORKER_STALE_MINUTES`` (10: a worker silent for longer is critical).
"""

from __future__ import annotations

import os
import shutil
import socket
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from dieuhanh.lib.env import env_int

OK, WARNING, CRITICAL = "ok", "warning", "critical"
EXIT_CODES = {OK: 0, WARNING: 1, CRITICAL: 2}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}
NO_MAIL_BACKENDS = ("console", "locmem", "dummy", "filebased")


@dataclass
class Check:
    name: str
    status: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


def settings_checks() -> list[Check]:
    found: list[Check] = []
    if settings.DEBUG:
        found.append(Check("debug", CRITICAL, "DIEUHANH_DEBUG đang bật: lỗi hiện cả mã nguồn và cấu hình cho "
                                              "người dùng; tắt trên máy chủ thật"))
    key_from_env = bool(os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE"))
    if len(settings.SECRET_KEY) < 32:
        found.append(Check("secret_key", CRITICAL, "SECRET_KEY quá ngắn (cần ít nhất 32 ký tự ngẫu nhiên)"))
    elif not key_from_env:
        found.append(Check("secret_key", WARNING, "SECRET_KEY chưa đặt trong môi trường: đang dùng khóa sinh tự "
                                                  "động trong var/secret_key (đặt SECRET_KEY hoặc SECRET_KEY_FILE)"))
    hosts = set(settings.ALLOWED_HOSTS)
    if "*" in hosts:
        found.append(Check("allowed_hosts", CRITICAL, "ALLOWED_HOSTS chấp nhận mọi tên miền (*)"))
    elif hosts <= LOCAL_HOSTS:
        found.append(Check("allowed_hosts", WARNING, "ALLOWED_HOSTS chỉ có localhost: đặt tên miền của hệ thống",
                           {"allowed_hosts": sorted(hosts)}))
    if not getattr(settings, "BEHIND_TLS", False):
        found.append(Check("tls", WARNING, "BEHIND_TLS chưa bật: cookie phiên không có cờ Secure, không có HSTS "
                                           "(bật khi đã có nginx với HTTPS)"))
    if not getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", None):
        found.append(Check("two_factor", WARNING, "TWO_FACTOR_REQUIRED_ROLES trống: lãnh đạo và quản trị không "
                                                  "bắt buộc xác thực hai lớp"))
    if not found:
        found.append(Check("settings", OK, "cấu hình an toàn (DEBUG tắt, SECRET_KEY, ALLOWED_HOSTS, TLS, 2FA)"))
    return found


def database_check() -> Check:
    from django.db.migrations.executor import MigrationExecutor

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as err:
        return Check("database", CRITICAL, f"không kết nối được CSDL: {str(err).strip()[:300]}",
                     {"vendor": connection.vendor})
    if plan:
        names = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
        return Check("database", CRITICAL, f"còn {len(names)} migration chưa chạy: chạy `dieuhanh manage migrate`",
                     {"vendor": connection.vendor, "pending": names})
    return Check("database", OK, f"CSDL {connection.vendor} kết nối được, đã cập nhật đủ migration",
                 {"vendor": connection.vendor})


def worker_check() -> Check:
    from dieuhanh.tasks.models import WorkerHeartbeat

    try:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    except DatabaseError:
        return Check("worker", CRITICAL, "không đọc được nhịp của worker (CSDL lỗi)")
    if latest is None:
        return Check("worker", CRITICAL, "chưa có tiến trình `dieuhanh worker` nào chạy: không có nhắc việc, "
                                         "thư tổng hợp")
    age = (timezone.now() - latest.seen_at).total_seconds()
    details = {"worker_id": latest.worker_id, "seconds_since_beat": round(age), "rounds": latest.rounds}
    expected = max(3 * latest.interval, 180)
    stale = timedelta(minutes=env_int("CHECK_WORKER_STALE_MINUTES", 10)).total_seconds()
    if age <= expected:
        return Check("worker", OK, f"worker {latest.worker_id} hoạt động {round(age)} giây trước", details)
    status = WARNING if age <= max(stale, expected) else CRITICAL
    return Check("worker", status, f"worker im lặng {round(age / 60)} phút (lần cuối: {latest.worker_id}): "
                                   "kiểm tra `systemctl status dieuhanh-worker`", details)


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def disk_checks() -> list[Check]:
    places = {"media": Path(settings.MEDIA_ROOT)}
    if connection.vendor == "sqlite":
        places["database"] = Path(settings.DATABASES["default"]["NAME"]).parent
    warn, crit = env_int("CHECK_DISK_WARN_PERCENT", 10), env_int("CHECK_DISK_CRIT_PERCENT", 5)
    found = []
    for name, path in places.items():
        usage = shutil.disk_usage(_existing(path))
        percent = 100 * usage.free / usage.total if usage.total else 0
        status = CRITICAL if percent < crit else WARNING if percent < warn else OK
        found.append(Check(f"disk_{name}", status, f"{path}: còn trống {usage.free / 2**30:.1f} GB ({percent:.0f}%)",
                           {"path": str(path), "free_bytes": usage.free, "free_percent": round(percent, 1)}))
    return found


def mail_check() -> Check:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2] if "." in settings.EMAIL_BACKEND else settings.EMAIL_BACKEND
    if backend in NO_MAIL_BACKENDS:
        return Check("mail", WARNING, f"EMAIL_BACKEND là {backend}: thư nhắc việc và đặt lại mật khẩu không được "
                                      "gửi đi thật", {"backend": settings.EMAIL_BACKEND})
    host, port = settings.EMAIL_HOST, int(settings.EMAIL_PORT)
    try:
        with socket.create_connection((host, port), timeout=5):
            pass
    except OSError as err:
        return Check("mail", CRITICAL, f"không kết nối được máy chủ thư {host}:{port} ({err})",
                     {"host": host, "port": port})
    return Check("mail", OK, f"máy chủ thư {host}:{port} trả lời", {"host": host, "port": port})


def run_checks() -> dict[str, Any]:
    checks = [*settings_checks(), database_check()]
    if checks[-1].status != CRITICAL or "pending" in checks[-1].details:
        checks.append(worker_check())
    checks += [*disk_checks(), mail_check()]
    worst = max((c.status for c in checks), key=lambda s: EXIT_CODES[s])
    return {"status": worst, "checked_at": timezone.now().isoformat(), "checks": [asdict(c) for c in checks]}

"""``dieuhanh check``: each problem an operator must know about, and exit codes for monitoring."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from dieuhanh.cli import main
from dieuhanh.tasks.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_server() -> Iterator[int]:
    """Something listening where the SMTP server should be (port in this project's test range)."""
    listener = socket.socket()
    for port in range(8290, 8300):
        try:
            listener.bind(("127.0.0.1", port))
            break
        except OSError:
            continue
    listener.listen(1)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture
def production(settings, monkeypatch, mail_server):  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    settings.SECRET_KEY = "k" * 50
    monkeypatch.setenv("SECRET_KEY", "k" * 50)
    settings.ALLOWED_HOSTS = ["dieuhanh.cairang.cantho.gov.vn"]
    settings.BEHIND_TLS = True
    settings.TWO_FACTOR_REQUIRED_ROLES = ["quan_tri", "lanh_dao_ubnd"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mail_server
    monkeypatch.setenv("CHECK_DISK_WARN_PERCENT", "0")
    monkeypatch.setenv("CHECK_DISK_CRIT_PERCENT", "0")
    WorkerHeartbeat.objects.create(worker_id="may-chu:101", seen_at=timezone.now() - timedelta(seconds=30))
    return settings


def run(capsys, *args: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def,type-arg]
    code = main(["check", "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def by_name(report: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {c["name"]: c for c in report["checks"]}


def test_a_well_set_up_installation_is_ok(production, capsys) -> None:  # type: ignore[no-untyped-def]
    code, report = run(capsys)
    assert code == 0 and report["status"] == "ok", report
    checks = by_name(report)
    assert set(checks) == {"settings", "database", "worker", "disk_media", "disk_database", "mail"} \
        or set(checks) == {"settings", "database", "worker", "disk_media", "mail"}
    assert checks["worker"]["details"]["worker_id"] == "may-chu:101"


def test_human_output(production, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "[OK] database:" in out and out.rstrip().endswith("Kết quả: OK")


@pytest.mark.parametrize("change, name, status", [
    (lambda s: setattr(s, "DEBUG", True), "debug", "critical"),
    (lambda s: setattr(s, "ALLOWED_HOSTS", ["*"]), "allowed_hosts", "critical"),
    (lambda s: setattr(s, "ALLOWED_HOSTS", ["localhost"]), "allowed_hosts", "warning"),
    (lambda s: setattr(s, "SECRET_KEY", "ngan"), "secret_key", "critical"),
    (lambda s: setattr(s, "BEHIND_TLS", False), "tls", "warning"),
    (lambda s: setattr(s, "TWO_FACTOR_REQUIRED_ROLES", []), "two_factor", "warning"),
    (lambda s: setattr(s, "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"), "mail", "warning"),
    (lambda s: setattr(s, "EMAIL_PORT", 1), "mail", "critical"),
])
def test_each_problem_is_named(production, capsys, change, name, status) -> None:  # type: ignore[no-untyped-def]
    change(production)
    code, report = run(capsys)
    assert by_name(report)[name]["status"] == status
    assert code == {"warning": 1, "critical": 2}[status] and report["status"] == status


def test_worker_silence(production, capsys) -> None:  # type: ignore[no-untyped-def]
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=5))
    code, report = run(capsys)
    assert code == 1 and by_name(report)["worker"]["status"] == "warning"
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(hours=2))
    code, report = run(capsys)
    assert code == 2 and "im lặng 120 phút" in by_name(report)["worker"]["message"]
    WorkerHeartbeat.objects.all().delete()
    code, report = run(capsys)
    assert code == 2 and "chưa có tiến trình" in by_name(report)["worker"]["message"]


def test_low_disk(production, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CHECK_DISK_CRIT_PERCENT", "101")
    code, report = run(capsys)
    assert code == 2 and by_name(report)["disk_media"]["status"] == "critical"


def test_unapplied_migrations(production, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan",
                        lambda self, targets: [(self.loader.graph.nodes[("accounts", "0003_audit_chain")], False)])
    code, report = run(capsys)
    database = by_name(report)["database"]
    assert code == 2 and database["details"]["pending"] == ["accounts.0003_audit_chain"]
    assert "dieuhanh manage migrate" in database["message"]


def test_unreachable_database_is_critical(tmp_path) -> None:
    from tests.ops.install import dieuhanh, environment

    env = environment(tmp_path, "nowhere", "postgres://postgres@127.0.0.1:8299/khong_co")
    done = dieuhanh(env, "check", "--json", timeout=120)
    report = json.loads(done.stdout)
    assert done.returncode == 2, done.stderr
    assert by_name(report)["database"]["status"] == "critical"
    assert "không kết nối được CSDL" in by_name(report)["database"]["message"]

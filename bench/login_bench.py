"""What login throttling costs per attempt, beside what a login costs anyway.

    .venv/bin/python bench/login_bench.py [--attempts 300] [--backlog 100000]
    DATABASE_URL=postgres://… .venv/bin/python bench/login_bench.py

Prints milliseconds per call (median and p95) of:
  floor: SELECT 1           one database round trip
  floor: authenticate()     the password check alone (Argon2, the production hasher)
  throttle check            lockout.check() for an attempt that may go on
  throttle check, locked    lockout.check() for an attempt that is refused
  failure bookkeeping       lockout.record_failure() (insert, counts, lockouts)
  POST wrong password       the whole login view, through Django's test client
  POST refused (locked)     the whole view for an attempt refused without a password check
then the same throttle figures again with ``--backlog`` failures from many addresses already in
the window (a username under a distributed attack).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import prepare_database, setup_django  # noqa: E402


def timed(label: str, runs: int, call: Callable[[int], object]) -> None:
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"  {label:<28} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms   ({runs} runs)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=300)
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--sqlite", default="var/bench-login.sqlite3")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    label = prepare_database(args)
    setup_django()
    from django.conf import settings
    from django.contrib.auth import authenticate
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from dieuhanh.accounts import lockout
    from dieuhanh.accounts.models import LoginFailure, LoginLock, User

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.LOGIN_IP_MAX_FAILURES = 10**9  # the bench's own thousands of failures must not lock it
    User.objects.filter(username="bench.quantri").delete()
    User.objects.create_user("bench.quantri", password="Mat-khau-that-dai-2026", role="quan_tri")
    LoginFailure.objects.all().delete()
    LoginLock.objects.all().delete()
    n = args.attempts
    print(f"login throttling on {label}; hasher {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")

    def select_one(i: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    timed("floor: SELECT 1", n, select_one)
    timed("floor: authenticate()", min(n, 60), lambda i: authenticate(username="bench.quantri", password="sai"))

    def throttle_figures(tag: str) -> None:
        timed(f"throttle check{tag}", n, lambda i: lockout.check("bench.quantri", f"10.9.{i // 250}.{i % 250}"))
        LoginLock.objects.create(scope="pair", key=lockout.pair_key("bench.khoa", "10.8.0.1"), username="bench.khoa",
                                 ip="10.8.0.1", until=timezone.now() + timedelta(hours=1))
        timed(f"throttle check, locked{tag}", n, lambda i: lockout.check("bench.khoa", "10.8.0.1"))
        def failure(i: int) -> None:  # in one transaction, as the login view does
            with transaction.atomic():
                lockout.record_failure(f"bench.sai{i}", f"10.7.{i // 250}.{i % 250}")

        timed(f"failure bookkeeping{tag}", n, failure)

    throttle_figures("")
    client = Client()
    timed("POST wrong password", min(n, 60), lambda i: client.post(
        "/tai-khoan/dang-nhap/", {"username": f"bench.x{i}", "password": "sai"}, REMOTE_ADDR=f"10.6.0.{i % 250}"))
    for i in range(5):
        client.post("/tai-khoan/dang-nhap/", {"username": "bench.quantri", "password": "sai"}, REMOTE_ADDR="10.5.0.1")
    timed("POST refused (locked)", n, lambda i: client.post(
        "/tai-khoan/dang-nhap/", {"username": "bench.quantri", "password": "sai"}, REMOTE_ADDR="10.5.0.1"))

    now = timezone.now()
    LoginFailure.objects.bulk_create(
        [LoginFailure(username="bench.quantri" if i % 2 else f"bench.u{i}", ip=f"10.{i // 62500 % 250}.{i // 250 % 250}.{i % 250}",
                      at=now - timedelta(seconds=i % 600)) for i in range(args.backlog)], batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a burst of inserts
            cursor.execute("ANALYZE accounts_loginfailure")
    print(f"with {args.backlog:,} failures in the window ({args.backlog // 2:,} of them on the measured username):")
    throttle_figures(" (backlog)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

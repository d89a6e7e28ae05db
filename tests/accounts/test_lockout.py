"""Login throttling against the attacks the probe found: nobody locks anyone else out, one address
cannot spray usernames, a distributed attack only slows a username down, locked tries write no
audit rows, the answers never tell whether a username exists, and X-Forwarded-For is believed
only from a trusted proxy."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from dieuhanh.accounts import lockout
from dieuhanh.accounts.clientip import client_ip
from dieuhanh.accounts.devices import COOKIE
from dieuhanh.accounts.models import AuditAction, AuditLog, LoginLock
from tests.accounts.helpers import audit_rows, text_of
from tests.factories import PASSWORD

LOGIN = "/tai-khoan/dang-nhap/"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
LOCKED = "Tạm thời chưa đăng nhập được vì đã nhập sai nhiều lần. Vui lòng thử lại sau"
SLOW = "Tên đăng nhập này vừa bị nhập sai nhiều lần. Vui lòng chờ"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
ATTACKER, OWNER = "203.0.113.66", "10.20.0.5"


@pytest.fixture(autouse=True)
def _limits(settings):  # type: ignore[no-untyped-def]
    settings.LOGIN_MAX_FAILURES = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15
    settings.LOGIN_LOCKOUT_MAX_MINUTES = 24 * 60
    settings.LOGIN_IP_MAX_FAILURES = 20
    settings.LOGIN_USERNAME_SLOW_AFTER = 30
    settings.LOGIN_USERNAME_SLOW_SECONDS = 30
    settings.TRUSTED_PROXIES = []


def attempt(client: Client, username: str, password: str = PASSWORD, ip: str = ATTACKER, **extra) -> str:  # type: ignore[no-untyped-def]
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)
    if response.status_code == 302:
        return "in"
    return text_of(response)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_pair_lock_backs_off_exponentially_and_caps(client, actors, settings) -> None:
    settings.LOGIN_LOCKOUT_MAX_MINUTES = 60
    with time_machine.travel(T0, tick=False) as clock:
        for minutes in (15, 30, 60, 60):  # 15, then twice as long, capped at the maximum
            for n in range(5):
                page = attempt(client, "quantri", f"sai-{n}")
            assert f"{LOCKED} {minutes} phút." in page
            clock.shift(timedelta(minutes=minutes) - timedelta(seconds=1))
            assert LOCKED in attempt(client, "quantri")  # the right password, still refused
            clock.shift(timedelta(seconds=1))
        assert attempt(client, "quantri") == "in"
    assert [lock.level for lock in LoginLock.objects.order_by("id")] == [1, 2, 3, 4]


def test_an_attacker_cannot_lock_the_administrator_out(client, actors) -> None:
    """Hammering quantri from one address locks that address's tries only."""
    with time_machine.travel(T0, tick=False):
        for n in range(200):
            attempt(client, "quantri", f"doan-{n}")
        assert LOCKED in attempt(client, "quantri")
        owner = Client()
        assert attempt(owner, "quantri", ip=OWNER) == "in" and logged_in(owner)


def test_locked_tries_write_no_audit_rows(client, actors) -> None:
    with time_machine.travel(T0, tick=False):
        for n in range(5):
            attempt(client, "quantri", f"sai-{n}")
        before = AuditLog.objects.count()
        for n in range(100):
            assert LOCKED in attempt(client, "quantri", f"sai-{n}")
        assert AuditLog.objects.count() == before
    rows = audit_rows(AuditAction.LOGIN_FAILED)
    assert len(rows) == 6 and rows[-1].note == "Tạm khóa đăng nhập tên này từ địa chỉ này"
    assert rows[-1].after["level"] == 1 and rows[-1].ip == ATTACKER and rows[-1].object_id == str(actors["admin"].pk)


def test_one_address_cannot_spray_thirty_usernames(client, actors) -> None:
    with time_machine.travel(T0, tick=False):
        pages = [attempt(client, f"nguoi.dung.{n}", "mat-khau-pho-bien") for n in range(30)]
        # The 20th failure starts the lockout (its own answer says so); the rest are not checked.
        assert all(WRONG in page for page in pages[:19])
        assert all(f"{LOCKED} 15 phút." in page for page in pages[19:])
        # A real username with its right password from that address: refused too, unchecked.
        assert LOCKED in attempt(client, "vanthu.lebinh")
        assert attempt(Client(), "vanthu.lebinh", ip=OWNER) == "in"
    locks = audit_rows(AuditAction.LOGIN_FAILED, note="Tạm khóa đăng nhập từ địa chỉ này")
    assert len(locks) == 1 and locks[0].object_type == "accounts.loginlock"
    assert len(audit_rows(AuditAction.LOGIN_FAILED)) == 21  # 20 password checks, one lockout


def test_a_distributed_attack_only_slows_the_username_down(client, actors) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        for n in range(30):  # 30 addresses, 1 try each: no pair or address lock
            assert WRONG in attempt(Client(), "quantri", "doan", ip=f"198.51.100.{n + 1}")
        page = attempt(Client(), "quantri", ip="198.51.100.200")
        assert f"{SLOW} 30 giây" in page
        clock.shift(timedelta(seconds=30))
        assert attempt(Client(), "quantri", ip="198.51.100.201") == "in"  # never locked: slowed
    notes = [r.note for r in audit_rows(AuditAction.LOGIN_FAILED)]
    assert notes.count("Tên đăng nhập bị thử sai nhiều lần từ nhiều nơi: làm chậm đăng nhập") == 1


def test_the_owners_browser_is_not_slowed_or_locked_by_others(actors) -> None:
    """After one good login a browser carries a signed cookie for that username; its tries
    have their own counter, even from the attacker's own office network."""
    owner = Client()
    assert attempt(owner, "quantri", ip=ATTACKER) == "in" and COOKIE in owner.cookies
    owner.post(reverse("accounts:logout"))
    with time_machine.travel(T0, tick=False):
        for n in range(5):
            attempt(Client(), "quantri", "doan", ip=ATTACKER)
        for n in range(25):
            attempt(Client(), "quantri", "doan", ip=f"198.51.100.{n + 1}")
        assert LOCKED in attempt(Client(), "quantri", ip=ATTACKER)
        assert SLOW in attempt(Client(), "quantri", ip="198.51.100.99")
        assert attempt(owner, "quantri", ip=ATTACKER) == "in"


def test_a_forged_device_cookie_is_ignored(client, actors) -> None:
    client.cookies[COOKIE] = "quantri:forged"
    with time_machine.travel(T0, tick=False):
        for n in range(5):
            attempt(client, "quantri", f"sai-{n}")
        assert LOCKED in attempt(client, "quantri")


def test_answers_do_not_reveal_whether_a_username_exists(actors) -> None:
    def story(username: str) -> list[str]:
        client = Client()
        pages = [attempt(client, username, f"sai-{n}", ip="192.0.2.1" if username == "quantri" else "192.0.2.2")
                 for n in range(6)]
        return [WRONG if WRONG in p else LOCKED if f"{LOCKED} 15 phút." in p else p[:80] for p in pages]

    with time_machine.travel(T0, tick=False):
        assert story("quantri") == story("khong.ai.co.ten.nay") == [WRONG] * 4 + [LOCKED] * 2


def test_x_forwarded_for_is_ignored_unless_the_proxy_is_trusted(client, actors, settings) -> None:
    with time_machine.travel(T0, tick=False):
        # A client spoofing the header does not escape its own lock.
        for n in range(6):
            page = attempt(client, "quantri", f"sai-{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        assert LOCKED in page
        settings.TRUSTED_PROXIES = ["127.0.0.1"]
        # Behind nginx on this machine, each forwarded client has its own counters.
        proxied = Client()
        for n in range(5):
            attempt(proxied, "quantri", "sai", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert LOCKED in attempt(proxied, "quantri", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert attempt(Client(), "quantri", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8") == "in"
    assert audit_rows(AuditAction.LOGIN)[0].ip == "198.51.100.8"


class Req:
    def __init__(self, remote: str, forwarded: str | None = None) -> None:
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(("trusted", "remote", "forwarded", "expected"), [
    ([], "203.0.113.9", "1.2.3.4", "203.0.113.9"),                      # not trusted: header ignored
    (["127.0.0.1"], "127.0.0.1", "1.2.3.4", "1.2.3.4"),
    (["127.0.0.1"], "127.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),         # the client's own claim is left of it
    (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "6.6.6.6, 1.2.3.4, 10.1.2.3", "1.2.3.4"),  # two proxies
    (["127.0.0.1"], "127.0.0.1", "not-an-ip", "127.0.0.1"),              # garbage: the last trusted hop
    (["127.0.0.1"], "127.0.0.1", None, "127.0.0.1"),
    (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
    (["127.0.0.1"], "::ffff:127.0.0.1", "1.2.3.4", "1.2.3.4"),           # IPv4-mapped peer
    ([], "", None, None),
])
def test_client_ip(settings, trusted, remote, forwarded, expected) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXIES = trusted
    assert client_ip(Req(remote, forwarded)) == expected


def test_failures_outside_the_window_do_not_count(db, settings) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(4):
            lockout.record_failure("quantri", ATTACKER)
        clock.shift(timedelta(minutes=16))
        assert not lockout.record_failure("quantri", ATTACKER).locks
        assert lockout.check("quantri", ATTACKER) is None

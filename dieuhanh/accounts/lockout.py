"""Login throttling: three counters, so that nobody can lock anyone else out for good.

1. **A username from one address** (the *pair*): ``LOGIN_MAX_FAILURES`` failures within
   ``LOGIN_LOCKOUT_MINUTES`` lock that pair. Each further lockout of the same pair within a
   day lasts twice as long (15, 30, 60 … minutes, at most ``LOGIN_LOCKOUT_MAX_MINUTES``).
   Someone guessing quantri's password from their own machine locks only themselves.
2. **An address across usernames**: ``LOGIN_IP_MAX_FAILURES`` failures from one address,
   whatever the usernames, lock the address with the same backoff (password spraying).
3. **A username from everywhere**: past ``LOGIN_USERNAME_SLOW_AFTER`` failures within the
   window, the username is only *slowed down*: one password check every
   ``LOGIN_USERNAME_SLOW_SECONDS`` — never locked, so a distributed attack cannot shut an
   administrator out, and it gets a handful of guesses an hour instead of thousands.

A browser in which the user has logged in before carries a signed cookie naming that
username (``dieuhanh.accounts.devices``). Its failures go to a counter of its own (a pair
keyed with the device), and it is exempt from 2 and 3: an attacker on the same office
network, or a botnet, cannot stop the owner's own browser from logging in.

While refused, an attempt is not counted, its password is not checked and no audit row is
written; each lockout writes one audit row (the caller does, see ``services``). Usernames
are compared case-folded, and an unknown username is throttled exactly like a real one, so
the answers never tell whether an account exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from dieuhanh.accounts.models import LockScope, LoginFailure, LoginLock

BACKOFF_MEMORY = timedelta(days=1)  # lockouts older than this no longer double the next one


@dataclass(frozen=True)
class Refusal:
    seconds: int
    scope: str  # LockScope value, or "slow"

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


@dataclass
class FailureOutcome:
    locks: list[LoginLock] = field(default_factory=list)  # lockouts that began with this failure
    slowed: bool = False  # the username crossed the global threshold with this failure


def fold(username: str) -> str:
    return username.strip().casefold()[:150]


def pair_key(username: str, ip: str | None, known_device: bool = False) -> str:
    return f"u:{fold(username)}|{ip or '-'}" + ("|thiet-bi" if known_device else "")


def ip_key(ip: str) -> str:
    return f"ip:{ip}"


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def check(username: str, ip: str | None, *, known_device: bool = False,
          now: datetime | None = None) -> Refusal | None:
    """Why this attempt must wait, or ``None`` to go on and check the password (1–2 queries)."""
    now = now or timezone.now()
    keys = [pair_key(username, ip, known_device)]
    if ip and not known_device:
        keys.append(ip_key(ip))
    lock = (LoginLock.objects.filter(key__in=keys, until__gt=now).order_by("-until")
            .values_list("until", "scope").first())
    if lock is not None:
        return Refusal(math.ceil((lock[0] - now).total_seconds()), lock[1])
    cap = settings.LOGIN_USERNAME_SLOW_AFTER
    if known_device or cap <= 0:
        return None
    recent = list(LoginFailure.objects.filter(username=fold(username), at__gt=now - _window())
                  .order_by("-at").values_list("at", flat=True)[:cap])
    if len(recent) < cap:
        return None
    wait = (recent[0] + timedelta(seconds=settings.LOGIN_USERNAME_SLOW_SECONDS) - now).total_seconds()
    return Refusal(math.ceil(wait), "slow") if wait > 0 else None


def record_failure(username: str, ip: str | None, *, known_device: bool = False,
                   now: datetime | None = None) -> FailureOutcome:
    """Count a failed password check; start the lockouts it completes."""
    now = now or timezone.now()
    name = fold(username)
    # Rows older than the window no longer count for anyone; keep the table small.
    LoginFailure.objects.filter(at__lte=now - _window()).delete()
    LoginFailure.objects.create(username=name, ip=ip, at=now, known_device=known_device)
    outcome = FailureOutcome()
    pair = pair_key(username, ip, known_device)
    pair_rows = Q(username=name, ip=ip, known_device=known_device)
    if settings.LOGIN_MAX_FAILURES > 0 and _count(pair, pair_rows, now) >= settings.LOGIN_MAX_FAILURES:
        outcome.locks.append(_lock(LockScope.PAIR, pair, name, ip, now))
    if ip and not known_device and settings.LOGIN_IP_MAX_FAILURES > 0:
        key = ip_key(ip)
        if _count(key, Q(ip=ip, known_device=False), now) >= settings.LOGIN_IP_MAX_FAILURES:
            outcome.locks.append(_lock(LockScope.IP, key, name, ip, now))
    cap = settings.LOGIN_USERNAME_SLOW_AFTER
    if cap > 0 and not known_device:
        recent = LoginFailure.objects.filter(username=name, at__gt=now - _window())[:cap + 1]
        outcome.slowed = recent.count() == cap  # LIMITed: a username under attack costs no more
    return outcome


def _count(key: str, rows: Q, now: datetime) -> int:
    """Failures of ``rows`` in the window since ``key``'s last lockout began (a lockout that
    ended needs as many new failures as the first one did)."""
    since = now - _window()
    last = LoginLock.objects.filter(key=key, locked_at__gt=since).order_by("-locked_at") \
        .values_list("locked_at", flat=True).first()
    if last is not None:
        since = last
    return LoginFailure.objects.filter(rows, at__gt=since).count()


def _lock(scope: str, key: str, username: str, ip: str | None, now: datetime) -> LoginLock:
    LoginLock.objects.filter(until__lte=now - BACKOFF_MEMORY).delete()
    level = 1 + LoginLock.objects.filter(key=key, locked_at__gt=now - BACKOFF_MEMORY).count()
    minutes = min(settings.LOGIN_LOCKOUT_MINUTES * 2 ** min(level - 1, 16), settings.LOGIN_LOCKOUT_MAX_MINUTES)
    return LoginLock.objects.create(scope=scope, key=key, username=username if scope == LockScope.PAIR else "",
                                    ip=ip, locked_at=now, until=now + timedelta(minutes=minutes), level=level)


def clear_failures(username: str, ip: str | None, *, known_device: bool = False) -> None:
    """A successful login forgets the failures of its own pair (not the username's elsewhere:
    an attacker's failures from other addresses keep counting towards the slow-down)."""
    LoginFailure.objects.filter(username=fold(username), ip=ip, known_device=known_device).delete()


def unlock_username(username: str, now: datetime | None = None) -> int:
    """An administrator's release: end the username's lockouts and forget its failures.
    Returns the number of lockouts ended."""
    now = now or timezone.now()
    name = fold(username)
    LoginFailure.objects.filter(username=name).delete()
    ended = LoginLock.objects.filter(username=name, until__gt=now)
    count = ended.count()
    LoginLock.objects.filter(username=name).delete()  # also the backoff memory
    return count


def unlock_ip(ip: str, now: datetime | None = None) -> int:
    now = now or timezone.now()
    count = LoginLock.objects.filter(key=ip_key(ip), until__gt=now).count()
    LoginLock.objects.filter(key=ip_key(ip)).delete()
    LoginFailure.objects.filter(ip=ip).delete()
    return count


def active_locks(username: str, now: datetime | None = None) -> list[LoginLock]:
    return list(LoginLock.objects.filter(username=fold(username), until__gt=(now or timezone.now()))
                .order_by("-until"))

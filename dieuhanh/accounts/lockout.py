"""Lockout after repeated failed logins for one username.

``LOGIN_MAX_FAILURES`` failures within ``LOGIN_LOCKOUT_MINUTES`` lock the
username until the oldest of those failures leaves the window. While locked,
attempts are refused without checking the password and are not counted, so the
lock cannot be stretched forever by someone hammering the form. A successful
login clears the username's failures.

Usernames are compared case-folded: "QuanTri" and "quantri" share one counter.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from dieuhanh.accounts.models import LoginFailure


def _key(username: str) -> str:
    return username.strip().casefold()[:150]


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def locked_until(username: str, now: datetime | None = None) -> datetime | None:
    """When the lock on ``username`` ends, or ``None`` if it is not locked."""
    limit = settings.LOGIN_MAX_FAILURES
    if limit <= 0:
        return None
    now = now or timezone.now()
    recent = list(
        LoginFailure.objects.filter(username=_key(username), at__gt=now - _window())
        .order_by("-at").values_list("at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[-1] + _window()


def minutes_left(until: datetime, now: datetime | None = None) -> int:
    seconds = (until - (now or timezone.now())).total_seconds()
    return max(1, math.ceil(seconds / 60))


def record_failure(username: str, ip: str | None) -> None:
    key = _key(username)
    now = timezone.now()
    # Rows older than the window no longer count for anyone; keep the table small.
    LoginFailure.objects.filter(at__lte=now - _window()).delete()
    LoginFailure.objects.create(username=key, ip=ip, at=now)


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=_key(username)).delete()

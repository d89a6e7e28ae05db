"""In-app notifications for task events (issued, returned, extension decided, …).

Call :func:`notify` from a service, inside its transaction: a rolled-back change
leaves no notification. The same ``key`` never notifies a user twice, so a
double post or a retried service is harmless::

    notify(unit_users(a.unit_id), a, NotificationKind.EVENT,
           _("Nhiệm vụ mới: «%(t)s»") % {"t": a.task.title}, key=f"issued:{a.pk}")

The worker lists unread notifications in the user's next daily e-mail digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from dieuhanh.tasks.models import Assignment, Notification, NotificationKind
from dieuhanh.tasks.worker import unit_leaders, unit_users

__all__ = ["notify", "row_key", "unit_leaders", "unit_users"]

KEY_MAX = Notification._meta.get_field("key").max_length or 120


def row_key(kind: str, key: str, user_id: int) -> str:
    """The stored key of one user's row: ``{kind}:{key}:{user_id}``, hashed if too long."""
    full = f"{kind}:{key}:{user_id}"
    if len(full) <= KEY_MAX:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:40]
    return f"{kind}:#{digest}:{user_id}"[:KEY_MAX]


def _user_ids(users: Iterable[Any]) -> list[int]:
    seen: dict[int, None] = {}
    for user in users:
        if user is None:
            continue
        uid = user.pk if isinstance(user, models.Model) else int(user)
        seen.setdefault(uid, None)
    return list(seen)


def notify(users: Iterable[Any], assignment: Assignment | None, kind: str, message: str, key: str) -> int:
    """Tell each user (User objects or ids) ``message`` about ``assignment``; returns rows created.

    ``key`` names the event (e.g. ``f"returned:{assignment.pk}:{n}"``); each user's row is
    keyed by kind, key and user, and an existing row is left alone.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind: {kind!r}")
    if not key:
        raise ValueError("notify() needs a key")
    ids = _user_ids(users)
    if not ids:
        return 0
    now = timezone.now()
    rows = [Notification(user_id=uid, assignment=assignment, kind=kind, message=str(message),
                         key=row_key(kind, key, uid), created_at=now) for uid in ids]
    keys = [r.key for r in rows]
    existing = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    Notification.objects.bulk_create([r for r in rows if r.key not in existing], ignore_conflicts=True)
    return len(rows) - len(existing)

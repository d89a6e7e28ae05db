"""E-mail per the user's choice (:class:`~dieuhanh.tasks.models.NotificationSetting`).

The worker's daily digest serves users who chose it (and users with no setting);
:func:`send_immediate` runs on every worker round and mails the users who want each
notification at once, what arrived since the last round, one mail per user. The claim is
the digest's: a conditional UPDATE stamping the rows (``digest_day``), with ``SKIP LOCKED``
on the user rows on PostgreSQL, so two workers never mail the same row.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from django.core.mail import get_connection
from django.db import connection, transaction
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import User
from dieuhanh.tasks.models import EmailMode, Notification

log = logging.getLogger("dieuhanh.worker")

NOT_DIGEST = (EmailMode.IMMEDIATE, EmailMode.OFF)


def email_mode(user: Any) -> str:
    setting = getattr(user, "notification_setting", None) if getattr(user, "pk", None) else None
    try:
        return setting.email_mode if setting is not None else EmailMode.DIGEST
    except Exception:  # noqa: BLE001 - no row yet (RelatedObjectDoesNotExist)
        return EmailMode.DIGEST


def _waiting(day: date) -> Any:
    return Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True, digest_day__isnull=True,
                                       user__is_active=True, user__notification_setting__email_mode=EmailMode.IMMEDIATE
                                       ).exclude(user__email="")


def _claim(uid: int, day: date) -> bool:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            held = User.objects.select_for_update(skip_locked=True, of=("self",)).filter(pk=uid)
            if not held.values_list("pk", flat=True):
                return False
        return bool(_waiting(day).filter(user_id=uid).update(digest_day=day))


def immediate_subject(count: int) -> str:
    return _("[Điều hành] %(n)s thông báo mới") % {"n": count}


def send_immediate(day: date, now: datetime, stats: Any) -> None:
    """Mail each immediate-mode user what is waiting for him (see the module docstring)."""
    from dieuhanh.tasks.worker import _send_digest

    users = list(_waiting(day).values_list("user_id", flat=True).distinct().order_by("user_id"))
    if not users:
        return
    mail = get_connection()
    try:
        for uid in users:
            if not _claim(uid, day):
                continue
            try:
                sent = _send_digest(uid, day, now, mail, subject=immediate_subject)
            except Exception:
                log.exception("mail to user %s failed; released for the next round", uid)
                Notification.objects.filter(user_id=uid, digest_day=day, emailed_at__isnull=True) \
                    .update(digest_day=None)
                stats.failed += 1
                continue
            if sent:
                stats.extra["immediate"] = stats.extra.get("immediate", 0) + 1
                stats.emailed += sent
    finally:
        mail.close()

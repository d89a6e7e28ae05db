"""An RFC 5545 calendar of a user's open deadlines, for a secret feed URL.

One all-day VEVENT per open assignment of the units in the token owner's scope,
on its due date. Lines end with CRLF and are folded at 75 octets without
splitting a UTF-8 character; TEXT values escape backslash, ";", "," and newlines.
The UID depends only on the assignment, so calendar apps update events in place
when a due date moves.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record
from dieuhanh.accounts.models import AuditAction
from dieuhanh.accounts.scope import visible_unit_ids
from dieuhanh.tasks.models import OPEN_STATUSES, Assignment, FeedToken

PRODID = "-//Dieu hanh//Han nhiem vu//VI"
UID_DOMAIN = "dieuhanh"
TOKEN_BYTES = 32  # token_urlsafe(32): 43 characters
TOKEN_PATTERN = r"[A-Za-z0-9_-]{20,64}"


# --- text encoding --------------------------------------------------------------------


def escape_text(value: Any) -> str:
    """RFC 5545 §3.3.11 TEXT escaping."""
    text = str(value or "")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return "".join(ch for ch in text if ch == "\t" or ord(ch) >= 0x20 and ord(ch) != 0x7F)


def fold(line: str, limit: int = 75) -> str:
    """Fold one content line at ``limit`` octets (§3.1); continuation lines start with a space."""
    data = line.encode("utf-8")
    if len(data) <= limit:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    budget = limit
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > budget:
            parts.append(current)
            current, size, budget = "", 0, limit - 1  # the leading space counts
        current += ch
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _date(d: date) -> str:
    return d.strftime("%Y%m%d")


def _stamp(value: datetime | None) -> str:
    value = value or timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%SZ")


# --- the calendar -------------------------------------------------------------------------


def feed_assignments(user: Any) -> QuerySet[Assignment]:
    """Open, dated assignments of the units in ``user``'s scope."""
    qs = Assignment.objects.filter(status__in=OPEN_STATUSES, due_on__isnull=False, task__cancelled_at__isnull=True)
    ids = visible_unit_ids(user)
    if ids is not None:
        qs = qs.filter(unit_id__in=ids)
    return qs.select_related("task", "task__document", "unit").order_by("due_on", "id")


def event_lines(a: Assignment) -> list[str]:
    task = a.task
    document = task.document
    description = []
    if document is not None:
        description.append(_("Văn bản: %(doc)s") % {"doc": document.number_symbol or _("(chưa có số)")})
    elif task.source_note:
        description.append(_("Nguồn giao: %(note)s") % {"note": task.source_note})
    if task.deadline_phrase:
        description.append(_("Thời hạn trong văn bản: %(phrase)s") % {"phrase": task.deadline_phrase})
    description.append(_("Đơn vị: %(unit)s (%(role)s)") % {"unit": a.unit.name, "role": a.get_role_display()})
    description.append(_("Trạng thái: %(status)s") % {"status": a.get_status_display()})
    if a.original_due_on and a.original_due_on != a.due_on:
        description.append(_("Hạn ban đầu: %(due)s") % {"due": a.original_due_on.strftime("%d/%m/%Y")})
    assert a.due_on is not None
    return [
        "BEGIN:VEVENT",
        f"UID:assignment-{a.pk}@{UID_DOMAIN}",
        f"DTSTAMP:{_stamp(a.updated_at)}",
        f"LAST-MODIFIED:{_stamp(a.updated_at)}",
        f"DTSTART;VALUE=DATE:{_date(a.due_on)}",
        f"DTEND;VALUE=DATE:{_date(a.due_on + timedelta(days=1))}",
        f"SUMMARY:{escape_text(task.title)}",
        f"DESCRIPTION:{escape_text(chr(10).join(description))}",
        f"CATEGORIES:{escape_text(a.unit.code)}",
        "TRANSP:TRANSPARENT",
        "STATUS:CONFIRMED",
        "END:VEVENT",
    ]


def render_calendar(assignments: Iterable[Assignment], name: str) -> str:
    """The whole VCALENDAR as text with CRLF line endings."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
    ]
    for a in assignments:
        lines.extend(event_lines(a))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def calendar_for(user: Any) -> str:
    unit = getattr(user, "unit", None)
    name = _("Hạn nhiệm vụ — %(who)s") % {"who": unit.name if unit is not None else user.get_username()}
    return render_calendar(feed_assignments(user).iterator(chunk_size=500), name)


# --- tokens -------------------------------------------------------------------------------------


def user_for_token(token: str) -> Any | None:
    """The active user owning ``token``, or None."""
    if not token or len(token) > 64:
        return None
    feed = FeedToken.objects.select_related("user", "user__unit").filter(token=token).first()
    if feed is None or not secrets.compare_digest(feed.token, token) or not feed.user.is_active:
        return None
    return feed.user


def regenerate_token(user: Any, request: HttpRequest | None = None) -> FeedToken:
    """Give ``user`` a new secret (the old URL stops working at once); audited."""
    with transaction.atomic():
        feed = FeedToken.objects.select_for_update().filter(user=user).first()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if feed is None:
            feed = FeedToken.objects.create(user=user, token=token)
            record(user, AuditAction.CREATE, feed, after={"user": user.pk}, request=request,
                   note="Tạo đường dẫn lịch hạn nhiệm vụ (ICS)")
        else:
            feed.token = token
            feed.created_at = timezone.now()
            feed.save(update_fields=["token", "created_at"])
            record(user, AuditAction.UPDATE, feed, after={"user": user.pk}, request=request,
                   note="Đổi đường dẫn lịch hạn nhiệm vụ (ICS)")
        return feed

"""The notification centre: a user's own notifications, unread first; mark one or all read.

Only the user's own rows are ever loaded (:func:`get_notification_for_user` gives 404
for anyone else's). Under HTMX the POSTs answer with the changed fragment and fire a
``notifications-changed`` event so the top-bar badge refreshes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _, gettext_noop as N_
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dieuhanh.accounts.audit import record
from dieuhanh.accounts.models import AuditAction
from dieuhanh.tasks.models import Notification

PAGE_SIZE = 50
BADGE_CAP = 99
# URL names the tasks pages may use for one assignment (the first that exists is linked).
ASSIGNMENT_URL_NAMES = ("tasks:assignment", "tasks:assignment_detail", "tasks:detail")


def notifications_of(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user.pk)


def get_notification_for_user(user: Any, pk: Any) -> Notification:
    try:
        return notifications_of(user).get(pk=int(pk))
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unread_count(user: Any) -> int:
    """One COUNT over the (user, read_at) index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return notifications_of(user).filter(read_at__isnull=True).count()


def notifications_context(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``unread_notifications``, counted only if a template uses it."""
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user))}


def _assignment_url_name() -> str | None:
    for name in ASSIGNMENT_URL_NAMES:
        try:
            reverse(name, args=[1])
        except NoReverseMatch:
            continue
        return name
    return None


def _with_links(items: list[Notification]) -> list[Notification]:
    from dieuhanh.tasks.events import event_label

    name = _assignment_url_name()
    for n in items:
        if not n.link:  # events store their own link (a document, a report); reminders point at the task
            n.link = reverse(name, args=[n.assignment_id]) if name and n.assignment_id else ""
        n.label = event_label(n.event) or n.get_kind_display()
    return items


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = "notifications-changed"
    return response


def _list_context(request: HttpRequest) -> dict[str, Any]:
    unread_first = ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField())
    qs = notifications_of(request.user).order_by(unread_first, "-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    items = _with_links(list(page.object_list))
    return {"page": page, "items": items, "unread": unread_count(request.user)}


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    context = _list_context(request)
    template = "tasks/notifications_list.html" if _is_htmx(request) else "tasks/notifications.html"
    return render(request, template, context)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request.user, pk)
    if notification.read_at is None:
        # Conditional UPDATE: a double post changes nothing the second time (and writes no audit row).
        with transaction.atomic():
            changed = notifications_of(request.user).filter(pk=notification.pk, read_at__isnull=True) \
                .update(read_at=timezone.now())
            if changed:
                record(request.user, AuditAction.STATE, notification, request=request,
                       note=N_("Đánh dấu thông báo đã đọc"), unit_id=request.user.unit_id)
        notification.refresh_from_db(fields=["read_at"])
    if _is_htmx(request):
        notification.link = _with_links([notification])[0].link
        return _changed(render(request, "tasks/notifications_item.html", {"n": notification}))
    return redirect("tasks:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        now = timezone.now()
        changed = notifications_of(request.user).filter(read_at__isnull=True).update(read_at=now)
        if changed:  # one row for the whole action, however many notifications it marked
            record(request.user, AuditAction.STATE, None, request=request, object_type="tasks.notification",
                   note=N_("Đánh dấu tất cả thông báo đã đọc"), after={"count": changed, "read_at": now.isoformat()},
                   unit_id=request.user.unit_id)
    if _is_htmx(request):
        return _changed(render(request, "tasks/notifications_list.html", _list_context(request)))
    return redirect("tasks:notifications")


@login_required
@require_GET
def notifications_badge(request: HttpRequest) -> HttpResponse:
    return render(request, "tasks/notifications_badge.html", {"unread_notifications": unread_count(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    """The user's own choice of e-mail: daily digest, at once, or none (audited)."""
    from dieuhanh.tasks.forms import NotificationSettingForm
    from dieuhanh.tasks.models import NotificationSetting

    setting = NotificationSetting.objects.filter(user=request.user).first() or NotificationSetting(user=request.user)
    before = setting.email_mode
    form = NotificationSettingForm(request.POST or None, instance=setting)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            record(request.user, AuditAction.UPDATE, saved, before={"email_mode": before},
                   after={"email_mode": saved.email_mode}, note=N_("Đổi cách nhận thư thông báo"),
                   unit_id=request.user.unit_id, request=request)
        messages.success(request, _("Đã lưu cách nhận thư thông báo."))
        return redirect("tasks:notification_settings")
    return render(request, "tasks/notification_settings.html", {"form": form, "has_email": bool(request.user.email)})

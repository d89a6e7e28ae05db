"""The audit log browser: administrators see every row, leaders their subtree's."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dieuhanh.accounts.audit_display import changes, related_names, type_label
from dieuhanh.accounts.forms import AuditFilterForm
from dieuhanh.accounts.models import AuditLog
from dieuhanh.accounts.permissions import audit_browser_required
from dieuhanh.accounts.scope import unit_filter

PAGE_SIZE = 50


def audit_rows_for_user(user: Any) -> QuerySet[AuditLog]:
    """Audit rows the user may read: all for administrators, their scope's for leaders."""
    return AuditLog.objects.filter(**unit_filter(user, "unit")).select_related("actor", "unit")


def apply_filters(rows: QuerySet[AuditLog], data: dict[str, Any]) -> QuerySet[AuditLog]:
    """Filter by whatever fields validated (an invalid date is reported, not applied)."""
    if data.get("actor"):
        text = data["actor"].strip()
        rows = rows.filter(Q(actor_name__icontains=text) | Q(actor__first_name__icontains=text)
                           | Q(actor__last_name__icontains=text))
    if data.get("action"):
        rows = rows.filter(action=data["action"])
    if data.get("object_type"):
        rows = rows.filter(object_type=data["object_type"])
    zone = timezone.get_current_timezone()
    if data.get("date_from"):
        rows = rows.filter(at__gte=datetime.combine(data["date_from"], time.min, tzinfo=zone))
    if data.get("date_to"):
        rows = rows.filter(at__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=zone))
    return rows


@require_GET
@audit_browser_required
def audit_log(request: HttpRequest) -> HttpResponse:
    filters = {k: v for k, v in request.GET.items() if k != "page" and v}
    form = AuditFilterForm(filters or None)
    rows = audit_rows_for_user(request.user)
    if form.is_bound:
        form.is_valid()
        rows = apply_filters(rows, form.cleaned_data)
    page = Paginator(rows.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    names = related_names(page.object_list)
    entries = [{"row": row, "type": type_label(row.object_type), "changes": changes(row, names)}
               for row in page.object_list]
    return render(request, "accounts/audit.html", {"form": form, "page": page, "entries": entries})

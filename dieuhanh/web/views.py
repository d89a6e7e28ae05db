"""Pages that belong to no single domain app: the home inbox."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dieuhanh.web import inbox


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs me (dieuhanh.web.inbox sections), then my unit's recent documents."""
    from dieuhanh.documents.services import overview_counts

    context = overview_counts(request.user)
    context["sections"] = inbox.fill(request.user)
    return render(request, "web/home.html", context)


@require_GET
@login_required
def inbox_count(request: HttpRequest) -> HttpResponse:
    """The navigation's count (loaded after the page, so no page pays for it)."""
    return render(request, "web/inbox_count.html", {"count": inbox.count(request.user)})

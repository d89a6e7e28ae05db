"""Pages that belong to no single domain app: the overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    from dieuhanh.documents.services import overview_counts

    return render(request, "web/home.html", overview_counts(request.user))

"""A user's own API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dieuhanh.accounts import services
from dieuhanh.accounts.forms import TokenCreateForm


def _page(request: HttpRequest, form: TokenCreateForm, new_token: str = "", status: int = 200) -> HttpResponse:
    tokens = request.user.api_tokens.order_by("revoked", "-created", "-id")
    return render(request, "accounts/tokens.html",
                  {"form": form, "tokens": tokens, "new_token": new_token}, status=status)


@require_GET
@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    return _page(request, TokenCreateForm())


@require_POST
@never_cache
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    """The plain token is in this response only: it is never stored, not even in the session."""
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    try:
        token, plain = services.issue_token(request.user, form.cleaned_data["name"], request)
    except services.TooManyTokens:
        messages.error(request, _("Bạn đã có %(count)d mã đang dùng; hãy thu hồi mã không cần nữa trước.")
                       % {"count": services.MAX_ACTIVE_TOKENS})
        return redirect("accounts:tokens")
    messages.success(request, _("Đã tạo mã truy cập “%(name)s”.") % {"name": token.name})
    return _page(request, TokenCreateForm(), new_token=plain)


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = services.get_token_for_user(request.user, pk)
    if services.revoke_token(request.user, token, request):
        messages.success(request, _("Đã thu hồi mã truy cập “%(name)s”.") % {"name": token.name})
    else:
        messages.info(request, _("Mã truy cập “%(name)s” đã được thu hồi từ trước.") % {"name": token.name})
    return redirect("accounts:tokens")

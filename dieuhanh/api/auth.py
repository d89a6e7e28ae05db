"""Who is calling the API: a bearer token (scripts, other systems) or the browser session.

Tokens look like ``dh_…``; only their SHA-256 digest is stored (``ApiToken.digest``).
A revoked token, a token of a deactivated user or an unknown token is refused (401).
``last_used`` is written at most once a minute per token, not on every call.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth
from ninja.utils import check_csrf

from dieuhanh.accounts.models import ApiToken

TOKEN_PREFIX = "dh_"
LAST_USED_EVERY = timedelta(minutes=1)


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer dh_…``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        found = (ApiToken.objects.select_related("user", "user__unit")
                 .filter(digest=ApiToken.hash(token), revoked=False).first())
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used is None or now - found.last_used >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)
        request.user = found.user  # views and the audit trail see the token's owner
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class BrowserSessionAuth(SessionAuth):
    """The logged-in browser session; unsafe methods need the CSRF token, as in the web pages."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "Thiếu hoặc sai mã chống giả mạo (CSRF) của phiên đăng nhập.")
        return request.COOKIES.get(self.param_name)


token_auth = ApiTokenAuth()
session_auth = BrowserSessionAuth()

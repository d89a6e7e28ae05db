"""Role checks for the accounts pages (object scope lives in ``dieuhanh.accounts.scope``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin_role)


def can_browse_audit(user: Any) -> bool:
    """Administrators see every audit row; leaders the rows of their subtree."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_admin_role or user.is_leader))


def user_passes(check: Callable[[Any], bool]) -> Callable[..., Any]:
    """Anonymous → login page; logged in but failing ``check`` → 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


admin_required = user_passes(is_admin)
audit_browser_required = user_passes(can_browse_audit)

"""Session limits on top of Django's: an idle timeout and an absolute lifetime.

A user idle for longer than ``DIEUHANH_IDLE_MINUTES`` (default 60; 0 turns it
off) is logged out on their next request, as is a session older than
``SESSION_COOKIE_AGE`` (Django slides the cookie's expiry whenever the session is
saved, so without this an active session would never end). The request then
carries on anonymously, so the page's own rule applies (usually a redirect to
the login page, which shows why).

Install after ``AuthenticationMiddleware`` and ``MessageMiddleware``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from dieuhanh.lib.env import env_int

SEEN_KEY = "_dh_seen"
STARTED_KEY = "_dh_started"
# Activity is written to the session at most once a minute, not on every request.
TOUCH_EVERY_SECONDS = 60


def idle_minutes() -> int:
    configured = getattr(settings, "DIEUHANH_IDLE_MINUTES", None)
    return int(configured) if configured is not None else env_int("DIEUHANH_IDLE_MINUTES", 60)


def _now() -> int:
    return int(timezone.now().timestamp())


def mark_session_start(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: the session's clocks start at login."""
    session = getattr(request, "session", None)
    if session is not None:
        now = _now()
        session[STARTED_KEY] = now
        session[SEEN_KEY] = now


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session, now = request.session, _now()
        seen, started = session.get(SEEN_KEY), session.get(STARTED_KEY)
        idle = idle_minutes() * 60
        if idle > 0 and isinstance(seen, int) and now - seen > idle:
            self._end(request, N_("Hết phiên do không hoạt động"), _(
                "Phiên làm việc đã kết thúc vì không hoạt động quá %(minutes)d phút. Vui lòng đăng nhập lại."
            ) % {"minutes": idle_minutes()})
            return
        if isinstance(started, int) and now - started > settings.SESSION_COOKIE_AGE:
            self._end(request, N_("Hết hạn phiên làm việc"),
                      _("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."))
            return
        if not isinstance(seen, int) or now - seen >= TOUCH_EVERY_SECONDS:
            session[SEEN_KEY] = now
        if not isinstance(started, int):
            session[STARTED_KEY] = now

    @staticmethod
    def _end(request: HttpRequest, note: str, message: str) -> None:
        from dieuhanh.accounts.services import log_out

        log_out(request, note=note)
        messages.warning(request, message, fail_silently=True)

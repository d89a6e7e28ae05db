"""Pages a logged-in user must pass through first.

- A temporary password (``must_change_password``): every page leads to "Đổi mật khẩu".
- A role in ``TWO_FACTOR_REQUIRED_ROLES`` without an authenticator app: every page leads to
  the enrolment page.

Only those pages, logout and the language switch stay open; the session's JSON API calls get
a 403 (bearer tokens are not sessions and are not affected). Whether the user has a device is
remembered in the session once seen, so a verified user costs no query per request.

Install after ``AuthenticationMiddleware``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from dieuhanh.accounts import twofactor

OPEN_ROUTES = ("accounts:logout", "accounts:password_change", "accounts:password_change_done",
               "accounts:twofactor", "accounts:twofactor_enrol", "accounts:login", "set_language")


def _open_paths() -> set[str]:
    return {reverse(name) for name in OPEN_ROUTES}


def needs_enrolment(request: HttpRequest) -> bool:
    user = request.user
    if not twofactor.required_for(user) or request.session.get(twofactor.VERIFIED_KEY):
        return False
    if twofactor.has_device(user):
        request.session[twofactor.VERIFIED_KEY] = True
        return False
    return True


class AccountGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            target = self._target(request)
            if target is not None and request.path not in _open_paths():
                return self._send_to(request, target)
        return self.get_response(request)

    @staticmethod
    def _target(request: HttpRequest) -> str | None:
        if request.user.must_change_password:
            return "accounts:password_change"
        if needs_enrolment(request):
            return "accounts:twofactor_enrol"
        return None

    @staticmethod
    def _send_to(request: HttpRequest, target: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            message = (_("Hãy đổi mật khẩu tạm thời trước khi dùng hệ thống.") if target == "accounts:password_change"
                       else _("Hãy cài đặt xác thực hai bước trước khi dùng hệ thống."))
            return JsonResponse({"detail": message}, status=403)
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse(target)
            return response
        return redirect(target)

"""Who is on the other end of the current request, for audit rows written deep inside services.

:class:`RequestMetaMiddleware` puts the client's address and user agent in a context
variable for the length of each request, so :func:`dieuhanh.accounts.audit.record` can
stamp every row without every service passing the request down. An explicit ``request``
given to ``record`` still wins. Outside a request (the worker, a command) there is none.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

USER_AGENT_MAX = 300


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None
    user_agent: str


_current: contextvars.ContextVar[RequestMeta | None] = contextvars.ContextVar("dieuhanh_request_meta",
                                                                               default=None)


def meta_of(request: HttpRequest | None) -> RequestMeta | None:
    if request is None or not hasattr(request, "META"):
        return None
    from dieuhanh.accounts.clientip import client_ip

    agent = str(request.META.get("HTTP_USER_AGENT") or "")
    return RequestMeta(ip=client_ip(request), user_agent=agent[:USER_AGENT_MAX])


def current() -> RequestMeta | None:
    return _current.get()


class RequestMetaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(meta_of(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)

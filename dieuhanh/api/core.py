"""The NinjaAPI instance: authentication, Vietnamese error answers, the routers.

Every endpoint needs a caller: a bearer token (``Authorization: Bearer dh_…``) or the
browser session (unsafe methods then need the CSRF header, as the web pages do).
Errors answer ``{"detail": "<Vietnamese message>"}``; bad input is 400, never 500.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, ValidationError
from ninja.renderers import JSONRenderer

from dieuhanh.api.auth import session_auth, token_auth


class _Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Vietnamese as UTF-8, not \uXXXX


api = NinjaAPI(
    title="Điều hành API",
    version="1",
    description=(
        "Đơn vị, văn bản, tìm kiếm và giao việc của hệ thống Điều hành. Xác thực bằng mã truy cập "
        "(`Authorization: Bearer dh_…`) hoặc phiên đăng nhập của trình duyệt. "
        "Ngày theo ISO 8601 (YYYY-MM-DD)."
    ),
    urls_namespace="api",
    docs_url=None,  # our own page at /api/docs serves the vendored Swagger UI (no CDN)
    docs_decorator=require_GET,  # the schema view accepts only GET (405 otherwise)
    auth=[token_auth, session_auth],
    renderer=_Renderer(),
)


def _error(request: HttpRequest, status: int, detail: str, **extra: object) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = _error(request, 401, _("Chưa xác thực: cần mã truy cập hợp lệ (Authorization: Bearer dh_…) "
                                      "hoặc đăng nhập."))
    response["WWW-Authenticate"] = 'Bearer realm="dieuhanh"'
    return response


@api.exception_handler(AuthorizationError)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, _("Bạn không có quyền thực hiện thao tác này."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, _("Không tìm thấy, hoặc bạn không có quyền xem."))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors]
    where = ", ".join(str(e["loc"][-1]) for e in errors if e["loc"]) or "?"
    return _error(request, 400, _("Dữ liệu gửi lên không hợp lệ (%(where)s).") % {"where": where}, errors=errors)


from dieuhanh.api import documents, tasks, units  # noqa: E402  (routers need ``api`` defined first)

api.add_router("/units", units.router, tags=["Đơn vị"])
api.add_router("/", documents.router, tags=["Văn bản"])
api.add_router("/", tasks.router, tags=["Nhiệm vụ"])

from dieuhanh.api import evaluation  # noqa: E402

api.add_router("/", evaluation.router, tags=["Đánh giá"])

"""Template context shared by every page: the main navigation.

Items whose page does not exist yet (a later feature) are left out rather than
shown as dead links.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

NAVIGATION = (
    ("web:home", _("Tổng quan")),
    ("documents:incoming", _("Văn bản đến")),
    ("documents:outgoing", _("Văn bản đi")),
    ("tasks:list", _("Nhiệm vụ")),
    ("tasks:dashboard", _("Tổng hợp")),
    ("reports:list", _("Báo cáo")),
    ("orgs:tree", _("Đơn vị")),
    ("documents:search", _("Tìm kiếm")),
)


def navigation(request: HttpRequest) -> dict[str, object]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    items = []
    for name, label in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"url": url, "label": label, "active": active})
    return {"nav_items": items}

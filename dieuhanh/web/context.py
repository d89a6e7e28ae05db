"""Template context shared by every page: the main navigation.

Items whose page does not exist yet (a later feature) are left out rather than
shown as dead links.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

NAVIGATION = (
    ("web:home", _("Việc cần làm")),
    ("documents:inbox", _("Chờ xử lý")),
    ("documents:incoming", _("Văn bản đến")),
    ("documents:outgoing", _("Văn bản đi")),
    ("tasks:list", _("Nhiệm vụ")),
    ("tasks:dashboard", _("Tổng hợp")),
    ("reports:list", _("Báo cáo")),
    ("evaluation:rounds", _("Đánh giá")),
    ("orgs:tree", _("Đơn vị")),
    ("documents:search", _("Tìm kiếm")),
)


def _needs_enrolment(request: HttpRequest) -> bool:
    from dieuhanh.accounts.gate import needs_enrolment

    return needs_enrolment(request)


def navigation(request: HttpRequest) -> dict[str, object]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    items = []
    # A user the account gate holds (temporary password, two-factor enrolment) gets no count: its
    # request would be sent to the gate's page again and, on the enrolment page, draw a new secret.
    gated = request.user.must_change_password or _needs_enrolment(request)
    for name, label in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": False,
                      # the home inbox's count, loaded after the page (dieuhanh.web.inbox)
                      "count_url": reverse("web:inbox_count") if name == "web:home" and not gated else ""})
    # The longest matching prefix wins: /nhiem-vu/tong-hop/ is "Tổng hợp", not also "Nhiệm vụ".
    matches = [i for i in items if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items}

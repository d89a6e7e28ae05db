"""The documents' section of the home inbox (place 30, :mod:`dieuhanh.web.inbox`): documents routed
to the user or, by role, to the user's unit (trình, xử lý chính, phối hợp, để biết) and not yet
handled. Two queries: a COUNT of distinct documents and the newest routes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy

from dieuhanh.web.inbox import Filled, Item, Section, register


def documents_waiting(user: Any, limit: int) -> Filled:
    from dieuhanh.documents.models import Document
    from dieuhanh.documents.routing import inbox, pending_documents_count

    total = pending_documents_count(user)
    if not limit or not total:
        return Filled(total, [], reverse("documents:inbox"))
    items, seen = [], set()
    # The home page never loads a document's parse, body or search text (megabytes each).
    routes = inbox(user).defer(*(f"document__{name}" for name in Document.LIST_DEFER))
    for route in routes[: limit * 3]:
        if route.document_id in seen:
            continue
        seen.add(route.document_id)
        doc = route.document
        title = " — ".join(p for p in (doc.number_symbol, doc.subject) if p) or str(doc)
        meta = route.get_action_display()
        if route.due_on:
            meta = _("%(action)s · hạn %(due)s") % {"action": meta, "due": route.due_on.strftime("%d/%m/%Y")}
        items.append(Item(title=title, url=reverse("documents:detail", args=[doc.pk]), meta=meta))
        if len(items) == limit:
            break
    return Filled(total, items, reverse("documents:inbox"))


def register_sections() -> None:
    register(Section("documents_to_handle", 30, gettext_lazy("Văn bản chờ tôi xử lý"), provider=documents_waiting,
                     empty=gettext_lazy("Không có văn bản nào chờ bạn xử lý."), counted=True))

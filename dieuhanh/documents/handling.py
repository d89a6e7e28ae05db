"""What the document page shows of the handling: the user's own steps (trình, bút phê, xử lý),
who received the document and who read it, the bút phê given, and the timeline.

Opening the page is "đã xem" for the user's routes and the user's unit's receipt.
A constant number of queries, whatever the number of receipts and steps.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest

from dieuhanh.documents import exchange, routing
from dieuhanh.documents.forms_routing import FinishForm, SubmitForm
from dieuhanh.documents.models import Document, Route


def handling_context(request: HttpRequest, document: Document) -> dict[str, Any]:
    user = request.user
    receipts = list(exchange.receipts_of(document))
    unit_id = getattr(user, "unit_id", None)
    receipt = next((r for r in receipts if r.unit_id == unit_id), None)
    if receipt is None and getattr(user, "is_admin_role", False) and receipts:
        receipt = receipts[0]
    routing.mark_seen(user, document, request=request, receipt=receipt)
    can_submit = receipt is not None and routing.can_submit(user, receipt)
    my_routes = list(routing.inbox(user).filter(document=document))
    instructions = list(document.instructions.select_related("author", "unit").prefetch_related(
        Prefetch("routes", queryset=Route.objects.select_related("unit", "user").order_by("action", "pk"))))
    return {
        "receipt": receipt,
        "receipts": receipts,
        "receipt_count": len(receipts),
        "read_count": sum(1 for r in receipts if r.read_at),
        "submit_form": SubmitForm(candidates=routing.submit_candidates(receipt)) if can_submit else None,
        "can_instruct": receipt is not None and routing.can_instruct(user, receipt),
        "can_deliver": exchange.can_deliver(user, document, receipts=receipts),
        "my_routes": [{"route": r, "form": FinishForm()} for r in my_routes
                      if r.action not in ("tiep_nhan", "trinh")],
        "instructions": instructions,
        "events": list(document.events.select_related("actor", "unit")),
    }

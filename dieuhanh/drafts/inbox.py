"""The drafts' section of the home inbox (place 25, :mod:`dieuhanh.web.inbox`): drafts whose turn
in the review chain is the user's, and signed drafts waiting for a number from a clerk who may
issue them.

A draft keeps its chain as JSON, so "whose turn" is read in Python over the drafts in review;
there are few of those at any time (a district has tens), and the query reads only the columns
it needs."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from dieuhanh.web.inbox import Filled, Item, Section, register


def drafts_waiting(user: Any, limit: int) -> Filled:
    from dieuhanh.drafts.models import Draft, State

    if not getattr(user, "is_authenticated", False):
        return Filled(0)
    in_review = (Draft.objects.filter(state=State.IN_REVIEW).only("id", "subject", "doc_type", "route", "step")
                 .order_by("-updated_at", "-id"))
    mine = [d for d in in_review if d.current_reviewer_id == user.pk]
    items = [Item(title=d.subject, url=reverse("drafts:detail", args=[d.pk]), meta=d.get_doc_type_display(),
                  badge=str(State.IN_REVIEW.label)) for d in mine[:limit]]
    return Filled(len(mine), items, reverse("drafts:list"))


def register_sections() -> None:
    register(Section("drafts_to_review", 25, gettext_lazy("Dự thảo chờ tôi cho ý kiến"), provider=drafts_waiting,
                     empty=gettext_lazy("Không có dự thảo nào chờ bạn."), counted=True))

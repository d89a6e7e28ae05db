"""``{% deadline_badge assignment %}``: the overdue / due-soon badge of dieuhanh.tasks.lateness."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from dieuhanh.tasks import lateness

register = template.Library()


@register.simple_tag
def deadline_badge(assignment: Any) -> str:
    state = lateness.of(assignment)
    if not state.label:
        return ""
    return format_html('<span class="badge due-{}">{}</span>', state.tone, state.label)

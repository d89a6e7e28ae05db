"""Who may file documents into which register, and who may correct them.

- Administrators: every active register, every document.
- Văn thư (clerk): every active register of their own unit; corrects that unit's documents.
- Chuyên viên (specialist): the draft registers of their own unit; corrects those drafts.
- Leaders read only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.scope import unit_filter
from dieuhanh.documents.models import Direction, Document, Register


def _is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin_role)


def can_register(user: Any, register: Register) -> bool:
    """May ``user`` file a new document into ``register``?"""
    if not getattr(user, "is_authenticated", False) or not register.active:
        return False
    if _is_admin(user):
        return True
    if user.unit_id is None or user.unit_id != register.unit_id:
        return False
    if user.role == Role.VAN_THU:
        return True
    return user.role == Role.CHUYEN_VIEN and register.direction == Direction.DRAFT


def can_edit(user: Any, document: Document) -> bool:
    """May ``user`` correct the fields of ``document`` (it must already be visible to them)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if _is_admin(user):
        return True
    if user.unit_id is None or user.unit_id != document.owner_unit_id:
        return False
    if user.role == Role.VAN_THU:
        return True
    return user.role == Role.CHUYEN_VIEN and document.direction == Direction.DRAFT


def registers_for_user(user: Any, direction: str | None = None, *, writable: bool = True) -> QuerySet[Register]:
    """Registers the user may file into (``writable=True``, the default) or see.

    Active registers only when writable. ``direction`` limits to one kind of register.
    """
    qs = Register.objects.select_related("unit")
    if direction:
        qs = qs.filter(direction=direction)
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if not writable:
        return qs.filter(**unit_filter(user, "unit"))
    qs = qs.filter(active=True)
    if _is_admin(user):
        return qs
    if user.unit_id is None:
        return qs.none()
    if user.role == Role.VAN_THU:
        return qs.filter(unit_id=user.unit_id)
    if user.role == Role.CHUYEN_VIEN:
        return qs.filter(unit_id=user.unit_id, direction=Direction.DRAFT)
    return qs.none()

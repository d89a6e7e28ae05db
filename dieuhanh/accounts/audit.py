"""The audit trail: one append-only row per create, update, delete or state change.

Call :func:`record` inside the same transaction as the change, so a rolled-back
change leaves no audit row and a committed one always has it. Every row carries the
client's address and user agent (from ``request``, else from the request being served:
``request_meta``) and its link in the hash chain (``chain``).
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from dieuhanh.accounts import chain, request_meta
from dieuhanh.accounts.models import AuditAction, AuditLog


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """JSON-safe values of a model's concrete fields (foreign keys by id)."""
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in ("password", "search_text", "body", "parsed"):
            continue
        value = getattr(obj, f.attname)
        data[f.name] = _jsonable(value)
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address (``X-Forwarded-For`` only from a trusted proxy: see ``clientip``)."""
    from dieuhanh.accounts.clientip import client_ip as from_request

    return from_request(request)


def record(actor: Any, action: str | AuditAction, obj: models.Model | None = None, *,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           request: HttpRequest | None = None, note: str = "", object_type: str | None = None,
           unit_id: int | None = None, actor_name: str | None = None) -> AuditLog:
    """Append one audit row. ``actor_name`` names an actor who is not (yet) a
    logged-in user, e.g. the username typed into a failed login."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    if unit_id is None:
        unit_id = getattr(obj, "owner_unit_id", None) or getattr(obj, "unit_id", None) or getattr(user, "unit_id", None)
    if actor_name is None:
        actor_name = getattr(user, "username", "") or ""
    meta = request_meta.meta_of(request) or request_meta.current()
    row = AuditLog(
        actor=user,
        actor_name=actor_name[:150],
        unit_id=unit_id,
        action=str(action),
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        before=before,
        after=after,
        ip=meta.ip if meta else None,
        user_agent=meta.user_agent if meta else "",
        note=note[:255],
    )
    with transaction.atomic():
        return chain.append(row)

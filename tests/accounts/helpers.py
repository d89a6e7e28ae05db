"""Helpers shared by the accounts tests."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from dieuhanh.accounts.models import AuditLog
from tests.factories import PASSWORD


def post_login(client: Client, username: str, password: str = PASSWORD, next_url: str | None = None,
               **extra: Any) -> Any:
    """Log in through the real form (not ``force_login``), from a fixed address."""
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR="10.0.0.7", **extra)


def audit_rows(action: str | None = None, **filters: Any) -> list[AuditLog]:
    rows = AuditLog.objects.all()
    if action is not None:
        rows = rows.filter(action=action)
    return list(rows.filter(**filters).order_by("id"))


def text_of(response: Any) -> str:
    return response.content.decode()

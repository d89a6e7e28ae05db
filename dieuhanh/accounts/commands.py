"""Audit rows for administrative commands (``dieuhanh manage …``).

A command has no logged-in user: its rows name the operating-system account that ran it and
the command (``root (lệnh changepassword)``). Secrets given on the command line are never
written (``--password``'s value becomes ``***``).
"""

from __future__ import annotations

import getpass
from typing import Any

from django.db import models, transaction

from dieuhanh.accounts.audit import record
from dieuhanh.accounts.models import AuditAction

SECRET_OPTIONS = ("--password",)


def actor_name(command: str) -> str:
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry (a container's numeric uid)
        who = "?"
    return f"{who} (lệnh {command})"[:150]


def masked(argv: list[str]) -> list[str]:
    shown, hide_next = [], False
    for arg in argv:
        if hide_next:
            shown.append("***")
            hide_next = False
        elif any(arg == opt for opt in SECRET_OPTIONS):
            shown.append(arg)
            hide_next = True
        elif any(arg.startswith(opt + "=") for opt in SECRET_OPTIONS):
            shown.append(arg.split("=", 1)[0] + "=***")
        else:
            shown.append(arg)
    return shown


def record_command(command: str, note: str, *, args: list[str] | None = None, obj: models.Model | None = None,
                   action: str = AuditAction.STATE, after: dict[str, Any] | None = None,
                   before: dict[str, Any] | None = None) -> None:
    """One row for one run of a command that changed data."""
    details = {"command": command, "args": masked([str(a) for a in (args or [])])}
    with transaction.atomic():
        record(None, action, obj, object_type=None if obj is not None else "command", note=note,
               before=before, after={**details, **(after or {})}, actor_name=actor_name(command))

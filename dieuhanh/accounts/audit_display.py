"""Audit rows made readable: field labels, formatted values and a before/after diff.

Foreign keys are stored as ids. Units and users, the usual targets, are named
with one query each per page, whatever the number of rows; any other target is
shown by id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dieuhanh.accounts.models import AuditLog

MAX_VALUE_CHARS = 300
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


# Fields whose own verbose names are English-only, or misleading here (the user's
# first_name holds the family name, so that get_full_name() reads "Nguyễn Văn An").
FIELD_LABELS = {
    ("accounts.user", "username"): gettext_lazy("Tên đăng nhập"),
    ("accounts.user", "first_name"): gettext_lazy("Họ"),
    ("accounts.user", "last_name"): gettext_lazy("Đệm và tên"),
    ("accounts.user", "is_active"): gettext_lazy("Đang hoạt động"),
    ("accounts.user", "email"): gettext_lazy("Thư điện tử"),
    ("accounts.user", "password"): gettext_lazy("Mật khẩu"),
    ("accounts.apitoken", "user"): gettext_lazy("Người dùng"),
    ("accounts.apitoken", "prefix"): gettext_lazy("Mã bắt đầu bằng"),
    ("accounts.apitoken", "revoked"): gettext_lazy("Đã thu hồi"),
    ("accounts.apitoken", "created"): gettext_lazy("Tạo lúc"),
    ("accounts.apitoken", "last_used"): gettext_lazy("Dùng lần cuối"),
}


def upper_first(text: object) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


@dataclass
class Change:
    label: str
    before: str
    after: str
    kind: str  # "added", "removed", "changed"


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    model = _model(object_type)
    return upper_first(model._meta.verbose_name) if model else object_type


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)  # type: ignore[return-value]
    except Exception:  # FieldDoesNotExist, or a reverse relation
        return None


def _format(value: Any, field: models.Field | None, names: dict[tuple[str, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if field is not None and field.is_relation and field.related_model is not None:
        label = field.related_model._meta.label_lower
        if isinstance(value, list):  # many-to-many: a list of ids
            return "; ".join(names.get((label, item), f"#{item}") for item in value) or "—"
        return names.get((label, value), f"#{value}")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    text = _format_plain(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _format_plain(value: Any) -> str:
    if isinstance(value, str) and _ISO_DATE.match(value):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, list):
        return "; ".join(_format_plain(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _label(object_type: str, key: str, field: models.Field | None) -> str:
    if (object_type, key) in FIELD_LABELS:
        return str(FIELD_LABELS[(object_type, key)])
    if field is not None and hasattr(field, "verbose_name"):
        return upper_first(field.verbose_name)
    return key


def changes(entry: AuditLog, names: dict[tuple[str, Any], str] | None = None) -> list[Change]:
    """What changed, field by field (unchanged fields are left out)."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    model, names = _model(entry.object_type), names or {}
    result = []
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        field = _field(model, key)
        label = _label(entry.object_type, key, field)
        kind = "added" if key not in before else "removed" if key not in after else "changed"
        result.append(Change(label=label, before=_format(old, field, names) if key in before else "",
                             after=_format(new, field, names) if key in after else "", kind=kind))
    return result


def related_names(entries: Iterable[AuditLog]) -> dict[tuple[str, Any], str]:
    """Names of the units and users the entries' snapshots point at (≤ 2 queries)."""
    wanted: dict[str, set[Any]] = {"orgs.unit": set(), "accounts.user": set()}
    for entry in entries:
        model = _model(entry.object_type)
        for snap in (entry.before, entry.after):
            if not isinstance(snap, dict):
                continue
            for key, value in snap.items():
                field = _field(model, key)
                if value is not None and field is not None and field.is_relation and field.related_model:
                    label = field.related_model._meta.label_lower
                    if label in wanted and isinstance(value, int):
                        wanted[label].add(value)
    names: dict[tuple[str, Any], str] = {}
    if wanted["orgs.unit"]:
        units = apps.get_model("orgs.unit").objects.filter(pk__in=wanted["orgs.unit"])
        for pk, name in units.values_list("pk", "name"):
            names[("orgs.unit", pk)] = name
    if wanted["accounts.user"]:
        users = apps.get_model("accounts.user").objects.filter(pk__in=wanted["accounts.user"])
        for pk, username in users.values_list("pk", "username"):
            names[("accounts.user", pk)] = username
    return names

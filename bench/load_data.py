"""The data side of bench/load.py: the demo-like dataset, each account's plan, the integrity checks.

Runs in the bench process with Django set up on the bench database (bench/benchdb.py).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SUBJECTS = (
    "tổng kết công tác cải cách hành chính", "triển khai kế hoạch phòng chống thiên tai",
    "báo cáo tình hình kinh tế - xã hội quý", "tăng cường quản lý trật tự đô thị",
    "chuyển đổi số trong cơ quan nhà nước", "kiểm tra công tác phòng cháy chữa cháy",
    "giải quyết thủ tục hành chính trực tuyến", "tuyển sinh các cấp năm học mới",
)
SEARCHES = ("cai cach hanh chinh", "ke hoach", "313", "chuyển đổi số", "thiên tai", "do thi", "bao cao quy")


@dataclass
class Account:
    username: str
    role: str
    document_ids: list[int] = field(default_factory=list)
    register_id: int | None = None      # files uploads into this register through the API
    assignment_id: int | None = None    # else attaches files to progress notes here


def build(extra_documents: int, seed: int) -> None:
    """``load_demo`` (units, one account per role, registers, the 313/UBND story and its tasks),
    then ``extra_documents`` more documents spread over the district's and the wards' registers."""
    from django.core.management import call_command

    from dieuhanh.accounts.models import User
    from dieuhanh.documents.models import Direction, Register
    from dieuhanh.documents.services import register_document

    call_command("load_demo", stdout=io.StringIO())
    rng = random.Random(seed)
    clerk = User.objects.get(username="vanthu.cairang")
    registers = list(Register.objects.filter(direction=Direction.INCOMING, unit__code="ubnd_q_cairang"))
    ward_clerk = User.objects.get(username="vanthu.lebinh")
    ward_registers = list(Register.objects.filter(direction=Direction.INCOMING, unit_id=ward_clerk.unit_id))
    start = date.today() - timedelta(days=400)
    for i in range(extra_documents):
        user, pool = (ward_clerk, ward_registers) if i % 4 == 0 and ward_registers else (clerk, registers)
        day = start + timedelta(days=rng.randrange(400))
        register_document(user, rng.choice(pool), {
            "doc_type": rng.choice(("Công văn", "Kế hoạch", "Thông báo", "Báo cáo")),
            "subject": f"{rng.choice(SUBJECTS)} ({i})", "issuer": "Ủy ban nhân dân thành phố Cần Thơ",
            "number_symbol": f"{1000 + i}/UBND-VP", "issued_on": day, "arrived_on": day + timedelta(days=1),
        })


def plan(password_of: dict[str, str] | None = None) -> list[Account]:
    """One entry per active account: what it may open and where its uploads go."""
    from dieuhanh.accounts.models import User
    from dieuhanh.documents.models import Direction
    from dieuhanh.documents.permissions import registers_for_user
    from dieuhanh.documents.services import documents_visible_to
    from dieuhanh.tasks.models import OPEN_STATUSES
    from dieuhanh.tasks.services import acts_for_doer, my_assignments

    accounts = []
    for user in User.objects.filter(is_active=True).select_related("unit").order_by("username"):
        account = Account(user.username, user.role)
        account.document_ids = list(documents_visible_to(user).order_by("-pk").values_list("pk", flat=True)[:300])
        register = registers_for_user(user, Direction.INCOMING).first()
        if register is not None:
            account.register_id = register.pk
        else:
            mine = my_assignments(user).filter(status__in=OPEN_STATUSES).select_related("task")[:20]
            account.assignment_id = next((a.pk for a in mine if acts_for_doer(user, a)), None)
        accounts.append(account)
    return accounts


# --- integrity --------------------------------------------------------------------------------


def integrity_report(media_root: Path) -> list[tuple[str, int, str]]:
    """(check, problems found, detail) rows; every count should be 0."""
    return [_orphan_rows(), _numbering(), _duplicate_reminders(), _missing_files(media_root),
            _stray_files(media_root)]


def _orphan_rows() -> tuple[str, int, str]:
    """Rows whose foreign key names a row that does not exist (every FK of every model)."""
    from django.apps import apps
    from django.db import connection

    found, where = 0, []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            for f in model._meta.concrete_fields:
                if not f.is_relation or f.related_model is None:
                    continue
                table, target = model._meta.db_table, f.related_model._meta.db_table
                column, pk = f.column, f.target_field.column
                cursor.execute(f'SELECT count(*) FROM "{table}" t LEFT JOIN "{target}" r ON t."{column}" = r."{pk}" '
                               f'WHERE t."{column}" IS NOT NULL AND r."{pk}" IS NULL')
                count = cursor.fetchone()[0]
                if count:
                    found += count
                    where.append(f"{table}.{column}: {count}")
    return "orphan rows (all foreign keys)", found, ", ".join(where)


def _numbering() -> tuple[str, int, str]:
    """Per register and year: the numbers in use (documents and the receipts of documents sent
    through the exchange) run without gap or duplicate, and the counter stands at the highest.
    A register may start above 1 (a register taken over from paper mid-year): contiguous from its
    lowest number is the rule."""
    from collections import defaultdict

    from dieuhanh.documents.models import Document, Receipt, RegisterCounter

    numbers: dict[tuple[int, int], dict[int, set]] = defaultdict(lambda: defaultdict(set))
    rows = list(Document.objects.filter(reg_number__isnull=False).values_list("register_id", "reg_year",
                                                                              "reg_number", "id"))
    for register_id, year, number, pk in rows:
        numbers[(register_id, year)][number].add(("d", pk))
    for register_id, year, number, document_id in Receipt.objects.values_list("register_id", "reg_year",
                                                                               "reg_number", "document_id"):
        holders = numbers[(register_id, year)][number]
        if ("d", document_id) not in holders:  # a unit's own document carries its receipt's number
            holders.add(("r", document_id))
    counters = {(c.register_id, c.year): c.last_number for c in RegisterCounter.objects.all()}
    problems = []
    for key, used in numbers.items():
        low, top = min(used), max(used)
        doubled = [n for n, holders in used.items() if len(holders) > 1]
        if len(used) != top - low + 1 or doubled:
            problems.append(f"register {key}: {len(used)} numbers from {low} to {top}, doubled {doubled[:5]}")
        if counters.get(key, 0) != top:
            problems.append(f"register {key}: counter {counters.get(key, 0)}, highest {top}")
    return f"gapless numbering ({len(numbers)} register-years)", len(problems), "; ".join(problems[:5])


def _duplicate_reminders() -> tuple[str, int, str]:
    """The same reminder (user, assignment, kind) twice on one day."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from dieuhanh.tasks.models import Notification, NotificationKind

    dupes = (Notification.objects.exclude(kind=NotificationKind.EVENT)
             .annotate(day=TruncDate("created_at")).values("user_id", "assignment_id", "kind", "day")
             .annotate(n=Count("id")).filter(n__gt=1))
    total = Notification.objects.count()
    return f"duplicate reminders ({total} notifications)", dupes.count(), ""


def _file_fields() -> list[tuple[Any, str]]:
    from django.apps import apps
    from django.db import models

    return [(m, f.name) for m in apps.get_models() for f in m._meta.concrete_fields if isinstance(f, models.FileField)]


def _missing_files(media_root: Path) -> tuple[str, int, str]:
    missing = []
    for model, name in _file_fields():
        for value in model.objects.exclude(**{name: ""}).values_list(name, flat=True):
            if value and not (media_root / value).is_file():
                missing.append(value)
    return "file rows whose file is missing", len(missing), ", ".join(missing[:3])


def _stray_files(media_root: Path) -> tuple[str, int, str]:
    """Files on disk no row names (left by a registration killed between writing and committing)."""
    named = {value for model, name in _file_fields()
             for value in model.objects.exclude(**{name: ""}).values_list(name, flat=True)}
    stray = [p for p in media_root.rglob("*") if p.is_file() and str(p.relative_to(media_root)) not in named]
    return "files no row names", len(stray), ", ".join(str(p.relative_to(media_root)) for p in stray[:3])

"""The audit log's hash chain: each row carries the hash of the one before it.

A row's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of its
content and the previous row's hash. Changing, inserting or removing a row anywhere
breaks the link at that row; removing the newest rows is caught by the chain head
(:class:`AuditChainHead`), which records the last sequence number and hash.

Not covered: ``actor_id`` and ``unit_id``. Django sets them to NULL when a user or a
unit is deleted (the PostgreSQL trigger allows exactly that change), so they cannot be
part of a hash that must stay valid; the actor's name is covered, and so is the object.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

GENESIS = ""
HASHED_FIELDS = ("seq", "at", "actor_name", "action", "object_type", "object_id", "object_repr",
                 "before", "after", "ip", "user_agent", "note", "prev_hash")


def _timestamp(value: Any) -> str:
    if isinstance(value, str):  # a raw row from a cursor or a migration
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _address(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        return str(ipaddress.ip_address(str(value).split("/")[0]))
    except ValueError:
        return str(value)


def _json(value: Any) -> Any:
    # What the database gives back: keys become strings, tuples lists.
    return None if value is None else json.loads(json.dumps(value, ensure_ascii=False))


def canonical(row: Any) -> bytes:
    """The bytes a row's hash is taken over (``row``: an AuditLog or any object with its fields)."""
    data = {name: getattr(row, name) for name in HASHED_FIELDS}
    data["at"] = _timestamp(data["at"])
    data["ip"] = _address(data["ip"])
    data["before"] = _json(data["before"])
    data["after"] = _json(data["after"])
    for name in ("actor_name", "action", "object_type", "object_id", "object_repr", "user_agent", "note",
                 "prev_hash"):
        data[name] = data[name] or ""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def row_hash(row: Any) -> str:
    return hashlib.sha256(canonical(row)).hexdigest()


def _locked_head() -> Any:
    from dieuhanh.accounts.models import AuditChainHead

    heads = AuditChainHead.objects.select_for_update() if connection.vendor == "postgresql" \
        else AuditChainHead.objects
    head = heads.filter(pk=1).first()
    if head is None:  # a fresh or flushed database: the chain starts over
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
        head = heads.get(pk=1)
    return head


def append(row: Any) -> Any:
    """Save a new AuditLog row at the end of the chain. Call inside ``transaction.atomic``."""
    from dieuhanh.accounts.models import AuditChainHead

    head = _locked_head()
    row.seq = head.seq + 1
    row.prev_hash = head.hash or GENESIS
    row.hash = row_hash(row)
    row.save(force_insert=True)
    AuditChainHead.objects.filter(pk=1).update(seq=row.seq, hash=row.hash)
    return row


@dataclass
class Verdict:
    rows: int = 0
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.reason


def check_rows(rows: Iterable[Any], head_seq: int, head_hash: str) -> Verdict:
    """Walk rows in ``seq`` order; the first broken link stops the walk."""
    verdict = Verdict()
    expected_seq, previous = 1, GENESIS
    for row in rows:
        verdict.rows += 1
        problem = ""
        if row.seq != expected_seq:
            problem = (f"thiếu dòng số {expected_seq}" if row.seq > expected_seq
                       else f"số thứ tự lặp lại {row.seq}")
        elif (row.prev_hash or "") != previous:
            problem = "mã băm của dòng trước không khớp (dòng trước đã bị sửa, xóa hoặc chèn thêm)"
        elif row_hash(row) != row.hash:
            problem = "nội dung dòng đã bị sửa (mã băm không khớp)"
        if problem:
            verdict.broken_seq, verdict.broken_id, verdict.reason = expected_seq, row.pk, problem
            return verdict
        expected_seq, previous = row.seq + 1, row.hash
    if expected_seq - 1 != head_seq or previous != (head_hash or GENESIS):
        verdict.broken_seq = expected_seq
        verdict.reason = (f"đầu chuỗi ghi {head_seq} dòng nhưng chỉ còn {expected_seq - 1} dòng liên tục "
                          "(các dòng mới nhất đã bị xóa hoặc sửa)")
    return verdict


def verify() -> Verdict:
    """Check the whole chain. Rows outside it (no ``seq``) are a break too."""
    from dieuhanh.accounts.models import AuditChainHead, AuditLog

    with transaction.atomic():
        head = AuditChainHead.objects.filter(pk=1).first()
        unchained = AuditLog.objects.filter(seq__isnull=True).order_by("id").first()
        if unchained is not None:
            return Verdict(rows=0, broken_id=unchained.pk,
                           reason="dòng nhật ký nằm ngoài chuỗi (không có số thứ tự, ghi không qua ứng dụng)")
        rows = AuditLog.objects.order_by("seq").iterator(chunk_size=2000)
        return check_rows(rows, head.seq if head else 0, head.hash if head else GENESIS)

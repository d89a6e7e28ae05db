"""Register numbers: one sequence per register per calendar year, no gap, no duplicate.

The counter row is read ``SELECT … FOR UPDATE`` and bumped inside the caller's
transaction, so the lock is held until the document carrying the number is
committed; if anything later in that transaction fails, the bump rolls back with
it and the number is drawn again by the next registration (no gap).

Creating the year's row races when two clerks file the first document of a year
at once: ``get_or_create`` runs the INSERT in a savepoint, the loser gets an
IntegrityError from the unique constraint, and re-reads (and locks) the winner's
row. On SQLite ``FOR UPDATE`` is a no-op, but transactions there are IMMEDIATE
(settings): a writer holds the database lock from BEGIN, which serialises drawers.

Self-repair: a counter found behind the numbers already in use (a restored backup,
a hand edit, or the connection sharing that issue 9 found) would make every later
registration fail on the unique constraint. The draw therefore also reads the
highest number in use (one index lookup on ``unique_register_number``), continues
past it, repairs the counter and writes an audit row saying so.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from dieuhanh.accounts.audit import record
from dieuhanh.accounts.models import AuditAction
from dieuhanh.documents.models import Document, Receipt, Register, RegisterCounter

_ATTEMPTS = 5


def _locked_counter(register_id: int, year: int) -> RegisterCounter:
    for _attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                counter, _created = RegisterCounter.objects.select_for_update().get_or_create(
                    register_id=register_id, year=year)
                return counter
        except IntegrityError:
            continue  # another transaction created the row first: read it again, locked
    raise RuntimeError(f"could not lock the counter of register {register_id} for {year}")


def next_number(register: Register | int, year: int) -> int:
    """Draw the next number of ``register`` for ``year``.

    Call it inside the transaction that stores the numbered document: the counter
    row stays locked until that transaction ends, and rolls back with it.
    """
    register_id = register if isinstance(register, int) else register.pk
    with transaction.atomic():
        counter = _locked_counter(register_id, year)
        in_use = _highest_in_use(register_id, year)
        if in_use > counter.last_number:
            _record_repair(counter, in_use)
            counter.last_number = in_use
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
        return counter.last_number


def _highest_in_use(register_id: int, year: int) -> int:
    """The highest number of the register's year, on a document or on a receipt (a unit's
    incoming register numbers the documents other units send it through the exchange too)."""
    found = (Document.objects.filter(register_id=register_id, reg_year=year)
             .aggregate(highest=Max("reg_number"))["highest"])
    received = (Receipt.objects.filter(register_id=register_id, reg_year=year)
                .aggregate(highest=Max("reg_number"))["highest"])
    return max(found or 0, received or 0)


def _record_repair(counter: RegisterCounter, in_use: int) -> None:
    unit_id = Register.objects.filter(pk=counter.register_id).values_list("unit_id", flat=True).first()
    record(None, AuditAction.UPDATE, counter, before={"last_number": counter.last_number},
           after={"last_number": in_use}, unit_id=unit_id, actor_name="dieuhanh",
           note=(f"Bộ đếm sổ {counter.register_id} năm {counter.year} chậm hơn số đã dùng "
                 f"({counter.last_number} < {in_use}): đã sửa, số tiếp theo là {in_use + 1}"))


def last_number(register: Register | int, year: int) -> int:
    """The last number drawn (0 when none yet); for display and tests, takes no lock."""
    register_id = register if isinstance(register, int) else register.pk
    found = RegisterCounter.objects.filter(register_id=register_id, year=year).values_list("last_number", flat=True)
    return next(iter(found), 0)

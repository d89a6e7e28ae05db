"""A register counter left behind the numbers in use repairs itself on the next draw (issue 9)."""

from __future__ import annotations

from datetime import date

from dieuhanh.accounts.models import AuditLog
from dieuhanh.documents import services
from dieuhanh.documents.models import RegisterCounter
from dieuhanh.documents.numbering import last_number, next_number


def _file(clerk, register, subject: str):  # type: ignore[no-untyped-def]
    return services.register_document(clerk, register, {"doc_type": "Công văn", "subject": subject,
                                                         "arrived_on": date(2026, 3, 2)})


def test_counter_behind_numbers_in_use_is_repaired_and_audited(registers, actors) -> None:  # type: ignore[no-untyped-def]
    clerk, register = actors["district_clerk"], registers["district_in"]
    first, second, third = (_file(clerk, register, s) for s in ("Một", "Hai", "Ba"))
    assert [d.reg_number for d in (first, second, third)] == [1, 2, 3]
    # What the shared-connection bug left behind: documents numbered, the counter not moved.
    RegisterCounter.objects.filter(register=register, year=2026).update(last_number=1)

    fourth = _file(clerk, register, "Bốn")

    assert fourth.reg_number == 4
    assert last_number(register, 2026) == 4
    repair = AuditLog.objects.get(object_type="documents.registercounter")
    assert (repair.before, repair.after) == ({"last_number": 1}, {"last_number": 3})
    assert repair.unit_id == register.unit_id
    assert "chậm hơn số đã dùng" in repair.note and "số tiếp theo là 4" in repair.note
    assert _file(clerk, register, "Năm").reg_number == 5
    assert AuditLog.objects.filter(object_type="documents.registercounter").count() == 1


def test_a_missing_counter_row_starts_past_the_numbers_in_use(registers, actors) -> None:  # type: ignore[no-untyped-def]
    clerk, register = actors["district_clerk"], registers["district_in"]
    _file(clerk, register, "Một")
    _file(clerk, register, "Hai")
    RegisterCounter.objects.filter(register=register).delete()

    assert next_number(register, 2026) == 3
    assert AuditLog.objects.filter(object_type="documents.registercounter").count() == 1


def test_a_counter_in_step_writes_no_repair_row(registers, actors) -> None:  # type: ignore[no-untyped-def]
    clerk, register = actors["district_clerk"], registers["district_in"]
    for subject in ("Một", "Hai"):
        _file(clerk, register, subject)
    # Another year and another register do not count as "in use" here.
    assert next_number(register, 2027) == 1
    assert next_number(registers["district_out"], 2026) == 1
    assert not AuditLog.objects.filter(object_type="documents.registercounter").exists()

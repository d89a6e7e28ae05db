"""Exchange between units: recipients resolved from the seed, one document, a receipt per unit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from dieuhanh.accounts.models import AuditAction, AuditLog
from dieuhanh.documents import exchange, services
from dieuhanh.documents.models import Direction, Document, DocumentEvent, Receipt, ReceiptStatus, Register
from dieuhanh.documents.numbering import last_number


@pytest.fixture
def issued_313(actors, registers, seed_bytes):  # type: ignore[no-untyped-def]
    """The seed dispatch 313/UBND in the district's outgoing register (the district issued it)."""
    preview = services.preview_intake(data=seed_bytes, filename="313.txt")
    fields = {k: v for k, v in preview["fields"].items() if k not in ("arrived_on", "sender")}
    return services.register_document(actors["district_clerk"], registers["district_out"], fields,
                                      upload=services.IntakeFile(seed_bytes, "313.txt"), parsed=preview["parsed"])


def test_seed_recipients_resolve_to_the_offices_and_wards(units, issued_313) -> None:  # type: ignore[no-untyped-def]
    found = {u.code for u in exchange.resolve_recipients(issued_313)}
    assert {"phong_noi_vu", "vp_hdnd_ubnd", "p_le_binh", "p_ba_lang"} <= found
    assert "ubnd_q_cairang" not in found  # the issuer itself ("CT, PCT. UBND quận") is not a recipient
    assert not found & {"ubnd_q_ninhkieu", "p_tan_an", "snv_ct"}


def test_delivery_gives_each_unit_its_own_gapless_arrival_number(units, actors, registers, issued_313) -> None:  # type: ignore[no-untyped-def]
    clerk = actors["district_clerk"]
    # Lê Bình already registered two paper documents this year: the receipt is number 3.
    for n in range(2):
        services.register_document(actors["ward_clerk"], registers["le_binh_in"],
                                   {"doc_type": "Công văn", "subject": f"giấy {n}", "issuer": "Sở Nội vụ"})
    receipts = exchange.deliver_internal(issued_313, [units["le_binh"], units["ba_lang"], units["noi_vu"]], clerk)
    by_unit = {r.unit.code: r for r in receipts}
    year = by_unit["p_le_binh"].reg_year
    assert by_unit["p_le_binh"].reg_number == 3 and by_unit["p_ba_lang"].reg_number == 1
    assert last_number(registers["le_binh_in"], year) == 3
    # Phòng Nội vụ had no incoming register: one is opened for it.
    assert by_unit["phong_noi_vu"].register.unit == units["noi_vu"]
    assert by_unit["phong_noi_vu"].register.direction == Direction.INCOMING
    assert {r.document_id for r in receipts} == {issued_313.pk}
    assert Document.objects.count() == 3  # one identity: nothing copied
    assert all(r.status == ReceiptStatus.RECEIVED for r in receipts)
    assert AuditLog.objects.filter(object_type="documents.receipt", action=AuditAction.CREATE).count() == 3
    # Delivering again changes nothing.
    again = exchange.deliver_internal(issued_313, [units["le_binh"]], clerk)
    assert [r.pk for r in again] == [by_unit["p_le_binh"].pk]
    assert Receipt.objects.count() == 3 + 2  # + the two paper documents' own receipts


def test_the_ward_sees_the_document_and_the_sender_sees_who_read_it(units, actors, issued_313) -> None:  # type: ignore[no-untyped-def]
    outsider, ward_clerk = actors["outsider"], actors["ward_clerk"]
    [receipt] = exchange.deliver_internal(issued_313, [units["le_binh"]], actors["district_clerk"])
    assert services.get_document_for_user(ward_clerk, issued_313.pk) == issued_313
    with pytest.raises(Exception):
        services.get_document_for_user(outsider, issued_313.pk)
    assert exchange.mark_read(receipt, ward_clerk) is True
    assert exchange.mark_read(receipt, ward_clerk) is False
    seen = exchange.receipts_of(issued_313).get()
    assert (seen.status, seen.read_by) == (ReceiptStatus.READ, ward_clerk)
    assert exchange.advance_receipt(seen, ReceiptStatus.DONE, ward_clerk) is True
    assert exchange.advance_receipt(seen, ReceiptStatus.READ, ward_clerk) is False  # never back
    kinds = list(DocumentEvent.objects.filter(document=issued_313).values_list("kind", flat=True))
    assert kinds == ["nhan", "gui", "xem", "hoan_thanh"]


def test_relay_keeps_the_chain(units, actors, registers) -> None:  # type: ignore[no-untyped-def]
    city_out = Register.objects.create(unit=units["city"], direction=Direction.OUTGOING, name="Sổ đi")
    from tests.factories import UserFactory
    from dieuhanh.accounts.models import Role

    city_clerk = UserFactory(username="vanthu.tp", unit=units["city"], role=Role.VAN_THU)
    plan = services.register_document(city_clerk, city_out, {"doc_type": "Kế hoạch", "subject": "Tổng kết CCHC"})
    [district] = exchange.deliver_internal(plan, [units["district"]], city_clerk)
    [ward] = exchange.deliver_internal(plan, [units["le_binh"]], actors["district_clerk"])
    assert ward.via == district and ward.sender_unit == units["district"]
    with pytest.raises(PermissionDenied):
        exchange.deliver_internal(plan, [units["ba_lang"]], actors["outsider"])
    with pytest.raises(PermissionDenied):  # a specialist does not send
        exchange.deliver_internal(plan, [units["ba_lang"]], actors["district_specialist"])

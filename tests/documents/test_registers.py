"""Registers as Decree 30 wants them: the ten columns, filters, the year from the counters, print,
XLSX, voiding with a reason, urgency and secrecy with the Decree's values."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from dieuhanh.accounts.models import AuditLog
from dieuhanh.documents import exchange, registers, services
from dieuhanh.documents.models import (Direction, Document, Receipt, Register, Route, RouteState, Secrecy, Urgency,
                                       normalize_mark)


def incoming(actors, register, n: int, **extra):  # type: ignore[no-untyped-def]
    fields = {"doc_type": "Công văn", "number_symbol": f"{n}/SNV-CCHC", "subject": f"Việc thứ {n}",
              "issuer": "Sở Nội vụ thành phố Cần Thơ", "issued_on": date(2020, 3, 1), **extra}
    return services.register_document(actors["district_clerk"], register, fields)


def test_marks_take_the_decrees_values() -> None:
    assert normalize_mark("Khẩn", Urgency) == "KHẨN"
    assert normalize_mark("hoả tốc", Urgency) == "HỎA TỐC"
    assert normalize_mark("HỎA TỐC HẸN GIỜ", Urgency) == "HỎA TỐC"  # the legacy level
    assert normalize_mark("thượng khẩn", Urgency) == "THƯỢNG KHẨN"
    assert normalize_mark("Tối mật", Secrecy) == "TỐI MẬT"
    assert normalize_mark("tuyệt mật", Secrecy) == "TUYỆT MẬT"
    assert normalize_mark("bình thường", Urgency) == ""


def test_incoming_register_has_the_ten_columns_and_filters(actors, registers, login) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel("2020-03-05 09:00 +0700", tick=False):
        first = incoming(actors, registers["district_in"], 5, urgency="khẩn")
        incoming(actors, registers["district_in"], 6, doc_type="Kế hoạch", secrecy="Mật")
    assert (first.urgency, Document.objects.get(number_symbol="6/SNV-CCHC").secrecy) == ("KHẨN", "MẬT")
    client = login(actors["district_clerk"])
    response = client.get(reverse("documents:incoming"))  # opens on 2020: the latest year with entries
    assert response.context["filter"].year == 2020
    page = response.content.decode()
    for column in ("Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu nội dung",
                   "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú"):
        assert f"<th>{column}</th>" in page
    assert "5/SNV-CCHC" in page and "6/SNV-CCHC" in page
    only_urgent = client.get(reverse("documents:incoming"), {"khan": "KHẨN"}).content.decode()
    assert "5/SNV-CCHC" in only_urgent and "6/SNV-CCHC" not in only_urgent
    plans = client.get(reverse("documents:incoming"), {"loai": "kế hoạch"}).content.decode()
    assert "6/SNV-CCHC" in plans and "5/SNV-CCHC" not in plans
    late = client.get(reverse("documents:incoming"), {"tu": "06/03/2020"}).content.decode()
    assert "6/SNV-CCHC" not in late
    assert client.get(reverse("documents:incoming"), {"nam": "2019"}).context["page"].paginator.count == 0


def test_years_come_from_the_counters(actors, registers) -> None:  # type: ignore[no-untyped-def]
    for year in (2019, 2021):
        with time_machine.travel(f"{year}-06-01 09:00 +0700", tick=False):
            incoming(actors, registers["district_in"], year)
    assert registers.__class__  # (fixture name shadows the module inside this test)
    from dieuhanh.documents import registers as module

    assert module.register_years(actors["district_clerk"], Direction.INCOMING) == [2021, 2019]
    assert module.register_years(actors["ward_clerk"], Direction.INCOMING) == []


def test_void_keeps_the_entry_struck_through(actors, registers, login) -> None:  # type: ignore[no-untyped-def]
    from dieuhanh.documents import registers as module

    with time_machine.travel("2020-03-05 09:00 +0700", tick=False):
        document = incoming(actors, registers["district_in"], 7)
        incoming(actors, registers["district_in"], 8)
    receipt = Receipt.objects.get(document=document)
    with pytest.raises(PermissionDenied):
        module.void_entry(actors["district_leader"], receipt, "trùng")
    with pytest.raises(ValidationError):
        module.void_entry(actors["district_clerk"], receipt, "   ")
    url = reverse("documents:void", args=["den", receipt.pk])
    client = login(actors["district_clerk"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 200  # the form again, nothing voided
    response = client.post(url, {"reason": "Vào sổ trùng với số đến 8"})
    assert response.status_code == 302
    receipt.refresh_from_db()
    assert receipt.voided_at is not None and receipt.void_reason == "Vào sổ trùng với số đến 8"
    assert not Route.objects.filter(receipt=receipt).exclude(state=RouteState.DONE).exists()
    assert Document.objects.filter(pk=document.pk).exists()  # never deleted
    assert AuditLog.objects.filter(object_type="documents.receipt", note="Hủy số trong sổ").count() == 1
    with pytest.raises(ValidationError):
        module.void_entry(actors["district_clerk"], receipt, "lần hai")
    page = client.get(reverse("documents:incoming"), {"nam": "2020"}).content.decode()
    assert 'class="voided"' in page and "Vào sổ trùng với số đến 8" in page
    voided = client.get(reverse("documents:incoming"), {"nam": "2020", "trang_thai": "da_huy"}).context["rows"]
    assert [e.pk for e, _row in voided] == [receipt.pk]
    # The next number is not given again.
    with time_machine.travel("2020-03-06 09:00 +0700", tick=False):
        assert incoming(actors, registers["district_in"], 9).reg_number == 3
    assert login(actors["outsider"]).get(url).status_code == 404
    assert login(actors["district_leader"]).get(url).status_code == 403
    assert login(actors["district_clerk"]).put(url).status_code == 405


def test_print_and_xlsx(actors, registers, login, units) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel("2020-03-05 09:00 +0700", tick=False):
        out = services.register_document(actors["district_clerk"], registers["district_out"], {
            "doc_type": "Công văn", "symbol": "UBND", "subject": "Triển khai Kế hoạch 29", "signer_name": "Vương Công Khanh",
            "signer_position": "PHÓ CHỦ TỊCH", "recipients": ["Chủ tịch UBND các phường"],
            "distribution": ["Như trên", "Lưu: VT"]})
        exchange.deliver_internal(out, [units["le_binh"]], actors["district_clerk"])
    client = login(actors["district_clerk"])
    printed = client.get(reverse("documents:outgoing"), {"xuat": "in"})
    assert printed.status_code == 200
    text = printed.content.decode()
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text and "(10)" in text and "Lưu: VT" in text
    response = client.get(reverse("documents:outgoing"), {"xuat": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    flat = [str(v) for row in values for v in row if v is not None]
    assert "Số, ký hiệu văn bản" in flat and f"{out.number}/UBND" in flat and "PHÓ CHỦ TỊCH Vương Công Khanh" in flat
    # The ward's incoming register lists the received document with its own number.
    ward = login(actors["ward_clerk"]).get(reverse("documents:incoming"), {"nam": "2020"})
    [(entry, row)] = ward.context["rows"]
    assert (entry.unit, row[1], row[3]) == (units["le_binh"], 1, f"{out.number}/UBND")
    assert login(actors["ward_clerk"]).get(reverse("documents:incoming"), {"so": "999999"}).status_code == 404


def test_register_pages_keep_their_queries_flat(actors, registers, login, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel("2020-03-05 09:00 +0700", tick=False):
        for n in range(3):
            incoming(actors, registers["district_in"], n + 1)
    client = login(actors["district_leader"])
    client.get(reverse("documents:incoming"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("documents:incoming"))
    with time_machine.travel("2020-03-05 09:00 +0700", tick=False):
        for n in range(20):
            incoming(actors, registers["district_in"], n + 10)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("documents:incoming"))

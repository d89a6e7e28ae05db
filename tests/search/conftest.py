"""Documents for the search tests, in three units of the factory tree.

Created through the model (``Document.save`` derives ``search_text``; the search
module's signals index it), not through the intake service: these tests are about
finding, not filing.
"""

from __future__ import annotations

from datetime import date

import pytest

from dieuhanh.documents.models import Direction, Document, Register


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_document(register: Register, **fields) -> Document:  # type: ignore[no-untyped-def]
    values = {"doc_type": "Công văn", "reg_year": 2020, "issued_on": date(2020, 3, 2)}
    values.update(fields)
    return Document.objects.create(register=register, direction=register.direction,
                                   owner_unit_id=register.unit_id, **values)


@pytest.fixture
def registers(units):  # type: ignore[no-untyped-def]
    return {
        "district_in": Register.objects.create(unit=units["district"], direction=Direction.INCOMING,
                                               name="Sổ văn bản đến"),
        "district_out": Register.objects.create(unit=units["district"], direction=Direction.OUTGOING,
                                                name="Sổ văn bản đi"),
        "le_binh_in": Register.objects.create(unit=units["le_binh"], direction=Direction.INCOMING,
                                              name="Sổ văn bản đến"),
        "ba_lang_in": Register.objects.create(unit=units["ba_lang"], direction=Direction.INCOMING,
                                              name="Sổ văn bản đến"),
    }


@pytest.fixture
def docs(registers):  # type: ignore[no-untyped-def]
    subject = ("tổng kết công tác cải cách hành chính giai đoạn 2011-2020 và xây dựng phương hướng, "
               "nhiệm vụ công tác cải cách hành chính giai đoạn 2021-2030")
    return {
        "plan": make_document(registers["district_in"], doc_type="Kế hoạch", number=29, symbol="KH-UBND",
                              number_symbol="29/KH-UBND", issuer="Ủy ban nhân dân thành phố Cần Thơ",
                              issued_on=date(2020, 2, 27), subject=subject, reg_number=1),
        "letter": make_document(registers["district_out"], number=313, symbol="UBND", number_symbol="313/UBND",
                                issuer="Ủy ban nhân dân quận Cái Răng",
                                subject="triển khai thực hiện Kế hoạch số 29/KH-UBND",
                                body="Giao Trưởng phòng Nội vụ quận tham mưu Ủy ban nhân dân quận xây dựng "
                                     "Kế hoạch cụ thể tổng kết công tác CCHC giai đoạn 2011-2020.", reg_number=1),
        "le_binh": make_document(registers["le_binh_in"], doc_type="Kế hoạch", number=12, symbol="KH-UBND",
                                 number_symbol="12/KH-UBND", issuer="Ủy ban nhân dân quận Cái Răng",
                                 issued_on=date(2020, 4, 10), subject="kiểm tra công tác cải cách hành chính "
                                 "tại phường Lê Bình", reg_number=1),
        "ba_lang": make_document(registers["ba_lang_in"], doc_type="Kế hoạch", number=14, symbol="KH-UBND",
                                 number_symbol="14/KH-UBND", issuer="Ủy ban nhân dân quận Cái Răng",
                                 issued_on=date(2020, 4, 12), subject="kiểm tra công tác cải cách hành chính "
                                 "tại phường Ba Láng; chỉnh trang đô thị", reg_number=1),
        "decision": make_document(registers["district_out"], doc_type="Quyết định", number=5, symbol="QĐ-UBND",
                                  number_symbol="5/QĐ-UBND", issuer="Ủy ban nhân dân quận Cái Răng",
                                  issued_on=date(2021, 1, 5), subject="thành lập Đoàn kiểm tra đô thị "
                                  "và điều động cán bộ", reg_number=2, reg_year=2021),
    }

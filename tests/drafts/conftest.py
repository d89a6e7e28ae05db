"""Drafts tests: Phòng Nội vụ's review chain (its head, then the district's Phó Chủ tịch) and registers."""

from __future__ import annotations

import pytest

from dieuhanh.documents.models import Direction, Register
from dieuhanh.drafts import services


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def chain(units, actors):  # type: ignore[no-untyped-def]
    leader = actors["district_leader"]
    leader.first_name, leader.last_name, leader.position = "Lê Văn", "Cường", "Phó Chủ tịch UBND quận Cái Răng"
    leader.save()
    head = actors["noi_vu_head"]
    head.first_name, head.last_name, head.position = "Đặng Thị", "Lan", "Trưởng phòng Nội vụ"
    head.save()
    Register.objects.create(unit=units["district"], direction=Direction.OUTGOING, name="Sổ văn bản đi")
    return services.set_chain(actors["admin"], units["noi_vu"], [("Trưởng phòng", head),
                                                                 ("Lãnh đạo UBND quận", leader)])


CONG_VAN = {
    "subject": "triển khai thực hiện Kế hoạch số 29/KH-UBND ngày 27 tháng 02 năm 2020 của Ủy ban nhân dân thành phố",
    "recipients": ["Thủ trưởng các cơ quan chuyên môn quận", "Chủ tịch Ủy ban nhân dân các phường"],
    "distribution": ["Như trên", "CT, PCT. UBND quận", "Lưu: VT"],
    "body": ("Thực hiện Kế hoạch số 29/KH-UBND ngày 27 tháng 02 năm 2020 của Ủy ban nhân dân thành phố về tổng kết "
             "công tác cải cách hành chính giai đoạn 2011-2020, Chủ tịch Ủy ban nhân dân quận có ý kiến như sau:\n"
             "1. Giao Trưởng phòng Nội vụ quận tham mưu Ủy ban nhân dân quận xây dựng Kế hoạch tổng kết công tác "
             "cải cách hành chính, hoàn thành trước ngày 10 tháng 4 năm 2020.\n"
             "Nhận được Công văn này, Thủ trưởng các cơ quan chuyên môn quận, Chủ tịch Ủy ban nhân dân các phường "
             "tổ chức triển khai, thực hiện./."),
}


@pytest.fixture
def draft(chain, actors):  # type: ignore[no-untyped-def]
    return services.create_draft(actors["district_specialist"], "Công văn", dict(CONG_VAN))


def signed(draft, actors):  # type: ignore[no-untyped-def]
    services.submit(actors["district_specialist"], draft)
    services.approve(actors["noi_vu_head"], draft)
    return services.sign(actors["district_leader"], draft)

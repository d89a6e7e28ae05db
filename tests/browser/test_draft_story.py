"""The drafting story in a real browser: Phòng Nội vụ's specialist drafts a công văn from the template,
sees the Decree 30 check beside the text, submits; the head approves; the Phó Chủ tịch signs; the
district's văn thư confirms the number and issues; the page lands on the registered document. The
wards named in Kính gửi receive it (liên thông); Phòng Nội vụ gives Lê Bình a task from it and Lê
Bình's chairman opens the document from his task.

Same chromium launch as ``test_intake_flow.py`` (skipped without it, failed under ``CI=true``). The
test units end on 30/06/2025, so the story runs with the clock frozen (ticking) in March 2020.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.browser.test_intake_flow import TIMEOUT_MS, _log_in, browser, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2020, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
SUBJECT = "triển khai thực hiện Kế hoạch số 29/KH-UBND ngày 27 tháng 02 năm 2020 của Ủy ban nhân dân thành phố"


@pytest.fixture
def office(db: Any, settings: Any, tmp_path: Any) -> Iterator[dict[str, Any]]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with time_machine.travel(NOW, tick=True):
        from dieuhanh.documents.models import Direction, Register
        from dieuhanh.drafts import services
        from tests.factories import PASSWORD, build_actors, build_tree

        units = build_tree()
        actors = build_actors(units)
        leader = actors["district_leader"]
        leader.first_name, leader.last_name, leader.position = "Lê Văn", "Cường", "Phó Chủ tịch UBND quận Cái Răng"
        leader.save()
        Register.objects.create(unit=units["district"], direction=Direction.OUTGOING, name="Sổ văn bản đi")
        services.set_chain(actors["admin"], units["noi_vu"], [("Trưởng phòng", actors["noi_vu_head"]),
                                                              ("Lãnh đạo UBND quận", leader)])
        yield {"units": units, "actors": actors, "password": PASSWORD}


def _as(browser: Any, base: str, username: str, password: str) -> Any:  # noqa: F811
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    _log_in(tab, base, username, password)
    return tab


def test_draft_review_sign_number_issue(page: Any, browser: Any, live_server: Any, office: dict) -> None:  # noqa: F811
    from dieuhanh.drafts.models import Draft, State

    base, password = live_server.url, office["password"]

    # 1. The specialist drafts a công văn from the template; the Decree 30 check answers as he types.
    _log_in(page, base, "cv.noivu", password)
    page.goto(f"{base}/du-thao/moi/?loai=Công văn")
    page.fill("textarea[name=subject]", SUBJECT)
    page.fill("textarea[name=recipients]", "Thủ trưởng các cơ quan chuyên môn quận\nChủ tịch Ủy ban nhân dân các phường")
    page.fill("textarea[name=body]", "Thực hiện Kế hoạch số 29/KH-UBND ngày 27 tháng 02 năm 2020 của Ủy ban nhân dân "
              "thành phố, Chủ tịch Ủy ban nhân dân quận giao Trưởng phòng Nội vụ tham mưu xây dựng Kế hoạch "
              "tổng kết trước ngày 10 tháng 4 năm 2020./.")
    page.fill("textarea[name=distribution]", "Như trên\nLưu: VT")
    page.get_by_role("button", name="Tạo dự thảo").click()
    page.wait_for_url(re.compile(r"/du-thao/\d+/$"))
    draft = Draft.objects.get()
    page.fill("textarea[name=distribution]", "")
    page.locator("#dt-findings").get_by_text("Nơi nhận").first.wait_for()  # HTMX: no Nơi nhận is flagged
    page.fill("textarea[name=distribution]", "Như trên\nLưu: VT")
    page.get_by_role("button", name="Trình duyệt").click()
    page.get_by_text("Đã trình duyệt dự thảo.").wait_for()

    # 2. The head of Phòng Nội vụ approves.
    head = _as(browser, base, "tp.noivu", password)
    head.goto(f"{base}/du-thao/")
    head.get_by_role("link", name=re.compile("triển khai thực hiện")).first.click()
    head.get_by_role("button", name="Đồng ý, chuyển bước sau").click()
    head.get_by_text("Đã đồng ý").wait_for()

    # 3. The Phó Chủ tịch signs: his block comes from his account.
    leader = _as(browser, base, "pct.cairang", password)
    leader.goto(f"{base}/du-thao/{draft.pk}/")
    leader.get_by_role("button", name="Ký duyệt").click()
    leader.get_by_text("Đã ký duyệt").wait_for()
    assert leader.get_by_text("Lê Văn Cường").first.is_visible()
    draft.refresh_from_db()
    assert draft.state == State.SIGNED and draft.signer_position == "PHÓ CHỦ TỊCH"

    # 4. The văn thư confirms the number and the date, issues, and lands on the document.
    clerk = _as(browser, base, "vanthu.cairang", password)
    clerk.goto(f"{base}/du-thao/{draft.pk}/")
    clerk.get_by_role("link", name="Cấp số và phát hành").click()
    clerk.get_by_text("1/UBND-NV").first.wait_for()
    clerk.get_by_role("button", name="Cấp số và phát hành").click()
    assert "/du-thao/" in clerk.url  # not confirmed: nothing issued
    clerk.check("input[name=confirm]")
    clerk.get_by_role("button", name="Cấp số và phát hành").click()
    clerk.wait_for_url(re.compile(r"/van-ban/\d+/$"))
    clerk.get_by_text("Đã cấp số 1/UBND-NV").wait_for()
    draft.refresh_from_db()
    assert draft.state == State.ISSUED and clerk.url.endswith(f"/van-ban/{draft.document_id}/")
    assert draft.document.signer_name == "Lê Văn Cường" and draft.document.issued_on.isoformat() == "2020-03-02"

    # 5. Lê Bình received it in its incoming register; given a task from it, its chairman opens it from the task.
    from datetime import date

    from dieuhanh.documents.models import Receipt
    from dieuhanh.tasks import services as tasks
    from dieuhanh.tasks.proposals import Proposal

    units, actors = office["units"], office["actors"]
    assert Receipt.objects.filter(document=draft.document, unit=units["le_binh"]).exists()
    with time_machine.travel(NOW, tick=True):
        [task] = tasks.issue_tasks(actors["district_specialist"], draft.document, [Proposal(
            title="Xây dựng kế hoạch tổng kết cải cách hành chính của phường", lead_unit_ids=[units["le_binh"].pk],
            due_on=date(2020, 4, 9))])
    chairman = _as(browser, base, "ct.lebinh", password)
    chairman.goto(f"{base}/nhiem-vu/phan-cong/{task.assignments.get().pk}/")
    chairman.get_by_role("link", name="Công văn 1/UBND-NV").first.click()
    chairman.wait_for_url(re.compile(rf"/van-ban/{draft.document_id}/$"))
    chairman.get_by_text(SUBJECT[:40]).first.wait_for()

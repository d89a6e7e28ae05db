"""The evaluation story in a real browser: Lê Bình self-scores with evidence, the council adjusts a
score with its reason, the ward explains, the round is published, the ranking shows, the shortlist
gives its reasons and the Quyết định khen thưởng downloads and renders in LibreOffice.

Same chromium launch as ``test_intake_flow.py``; the clock is frozen (ticking) on the round's days.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.browser.test_intake_flow import TIMEOUT_MS, _log_in, _shot, browser, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SELF_DAY = datetime(2021, 1, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
EXPLAIN_DAY = datetime(2021, 2, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def office(db: Any, settings: Any, tmp_path: Any) -> Iterator[dict[str, Any]]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from tests.evaluation.factories import open_2020_round
    from tests.factories import PASSWORD, build_actors, build_tree

    units = build_tree()
    actors = build_actors(units)
    rnd = open_2020_round(units, actors)
    yield {"units": units, "actors": actors, "password": PASSWORD, "round": rnd}


def _tab(browser: Any) -> Any:  # noqa: F811
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    return tab


def _advance(page: Any, base: str, round_id: int) -> None:  # noqa: F811
    page.goto(f"{base}/danh-gia/{round_id}/")
    page.get_by_role("button", name="Chuyển sang giai đoạn tiếp theo").click()
    page.wait_for_selector(".notice, .messages, [role=status], body")


def test_ward_self_scores_council_adjusts_ward_explains_ranking_and_decision(
        page: Any, browser: Any, live_server: Any, office: dict, tmp_path: Path) -> None:  # noqa: F811
    from dieuhanh.evaluation.models import Adjustment, Evidence, Round, Stage
    from dieuhanh.reports.pdf import docx_to_pdf, find_soffice

    base, password, rnd = live_server.url, office["password"], office["round"]
    le_binh = rnd.participants.get(unit=office["units"]["le_binh"])
    sheet = f"{base}/danh-gia/don-vi/{le_binh.pk}/"
    ward, boss, council = page, _tab(browser), _tab(browser)
    with time_machine.travel(SELF_DAY, tick=True):
        # 1. Lê Bình's chairman self-scores 1.3.1 and attaches a file as evidence.
        _log_in(ward, base, "ct.lebinh", password)
        ward.goto(f"{base}/danh-gia/")
        ward.get_by_role("link", name=rnd.title).click()
        ward.get_by_role("link", name="Ủy ban nhân dân phường Lê Bình").click()
        ward.wait_for_url(sheet)
        ward.fill("input[name='points_1.3.1']", "2,5")
        ward.get_by_role("button", name="Lưu tự đánh giá").click()
        ward.wait_for_url(sheet)
        evidence = tmp_path / "ke-hoach-tuyen-truyen.pdf"
        evidence.write_bytes(b"%PDF-1.4 ke hoach tuyen truyen CCHC 2020")
        ward.fill("#ev-item", "1.3.1")
        ward.set_input_files("input[name=file]", str(evidence))
        ward.get_by_role("button", name="Thêm tài liệu").click()
        ward.wait_for_selector("a:has-text('ke-hoach-tuyen-truyen.pdf')")
        assert Evidence.objects.filter(score__participant=le_binh).count() == 1
        assert le_binh.scores.get(item="1.3.1").points == 2.5
        # 2. Phòng Nội vụ moves to the appraisal; the council member lowers the score, with a reason.
        _log_in(boss, base, "cv.noivu", password)
        _advance(boss, base, rnd.pk)
        _log_in(council, base, "tp.noivu", password)
        council.goto(sheet)
        council.fill("input[name='points_1.3.1']", "1,5")
        council.get_by_role("button", name="Lưu điều chỉnh").click()
        council.wait_for_selector("text=phải có lý do")  # refused without a reason
        assert not Adjustment.objects.exists()
        council.fill("input[name='points_1.3.1']", "1,5")
        council.fill("input[name='reason_1.3.1']", "Chưa có kế hoạch tuyên truyền riêng")
        council.get_by_role("button", name="Lưu điều chỉnh").click()
        council.wait_for_selector("text=Chưa có kế hoạch tuyên truyền riêng")
        _advance(boss, base, rnd.pk)
    with time_machine.travel(EXPLAIN_DAY, tick=True):
        # 3. The ward sees the change and explains (three weeks later: both sessions timed out).
        _log_in(ward, base, "ct.lebinh", password)
        _log_in(boss, base, "cv.noivu", password)
        ward.goto(sheet)
        assert "Chưa có kế hoạch tuyên truyền riêng" in ward.inner_text("[id='tc-1.3.1']")
        ward.fill("textarea[name='explanation_1.3.1']", "Kế hoạch lồng ghép trong kế hoạch CCHC năm 2020")
        ward.get_by_role("button", name="Gửi giải trình").click()
        ward.wait_for_selector("text=Kế hoạch lồng ghép")
        _shot(ward, "danh-gia-giai-trinh.png")
        # 4. Second appraisal, published; the ranking page with its charts.
        _advance(boss, base, rnd.pk)
        _advance(boss, base, rnd.pk)
        assert Round.objects.get(pk=rnd.pk).stage == Stage.PUBLISHED
        boss.goto(f"{base}/danh-gia/{rnd.pk}/xep-hang/?nhom=phuong")
        assert "Ủy ban nhân dân phường Lê Bình" in boss.inner_text("table")
        assert boss.locator("svg.ev-chart").count() == 2
        _shot(boss, "danh-gia-xep-hang.png")
        # 5. A commendation campaign: the shortlist with reasons, then the Quyết định.
        boss.goto(f"{base}/danh-gia/{rnd.pk}/")
        boss.fill("#c-title", "Tổng kết công tác cải cách hành chính giai đoạn 2011-2020")
        boss.fill("#c-date", "26/02/2021")
        boss.fill("#c-min", "0")
        boss.fill("#c-ontime", "0")
        boss.get_by_role("button", name="Lập danh sách đề xuất").click()
        boss.wait_for_url(re.compile(r"/danh-gia/khen-thuong/\d+/$"))
        assert "Chỉ số CCHC năm 2020" in boss.inner_text("table")
        _shot(boss, "khen-thuong-danh-sach.png")
        with boss.expect_download() as got:
            boss.get_by_role("link", name="Quyết định khen thưởng (DOCX)").click()
        source = tmp_path / "quyet-dinh.docx"
        got.value.save_as(str(source))
    if find_soffice() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice (soffice) is required in CI")
        pytest.skip("LibreOffice (soffice) not installed")
    pdf = docx_to_pdf(source, tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    assert date.today()  # the clock is back

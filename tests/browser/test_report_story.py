"""The report story in a real browser: Phòng Nội vụ asks two wards for the 2011-2020 CCHC report,
Lê Bình fills it in, is sent back, resends; the specialist accepts, consolidates and downloads.

Same chromium launch as ``test_intake_flow.py`` (Debian's ``/usr/bin/chromium`` through
Playwright against ``live_server``; skipped without it, failed under ``CI=true``). The test
units end on 30/06/2025, so the whole story runs with the clock frozen (ticking) in April 2020,
the way ``tests/reports/test_views.py`` does it; the live server's thread sees the same clock.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.browser.test_intake_flow import TIMEOUT_MS, _log_in, _shot, browser, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2020, 4, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
TITLE = "Tổng kết cải cách hành chính giai đoạn 2011-2020"

# What the default outline (dieuhanh/reports/data/cchc-2011-2020.yaml) requires on sending:
# the narrative sections 1.1, 1.2, 1.4.1, 1.4.2 and these cells, both periods (gd1, gd2).
SECTIONS = {
    "1.1": "Phường có 8 khu vực; thuận lợi: được quận quan tâm chỉ đạo.",
    "1.2": "Ban hành kế hoạch cải cách hành chính 5 năm và hằng năm.",
    "1.4.1": "Hoàn thành các mục tiêu của kế hoạch.",
    "1.4.2": "Cơ sở vật chất bộ phận một cửa còn thiếu.",
}
LE_BINH = {  # (table, row, column) → as typed in the sheet
    ("PL3", "tthc_tong", "gd1"): "95", ("PL3", "tthc_tong", "gd2"): "110",
    ("PL3", "ho_so_tiep_nhan", "gd1"): "1.200", ("PL3", "ho_so_tiep_nhan", "gd2"): "1.500",
    ("PL3", "ho_so_da_giai_quyet", "gd1"): "1.150", ("PL3", "ho_so_da_giai_quyet", "gd2"): "1.480",
    ("PL4", "bien_che_giao", "gd1"): "12", ("PL4", "bien_che_giao", "gd2"): "11",
    ("PL5", "cbccvc_tong", "gd1"): "20", ("PL5", "cbccvc_tong", "gd2"): "22",
}
BAD_CELL = ("PL3", "ho_so_tiep_nhan", "gd2")
RESENT = "1.520"      # Lê Bình's corrected ho_so_tiep_nhan / gd2 after the return
BA_LANG_GD2 = "980"   # Ba Láng's, sent and accepted through the service
TOTAL = "2.500"       # 1.520 + 980 on the consolidation page (Vietnamese thousands separator)


def _cell(key: tuple[str, str, str]) -> str:
    return "t__{}__{}__{}".format(*key)


@pytest.fixture
def office(db: Any, settings: Any, tmp_path: Any) -> Iterator[dict[str, Any]]:
    """The factory tree and actors, the built-in outline, all under April 2020's clock."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with time_machine.travel(NOW, tick=True):
        from dieuhanh.reports.services import ensure_default_outline
        from tests.factories import PASSWORD, build_actors, build_tree

        units = build_tree()
        actors = build_actors(units)
        ensure_default_outline(actors["admin"])
        yield {"units": units, "actors": actors, "password": PASSWORD}


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:  # noqa: F811 - the imported fixture
    """Another user's window: a fresh context (its own cookies)."""
    contexts = []

    def open_tab(**options: Any) -> Any:
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}, **options)
        contexts.append(context)
        new = context.new_page()
        new.set_default_timeout(TIMEOUT_MS)
        return new

    yield open_tab
    for context in contexts:
        context.close()


def _ba_lang_sends(req: Any, office: dict) -> None:
    """The other ward's report, sent and accepted without the browser (the sum needs two)."""
    from dieuhanh.reports import services

    data = {"sections": SECTIONS, "tables": {}}
    for (t, r, c), v in LE_BINH.items():
        data["tables"].setdefault(t, {}).setdefault(r, {})[c] = v
    data["tables"]["PL3"]["ho_so_tiep_nhan"]["gd2"] = BA_LANG_GD2
    data["tables"]["PL3"]["ho_so_da_giai_quyet"]["gd2"] = "900"
    sub = req.submissions.get(unit=office["units"]["ba_lang"])
    assert services.submit(office["actors"]["admin"], sub, data) == []
    services.accept_submission(office["actors"]["district_specialist"], sub)


def test_ward_reports_is_returned_resends_and_district_consolidates(
        page: Any, tab: Any, live_server: Any, office: dict) -> None:  # noqa: F811
    import docx as python_docx
    import openpyxl

    from dieuhanh.reports.models import ReportRequest, SubmissionStatus

    base, password, units = live_server.url, office["password"], office["units"]

    # 1. Phòng Nội vụ's specialist asks Lê Bình and Ba Láng for the report (default outline).
    _log_in(page, base, "cv.noivu", password)
    page.goto(f"{base}/bao-cao/")
    page.get_by_role("link", name="Tạo yêu cầu báo cáo").click()
    page.wait_for_url(re.compile(r"/bao-cao/tao/"))
    page.fill("input[name=title]", TITLE)
    page.get_by_label("Ủy ban nhân dân phường Lê Bình").check()
    page.get_by_label("Ủy ban nhân dân phường Ba Láng").check()
    page.select_option("select[name=period_kind]", "quy")
    page.fill("input[name=year]", "2020")
    page.fill("input[name=number]", "1")
    page.fill("input[name=due_on]", "20/04/2020")
    page.fill("input[name=recipient]", "Sở Nội vụ thành phố Cần Thơ")
    page.click(".actions button[name=gui]")
    page.wait_for_url(re.compile(r"/bao-cao/\d+/$"))
    req = ReportRequest.objects.get(title=TITLE)
    assert req.outline_version.outline.code == "cchc-tong-ket-2011-2020"
    assert set(req.submissions.values_list("unit_id", flat=True)) == {units["le_binh"].pk, units["ba_lang"].pk}
    _ba_lang_sends(req, office)

    # 2. Lê Bình's chairman logs in, opens the report from /bao-cao/ and fills it in.
    ward = tab()
    _log_in(ward, base, "ct.lebinh", password)
    ward.goto(f"{base}/bao-cao/")
    ward.get_by_role("link", name=TITLE).first.click()
    ward.wait_for_url(re.compile(r"/bao-cao/don-vi/\d+/$"))
    sub_url = ward.url
    sub = req.submissions.get(unit=units["le_binh"])
    assert sub_url.rstrip("/").endswith(f"/bao-cao/don-vi/{sub.pk}")
    for key, text in SECTIONS.items():
        ward.fill(f"textarea[name='s__{key}']", text)
    for key, value in LE_BINH.items():
        ward.fill(f"input[name='{_cell(key)}']", value)
    ward.fill(f"input[name='{_cell(BAD_CELL)}']", "abc")  # a slip of the keyboard
    ward.get_by_role("button", name="Gửi báo cáo").click()
    error = ward.locator(f"[id='{_cell(BAD_CELL)}-loi']")
    error.wait_for()
    assert "phải là số" in error.inner_text()
    assert ward.get_attribute(f"input[name='{_cell(BAD_CELL)}']", "aria-invalid") == "true"
    assert ward.input_value(f"input[name='{_cell(BAD_CELL)}']") == "abc"  # what was typed stays
    assert "chưa gửi được" in ward.inner_text("#loi")
    assert ward.input_value("textarea[name='s__1.1']") == SECTIONS["1.1"]  # the rest is kept
    sub.refresh_from_db()
    assert sub.status != SubmissionStatus.SUBMITTED
    _shot(ward, "bao-cao-loi-so.png")
    ward.fill(f"input[name='{_cell(BAD_CELL)}']", LE_BINH[BAD_CELL])
    ward.get_by_role("button", name="Gửi báo cáo").click()
    ward.wait_for_selector(".badge:has-text('chờ duyệt')")
    assert ward.get_by_role("button", name="Gửi báo cáo").count() == 0  # read-only once sent
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED

    # 3. The specialist (a fresh window) sees Lê Bình waiting and returns it with a comment.
    boss = tab()
    _log_in(boss, base, "cv.noivu", password)
    boss.goto(f"{base}/bao-cao/")
    boss.get_by_role("link", name=TITLE).click()
    row = boss.locator("tr", has_text="Ủy ban nhân dân phường Lê Bình")
    assert "chờ duyệt" in row.inner_text()
    row.get_by_role("link", name="Ủy ban nhân dân phường Lê Bình").click()
    boss.wait_for_url(sub_url)
    boss.get_by_label("Lý do trả lại").fill("Số hồ sơ tiếp nhận giai đoạn 2016-2020 chưa khớp sổ theo dõi.")
    boss.get_by_role("button", name="Trả lại").click()
    boss.wait_for_selector(".badge:has-text('Bị trả lại')")
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.RETURNED

    # 4. The ward sees why, changes the figure and resends.
    ward.goto(sub_url)
    assert "chưa khớp sổ theo dõi" in ward.inner_text(".notice.warning")
    ward.fill(f"input[name='{_cell(BAD_CELL)}']", RESENT)
    ward.get_by_role("button", name="Gửi báo cáo").click()
    ward.wait_for_selector(".badge:has-text('chờ duyệt')")
    sub.refresh_from_db()
    assert (sub.status, sub.version) == (SubmissionStatus.SUBMITTED, 2)

    # 5. The specialist accepts, consolidates, reads the sum and downloads DOCX and XLSX.
    boss.goto(sub_url)
    assert RESENT in boss.inner_text(".rp-sheet")
    boss.get_by_role("button", name="Tiếp nhận").click()
    boss.wait_for_selector(".badge:has-text('Đã tiếp nhận')")
    boss.get_by_role("link", name="Về yêu cầu báo cáo").click()
    boss.get_by_role("button", name="Tổng hợp báo cáo").click()
    boss.wait_for_url(re.compile(r"/bao-cao/\d+/tong-hop/$"))
    figures = boss.locator(".rp-table", has=boss.locator("h4", has_text="PL3."))
    line = figures.locator("tr", has_text="Số hồ sơ tiếp nhận")
    assert TOTAL in line.inner_text()
    _shot(boss, "bao-cao-tong-hop.png")

    with boss.expect_download() as got:
        boss.get_by_role("link", name="Tải DOCX").click()
    assert got.value.suggested_filename.endswith(".docx")
    document = python_docx.Document(got.value.path())
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for r in table.rows for cell in r.cells]
    everything = "\n".join(texts)
    assert "BÁO CÁO" in everything and TOTAL in everything

    with boss.expect_download() as got:
        boss.get_by_role("link", name="Tải XLSX").click()
    assert got.value.suggested_filename.endswith(".xlsx")
    with open(got.value.path(), "rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    values = [c.value for ws in book.worksheets for r in ws.iter_rows() for c in r]
    assert 2500 in values or 2500.0 in values or TOTAL in values
    assert page.csp_errors == []

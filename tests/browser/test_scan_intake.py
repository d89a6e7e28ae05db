"""A scan in a real browser: upload → progress while the worker reads it → the form fills itself.

Uses the fixtures of ``test_intake_flow`` (Debian's chromium through Playwright; skipped
without it, failing under CI). The worker runs in a thread beside the live server, as
``dieuhanh worker`` would beside ``dieuhanh serve``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.browser.test_intake_flow import _log_in, browser, office, page  # noqa: F401 - fixtures
from tests.conftest import SHARED
from tests.vanban.tools import need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCAN = SHARED / "realfiles" / "12_di-94-TB-UBND.signed.pdf"


def test_scan_upload_shows_progress_then_the_filled_form(page: Any, live_server: Any, office: dict,  # noqa: F811
                                                          settings: Any, tmp_path: Any) -> None:
    need("pdftoppm", "tesseract")
    from django.db import connection

    from dieuhanh.documents.intake import jobs
    from dieuhanh.documents.models import IntakeJob

    settings.MEDIA_ROOT = str(tmp_path / "media")
    base = live_server.url
    _log_in(page, base, "vanthu.cairang", office["password"])
    page.goto(f"{base}/van-ban/nhap/?direction=den")
    page.set_input_files("input[name=file]", str(SCAN))
    page.click("form button[type=submit]")
    page.wait_for_selector("#intake-progress")
    assert "Đang chờ đến lượt xử lý" in page.inner_text("#intake-progress")
    job = IntakeJob.objects.get()

    def work() -> None:
        try:
            jobs.run_pending("browser-test-worker")
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        # HTMX polls every 2 s: the page reports the page being read, then reloads into the form.
        seen, deadline = set(), time.monotonic() + 180
        while time.monotonic() < deadline:
            text = page.inner_text("body")
            seen.update(t for t in ("Đang nhận dạng trang 1/1",) if t in text)
            if page.query_selector("input[name=step][value=review]") is not None:
                break
            page.wait_for_timeout(300)
        page.wait_for_selector("input[name=step][value=review]", state="attached", timeout=1000)
    finally:
        worker.join(timeout=180)
    assert seen == {"Đang nhận dạng trang 1/1"}  # OCR of one page lasts seconds: a 2 s poll sees it
    assert page.url.rstrip("/").endswith(f"/van-ban/nhap/{job.pk}")
    assert page.input_value("input[name=number_symbol]") == "94/TB-UBND"
    assert page.input_value("input[name=issued_on]") == "24/02/2020"
    page.click("button:has-text('Lưu vào sổ')")
    page.wait_for_url(lambda url: "/nhap/" not in url)
    assert "94/TB-UBND" in page.content() and "Ký số bởi" in page.content()
    assert page.csp_errors == []

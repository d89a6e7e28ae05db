"""The task story in a real browser: issue 313/UBND's tasks, a ward works on one, the leader follows it.

Same chromium launch as ``test_intake_flow.py`` (Debian's ``/usr/bin/chromium`` through
Playwright against ``live_server``; skipped without it, failed under ``CI=true``). The
data is the demo's (``load_demo --no-story``): the letter is registered and shared with
Phòng Nội vụ, no task issued yet.
"""

from __future__ import annotations

import io
import re
from typing import Any, Iterator

import pytest

from tests.browser.test_intake_flow import TIMEOUT_MS, _log_in, _shot, browser, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db: Any, settings: Any) -> dict[str, Any]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS_BEFORE_INCLUSIVE = False
    from django.core.management import call_command

    from dieuhanh.documents.models import Document
    from dieuhanh.web.management.commands.load_demo import PASSWORD

    call_command("load_demo", "--no-story", stdout=io.StringIO())
    return {"letter": Document.objects.get(ns_key="313/UBND"), "password": PASSWORD}


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:  # noqa: F811 - the imported fixture
    """Another user's window: a fresh context (its own cookies)."""
    contexts = []

    def open_tab() -> Any:
        context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        new = context.new_page()
        new.set_default_timeout(TIMEOUT_MS)
        return new

    yield open_tab
    for context in contexts:
        context.close()


def test_specialist_issues_ward_works_leader_follows(page: Any, tab: Any, live_server: Any,  # noqa: F811
                                                     demo: dict) -> None:
    from dieuhanh.tasks.models import Assignment, Status, Task

    base, password, letter = live_server.url, demo["password"], demo["letter"]

    # 1. Phòng Nội vụ's specialist opens 313/UBND and clicks "Giao việc": the proposals.
    _log_in(page, base, "cv.noivu", password)
    page.goto(f"{base}/van-ban/{letter.pk}/")
    page.click("a.btn:has-text('Giao việc')")
    page.wait_for_url(re.compile(r"/nhiem-vu/giao-viec/\d+/"))
    assert page.locator("fieldset.proposal").count() == 3
    dues = [page.input_value(f"fieldset.proposal >> nth={i} >> input[name$='due_on']") for i in range(3)]
    assert dues == ["", "09/04/2020", "30/04/2020"]
    assert "Kế hoạch số 29/KH-UBND" in page.input_value("fieldset.proposal >> nth=0 >> [name$='title']")
    _shot(page, "giao-viec-313-UBND.png")
    page.click("button[name=giao]")
    page.wait_for_url(re.compile(r"/nhiem-vu/van-ban/\d+/"))
    tasks = list(Task.objects.filter(document=letter).order_by("id"))
    assert [t.assignments.count() for t in tasks] == [19, 1, 1]
    assert "Ủy ban nhân dân phường Lê Bình" in page.content()

    # 2. Lê Bình's chairman acknowledges the assignment and reports progress (HTMX panel).
    mine = Assignment.objects.get(task=tasks[0], unit__code="p_le_binh")
    ward = tab()
    _log_in(ward, base, "ct.lebinh", password)
    ward.goto(f"{base}/nhiem-vu/")
    ward.click(f"a[href$='/phan-cong/{mine.pk}/']")
    ward.click("#panel button:has-text('Tiếp nhận')")
    ward.wait_for_selector("#panel .badge:has-text('Đã tiếp nhận')")
    ward.fill("#tien_do_progress", "40")
    ward.fill("#tien_do_text", "Đã họp triển khai Kế hoạch 29/KH-UBND với các khu vực.")
    ward.click("#panel form[action$='/tien-do/'] button[type=submit]")
    ward.wait_for_selector("#panel h2:has-text('40%')")
    mine.refresh_from_db()
    assert (mine.status, mine.progress) == (Status.IN_PROGRESS, 40)

    # 3. The district's leader: the dashboard counts the ward's open task; the document shows its progress.
    leader = tab()
    _log_in(leader, base, "pct.cairang", password)
    leader.goto(f"{base}/nhiem-vu/tong-hop/")
    row = leader.locator("#dash-units tr[data-unit='p_le_binh']")
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[0].startswith("Ủy ban nhân dân phường Lê Bình")
    assert cells[1:6] == ["1", "0", "0", "1", "0"]  # one task, open within term (the letter set it no date)
    _shot(leader, "dashboard-313-UBND.png")
    leader.goto(f"{base}/nhiem-vu/van-ban/{letter.pk}/")
    line = leader.locator("tr", has_text="Ủy ban nhân dân phường Lê Bình").first
    assert "Đang thực hiện" in line.inner_text() and "40%" in line.inner_text()
    assert page.csp_errors == []

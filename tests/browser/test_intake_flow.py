"""The clerk's day in a real browser: log in, upload 313/UBND, check, save, find it again.

Drives Debian's chromium (``/usr/bin/chromium``, never a downloaded build) through
Playwright against pytest-django's ``live_server``. Without chromium the tests skip,
except under CI (``CI=true``), where they fail. ``SCREENSHOTS=1`` writes PNGs of the
document page and of the search results to ``docs/screenshots/``.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest

from dieuhanh.lib.vntext import fold

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "dieuhanh" / "web" / "demo_data" / "313-UBND.txt"
SHOTS = REPO / "docs" / "screenshots"
TIMEOUT_MS = 15_000


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser test cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test and by the database teardown would otherwise refuse to run beside it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.csp_errors = []  # type: ignore[attr-defined]

    def watch(message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            tab.csp_errors.append(message.text)  # type: ignore[attr-defined]

    tab.on("console", watch)
    yield tab
    context.close()


@pytest.fixture
def office(db: Any, settings: Any) -> dict[str, Any]:
    """The factory tree, its actors, the district's registers and the plan 313/UBND cites."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # nine actors, no Argon2 cost
    from dieuhanh.documents.models import Direction, Document, Register
    from tests.factories import PASSWORD, build_actors, build_tree

    units = build_tree()
    actors = build_actors(units)
    incoming = Register.objects.create(unit=units["district"], direction=Direction.INCOMING, name="Sổ văn bản đến")
    outgoing = Register.objects.create(unit=units["district"], direction=Direction.OUTGOING, name="Sổ văn bản đi")
    plan = Document.objects.create(
        register=incoming, direction=Direction.INCOMING, owner_unit=units["district"], doc_type="Kế hoạch",
        number=29, symbol="KH-UBND", number_symbol="29/KH-UBND", issuer="Ủy ban nhân dân thành phố Cần Thơ",
        issued_on=date(2020, 2, 27), reg_year=2020, reg_number=1,
        subject="tổng kết công tác cải cách hành chính giai đoạn 2011-2020")
    return {"units": units, "actors": actors, "outgoing": outgoing, "plan": plan, "password": PASSWORD}


def _shot(page: Any, name: str) -> None:
    if os.environ.get("SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=True)


def _log_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def test_clerk_uploads_reviews_saves_and_finds_the_letter(page: Any, live_server: Any, office: dict) -> None:
    from dieuhanh.documents.models import Document

    base = live_server.url
    _log_in(page, base, "vanthu.cairang", office["password"])

    # 1. Upload the letter into the outgoing register.
    page.goto(f"{base}/van-ban/nhap/?direction=di")
    page.select_option("select[name=register]", str(office["outgoing"].pk))
    page.set_input_files("input[name=file]", str(SEED))
    page.click("form button[type=submit]")

    # 2. The review form comes pre-filled from the parse.
    page.wait_for_selector("input[name=step][value=review]", state="attached")
    assert page.input_value("input[name=number_symbol]") == "313/UBND"
    assert "cai rang" in fold(page.input_value("input[name=issuer]"))  # as printed: in capitals
    assert page.input_value("input[name=issued_on]") == "02/03/2020"
    assert "29/KH" in page.content()  # the cited plan is listed

    # 3. Save: the document page shows it, linked to the plan.
    page.click("button:has-text('Lưu vào sổ')")
    page.wait_for_url(lambda url: "/nhap/" not in url)
    document = Document.objects.get(ns_key="313/UBND")
    assert page.url.rstrip("/").endswith(f"/van-ban/{document.pk}")
    assert "313/UBND" in page.content()
    assert document.citations.filter(cited=office["plan"]).exists()
    _shot(page, "document-313-UBND.png")

    # 4. Search "cai rang" without diacritics: live results (HTMX) with highlights.
    page.goto(f"{base}/van-ban/tim-kiem/")
    page.fill("input[name=q]", "cai rang")
    page.wait_for_selector("#search-count")
    results = page.inner_html("#search-results")
    assert "313/UBND" in results and "<mark>cái</mark> <mark>răng</mark>" in results.lower()
    assert "q=cai%20rang" in page.url or "q=cai+rang" in page.url  # HTMX pushed the query to the URL
    _shot(page, "search-cai-rang.png")

    # 5. The same search without JavaScript's help: a plain GET.
    page.goto(f"{base}/van-ban/tim-kiem/?q=cai+rang")
    assert "313/UBND" in page.inner_html("#search-results")
    assert page.csp_errors == []


def test_api_docs_render_offline_under_the_csp(page: Any, live_server: Any, office: dict) -> None:
    base = live_server.url
    _log_in(page, base, "vanthu.cairang", office["password"])
    external: list[str] = []
    page.on("request", lambda req: external.append(req.url) if not req.url.startswith(base) else None)
    page.goto(f"{base}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Điều hành API" in page.inner_text(".swagger-ui .info .title")
    page.locator(".opblock-summary-path", has_text="/api/documents").first.wait_for()
    assert page.csp_errors == []
    assert [u for u in external if not u.startswith("data:")] == []

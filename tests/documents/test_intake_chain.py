"""The intake chain, step by step, and end to end with the real files (web, API, worker).

OCR takes ~10–25 s a page on the shared test machine: one scan goes through the web
intake and the worker, one through the API; the others use the fast paths.
"""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dieuhanh.documents.intake import chain, jobs, review, sandbox
from dieuhanh.documents.models import Document, IntakeJob, IntakeStatus
from dieuhanh.lib import agencies
from dieuhanh.vanban.scanfields import review as scan_review
from tests.conftest import SHARED
from tests.documents.helpers import files_under
from tests.documents.test_intake_views import URL, review_data, upload_post
from tests.vanban.tools import need

REAL = SHARED / "realfiles"
SIGNED = REAL / "13_706.pdf"
SCAN = REAL / "12_di-94-TB-UBND.signed.pdf"
DOC = REAL / "05_UB- gia han thoi gian to chuc DH.doc"
DOCX = REAL / "06_TB Kết luận họp tập đoàn Sơn Hải.docx"


# --- the steps ----------------------------------------------------------------------------


def test_accept_refuses_empty_and_two_sources() -> None:
    with pytest.raises(ValidationError, match="rỗng"):
        chain.accept(data=b"", filename="a.txt")
    with pytest.raises(ValidationError, match="chỉ một trong hai"):
        chain.accept(data=b"x", filename="a.txt", text="y")
    assert chain.accept(text="Số: 1/UBND").filename == ""


def test_fast_read_of_a_signed_pdf_leaves_the_signatures_to_the_worker() -> None:
    need("pdftotext")
    result = chain.read(SIGNED.read_bytes(), SIGNED.name)
    assert result["parsed"]["number_symbol"] == "706/UBND-VP7"
    assert result["parsed"]["date"] == "2024-11-04"
    assert result["needs"] == "signatures" and "body" not in result["parsed"] and "706" in result["body"]


@pytest.mark.parametrize(("path", "needs"), [(SCAN, "ocr"), (DOC, "convert")])
def test_fast_read_defers_scans_and_doc(path, needs) -> None:  # type: ignore[no-untyped-def]
    need("pdftotext")
    result = chain.read(path.read_bytes(), path.name)
    assert result["needs"] == needs and "parsed" not in result


def test_normalise_issuer_uses_the_directory() -> None:
    parsed = chain.normalise_issuer({"issuer": "B Ộ LAO ĐỘNG - THƯƠNG BINH V À X Ã HỘI",
                                     "issuer_parent": "UBND TỈNH BÌNH DƯƠNG"})
    assert parsed["issuer"] == "Bộ Lao động - Thương binh và Xã hội"
    assert parsed["issuer_printed"] == "B Ộ LAO ĐỘNG - THƯƠNG BINH V À X Ã HỘI"
    assert parsed["issuer_parent"] == "Ủy ban nhân dân tỉnh Bình Dương"
    assert chain.normalise_issuer({"issuer": "Công ty Cổ phần  ABC"})["issuer"] == "Công ty Cổ phần ABC"


def test_directory_file_is_replaceable(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    own = tmp_path / "agencies.yaml"
    own.write_text("agencies:\n- name: Sở Nội vụ tỉnh Hậu Giang\n  short_names: [SNV Hậu Giang]\n  e_id: 000.09.H33\n",
                   encoding="utf-8")
    monkeypatch.setenv("DIEUHANH_AGENCIES", str(own))
    assert agencies.normalise("SỞ NỘI VỤ TỈNH HẬU GIANG")[0] == "Sở Nội vụ tỉnh Hậu Giang"
    parsed = chain.normalise_issuer({"issuer": "SNV HẬU GIANG"})
    assert (parsed["issuer"], parsed["issuer_e_id"]) == ("Sở Nội vụ tỉnh Hậu Giang", "000.09.H33")


def _sleep(seconds: float, *, emit) -> str:  # type: ignore[no-untyped-def]
    time.sleep(seconds)
    return "done"


def _hog(*, emit) -> int:  # type: ignore[no-untyped-def]
    emit({"page": 1, "pages": 2})
    return len(bytearray(4 * 1024 ** 3))


def test_sandbox_bounds_time_and_memory() -> None:
    started = time.monotonic()
    with pytest.raises(sandbox.SandboxError) as slow:
        sandbox.run(_sleep, 30, timeout=1, memory_mb=512)
    assert slow.value.code == "timeout" and "quá 1 giây" in slow.value.message
    assert time.monotonic() - started < 5
    seen = []
    with pytest.raises(sandbox.SandboxError) as big:
        sandbox.run(_hog, timeout=20, memory_mb=512, on_message=seen.append)
    assert big.value.code == "memory" and "bộ nhớ" in big.value.message
    assert seen == [{"page": 1, "pages": 2}]
    assert sandbox.run(_sleep, 0, timeout=5, memory_mb=512) == "done"


# --- review form ----------------------------------------------------------------------------


def test_handwritten_number_is_reported_not_guessed(actors, registers) -> None:  # type: ignore[no-untyped-def]
    ocr_text = ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HẢI PHÒNG\nSố: #‡ /TB-UBND\nHải Phòng, ngày 8Ä tháng 02 năm 2020\n"
                "THÔNG BÁO\nVề việc tạm dừng tiếp công dân\n")
    parsed = scan_review({"issuer": "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"}, ocr_text, filename="scan.pdf")
    assert parsed["unreadable"] == ["number", "date"]
    job = IntakeJob.objects.create(user=actors["district_clerk"], register=registers["district_in"],
                                   checksum="0" * 64, status=IntakeStatus.READY, parsed=parsed, body=ocr_text)
    from dieuhanh.documents.forms import ReviewForm

    form = ReviewForm(initial=review.initial_fields(job), direction="den")
    context = review.context(job, form)
    assert form.fields["number"].help_text == "Số: chưa đọc được (viết tay)"
    assert form.fields["issued_on"].help_text == "Ngày ban hành: chưa đọc được (viết tay)"
    assert "low-confidence" in form.fields["number"].widget.attrs["class"]
    assert form.initial["number"] is None and form.initial["issued_on"] is None
    assert "Số: chưa đọc được (viết tay)." in context["review_notes"]


def test_evidence_and_deadlines_for_another_body(actors, registers) -> None:  # type: ignore[no-untyped-def]
    body = "Số: 12/UBND\nCần Thơ, ngày 02 tháng 3 năm 2020\nSở Nội vụ báo cáo Bộ trước ngày 15/3/2020.\n" \
           "Phòng Nội vụ hoàn thành trước ngày 30/3/2020."
    parsed = {"number": 12, "number_symbol": "12/UBND", "date": "2020-03-02",
              "deadlines": [{"date": "2020-03-15", "for_other_body": "Sở Nội vụ", "text": "báo cáo Bộ trước 15/3"},
                            {"date": "2020-03-30"}],
              "evidence": {"number_symbol": {"span": [5, 12], "confidence": 0.95},
                           "date": {"line": "Cần Thơ, ngày 02 tháng 3 năm 2020", "confidence": 0.4}}}
    job = IntakeJob.objects.create(user=actors["district_clerk"], register=registers["district_in"],
                                   checksum="0" * 64, status=IntakeStatus.READY, parsed=parsed, body=body)
    from dieuhanh.documents.forms import ReviewForm

    fields = review.initial_fields(job)
    assert fields["due_on"] == datetime.date(2020, 3, 30)  # not the Sở's 15/3
    form = ReviewForm(initial=fields, direction="den")
    context = review.context(job, form)
    assert "Nguồn: «Số: 12/UBND»" in form.fields["number_symbol"].help_text
    assert "low-confidence" not in form.fields["number_symbol"].widget.attrs.get("class", "")
    assert "Độ tin cậy thấp (40%)" in form.fields["issued_on"].help_text
    assert "low-confidence" in form.fields["issued_on"].widget.attrs["class"]
    assert context["other_deadlines"] == [{"date": datetime.date(2020, 3, 15), "whom": "Sở Nội vụ",
                                           "text": "báo cáo Bộ trước 15/3"}]
    # Without evidence the form is the plain one.
    job.parsed = {"number": 12}
    assert review.field_evidence(job.parsed, body) == {}


# --- web intake with the real files ------------------------------------------------------


def test_signed_pdf_review_then_worker_adds_signatures(login, actors, registers) -> None:  # type: ignore[no-untyped-def]
    need("pdftotext")
    client = login(actors["district_clerk"])
    response = client.post(URL, upload_post(registers["district_in"], SIGNED.name, SIGNED.read_bytes()))
    html = response.content.decode()
    assert response.status_code == 200 and "706/UBND-VP7" in html and "04/11/2024" in html
    assert "Ủy ban nhân dân tỉnh Ninh Bình" in html and "Đang kiểm tra chữ ký số" in html
    assert 'name="body"' not in html  # the text stays on the server
    job = IntakeJob.objects.get()
    assert jobs.run_pending("test-worker") == 1
    job.refresh_from_db()
    assert job.needs == "" and job.parsed["signatures"][0]["signer"] == "Đặng Đức Tân"
    saved = client.post(reverse("documents:intake_job", args=[job.pk]), review_data(response))
    document = Document.objects.get()
    assert saved.status_code == 302 and document.issuer == "Ủy ban nhân dân tỉnh Ninh Bình"
    assert "706" in document.body
    page = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert "Ký số bởi Đặng Đức Tân" in page and "lúc 16:11 01/11/2024" in page
    assert "chưa xác minh được nơi cấp chứng thư" in page


def test_scan_goes_to_the_worker_and_the_form_fills_itself(login, actors, registers, media_root) -> None:  # type: ignore[no-untyped-def]
    need("pdftoppm", "tesseract")
    client = login(actors["district_clerk"])
    started = time.monotonic()
    response = client.post(URL, upload_post(registers["district_in"], SCAN.name, SCAN.read_bytes()))
    assert time.monotonic() - started < 5  # no OCR in the request
    job = IntakeJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:intake_job", args=[job.pk])
    assert (job.status, job.needs, job.pages) == (IntakeStatus.QUEUED, "ocr", 1)
    waiting = client.get(response["Location"]).content.decode()
    assert "Đang chờ đến lượt xử lý" in waiting and 'hx-trigger="every 2s"' in waiting
    assert jobs.run_pending("test-worker") == 1
    job.refresh_from_db()
    assert job.status == IntakeStatus.READY and job.parsed["number_symbol"] == "94/TB-UBND"
    poll = client.get(reverse("documents:intake_progress", args=[job.pk]))
    assert poll.status_code == 204 and poll["HX-Redirect"] == response["Location"]
    form = client.get(response["Location"])
    assert "94/TB-UBND" in form.content.decode() and "24/02/2020" in form.content.decode()
    saved = client.post(response["Location"], review_data(form))
    document = Document.objects.get()
    assert saved.status_code == 302 and document.number_symbol == "94/TB-UBND"
    names = sorted(a.original_name for a in document.attachments.all())
    assert names == ["12_di-94-TB-UBND.signed (lớp chữ OCR).pdf", SCAN.name]
    # The OCR text is the document's searchable text: a word only the scan's pixels hold.
    found = client.get(reverse("documents:search"), {"q": "tiep cong dan"}).content.decode()
    assert reverse("documents:detail", args=[document.pk]) in found
    assert [p.parent.name for p in files_under(media_root) if p.parent.name == "tmp"] == []


def test_doc_is_converted_by_the_worker(login, actors, registers) -> None:  # type: ignore[no-untyped-def]
    need("soffice")
    client = login(actors["district_clerk"])
    response = client.post(URL, upload_post(registers["district_in"], DOC.name, DOC.read_bytes()))
    job = IntakeJob.objects.get()
    assert response.status_code == 302 and job.needs == "convert"
    assert "LibreOffice" in client.get(response["Location"]).content.decode()
    jobs.run_pending("test-worker")
    job.refresh_from_db()
    assert job.status == IntakeStatus.READY
    form = client.get(response["Location"])
    assert form.context["form"].initial["due_on"] == datetime.date(2024, 12, 31)


def test_broken_image_fails_in_the_worker_with_a_message(login, actors, registers, media_root) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    response = client.post(URL, upload_post(registers["district_in"], "anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100))
    assert response.status_code == 302
    jobs.run_pending("test-worker")
    job = IntakeJob.objects.get()
    assert job.status == IntakeStatus.FAILED and job.message
    page = client.get(response["Location"]).content.decode()
    assert "Không đọc được tệp:" in page and "Tải lên lại" in page
    assert not Document.objects.exists() and files_under(media_root / "tmp") == []


def test_duplicate_needs_an_explicit_confirmation(login, actors, registers) -> None:  # type: ignore[no-untyped-def]
    need("pdftotext")
    client = login(actors["district_clerk"])
    first = client.post(URL, upload_post(registers["district_in"], DOCX.name, DOCX.read_bytes()))
    client.post(reverse("documents:intake_job", args=[IntakeJob.objects.get().pk]), review_data(first))
    existing = Document.objects.get()
    second = client.post(URL, upload_post(registers["district_in"], DOCX.name, DOCX.read_bytes()))
    html = second.content.decode()
    assert "Văn bản này trùng với văn bản đã vào sổ" in html
    assert reverse("documents:detail", args=[existing.pk]) in html and 'name="confirm_duplicate"' in html
    job = IntakeJob.objects.latest("pk")
    target = reverse("documents:intake_job", args=[job.pk])
    refused = client.post(target, review_data(second))
    assert refused.status_code == 200 and Document.objects.count() == 1
    assert "đánh dấu xác nhận" in refused.content.decode()
    confirmed = client.post(target, {**review_data(second), "confirm_duplicate": "on"})
    assert confirmed.status_code == 302 and Document.objects.count() == 2


def test_large_text_is_previewed_and_saved_without_posting_the_body(login, actors, registers, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    filler = ("Các phòng ban tiếp tục rà soát thủ tục hành chính và báo cáo kết quả thực hiện. " * 40 + "\n\n")
    seed = seed_bytes.decode()
    cut = seed.index("**Nơi nhận")
    text = seed[:cut] + filler * 1400 + seed[cut:]  # about 6 MB of UTF-8 in the body
    assert len(text.encode()) > 5 * 1024 * 1024
    queued = client.post(URL, upload_post(registers["district_in"], "dai.txt", text.encode()))
    assert queued.status_code == 302  # a long text is parsed by the worker, not in the request
    assert "Đang đọc văn bản dài" in client.get(queued["Location"]).content.decode()
    assert jobs.run_pending("test-worker") == 1
    response = client.get(queued["Location"])
    assert response.status_code == 200 and "Chỉ hiện phần đầu" in response.content.decode()
    data = review_data(response)
    assert "body" not in data and sum(len(v) for v in data.values()) < 100_000
    saved = client.post(reverse("documents:intake_job", args=[IntakeJob.objects.get().pk]), data)
    assert saved.status_code == 302 and len(Document.objects.get().body.encode()) > 5_000_000


def test_a_parse_over_its_time_limit_saves_nothing(login, actors, registers, seed_bytes, media_root,
                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(chain, "FAST_TIMEOUT", 0.001)
    client = login(actors["district_clerk"])
    response = client.post(URL, upload_post(registers["district_in"], "a.txt", seed_bytes))
    assert response.status_code == 200 and "đã dừng" in response.content.decode()
    assert not IntakeJob.objects.exists() and files_under(media_root) == []


def test_list_queries_never_load_the_parse_or_the_body(login, actors, registers, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    response = client.post(URL, upload_post(registers["district_in"], "313.txt", seed_bytes))
    client.post(reverse("documents:intake_job", args=[IntakeJob.objects.get().pk]), review_data(response))
    for path in (reverse("documents:incoming"), reverse("web:home"), "/api/documents"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        loading = [q["sql"] for q in queries if "documents_document" in q["sql"] and '"subject"' in q["sql"]]
        assert loading, path
        for sql in loading:
            assert '"parsed"' not in sql and '"body"' not in sql and '"search_text"' not in sql, (path, sql)


# --- worker claims --------------------------------------------------------------------------


def test_claims_are_exclusive_and_expire(actors, registers) -> None:  # type: ignore[no-untyped-def]
    job = IntakeJob.objects.create(user=actors["district_clerk"], register=registers["district_in"],
                                   checksum="0" * 64, needs="ocr")
    now = timezone.now()
    assert jobs.claim("a", now).pk == job.pk
    assert jobs.claim("b", now + datetime.timedelta(seconds=30)) is None
    taken = jobs.claim("b", now + jobs.LEASE + datetime.timedelta(seconds=1))
    assert taken.pk == job.pk and taken.claimed_by == "b" and taken.attempts == 2
    # The first worker's late result is not written: the claim is no longer its.
    chain.fail(job, "late")
    jobs._store(job, jobs._Holder(job, "a"))
    job.refresh_from_db()
    assert job.status == IntakeStatus.WORKING and job.message == ""


def test_a_job_whose_workers_keep_dying_fails(actors, registers) -> None:  # type: ignore[no-untyped-def]
    job = IntakeJob.objects.create(user=actors["district_clerk"], register=registers["district_in"],
                                   checksum="0" * 64, needs="ocr", attempts=jobs.MAX_ATTEMPTS)
    assert jobs.run_pending("w") == 1
    job.refresh_from_db()
    assert job.status == IntakeStatus.FAILED and "gián đoạn" in job.message


# --- API --------------------------------------------------------------------------------------


def test_api_scan_is_accepted_and_registered_by_the_worker(actors, registers) -> None:  # type: ignore[no-untyped-def]
    need("pdftoppm", "tesseract")
    from django.test import Client

    from dieuhanh.accounts.models import ApiToken

    _token, secret = ApiToken.issue(actors["district_clerk"], "máy quét")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    started = time.monotonic()
    response = client.post("/api/documents", {"register": registers["district_in"].pk,
                                              "file": SCAN.open("rb")})
    assert time.monotonic() - started < 5
    assert response.status_code == 202, response.content
    intake = response.json()
    assert intake["status"] == "queued" and intake["document_id"] is None
    assert jobs.run_pending("test-worker") == 1
    state = client.get(f"/api/intakes/{intake['id']}").json()
    assert state["status"] == "saved"
    document = client.get(f"/api/documents/{state['document_id']}").json()
    assert document["number_symbol"] == "94/TB-UBND"

"""The /bao-cao/ pages: who may open and act on what, and the whole round trip through the
forms (request → ward fills in → return → resend → accept → consolidation → DOCX / XLSX)."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dieuhanh.reports import services
from dieuhanh.reports.consolidation import consolidate
from dieuhanh.reports.models import Outline, ReportRequest, Submission, SubmissionStatus
from tests.reports.factories import GOOD_DATA, SMALL_OUTLINE_YAML, make_request, small_outline, submission_of

NOW = datetime(2020, 4, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def _frozen_2020(settings, tmp_path):  # type: ignore[no-untyped-def]
    """The test units end on 30/06/2025: act in April 2020. Files under a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def req(units, actors) -> ReportRequest:  # type: ignore[no-untyped-def]
    return make_request(actors["district_specialist"], [units["le_binh"], units["ba_lang"]])


def sub_of(req: ReportRequest, units, key: str = "le_binh") -> Submission:  # type: ignore[no-untyped-def]
    return submission_of(req, units[key])


def form_of(data: dict) -> dict[str, str]:
    """Submission data as the sheet's input names."""
    out = {f"s__{k}": v for k, v in data.get("sections", {}).items()}
    for t, rows in data.get("tables", {}).items():
        for r, cols in rows.items():
            for c, v in cols.items():
                out[f"t__{t}__{r}__{c}"] = v
    return out


def submitted(req, units, actors, key="le_binh"):  # type: ignore[no-untyped-def]
    sub = sub_of(req, units, key)
    assert services.submit(actors["ward_chairman" if key == "le_binh" else "admin"], sub, GOOD_DATA) == []
    return sub


def accepted(req, units, actors):  # type: ignore[no-untyped-def]
    sub = submitted(req, units, actors)
    services.accept_submission(actors["district_specialist"], sub)
    return sub


# --- access per view ----------------------------------------------------------------------------------
# (route, args builder, method, ok-actor, read-only actor (403) or None, methods refused)

def _req(req, units):  # type: ignore[no-untyped-def]
    return [req.pk]


def _sub(req, units):  # type: ignore[no-untyped-def]
    return [sub_of(req, units).pk]


def _outline(req, units):  # type: ignore[no-untyped-def]
    return [req.outline_version.outline_id]


GET_PAGES = [
    ("reports:list", lambda r, u: [], "ward_clerk", None),
    ("reports:create", lambda r, u: [], "district_specialist", "ward_clerk"),
    ("reports:timeliness", lambda r, u: [], "district_specialist", None),
    ("reports:detail", _req, "district_specialist", None),
    ("reports:submission", _sub, "ward_clerk", None),
    ("reports:consolidation", _req, "district_specialist", "ward_chairman"),
    ("reports:outlines", lambda r, u: [], "ward_clerk", None),
    ("reports:outline", _outline, "district_specialist", None),
    ("reports:outline_yaml", _outline, "district_specialist", None),
    ("reports:outline_import", lambda r, u: [], "district_specialist", "ward_clerk"),
]
PER_OBJECT = {"reports:detail", "reports:submission", "reports:consolidation", "reports:outline",
              "reports:outline_yaml"}


@pytest.mark.parametrize("route,args,ok_actor,read_only", GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_get_pages(client, login, units, actors, req, route, args, ok_actor, read_only):  # type: ignore[no-untyped-def]
    path = reverse(route, args=args(req, units))
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/tai-khoan/" in anonymous["Location"], anonymous
    assert login(actors[ok_actor]).get(path).status_code == 200
    assert client.put(path).status_code == 405
    assert client.delete(path).status_code == 405
    if read_only:
        assert login(actors[read_only]).get(path).status_code == 403
    if route in PER_OBJECT and route not in {"reports:outline", "reports:outline_yaml"}:
        assert login(actors["outsider"]).get(path).status_code == 404


POSTS = [
    # route, args, who may, read-only (403), outsider answer
    ("reports:submission", _sub, "ward_chairman", "ward_clerk"),
    ("reports:submission_accept", _sub, "district_specialist", "ward_chairman"),
    ("reports:submission_return", _sub, "district_specialist", "ward_chairman"),
    ("reports:consolidate", _req, "district_specialist", "ward_chairman"),
    ("reports:consolidation", _req, "district_specialist", "district_leader"),
    ("reports:consolidation_issue", _req, "district_specialist", "district_leader"),
]


@pytest.mark.parametrize("route,args,ok_actor,read_only", POSTS, ids=[p[0] for p in POSTS])
def test_post_actions_refuse(client, login, units, actors, req, route, args, ok_actor, read_only):  # type: ignore[no-untyped-def]
    submitted(req, units, actors)
    consolidate(actors["district_specialist"], req)
    path = reverse(route, args=args(req, units))
    anonymous = client.post(path, {"comment": "x"})
    assert anonymous.status_code == 302 and "/tai-khoan/" in anonymous["Location"]
    if route != "reports:submission" and route != "reports:consolidation":
        assert login(actors[ok_actor]).get(path).status_code == 405
    assert login(actors["outsider"]).post(path, {"comment": "x"}).status_code == 404
    assert login(actors[read_only]).post(path, {"comment": "x"}).status_code == 403


def test_other_ward_cannot_open_le_binh_submission(login, units, actors, req):  # type: ignore[no-untyped-def]
    client = login(actors["other_ward_clerk"])
    assert client.get(reverse("reports:submission", args=[sub_of(req, units).pk])).status_code == 404
    assert client.get(reverse("reports:submission", args=[sub_of(req, units, "ba_lang").pk])).status_code == 200
    detail = client.get(reverse("reports:detail", args=[req.pk])).content.decode()
    assert "Ủy ban nhân dân phường Lê Bình" not in detail  # only its own submission is linked
    assert client.get(reverse("reports:consolidation", args=[req.pk])).status_code == 403


def test_wrong_method_on_downloads_and_import(login, units, actors, req):  # type: ignore[no-untyped-def]
    accepted(req, units, actors)
    consolidate(actors["district_specialist"], req)
    client = login(actors["district_specialist"])
    for route in ("reports:consolidation_docx", "reports:consolidation_xlsx"):
        assert client.post(reverse(route, args=[req.pk])).status_code == 405
    assert client.put(reverse("reports:outline_import")).status_code == 405
    assert client.post(reverse("reports:outline_yaml", args=[req.outline_version.outline_id])).status_code == 405
    outsider = login(actors["outsider"])
    for route in ("reports:consolidation_docx", "reports:consolidation_xlsx"):
        assert outsider.get(reverse(route, args=[req.pk])).status_code == 404
    assert outsider.get(reverse("reports:outline", args=[req.outline_version.outline_id])).status_code == 404


# --- the round trip ---------------------------------------------------------------------------------

def test_create_request_from_the_form(login, units, actors):  # type: ignore[no-untyped-def]
    version = small_outline(actors["district_specialist"])
    client = login(actors["district_specialist"])
    form = {"title": "Báo cáo cải cách hành chính quý I năm 2020", "outline_version": version.pk,
            "units": [units["le_binh"].pk, units["ba_lang"].pk], "period_kind": "quy", "year": "2020",
            "number": "1", "due_on": "20/04/2020", "recipient": "Sở Nội vụ", "instructions": ""}
    response = client.post(reverse("reports:create"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = ReportRequest.objects.get(title=form["title"])
    assert response["Location"] == reverse("reports:detail", args=[created.pk])
    assert created.due_on == date(2020, 4, 20)
    assert (created.period_start, created.period_end) == (date(2019, 12, 15), date(2020, 3, 14))
    assert set(created.submissions.values_list("unit_id", flat=True)) == {units["le_binh"].pk, units["ba_lang"].pk}
    again = client.post(reverse("reports:create"), form)  # the double post finds the first request
    assert again.status_code == 302 and ReportRequest.objects.filter(title=form["title"]).count() == 1


def test_create_form_bad_date_and_pick_buttons(login, units, actors):  # type: ignore[no-untyped-def]
    version = small_outline(actors["district_specialist"])
    client = login(actors["district_specialist"])
    page = client.post(reverse("reports:create"), {"title": "X", "outline_version": version.pk, "period_kind": "khac",
                                                   "year": "2020", "period_start": "31/02/2020",
                                                   "period_end": "31/03/2020", "due_on": "2020-04-20",
                                                   "units": [units["le_binh"].pk]})
    assert page.status_code == 200
    assert "dd/mm/yyyy" in page.content.decode() and not ReportRequest.objects.exists()
    picked = client.post(reverse("reports:create"), {"chon": "phuong-xa", "title": "X", "period_kind": "quy",
                                                     "year": "2020"})
    html = picked.content.decode()
    assert picked.status_code == 200 and not ReportRequest.objects.exists()
    assert f'value="{units["le_binh"].pk}" checked' in html and f'value="{units["ba_lang"].pk}" checked' in html
    assert f'value="{units["noi_vu"].pk}" checked' not in html


def test_create_from_assignment_prefills(login, units, actors):  # type: ignore[no-untyped-def]
    from dieuhanh.tasks.services import create_task

    task = create_task(actors["admin"], "Báo cáo tổng kết 10 năm cải cách hành chính", [units["noi_vu"]],
                       date(2020, 5, 1), source_note="Công văn của Sở Nội vụ")
    a = task.assignments.get()
    page = login(actors["district_specialist"]).get(reverse("reports:create") + f"?from_assignment={a.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "Báo cáo tổng kết 10 năm cải cách hành chính" in html and "01/05/2020" in html
    assert login(actors["ward_chairman"]).get(reverse("reports:create") + f"?from_assignment={a.pk}").status_code == 404


def test_round_trip(login, units, actors, req):  # type: ignore[no-untyped-def]
    sub = sub_of(req, units)
    url = reverse("reports:submission", args=[sub.pk])
    ward = login(actors["ward_chairman"])
    page = ward.get(url).content.decode()
    assert 'name="s__1.1"' in page and 'name="t__PL3__tiep_nhan__gd1"' in page
    bad = form_of(GOOD_DATA) | {"t__PL3__tiep_nhan__gd2": "nhiều lắm", "hanh_dong": "gui"}
    response = ward.post(url, bad)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="t__PL3__tiep_nhan__gd2-loi"' in html and "phải là số" in html
    assert 'value="nhiều lắm"' in html  # what was typed stays in the box
    sub.refresh_from_db()
    assert sub.status != SubmissionStatus.SUBMITTED and sub.first_submitted_at is None
    # a draft, with a file
    draft = form_of(GOOD_DATA) | {"hanh_dong": "luu",
                                  "file": SimpleUploadedFile("danh-sach.txt", b"Danh sach", "text/plain")}
    assert ward.post(url, draft).status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.DRAFT and sub.attachments.count() == 1
    file_url = reverse("reports:submission_file", args=[sub.pk, sub.attachments.get().pk])
    got = ward.get(file_url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"Danh sach"
    assert login(actors["outsider"]).get(file_url).status_code == 404
    # send it
    ward = login(actors["ward_chairman"])
    assert ward.post(url, form_of(GOOD_DATA) | {"hanh_dong": "gui"}).status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED
    assert "Gửi báo cáo" not in ward.get(url).content.decode()  # read-only once sent
    # the requester returns it: the comment is required
    boss = login(actors["district_specialist"])
    assert "Tiếp nhận" in boss.get(url).content.decode()
    empty = boss.post(reverse("reports:submission_return", args=[sub.pk]), {"comment": " "})
    assert empty.status_code == 200 and "Phải nêu lý do trả lại." in empty.content.decode()
    back = boss.post(reverse("reports:submission_return", args=[sub.pk]), {"comment": "Thiếu số liệu giai đoạn 1"})
    assert back.status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.RETURNED
    # the ward sees why, resends
    ward = login(actors["ward_chairman"])
    assert "Thiếu số liệu giai đoạn 1" in ward.get(url).content.decode()
    fixed = form_of(GOOD_DATA) | {"t__PL3__tiep_nhan__gd1": "1.300", "hanh_dong": "gui"}
    assert ward.post(url, fixed).status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED and sub.version == 2
    # accepted
    boss = login(actors["district_specialist"])
    assert boss.post(reverse("reports:submission_accept", args=[sub.pk])).status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.ACCEPTED
    history = boss.get(url).content.decode()
    assert history.count("Đã nộp, chờ duyệt") >= 2 and "Bị trả lại" in history and "Đã tiếp nhận" in history
    # accepting twice is a message, not a 500
    twice = boss.post(reverse("reports:submission_accept", args=[sub.pk]), follow=True)
    assert twice.status_code == 200 and "chờ duyệt" in twice.content.decode()
    # the request page: timeliness per unit
    detail = boss.get(reverse("reports:detail", args=[req.pk])).content.decode()
    assert "1/2" in detail and "Đúng hạn" in detail
    # consolidation
    built = boss.post(reverse("reports:consolidate", args=[req.pk]))
    assert built.status_code == 302 and built["Location"] == reverse("reports:consolidation", args=[req.pk])
    page = boss.get(reverse("reports:consolidation", args=[req.pk])).content.decode()
    assert "1.300" in page and "1.480" in page  # the aggregated figures (one accepted unit)
    saved = boss.post(reverse("reports:consolidation", args=[req.pk]), {
        "s__1.1": "Văn bản tổng hợp đã biên tập.", "s__1.2": "", "subject": "Tổng kết cải cách hành chính",
        "signer_authority": "TM. ỦY BAN NHÂN DÂN", "signer_position": "CHỦ TỊCH", "signer_name": "Nguyễn Văn A",
        "distribution": "Sở Nội vụ;\nLưu: VT."})
    assert saved.status_code == 302
    req.consolidation.refresh_from_db()
    assert req.consolidation.texts["1.1"] == "Văn bản tổng hợp đã biên tập."
    assert req.consolidation.signer_name == "Nguyễn Văn A"
    no_subject = boss.post(reverse("reports:consolidation", args=[req.pk]), {"subject": ""})
    assert no_subject.status_code == 200 and "trích yếu" in no_subject.content.decode()
    # downloads
    docx = boss.get(reverse("reports:consolidation_docx", args=[req.pk]))
    assert docx.status_code == 200
    assert docx["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert docx["Content-Disposition"].startswith("attachment;") and ".docx" in docx["Content-Disposition"]
    # The file name keeps the document's identity: kind, issuing body, month, the subject uncut.
    due = req.due_on
    assert f'filename="BC-UBND-{due:%Y-%m}-tong-ket-CCHC.docx"' in docx["Content-Disposition"]
    import docx as python_docx

    text = "\n".join(p.text for p in python_docx.Document(io.BytesIO(docx.content)).paragraphs)
    assert "Văn bản tổng hợp đã biên tập." in text
    xlsx = boss.get(reverse("reports:consolidation_xlsx", args=[req.pk]))
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in xlsx["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert 1300 in values or "1.300" in values or 1300.0 in values


def test_issue_makes_a_draft_not_a_numbered_document(login, units, actors, req):  # type: ignore[no-untyped-def]
    """Phòng Nội vụ's "Phát hành" no longer numbers anything: it makes a Báo cáo draft of the report
    (issue 11), which goes through review, signing and the văn thư; a second click opens the same draft."""
    from dieuhanh.documents.models import Direction, Register
    from dieuhanh.documents.numbering import last_number
    from dieuhanh.drafts.models import Draft

    outgoing, _ = Register.objects.get_or_create(unit=units["district"], direction=Direction.OUTGOING,
                                                 defaults={"name": "Sổ văn bản đi"})
    accepted(req, units, actors)
    consolidate(actors["district_specialist"], req)
    specialist = login(actors["district_specialist"])
    page = specialist.get(reverse("reports:consolidation", args=[req.pk])).content.decode()
    assert reverse("reports:consolidation_issue", args=[req.pk]) in page
    response = specialist.post(reverse("reports:consolidation_issue", args=[req.pk]))
    draft = Draft.objects.get(consolidation=req.consolidation)
    assert response["Location"] == reverse("drafts:detail", args=[draft.pk])
    assert draft.doc_type == "Báo cáo" and draft.unit == units["noi_vu"] and draft.issuer_unit == units["district"]
    assert draft.symbol == "BC-UBND" and not draft.signer_name
    again = specialist.post(reverse("reports:consolidation_issue", args=[req.pk]))
    assert again["Location"] == response["Location"] and Draft.objects.count() == 1
    req.consolidation.refresh_from_db()
    assert req.consolidation.document_id is None and last_number(outgoing, 2020) == 0
    page = specialist.get(reverse("reports:consolidation", args=[req.pk])).content.decode()
    assert reverse("drafts:detail", args=[draft.pk]) in page


def test_consolidated_report_goes_through_the_workflow(login, units, actors, req):  # type: ignore[no-untyped-def]
    from dieuhanh.documents.models import Direction, Register
    from dieuhanh.drafts import services as drafts
    from dieuhanh.drafts.models import Draft
    from tests.drafts.conftest import signed

    Register.objects.get_or_create(unit=units["district"], direction=Direction.OUTGOING,
                                   defaults={"name": "Sổ văn bản đi"})
    leader, head = actors["district_leader"], actors["noi_vu_head"]
    leader.first_name, leader.last_name, leader.position = "Lê Văn", "Cường", "Phó Chủ tịch UBND quận"
    leader.save()
    drafts.set_chain(actors["admin"], units["noi_vu"], [("Trưởng phòng", head), ("Lãnh đạo UBND", leader)])
    accepted(req, units, actors)
    consolidate(actors["district_specialist"], req)
    login(actors["district_specialist"]).post(reverse("reports:consolidation_issue", args=[req.pk]))
    draft = Draft.objects.get(consolidation=req.consolidation)
    signed(draft, actors)
    clerk = login(actors["district_clerk"])
    response = clerk.post(reverse("drafts:issue", args=[draft.pk]), {"issued_on": "28/04/2020", "confirm": "on"})
    req.consolidation.refresh_from_db()
    document = req.consolidation.document
    assert response["Location"] == reverse("documents:detail", args=[document.pk])
    assert clerk.get(response["Location"]).status_code == 200
    assert document.number_symbol == "1/BC-UBND" and document.signer_name == "Lê Văn Cường"
    assert document.signer_position == "PHÓ CHỦ TỊCH" and document.issued_on == date(2020, 4, 28)
    # the drafting office opens what it drafted
    assert login(actors["district_specialist"]).get(response["Location"]).status_code == 200


def test_submission_read_only_for_clerk_and_requester(login, units, actors, req):  # type: ignore[no-untyped-def]
    url = reverse("reports:submission", args=[sub_of(req, units).pk])
    for who in ("ward_clerk", "district_specialist"):
        html = login(actors[who]).get(url).content.decode()
        assert 'name="s__1.1"' not in html and "Lưu nháp" not in html


# --- outlines -----------------------------------------------------------------------------------------

def test_outline_pages_and_import(login, units, actors):  # type: ignore[no-untyped-def]
    client = login(actors["district_specialist"])
    bad = client.post(reverse("reports:outline_import"), {"text": "code: [khong hop le", "note": ""})
    assert bad.status_code == 200 and "YAML không hợp lệ" in bad.content.decode()
    assert not Outline.objects.exists()
    empty = client.post(reverse("reports:outline_import"), {"text": ""})
    assert "Chưa chọn tệp hoặc dán nội dung YAML." in empty.content.decode()
    upload = SimpleUploadedFile("de-cuong.yaml", SMALL_OUTLINE_YAML.encode(), "application/yaml")
    done = client.post(reverse("reports:outline_import"), {"file": upload, "note": "Bản đầu"})
    outline = Outline.objects.get(code="cchc-thu-nghiem")
    assert done.status_code == 302 and done["Location"] == reverse("reports:outline", args=[outline.pk])
    page = client.get(reverse("reports:outline", args=[outline.pk])).content.decode()
    assert "Cải cách thủ tục hành chính" in page and "Hồ sơ tiếp nhận" in page and "Lưu phiên bản mới" in page
    yaml_response = client.get(reverse("reports:outline_yaml", args=[outline.pk]))
    assert yaml_response.status_code == 200 and "cchc-thu-nghiem-v1.yaml" in yaml_response["Content-Disposition"]
    edited = yaml_response.content.decode().replace("Hồ sơ tiếp nhận", "Hồ sơ đã tiếp nhận")
    again = client.post(reverse("reports:outline_import"), {"text": edited, "note": "Sửa tên dòng"})
    assert again.status_code == 302 and outline.versions.count() == 2
    assert "Hồ sơ đã tiếp nhận" in client.get(reverse("reports:outline", args=[outline.pk])).content.decode()
    old = client.get(reverse("reports:outline", args=[outline.pk]) + "?phien_ban=1").content.decode()
    assert "Hồ sơ tiếp nhận" in old
    assert client.get(reverse("reports:outline", args=[outline.pk]) + "?phien_ban=9").status_code == 404
    assert "cchc-thu-nghiem" in client.get(reverse("reports:outlines")).content.decode()
    assert login(actors["ward_clerk"]).post(reverse("reports:outline_import"), {"text": edited}).status_code == 403


# --- timeliness ---------------------------------------------------------------------------------------

def test_timeliness_page_and_exports(login, units, actors, req):  # type: ignore[no-untyped-def]
    accepted(req, units, actors)
    client = login(actors["district_specialist"])
    page = client.get(reverse("reports:timeliness")).content.decode()
    assert "Ủy ban nhân dân phường Lê Bình" in page and "Ủy ban nhân dân phường Ba Láng" in page
    xlsx = client.get(reverse("reports:timeliness") + "?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert any("Lê Bình" in str(c.value) for row in book.active.iter_rows() for c in row)
    csv = client.get(reverse("reports:timeliness") + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv") and "Lê Bình" in csv.content.decode("utf-8-sig")
    # a ward that asked for nothing sees no other unit's rates
    assert "Ba Láng" not in login(actors["ward_clerk"]).get(reverse("reports:timeliness")).content.decode()


# --- query counts -------------------------------------------------------------------------------------

def _more_requests(actors, units, n: int) -> None:  # type: ignore[no-untyped-def]
    version = small_outline(actors["district_specialist"])
    for i in range(n):
        make_request(actors["district_specialist"], [units["le_binh"], units["ba_lang"]], title=f"Báo cáo số {i}",
                     outline_version=version)


@pytest.mark.parametrize("route,who,args", [
    ("reports:list", "district_specialist", None), ("reports:list", "ward_chairman", None),
    ("reports:timeliness", "district_specialist", None), ("reports:detail", "district_specialist", "req"),
    ("reports:submission", "district_specialist", "sub"), ("reports:outlines", "district_specialist", None),
])
def test_query_counts_do_not_grow(login, units, actors, req, route, who, args,  # type: ignore[no-untyped-def]
                                  django_assert_max_num_queries):
    submitted(req, units, actors)
    path = reverse(route, args={"req": [req.pk], "sub": [sub_of(req, units).pk], None: []}[args])
    client = login(actors[who])
    client.get(path)
    with django_assert_max_num_queries(25) as before:
        assert client.get(path).status_code == 200
    _more_requests(actors, units, 5)
    for s in Submission.objects.filter(request=req):
        if s.status == SubmissionStatus.NOT_STARTED:
            services.save_draft(actors["admin"], s, GOOD_DATA)
    with django_assert_max_num_queries(len(before)) as after:
        assert client.get(path).status_code == 200
    assert len(after) <= len(before)


# --- files and audit rows (issue 9) ---------------------------------------------------------------------

def test_report_files_come_back_as_bytes_and_every_step_audits_the_ip(login, units, actors, req):  # type: ignore[no-untyped-def]
    """A report file named like a page is downloaded, never rendered; drafting, sending, returning,
    accepting and consolidating through the pages write audit rows with the caller's IP."""
    from dieuhanh.accounts.models import AuditLog

    page = b"<html><body><script>alert(document.cookie)</script></body></html>"
    sub = sub_of(req, units)
    url = reverse("reports:submission", args=[sub.pk])
    before = AuditLog.objects.count()
    ward = login(actors["ward_chairman"])
    draft = form_of(GOOD_DATA) | {"hanh_dong": "luu", "file": SimpleUploadedFile("bang.html", page, "text/html")}
    assert ward.post(url, draft, REMOTE_ADDR="10.20.0.1").status_code == 302
    got = ward.get(reverse("reports:submission_file", args=[sub.pk, sub.attachments.get().pk]))
    assert got.status_code == 200 and got["Content-Type"] == "application/octet-stream"
    assert got["X-Content-Type-Options"] == "nosniff" and got["Content-Disposition"].startswith("attachment;")
    assert ward.post(url, form_of(GOOD_DATA) | {"hanh_dong": "gui"}, REMOTE_ADDR="10.20.0.1").status_code == 302
    boss = login(actors["district_specialist"])
    assert boss.post(reverse("reports:submission_return", args=[sub.pk]), {"comment": "Thiếu số liệu"},
                     REMOTE_ADDR="10.20.0.2").status_code == 302
    ward = login(actors["ward_chairman"])
    assert ward.post(url, form_of(GOOD_DATA) | {"hanh_dong": "gui"}, REMOTE_ADDR="10.20.0.1").status_code == 302
    boss = login(actors["district_specialist"])
    assert boss.post(reverse("reports:submission_accept", args=[sub.pk]), REMOTE_ADDR="10.20.0.2").status_code == 302
    assert boss.post(reverse("reports:consolidate", args=[req.pk]), REMOTE_ADDR="10.20.0.2").status_code == 302
    rows = list(AuditLog.objects.order_by("id")[before:])
    kinds = {r.object_type for r in rows}
    assert {"reports.submission", "reports.submissionattachment", "tasks.assignment", "reports.consolidation"} <= kinds
    assert {r.ip for r in rows} == {"10.20.0.1", "10.20.0.2"}, [(r.object_type, r.note, r.ip) for r in rows]

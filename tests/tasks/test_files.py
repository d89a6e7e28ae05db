"""The files of progress notes and results: downloadable by whoever may see the assignment
(issue 9: nobody could download them), with the type of their bytes and a safe name."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dieuhanh.accounts.models import AuditAction, AuditLog
from dieuhanh.tasks import services
from dieuhanh.tasks.models import ProgressNote
from tests.conftest import SHARED

PDF = (SHARED / "realfiles" / "13_706.pdf").read_bytes()
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(autouse=True)
def _spring_2020(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with time_machine.travel(datetime(2020, 3, 5, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=True):
        yield


@pytest.fixture
def notes(units, actors):  # type: ignore[no-untyped-def]
    """Phòng Nội vụ gave Lê Bình a task; the ward chairman reported progress with the minutes (a real
    PDF) and sent the result as a file named like a page (``ket-qua.html``)."""
    task = services.create_task(actors["district_specialist"], "Tổng kết CCHC tại phường", [units["le_binh"]],
                                date(2020, 4, 30), source_note="Họp giao ban 04/03/2020")
    a = task.assignments.get()
    chairman = actors["ward_chairman"]
    services.acknowledge(chairman, a)
    progress = services.update_progress(chairman, a, 50, "Đã họp triển khai",
                                        upload=SimpleUploadedFile("Biên bản họp\r\n.pdf", PDF, "text/html"))
    services.submit_result(chairman, a, note="Báo cáo tổng kết",
                           upload=SimpleUploadedFile("ket-qua.html", HTML, "text/html"))
    result = a.notes.exclude(pk=progress.pk).get()
    return {"assignment": a, "progress": progress, "result": result}


def url(a, note) -> str:  # type: ignore[no-untyped-def]
    return reverse("tasks:note_file", args=[a.pk, note.pk])


def test_the_assigner_downloads_the_progress_file(login, notes, actors) -> None:  # type: ignore[no-untyped-def]
    a, note = notes["assignment"], notes["progress"]
    response = login(actors["district_specialist"]).get(url(a, note), REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"  # from the bytes, not the declared text/html
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "\r" not in disposition and "\n" not in disposition
    assert "Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp" in disposition  # the Vietnamese name, encoded
    row = AuditLog.objects.filter(action=AuditAction.DOWNLOAD, object_type="tasks.progressnote").get()
    assert row.object_id == str(note.pk) and row.ip == "10.0.0.7" and row.actor == actors["district_specialist"]


def test_a_result_file_is_never_served_as_html(login, notes, actors) -> None:  # type: ignore[no-untyped-def]
    response = login(actors["ward_chairman"]).get(url(notes["assignment"], notes["result"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'filename="ket-qua.html"' in response["Content-Disposition"]


def test_who_may_download(client, login, notes, actors, units) -> None:  # type: ignore[no-untyped-def]
    a, note = notes["assignment"], notes["progress"]
    path = url(a, note)
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/tai-khoan/" in anonymous["Location"]
    # those who see the assignment may read its files: the doer (chairman, and his clerk who only reads),
    # the assigner's people, the leaders above (read-only)
    for who in ("ward_chairman", "ward_clerk", "district_specialist", "noi_vu_head", "district_leader", "admin"):
        assert login(actors[who]).get(path).status_code == 200, who
    for who in ("other_ward_clerk", "outsider", "district_clerk"):  # outside: as if it did not exist
        assert login(actors[who]).get(path).status_code == 404, who
    specialist = login(actors["district_specialist"])
    for method in (specialist.post, specialist.put, specialist.delete):
        assert method(path).status_code == 405


def test_a_note_is_reached_only_through_its_own_assignment(login, notes, actors, units) -> None:  # type: ignore[no-untyped-def]
    other = services.create_task(actors["district_specialist"], "Việc khác", [units["ba_lang"]], date(2020, 4, 30),
                                 source_note="Họp").assignments.get()
    specialist = login(actors["district_specialist"])
    assert specialist.get(url(other, notes["progress"])).status_code == 404  # another assignment's note
    assert specialist.get(reverse("tasks:note_file", args=[notes["assignment"].pk, 999999])).status_code == 404
    bare = ProgressNote.objects.create(assignment=notes["assignment"], text="Không có tệp")
    assert specialist.get(url(notes["assignment"], bare)).status_code == 404
    notes["progress"].attachment.storage.delete(notes["progress"].attachment.name)  # gone from the disk
    assert specialist.get(url(notes["assignment"], notes["progress"])).status_code == 404


def test_the_assignment_page_links_the_files(login, notes, actors) -> None:  # type: ignore[no-untyped-def]
    a = notes["assignment"]
    page = login(actors["district_leader"]).get(reverse("tasks:assignment", args=[a.pk])).content.decode()
    assert url(a, notes["progress"]) in page and url(a, notes["result"]) in page

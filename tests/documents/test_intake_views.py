"""The intake pages: upload or paste → review form pre-filled → save → document page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from dieuhanh.documents import services
from dieuhanh.documents.models import Attachment, Document, RegisterCounter
from dieuhanh.vanban import parse_bytes
from tests.documents.helpers import files_under
from tests.vanban.test_legacy import encode_tcvn3

URL = "/van-ban/nhap/"


def upload_post(register, name: str, data: bytes, direction: str = "den") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"step": "preview", "direction": direction, "register": register.pk,
            "file": SimpleUploadedFile(name, data, content_type="application/octet-stream")}


def review_data(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What the browser would send back from the review form as rendered."""
    form = response.context["form"]
    data = {"step": "review"}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, datetime.date):
            value = value.strftime("%d/%m/%Y")
        elif isinstance(value, list):
            value = "\n".join(value)
        data[name] = "" if value is None else str(value)
    return data


def assert_nothing_saved(media_root) -> None:  # type: ignore[no-untyped-def]
    assert not Document.objects.exists()
    assert not Attachment.objects.exists()
    assert not RegisterCounter.objects.exists()
    assert files_under(media_root) == []


def test_seed_upload_review_save_and_detail(login, actors, registers, seed_bytes, media_root) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    response = client.post(URL, upload_post(registers["district_in"], "313-UBND.txt", seed_bytes))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in ("313/UBND", "Cái Răng", "02/03/2020", "triển khai thực hiện Kế hoạch số 29/KH-UBND",
                     "Thủ trưởng các cơ quan chuyên môn quận\nChủ tịch Ủy ban nhân dân các phường",
                     "Lưu: VT", "Vương Công Khanh", "KT. CHỦ TỊCH", "10/04/2020", "29/KH- UBND"):
        assert expected in html, expected
    assert 'name="token"' in html
    assert not Document.objects.exists()
    assert [p.parent.name for p in files_under(media_root)] == ["tmp"]  # staged for the review
    data = review_data(response)
    saved = client.post(URL, data)
    document = Document.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse("documents:detail", args=[document.pk])
    assert (document.number_symbol, document.issued_on, document.place) == ("313/UBND", datetime.date(2020, 3, 2),
                                                                            "Cái Răng")
    assert document.recipients == ["Thủ trưởng các cơ quan chuyên môn quận", "Chủ tịch Ủy ban nhân dân các phường"]
    assert (document.reg_number, document.arrived_on) == (1, datetime.date.today())
    assert [p.parent.parent.name for p in files_under(media_root)] == ["attachments"]  # stage cleared
    page = client.get(saved["Location"]).content.decode()
    for expected in ("313/UBND", "Vương Công Khanh", "313-UBND.txt", "Văn bản được viện dẫn", "29/KH- UBND",
                     "Được viện dẫn bởi", "Thực hiện Kế hoạch số 29/KH-UBND"):
        assert expected in page, expected


def test_pasted_text_is_registered_without_attachment(login, actors, registers, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    response = client.post(URL, {"step": "preview", "direction": "di", "register": registers["district_out"].pk,
                                 "text": seed_bytes.decode()})
    assert response.status_code == 200 and "313/UBND" in response.content.decode()
    data = review_data(response)
    data["number"] = ""  # outgoing: take the register's number
    client.post(URL, data)
    document = Document.objects.get()
    assert (document.number, document.number_symbol, document.reg_number) == (1, "1/UBND", 1)
    assert not document.attachments.exists() and len(document.checksum) == 64


def test_double_submit_creates_one_document(login, actors, registers, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    data = review_data(client.post(URL, upload_post(registers["district_in"], "313.txt", seed_bytes)))
    first, second = client.post(URL, data), client.post(URL, data)
    assert Document.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert RegisterCounter.objects.get().last_number == 1


def test_double_submit_losing_the_race_returns_the_first(actors, registers, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    clerk = actors["district_clerk"]
    first = services.register_document(clerk, registers["district_in"], {"doc_type": "Công văn"},
                                       idempotency_key="k1")
    real = Document.objects.filter
    calls = {"n": 0}

    def blind_first_lookup(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1 and "intake_key" in kwargs:
            return real(pk__in=[])  # the check ran before the first request committed
        return real(*args, **kwargs)

    monkeypatch.setattr(Document.objects, "filter", blind_first_lookup)
    again = services.register_document(clerk, registers["district_in"], {"doc_type": "Công văn"},
                                       idempotency_key="k1")
    monkeypatch.undo()
    assert again.pk == first.pk and Document.objects.count() == 1
    assert RegisterCounter.objects.get().last_number == 1


@pytest.mark.parametrize(("name", "data", "message"), [
    ("rong.txt", b"", "Tệp rỗng"),
    ("chuong-trinh.exe", b"MZ\x90\x00" + b"\x00" * 200, "Không nhận loại tệp"),
    ("hong.docx", b"PK\x03\x04" + b"\x00" * 50, "Tệp DOCX bị hỏng"),
    ("hong.pdf", b"%PDF-1.7\n garbage", "PDF"),
    ("nhi-phan.txt", bytes(range(256)) * 4, "không phải văn bản"),
])
def test_bad_uploads_get_a_message_and_save_nothing(login, actors, registers, media_root,
                                                    name: str, data: bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    response = client.post(URL, upload_post(registers["district_in"], name, data))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert_nothing_saved(media_root)


def test_huge_upload_is_refused(login, actors, registers, media_root, settings, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 1000
    client = login(actors["district_clerk"])
    response = client.post(URL, upload_post(registers["district_in"], "313.txt", seed_bytes))
    assert response.status_code == 200 and "Tệp quá lớn" in response.content.decode()
    assert_nothing_saved(media_root)


def test_no_source_or_two_sources_is_refused(login, actors, registers, media_root, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    register = registers["district_in"]
    for data in ({"step": "preview", "direction": "den", "register": register.pk},
                 {**upload_post(register, "a.txt", seed_bytes), "text": "Số: 1/UBND"}):
        response = client.post(URL, data)
        assert "chỉ một trong hai" in response.content.decode()
    wrong = client.post(URL, upload_post(register, "a.txt", seed_bytes, direction="di"))
    assert "không dùng cho loại văn bản này" in wrong.content.decode()
    assert_nothing_saved(media_root)


def test_tcvn3_text_is_converted_with_a_notice(login, actors, registers, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    legacy = encode_tcvn3(seed_bytes.decode()).encode("cp1252")
    response = client.post(URL, upload_post(registers["district_in"], "313-tcvn3.txt", legacy))
    html = response.content.decode()
    assert response.status_code == 200 and "TCVN3" in html and "313/UBND" in html
    assert not Document.objects.exists() and not RegisterCounter.objects.exists()


def test_review_errors_keep_the_stage_and_save_nothing(login, actors, registers, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    data = review_data(client.post(URL, upload_post(registers["district_in"], "313.txt", seed_bytes)))
    bad = {**data, "issued_on": "31/02/2020", "number": "-5", "arrived_on": "2020/13/45"}
    response = client.post(URL, bad)
    html = response.content.decode()
    assert response.status_code == 200
    assert "dd/mm/yyyy" in html and "số nguyên dương" in html
    assert not Document.objects.exists() and not RegisterCounter.objects.exists()
    assert client.post(URL, data).status_code == 302 and Document.objects.count() == 1


def test_tampered_or_foreign_token_restarts(login, actors, registers, seed_bytes, client) -> None:  # type: ignore[no-untyped-def]
    clerk_client = login(actors["district_clerk"])
    data = review_data(clerk_client.post(URL, upload_post(registers["district_in"], "313.txt", seed_bytes)))
    tampered = clerk_client.post(URL, {**data, "token": data["token"] + "x"})
    assert tampered.status_code == 302 and tampered["Location"] == URL
    client.force_login(actors["admin"])  # another user cannot replay someone's token
    assert client.post(URL, data).status_code == 302
    assert not Document.objects.exists()


def test_duplicate_warning_on_review(login, actors, registers, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    data = review_data(client.post(URL, upload_post(registers["district_in"], "313.txt", seed_bytes)))
    client.post(URL, data)
    again = client.post(URL, upload_post(registers["district_in"], "313-lan-2.txt", seed_bytes)).content.decode()
    assert "Tệp này đã được vào sổ" in again
    retyped = seed_bytes.replace("Chủ tịch Ủy ban nhân dân các phường tổ chức".encode(), b"X")
    header = client.post(URL, upload_post(registers["district_in"], "313-go-lai.txt", retyped)).content.decode()
    assert "cùng số, ký hiệu" in header and "Tệp này đã được vào sổ" not in header


def test_decree30_warnings_listed(login, actors, registers, seed_bytes) -> None:  # type: ignore[no-untyped-def]
    client = login(actors["district_clerk"])
    no_motto = seed_bytes.replace("Độc lập - Tự do - Hạnh phúc".encode(), b"")
    html = client.post(URL, upload_post(registers["district_in"], "313.txt", no_motto)).content.decode()
    warnings = parse_bytes(no_motto, "313.txt")["warnings"]
    assert warnings and "Nghị định 30" in html
    for warning in warnings:
        assert escape(warning["message"]) in html

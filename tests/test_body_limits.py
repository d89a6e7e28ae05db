"""The request-body cap and the upload limit (issue 9 #3), through Django's test client.

The real-server side (a 300 MB declared body, chunked bodies, slow senders) is in
tests/test_server.py.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dieuhanh.accounts.models import ApiToken
from dieuhanh.documents.models import Direction, Document, Register

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"
SEED = Path(__file__).resolve().parents[1] / "dieuhanh" / "web" / "demo_data" / "313-UBND.txt"
HUGE = str(300 * 1024 * 1024)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def register(units):  # type: ignore[no-untyped-def]
    return Register.objects.create(unit=units["district"], direction=Direction.INCOMING, name="Sổ văn bản đến")


@pytest.fixture
def token(actors):  # type: ignore[no-untyped-def]
    return ApiToken.issue(actors["district_clerk"], "kiểm thử giới hạn")[1]


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
             for k, v in fields.items()]
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                 f"Content-Type: text/plain\r\n\r\n".encode() + data + f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_anonymous_body_over_the_small_cap_is_413_in_vietnamese(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(LOGIN, {"username": "x" * 100_000, "password": "y"})
    assert response.status_code == 413
    page = response.content.decode()
    assert "Dữ liệu gửi lên quá lớn" in page and "giới hạn là 64.0 KB" in page
    assert "Không có gì được lưu" in page


def test_a_declared_length_over_the_cap_is_refused_unread(client, actors) -> None:  # type: ignore[no-untyped-def]
    # The test client's payload refuses to be read past its 3 bytes: the cap must not read at all.
    anonymous = client.generic("POST", LOGIN, b"a=b", content_type="application/x-www-form-urlencoded",
                               CONTENT_LENGTH=HUGE)
    assert anonymous.status_code == 413 and "300.0 MB" in anonymous.content.decode()
    client.force_login(actors["district_clerk"])
    logged_in = client.generic("POST", "/", b"a=b", content_type="application/x-www-form-urlencoded",
                               CONTENT_LENGTH=HUGE)
    assert logged_in.status_code == 413 and "giới hạn là 26.0 MB" in logged_in.content.decode()


def test_a_logged_in_user_may_send_more_than_the_anonymous_cap(client, actors) -> None:  # type: ignore[no-untyped-def]
    client.force_login(actors["district_clerk"])
    response = client.post("/tai-khoan/doi-mat-khau/", {"old_password": "x" * 100_000})
    assert response.status_code == 200  # the form answers (wrong password), not the cap


def test_api_refusals_are_json(client, token) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"}
    declared = client.generic("POST", "/api/documents", b"x", content_type="multipart/form-data; boundary=b",
                              CONTENT_LENGTH=HUGE, headers=headers)
    assert declared.status_code == 413 and "giới hạn là 26.0 MB" in declared.json()["detail"]
    # A made-up token counts as no token: the anonymous cap applies.
    body, content_type = _multipart({"register": "1"}, "a.txt", b"x" * 100_000)
    forged = client.generic("POST", "/api/documents", body, content_type=content_type,
                            headers={"Authorization": "Bearer dh_" + "0" * 40})
    assert forged.status_code == 413 and "64.0 KB" in forged.json()["detail"]


def test_a_chunked_upload_within_the_cap_is_filed(client, token, register) -> None:  # type: ignore[no-untyped-def]
    body, content_type = _multipart({"register": str(register.pk)}, "313-UBND.txt", SEED.read_bytes())
    response = client.generic("POST", "/api/documents", b"", content_type=content_type,
                              CONTENT_TYPE=content_type, HTTP_TRANSFER_ENCODING="chunked", headers={"Authorization": f"Bearer {token}"},
                              **{"wsgi.input": io.BytesIO(body)})
    assert response.status_code == 201, response.content
    assert Document.objects.get(pk=response.json()["id"]).number_symbol == "313/UBND"


def test_a_chunked_body_over_the_cap_is_refused(client, token, register, settings) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 10_000
    settings.REQUEST_FIELDS_MAX_BYTES = 1_000
    body, content_type = _multipart({"register": str(register.pk)}, "a.txt", b"x" * 20_000)
    response = client.generic("POST", "/api/documents", b"", content_type=content_type,
                              CONTENT_TYPE=content_type, HTTP_TRANSFER_ENCODING="chunked", headers={"Authorization": f"Bearer {token}"},
                              **{"wsgi.input": io.BytesIO(body)})
    assert response.status_code == 413 and "10.7 KB" in response.json()["detail"]
    assert not Document.objects.exists()


def test_a_file_past_the_upload_limit_is_not_kept_and_the_form_says_its_size(
        client, token, register, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 50_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload to a temporary file, as large ones are
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    upload = SimpleUploadedFile("big.txt", b"a" * 120_000, "text/plain")
    response = client.post("/api/documents", {"register": register.pk, "file": upload},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Tệp quá lớn (117.2 KB); giới hạn là 48.8 KB."
    assert list(tmp_path.iterdir()) == []
    assert not Document.objects.exists()


def test_form_fields_past_the_memory_limit_are_413(client, actors, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(actors["district_clerk"])
    response = client.post("/tai-khoan/doi-mat-khau/", {"old_password": "x" * 5000})
    assert response.status_code == 413 and "Dữ liệu gửi lên quá lớn" in response.content.decode()

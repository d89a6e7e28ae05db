"""``dieuhanh backup`` and ``dieuhanh restore``: a round trip gives back every table's rows and
every file; restore refuses a non-empty installation and a damaged archive, and writes nothing then."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from tests.ops.install import EXTRA_MEDIA, dieuhanh, environment, media_of, populate, sqlite_tables


@pytest.fixture(scope="module")
def source(tmp_path_factory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("backup")
    env = environment(tmp, "source")
    populate(env)
    archive = tmp / "dieuhanh-sao-luu.tar.gz"
    done = dieuhanh(env, "backup", "--out", str(archive))
    assert done.returncode == 0, done.stderr
    assert "Đã sao lưu" in done.stdout
    return tmp, env, archive


def test_archive_has_a_manifest_with_checksums_and_versions(source) -> None:  # type: ignore[no-untyped-def]
    _tmp, env, archive = source
    assert archive.stat().st_mode & 0o077 == 0  # every document and password hash: the owner only
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert manifest["format"] == "dieuhanh-backup" and manifest["database"]["vendor"] == "sqlite"
    assert set(manifest["versions"]) == {"dieuhanh", "django", "python"}
    assert manifest["migrations"]["accounts"].startswith("0003")
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert {f"media/{name}" for name in EXTRA_MEDIA} <= set(manifest["files"])
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())


def test_round_trip_gives_back_every_row_and_file(source, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _tmp, env, archive = source
    target = environment(tmp_path, "target")
    done = dieuhanh(target, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    before, after = sqlite_tables(env["SQLITE_PATH"]), sqlite_tables(target["SQLITE_PATH"])
    assert set(after) == set(before) and len(before) > 40
    for table, rows in before.items():
        assert after[table] == rows, table
    assert sum(len(rows) for rows in after.values()) > 500
    assert media_of(target) == media_of(env) and len(media_of(target)) > len(EXTRA_MEDIA)
    verified = dieuhanh(target, "audit", "verify")
    assert verified.returncode == 0 and "nguyên vẹn" in verified.stdout
    # The restored installation works: a new audit row goes onto the end of the restored chain.
    wrote = dieuhanh(target, "manage", "shell", "-c", "from dieuhanh.accounts.audit import record; "
                     "print(record(None, 'state', None, object_type='test', actor_name='sau khôi phục').seq)")
    assert wrote.returncode == 0 and int(wrote.stdout.split()[-1]) == len(before["accounts_auditlog"]) + 1, wrote.stderr
    assert dieuhanh(target, "audit", "verify").returncode == 0


def test_restore_refuses_a_non_empty_installation(source) -> None:  # type: ignore[no-untyped-def]
    _tmp, env, archive = source
    rows = sqlite_tables(env["SQLITE_PATH"])
    done = dieuhanh(env, "restore", str(archive))
    assert done.returncode == 2
    assert "CSDL đích không trống" in done.stderr and "cài đặt trống" in done.stderr
    assert sqlite_tables(env["SQLITE_PATH"]) == rows


def test_restore_refuses_media_left_in_place(source, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _tmp, _env, archive = source
    target = environment(tmp_path, "target")
    Path(target["MEDIA_ROOT"]).mkdir()
    (Path(target["MEDIA_ROOT"]) / "cũ.pdf").write_bytes(b"%PDF")
    done = dieuhanh(target, "restore", str(archive))
    assert done.returncode == 2 and "không trống" in done.stderr and "MEDIA_ROOT" in done.stderr
    assert sqlite_tables(target["SQLITE_PATH"]) == {}


def test_restore_refuses_a_tampered_file_and_writes_nothing(source, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _tmp, _env, archive = source
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as old, tarfile.open(tampered, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.endswith(".pdf"):
                data = data.replace(b"%PDF-1.4", b"%PDF-1.7")  # same size, other content
            new.addfile(member, __import__("io").BytesIO(data))
    target = environment(tmp_path, "target")
    done = dieuhanh(target, "restore", str(tampered))
    assert done.returncode == 2 and "SHA-256" in done.stderr and ".pdf" in done.stderr
    assert sqlite_tables(target["SQLITE_PATH"]) == {} and media_of(target) == {}


def test_restore_refuses_what_is_not_a_backup(tmp_path) -> None:
    target = environment(tmp_path, "target")
    junk = tmp_path / "khong-phai.tar.gz"
    junk.write_bytes(b"not a tar archive")
    done = dieuhanh(target, "restore", str(junk))
    assert done.returncode == 2 and "không đọc được tệp sao lưu" in done.stderr
    missing = dieuhanh(target, "restore", str(tmp_path / "nowhere.tar.gz"))
    assert missing.returncode == 2 and "không tìm thấy" in missing.stderr


def test_backup_to_a_missing_folder_is_refused(source, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _tmp, env, _archive = source
    done = dieuhanh(env, "backup", "--out", str(tmp_path / "khong-co" / "b.tar.gz"))
    assert done.returncode == 2 and "không tồn tại" in done.stderr

"""``dieuhanh manage units``: exit codes and messages, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dieuhanh.orgs.models import Unit
from dieuhanh.orgs.services import DEFAULT_FILE
from tests.conftest import REPO, SHARED

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("units", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_default_then_export(tmp_path):
    out, _ = run("load-default")
    assert "Đã nhập: tạo mới 50" in out
    target = tmp_path / "cay.csv"
    out, _ = run("export", "--format", "csv", "--out", str(target))
    assert target.read_bytes().startswith(b"\xef\xbb\xbfcode,name,kind")
    assert "Đã ghi" in out


def test_import_dry_run_saves_nothing():
    out, _ = run("import", str(DEFAULT_FILE), "--dry-run")
    assert "Chạy thử" in out and "tạo mới 50" in out
    assert not Unit.objects.exists()


def test_export_on_a_day_to_stdout(cantho):
    out, _ = run("export", "--on", "02/03/2020")
    assert "code: p_le_binh" in out and "p_cai_rang_2025" not in out


def test_invalid_content_exits_1_and_lists_every_problem(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("units:\n- {code: a, name: A, kind: xyz}\n- {code: b, name: B, kind: phong, parent: c}\n",
                    encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("units", "import", str(path), stdout=out, stderr=err)
    assert exc.value.returncode == 1
    assert "Không nhập được: 2 lỗi" in str(exc.value)
    assert "Đơn vị thứ 1 (mã «a»): loại đơn vị «xyz»" in err.getvalue()
    assert "Đơn vị thứ 2 (mã «b»): đơn vị cấp trên «c»" in err.getvalue()
    assert not Unit.objects.exists()


@pytest.mark.parametrize("args, message", [
    (("import", "khong_co.yaml"), "Không tìm thấy tệp"),
    (("export", "--on", "32/13/2020"), "Ngày «32/13/2020» không hợp lệ"),
    (("export", "--out", "/khong/co/thu/muc/x.yaml"), "Không ghi được tệp"),
    (("export", "--from-cchc", "khong_co.yaml"), "Không tìm thấy tệp"),
])
def test_unreadable_input_exits_2(args, message):
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert exc.value.returncode == 2
    assert message in str(exc.value)


def test_from_cchc_writes_the_packaged_file(tmp_path):
    target = tmp_path / "cantho.yaml"
    run("export", "--from-cchc", str(SHARED / "domain" / "cchc-data.yaml"), "--out", str(target))
    assert target.read_text(encoding="utf-8") == DEFAULT_FILE.read_text(encoding="utf-8")


def test_real_command_line_gives_a_message_not_a_traceback(tmp_path):
    bad = tmp_path / "hong.yaml"
    bad.write_text("units: [\n", encoding="utf-8")
    env = {**os.environ, "DIEUHANH_VAR": str(tmp_path), "SQLITE_PATH": str(tmp_path / "x.sqlite3"),
           "PYTHONWARNINGS": "ignore"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.run([sys.executable, "-m", "dieuhanh.cli", "manage", "units", "import", str(bad)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "không đúng cú pháp YAML" in proc.stderr
    assert "Traceback" not in proc.stderr

"""The files shipped in deploy/ for docs/deploy.md: the commands they run exist, the shell scripts
parse, and every setting in the example environment is one the application (or the scripts) reads."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest

from dieuhanh.cli import build_parser
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
SCRIPT_SETTINGS = {"BACKUP_DIR", "BACKUP_KEEP_DAYS"}  # read by deploy/dieuhanh-backup


@pytest.mark.parametrize("unit", ["dieuhanh-web.service", "dieuhanh-worker.service"])
def test_units_run_real_commands(unit: str) -> None:
    text = (DEPLOY / unit).read_text(encoding="utf-8")
    exec_start = re.search(r"^ExecStart=(.+)$", text, re.M).group(1)  # type: ignore[union-attr]
    argv = shlex.split(exec_start)
    assert argv[0] == "/opt/dieuhanh/venv/bin/dieuhanh"
    build_parser().parse_args(argv[1:])  # exits on an unknown command or option
    assert "EnvironmentFile=/etc/dieuhanh/dieuhanh.env" in text and "User=dieuhanh" in text


@pytest.mark.parametrize("script", ["dieuhanh-backup", "dieuhanh-health", "dh"])
def test_scripts_parse(script: str) -> None:
    assert subprocess.run(["sh", "-n", str(DEPLOY / script)], check=False).returncode == 0


def test_example_settings_are_read_somewhere() -> None:
    sources = (REPO / "dieuhanh" / "settings.py").read_text(encoding="utf-8") + \
        (REPO / "dieuhanh" / "server.py").read_text(encoding="utf-8") + \
        (REPO / "dieuhanh" / "cli_server.py").read_text(encoding="utf-8") + \
        (REPO / "dieuhanh" / "ops" / "checks.py").read_text(encoding="utf-8")
    names = re.findall(r"^([A-Z_]+)=", (DEPLOY / "dieuhanh.env.example").read_text(encoding="utf-8"), re.M)
    assert "DATABASE_URL" in names and "SECRET_KEY" in names
    for name in names:
        base = name.removesuffix("_FILE")  # env_secret reads NAME_FILE
        assert name in SCRIPT_SETTINGS or f'"{base}"' in sources, name


def test_example_environment_is_valid_shell(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run(["sh", "-c", f'set -a; . "{DEPLOY / "dieuhanh.env.example"}"; '
                                       'printf "%s" "$DEFAULT_FROM_EMAIL"'],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout == "Điều hành <dieuhanh@cairang.cantho.gov.vn>"


def test_guide_links_exist() -> None:
    guide = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    for path in re.findall(r"deploy/[a-z.-]+", guide):
        if not path.endswith(".md"):
            assert (REPO / path).exists(), path

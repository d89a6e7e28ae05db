"""The catalogues are complete: Vietnamese (source) and English cover every string in the code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.conftest import REPO

LOCALE = REPO / "dieuhanh" / "locale"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalogue_has_no_untranslated_or_fuzzy_entries(lang: str) -> None:
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_compiled_catalogue_matches_its_source(lang: str) -> None:
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    mo = polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgid, e.msgstr or e.msgstr_plural.get(0, "")) for e in mo}
    source = {(e.msgid, e.msgstr or e.msgstr_plural.get(0, "")) for e in po if e.translated()}
    assert source <= compiled, "run `make messages` to recompile"


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("gettext (xgettext) is missing; .ci/run installs it")
        pytest.skip("gettext (xgettext) is not installed")
    work = tmp_path / "dieuhanh"
    # A copy of the package, so makemessages writes into the copy's locale/, never the repository's.
    shutil.copytree(REPO / "dieuhanh", work, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (work / "locale").mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DIEUHANH_VAR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-location",
                    "--ignore", "vanban/*", "--ignore", "lib/*", "--settings=dieuhanh.settings"],
                   cwd=work, check=True, capture_output=True, env=env)
    fresh = {e.msgid for e in polib.pofile(str(work / "locale" / "en" / "LC_MESSAGES" / "django.po"))}
    known = {e.msgid for e in polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))}
    assert sorted(fresh - known) == [], "new strings: run `make messages` and translate them"

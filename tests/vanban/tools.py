"""Tests that need a system program fail in CI (CI=true) when it is missing, else skip."""

from __future__ import annotations

import os
import shutil

import pytest

PACKAGES = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "tesseract": "tesseract-ocr-vie",
            "soffice": "libreoffice-writer-nogui"}


def need(*programs: str) -> None:
    for program in programs:
        if shutil.which(program):
            continue
        message = f"{program} is missing (Debian package {PACKAGES.get(program, program)}, installed by .ci/run)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if "tesseract" in programs and not os.path.exists("/usr/share/tesseract-ocr/5/tessdata/vie.traineddata"):
        message = "Tesseract's Vietnamese model is missing (Debian package tesseract-ocr-vie)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)

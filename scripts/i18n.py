#!/usr/bin/env python3
"""Refresh the gettext catalogues: `make messages`.

Vietnamese is the source language, so the Vietnamese catalogue is the identity
(each msgstr is its msgid) and is always complete; the English catalogue keeps
its translations and lists what is new. Then both are compiled to .mo.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parents[1] / "dieuhanh"
LOCALE = PACKAGE / "locale"
HEADERS = {
    "Project-Id-Version": "dieuhanh",
    "Language-Team": "dieuhanh",
    "Last-Translator": "dieuhanh",
    "Content-Type": "text/plain; charset=UTF-8",
}


def run(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "dieuhanh.cli", "manage", *args], cwd=PACKAGE, check=True)


def fill_vietnamese() -> None:
    po = polib.pofile(str(LOCALE / "vi/LC_MESSAGES/django.po"))
    po.metadata.update(HEADERS | {"Language": "vi", "Plural-Forms": "nplurals=1; plural=0;"})
    for entry in po:
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
    po.header = "Vietnamese (source language) catalogue of dieuhanh."
    po.save()


def tidy_english() -> list[str]:
    po = polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po"))
    po.metadata.update(HEADERS | {"Language": "en", "Plural-Forms": "nplurals=2; plural=(n != 1);"})
    po.header = "English catalogue of dieuhanh (source strings are Vietnamese)."
    po.save()
    return [e.msgid for e in po if not e.translated() and not e.obsolete]


def main() -> int:
    run("makemessages", "-l", "vi", "-l", "en", "--ignore", "vanban/*", "--ignore", "lib/*", "--no-obsolete",
        "--no-location")
    fill_vietnamese()
    missing = tidy_english()
    run("compilemessages", "--ignore", ".venv")
    if missing:
        print(f"{len(missing)} English strings still to translate in {LOCALE / 'en/LC_MESSAGES/django.po'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

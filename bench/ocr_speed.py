"""OCR speed: a 3-page 300-dpi scan read end to end (render, deskew, Tesseract vie, layout).

    .venv/bin/python bench/ocr_speed.py ["tests/data/realfiles/04_3980_0001 (1).pdf"]

Prints the wall time of ``read_path(..., ocr=True)`` and, as the floor in the same run,
plain ``tesseract -l vie`` on the same pages' images one after another. Target: ≤ 20 s
on 2 cores. The load average is printed too: other work on the machine slows both.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dieuhanh.vanban import ocr  # noqa: E402
from dieuhanh.vanban.readers import read_path  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", default="tests/data/realfiles/04_3980_0001 (1).pdf")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}, cores: {os.cpu_count()}")
    started = time.perf_counter()
    result = read_path(args.pdf, ocr=True)
    total = time.perf_counter() - started
    print(f"read_path(ocr=True): {len(result.ocr_pages)} pages in {total:.1f} s "
          f"({total / max(len(result.ocr_pages), 1):.1f} s/page), confidence {result.ocr_confidence}")
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", args.pdf, f"{work}/p"], check=True)
        started = time.perf_counter()
        for image in sorted(Path(work).glob("p*.png")):
            subprocess.run(["tesseract", str(image), "-", "-l", "vie"], capture_output=True,
                           env={**os.environ, "OMP_THREAD_LIMIT": "1"}, check=True)
        floor = time.perf_counter() - started
    print(f"floor: tesseract -l vie alone, pages one after another: {floor:.1f} s")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

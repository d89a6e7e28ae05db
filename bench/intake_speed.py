"""How long an intake upload takes to answer, for each kind of file (OCR and conversion deferred).

    .venv/bin/python bench/intake_speed.py [--runs 20]
    DATABASE_URL=postgres://… .venv/bin/python bench/intake_speed.py

Posts each real file of tests/data/realfiles (and the seed as text) to the web intake
through Django's test client, as a clerk, ``--runs`` times, and prints the median and p95
of the response time per kind. Target: p95 ≤ 300 ms whatever the file: text, DOCX and
text PDFs are read in a sandboxed fork within the request, scans, .doc and long texts
are staged for the worker. Each run's job and staged file are removed again, so every
upload is a first upload. The floors are printed too: a GET of the intake page (the
same session, middleware and templates) and the fork + read + parse alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from benchdb import prepare_database, setup_django  # noqa: E402

REAL = REPO / "tests" / "data" / "realfiles"
FILES = [
    ("text (.txt, seed)", REPO / "tests" / "data" / "seeds" / "000_3d324eb5ea0723cd.txt"),
    ("docx", REAL / "06_TB Kết luận họp tập đoàn Sơn Hải.docx"),
    ("signed text PDF, 1 page", REAL / "13_706.pdf"),
    ("signed text PDF, 5 pages", REAL / "14_193.pdf"),
    ("scan PDF, 3 pages (OCR deferred)", REAL / "04_3980_0001 (1).pdf"),
    ("scan PDF, 1 page (OCR deferred)", REAL / "12_di-94-TB-UBND.signed.pdf"),
    (".doc (conversion deferred)", REAL / "05_UB- gia han thoi gian to chuc DH.doc"),
]


def timed(label: str, runs: int, call: Callable[[int], object]) -> None:
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"  {label:<36} median {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   ({runs} runs)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sqlite", default="var/bench-intake.sqlite3")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    Path("var").mkdir(exist_ok=True)
    label = prepare_database(args)
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="dieuhanh-bench-media-"))
    setup_django()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from dieuhanh.documents import storage
    from dieuhanh.documents.intake import chain
    from dieuhanh.documents.models import IntakeJob, Register
    from dieuhanh.orgs.models import Unit, UnitKind
    from dieuhanh.accounts.models import Role, User

    settings.ALLOWED_HOSTS = ["testserver"]
    unit, _ = Unit.objects.get_or_create(code="bench_ubnd", defaults={"name": "Ủy ban nhân dân quận Bench",
                                                                      "kind": UnitKind.UBND_HUYEN})
    register, _ = Register.objects.get_or_create(unit=unit, direction="den", name="Sổ văn bản đến (bench)")
    clerk = User.objects.filter(username="bench.vanthu").first() or User.objects.create_user(
        "bench.vanthu", password="Mat-khau-that-dai-2026", role=Role.VAN_THU, unit=unit)
    client = Client()
    client.force_login(clerk)
    print(f"intake upload response time on {label}, MEDIA_ROOT {settings.MEDIA_ROOT}")
    timed("floor: GET the intake page", args.runs, lambda i: client.get("/van-ban/nhap/"))

    def upload(path: Path) -> Callable[[int], object]:
        data = path.read_bytes()

        def post(i: int) -> object:
            response = client.post("/van-ban/nhap/", {
                "step": "preview", "direction": "den", "register": register.pk,
                "file": SimpleUploadedFile(path.name, data, content_type="application/octet-stream")})
            assert response.status_code in (200, 302), (path.name, response.status_code)
            for job in IntakeJob.objects.all():  # the next run is a first upload again
                storage.unstage(job.checksum)
            IntakeJob.objects.all().delete()
            return response

        return post

    for kind, path in FILES:
        timed(kind, args.runs, upload(path))
    seed = FILES[0][1].read_bytes()
    from dieuhanh.documents.intake import reading

    timed("floor: read + parse in-process (seed)", args.runs,
          lambda i: reading.read_and_parse(seed, "seed.txt", reading.FAST, len(seed) + 1, emit=print))
    timed("floor: fork + read + parse (seed)", args.runs, lambda i: chain.read(seed, "seed.txt"))
    print(f"  (load: {open('/proc/loadavg').read().split()[0]} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

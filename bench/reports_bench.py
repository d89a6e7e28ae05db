"""Consolidating one report request over 10,000 accepted submissions of the default CCHC outline.

    .venv/bin/python bench/reports_bench.py [--submissions 10000] [--runs 3] [--reuse] [--no-files]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dieuhanh .venv/bin/python bench/reports_bench.py

Builds a fresh database — an SQLite file under /tmp by default (``--sqlite PATH``), or, with
``DATABASE_URL``, a PostgreSQL database named after it with ``_bench`` appended (dropped and
created again; the database in ``DATABASE_URL`` itself is never touched) — holding: a city, a
district, its Phòng Nội vụ (the requester) and ``--submissions`` reporting units under the
district (``bulk_create``); the built-in CCHC outline (``ensure_default_outline``); ONE request
from Phòng Nội vụ; and one ACCEPTED submission per unit with a random figure in every table
cell (integers, percentages, amounts; a short note in a quarter of the text cells) and a short
text in every narrative section.

Then it times, each over ``--runs`` runs after none (the first run is a real first build):

- ``consolidate()``: loading the accepted submissions (tuples, streamed), aggregating them with
  ``outline.aggregate``, compiling the attributed texts and saving the Consolidation — target ≤ 10 s;
- ``consolidated_docx()`` and ``consolidated_xlsx()`` (every unit's figures), unless ``--no-files``.
  The DOCX is timed as it is issued: after the specialist has edited each section down (the
  compiled narrative of 10,000 units is ~27 M characters, some 8,000 pages; ``--full-docx``
  renders it anyway). Above ``consolidation.APPENDIX_MAX_UNITS`` units the DOCX's per-unit
  appendix points to the XLSX.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchdb import prepare_database, setup_django  # noqa: E402  (bench/ is the script folder)

TARGET_CONSOLIDATE_S = 10.0
WORDS = ("triển khai", "kế hoạch", "cải cách hành chính", "một cửa", "liên thông", "kiểm tra", "tuyên truyền",
         "đúng hạn", "dịch vụ công trực tuyến", "số hóa hồ sơ", "cán bộ, công chức", "rà soát", "thủ tục",
         "người dân", "doanh nghiệp", "hài lòng", "năm", "đã", "được", "hoàn thành")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--submissions", type=int, default=10_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--sqlite", default="/tmp/dieuhanh-reports-bench.sqlite3", help="SQLite file (without DATABASE_URL)")
    p.add_argument("--reuse", action="store_true", help="keep an existing bench database of the same size")
    p.add_argument("--seed", type=int, default=20200302)
    p.add_argument("--no-files", action="store_true", help="skip the DOCX and XLSX timings")
    p.add_argument("--full-docx", action="store_true",
                   help="render the DOCX with every unit's compiled text (slow: python-docx, ~minutes per 100k "
                        "characters of narrative) instead of the edited-down texts")
    return p.parse_args()


# --- the dataset --------------------------------------------------------------------------------

def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    return (" ".join(words) + ".").capitalize()


def _unit_data(outline, rng: random.Random) -> dict:  # type: ignore[no-untyped-def]
    tables: dict = {}
    for table in outline.tables:
        rows: dict = {}
        for row in table.rows:
            cells: dict = {}
            for column in table.columns:
                kind = outline.cell_type(table.key, row.key, column.key)
                if kind == "text":
                    if rng.random() < 0.25:
                        cells[column.key] = rng.choice(("Số liệu ước tính", "Tăng so với giai đoạn trước",
                                                        "Theo báo cáo tháng 12"))
                elif kind == "percent":
                    cells[column.key] = round(rng.uniform(60, 100), 1)
                elif kind == "number":
                    cells[column.key] = round(rng.uniform(0, 500), 2)
                else:
                    cells[column.key] = rng.randint(0, 2000)
            rows[row.key] = cells
        tables[table.key] = rows
    sections = {s.key: _sentence(rng) for _d, s in outline.walk() if s.narrative}
    return {"sections": sections, "tables": tables}


def build(n: int, seed: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from dieuhanh.accounts.models import Role, User
    from dieuhanh.orgs.models import Unit, UnitKind
    from dieuhanh.reports.models import PeriodKind, ReportRequest, Submission, SubmissionStatus
    from dieuhanh.reports.services import ensure_default_outline

    rng = random.Random(seed)
    t0 = time.perf_counter()
    city = Unit.objects.create(code="ubnd-tp", name="Ủy ban nhân dân thành phố Cần Thơ", kind=UnitKind.UBND_TINH,
                               place="Cần Thơ", valid_from=date(2004, 1, 1))
    district = Unit.objects.create(code="ubnd-q", name="Ủy ban nhân dân quận Cái Răng", kind=UnitKind.UBND_HUYEN,
                                   parent=city, place="Cái Răng", symbol="UBND", valid_from=date(2004, 1, 1))
    office = Unit.objects.create(code="phong-noi-vu", name="Phòng Nội vụ quận Cái Răng", kind=UnitKind.PHONG,
                                 parent=district, symbol="NV", short_names=["Phòng Nội vụ"],
                                 valid_from=date(2004, 1, 1))
    User.objects.create(username="cv.noivu", unit=office, role=Role.CHUYEN_VIEN, first_name="Nguyễn",
                        last_name="Văn A", password="!")
    version = ensure_default_outline().current
    outline = version.schema()
    today = timezone.localdate()
    request = ReportRequest.objects.create(
        title="Tổng kết cải cách hành chính giai đoạn 2011-2020", outline_version=version,
        requested_by_unit=office, period_kind=PeriodKind.CUSTOM, period_start=date(2011, 1, 1),
        period_end=date(2020, 3, 31), cutoff_on=date(2020, 3, 31), due_on=today,
        recipient="Sở Nội vụ thành phố Cần Thơ")
    units = [Unit(code=f"xa-{i:05d}", name=f"Ủy ban nhân dân phường {i:05d}", kind=UnitKind.UBND_XA,
                  parent=district, place=f"Phường {i:05d}", valid_from=date(2004, 1, 1)) for i in range(1, n + 1)]
    now = timezone.now()
    with transaction.atomic():
        Unit.objects.bulk_create(units, batch_size=2000)
    ids = list(Unit.objects.filter(parent=district, kind=UnitKind.UBND_XA).order_by("id").values_list("id", flat=True))
    batch: list = []
    with transaction.atomic():
        for unit_id in ids:
            batch.append(Submission(request=request, unit_id=unit_id, status=SubmissionStatus.ACCEPTED,
                                    data=_unit_data(outline, rng), version=1, first_submitted_at=now,
                                    submitted_at=now, accepted_at=now))
            if len(batch) >= 1000:
                Submission.objects.bulk_create(batch)
                batch = []
        Submission.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"built {len(ids)} units and accepted submissions in {time.perf_counter() - t0:.1f}s", flush=True)


# --- measuring ----------------------------------------------------------------------------------

def timed(label: str, fn, runs: int, target: float | None = None):  # type: ignore[no-untyped-def]
    samples, result = [], None
    for _i in range(runs):
        t = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t)
    verdict = "" if target is None else ("  OK" if max(samples) <= target else f"  SLOWER than {target:.0f} s")
    print(f"{label:<12} first {samples[0]:7.2f} s   median {statistics.median(samples):7.2f} s   "
          f"max {max(samples):7.2f} s{verdict}", flush=True)
    return result, samples


def main() -> None:
    args = parse_args()
    label = prepare_database(args)
    setup_django()

    from django.db import connection

    from dieuhanh.accounts.models import User
    from dieuhanh.reports import consolidation as service
    from dieuhanh.reports.models import Consolidation, ReportRequest, Submission

    have = Submission.objects.count()
    if have != args.submissions:
        if have:
            sys.exit(f"{label} holds {have} submissions, not {args.submissions}: run without --reuse")
        build(args.submissions, args.seed)
    Consolidation.objects.all().delete()
    request = ReportRequest.objects.get()
    user = User.objects.get(username="cv.noivu")
    print(f"{label}: {Submission.objects.count()} accepted submissions, {connection.vendor} — {args.runs} runs each",
          flush=True)

    def run_consolidate():  # type: ignore[no-untyped-def]
        return service.consolidate(user, ReportRequest.objects.select_related("outline_version",
                                                                              "requested_by_unit").get(pk=request.pk))

    consolidation, samples = timed("consolidate", run_consolidate, args.runs, TARGET_CONSOLIDATE_S)
    print(f"  {len(consolidation.units_included)} units, "
          f"{sum(len(t) for t in consolidation.texts.values()) / 1e6:.1f} M characters of text", flush=True)
    failed = max(samples) > TARGET_CONSOLIDATE_S
    if not args.no_files:
        consolidation = Consolidation.objects.get(pk=consolidation.pk)
        if not args.full_docx:
            # What gets issued: the specialist edits each section down to a district-level text
            # (here: the first three units' contributions and a closing sentence).
            texts = {key: "\n\n".join(text.split("\n\n")[:3] + ["Các đơn vị còn lại: kết quả tương tự."])
                     for key, text in consolidation.texts.items()}
            service.update_consolidation(user, consolidation, texts=texts, signer_name="Nguyễn Văn A")
            print(f"  texts edited down to {sum(len(t) for t in texts.values()) / 1e3:.0f} k characters "
                  "(--full-docx renders the compiled texts of every unit)", flush=True)
        docx, _s = timed("docx", lambda: service.consolidated_docx(consolidation), 1)
        xlsx, _s = timed("xlsx", lambda: service.consolidated_xlsx(consolidation), 1)
        print(f"  DOCX {len(docx) / 1e3:.0f} kB, XLSX {len(xlsx) / 1e6:.1f} MB", flush=True)
    print("target met" if not failed else "target missed: consolidate", flush=True)


if __name__ == "__main__":
    main()

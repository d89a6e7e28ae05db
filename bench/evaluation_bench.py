"""Evaluation at scale: scoring and ranking N units × 100 sub-criteria, and the ranking page.

    .venv/bin/python bench/evaluation_bench.py [--units 10000] [--runs 3] [--pages 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dieuhanh_x .venv/bin/python bench/evaluation_bench.py

Builds (once per fresh database) a district with N wards, a 100-item criteria set (10 areas ×
10 items, two computed from tracked tasks, one survey item per area), five tracked assignments
per ward, and a round of every ward (N × 100 score rows). Then times:

- scoring + ranking: the pre-filled values from the tracked tasks, the totals, indexes and
  per-area figures of every unit, and every group ranked with its bands (target ≤ 5 s);
- the floor: one raw ``SUM(points) GROUP BY participant`` over the same rows;
- the ranking page (GET /danh-gia/<id>/xep-hang/, first page of a group) p50/p95 (target ≤ 200 ms).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchdb import prepare_database, setup_django  # noqa: E402


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--units", type=int, default=10_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--pages", type=int, default=30)
    p.add_argument("--sqlite", default="/tmp/dieuhanh-evaluation-bench.sqlite3")
    p.add_argument("--reuse", action="store_true")
    return p.parse_args()


def criteria_yaml() -> str:
    lines = ["code: bench-100", "title: Bộ 100 tiêu chí", "unit_group: phuong", "valid_from: 2020-01-01", "areas:"]
    for a in range(1, 11):
        lines += [f"  - code: '{a}'", f"    title: Lĩnh vực {a}", "    max: 10", "    criteria:"]
        for c in range(1, 11):
            method = ("method: computed, source: tasks_on_time" if a == 1 and c <= 2
                      else "method: survey" if c == 10 else "method: manual")
            lines += [f"      - code: '{a}.{c}'", f"        title: Tiêu chí {a}.{c}", "        items:",
                      f"          - {{code: '{a}.{c}.1', title: Tiêu chí thành phần {a}.{c}.1, max: 1, {method}}}"]
    return "\n".join(lines) + "\n"


def build(n: int) -> int:
    from django.db.models import F, Value
    from django.db.models.functions import Mod

    from dieuhanh.accounts.models import Role, User
    from dieuhanh.evaluation import services
    from dieuhanh.evaluation.models import Score
    from dieuhanh.orgs.models import Unit, UnitKind
    from dieuhanh.tasks.models import Assignment, Status, Task

    district = Unit.objects.create(code="quan_bench", name="UBND quận thử", kind=UnitKind.UBND_HUYEN)
    office = Unit.objects.create(code="noi_vu_bench", name="Phòng Nội vụ thử", kind=UnitKind.PHONG, parent=district)
    Unit.objects.bulk_create([Unit(code=f"phuong_{i}", name=f"Phường số {i:05d}", kind=UnitKind.UBND_XA,
                                   parent=district) for i in range(n)], batch_size=2000)
    user = User.objects.create(username="cv.noivu", unit=office, role=Role.CHUYEN_VIEN)
    services.import_set(user, criteria_yaml())
    wards = list(Unit.objects.filter(kind=UnitKind.UBND_XA).order_by("id"))
    task = Task.objects.create(title="Nhiệm vụ thử", assigned_by_unit=office)
    rng = random.Random(2020)
    rows = []
    for ward in wards:
        for k in range(5):
            due = date(2020, 2, 1) + timedelta(days=60 * k)
            done = rng.random() < 0.8
            rows.append(Assignment(task=task, unit=ward, due_on=due, original_due_on=due,
                                   status=Status.DONE if done else Status.IN_PROGRESS,
                                   completed_on=due + timedelta(days=rng.choice((-2, 0, 3))) if done else None))
    Assignment.objects.bulk_create(rows, batch_size=5000)
    rnd = services.open_round(user, title="Bench", year=2020, units=wards, self_deadline=date(2021, 1, 15),
                              explain_deadline=date(2021, 2, 15), cutoff_on=date(2020, 12, 31))
    value = F("max_points") * Mod(F("id"), Value(10)) / Value(10)
    Score.objects.filter(participant__round=rnd, method="manual").update(self_points=value, points=value)
    Score.objects.filter(participant__round=rnd, method="survey").update(survey=value, points=value)
    return rnd.pk


def main() -> None:
    args = parse_args()
    label = prepare_database(args)
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from dieuhanh.accounts.models import Role, User
    from dieuhanh.evaluation import ranking, services
    from dieuhanh.evaluation.models import Round, Score

    rnd = Round.objects.first()
    if rnd is None:
        started = time.perf_counter()
        build(args.units)
        print(f"built in {time.perf_counter() - started:.1f} s", flush=True)
        rnd = Round.objects.get()
    units, scores = rnd.participants.count(), Score.objects.filter(participant__round=rnd).count()
    print(f"{label}: {units} units, {scores} score rows, {connection.vendor}", flush=True)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        services.prefill(rnd)  # computed items from the tracked tasks, then totals and per-area figures
        ranked = ranking.full_ranking(rnd)
        times.append(time.perf_counter() - started)
    table = Score._meta.db_table
    floor = []
    for _ in range(args.runs):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT participant_id, SUM(points) FROM {table} GROUP BY participant_id")
            cursor.fetchall()
        floor.append(time.perf_counter() - started)
    print(f"scoring + ranking {units} units × {scores // max(units, 1)} items: best {min(times):.2f} s, "
          f"median {statistics.median(times):.2f} s (target ≤ 5 s); floor (raw GROUP BY) {min(floor):.2f} s; "
          f"{len(ranked)} ranked", flush=True)
    setup_test_environment()
    from django.conf import settings

    settings.TWO_FACTOR_REQUIRED_ROLES = []  # the bench admin has no authenticator app
    admin, _created = User.objects.get_or_create(username="quantri.bench", defaults={"role": Role.QUAN_TRI, "is_superuser": True})
    client = Client()
    client.force_login(admin)
    path = f"/danh-gia/{rnd.pk}/xep-hang/?nhom=phuong"
    assert client.get(path).status_code == 200
    page = []
    for _ in range(args.pages):
        started = time.perf_counter()
        response = client.get(path)
        page.append(time.perf_counter() - started)
        assert response.status_code == 200
    page.sort()
    p95 = page[max(0, int(len(page) * 0.95) - 1)]
    print(f"ranking page: p50 {statistics.median(page) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
          f"(target ≤ 200 ms), {args.pages} requests", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("DIEUHANH_DEBUG", "")
    main()

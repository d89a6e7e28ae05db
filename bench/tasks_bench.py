"""Task tracking at province scale: the leader dashboard, "Việc của tôi" and the worker scan.

    .venv/bin/python bench/tasks_bench.py [--assignments 500000] [--runs 50] [--reuse]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dieuhanh .venv/bin/python bench/tasks_bench.py

Builds a fresh database — an SQLite file under /tmp by default (``--sqlite PATH``), or, with
``DATABASE_URL``, a PostgreSQL database named after it with ``_bench`` appended (dropped and
created again; the database in ``DATABASE_URL`` itself is never touched) — with one province:
~10 departments, ~15 districts × (~15 offices + ~12 wards), a leader, two specialists and a
clerk per unit, and tasks whose assignments (``--assignments``) are spread over the last three
years with realistic statuses (most old work done, mostly on time; some overdue; some
extended; a few cancelled). Everything is written with ``bulk_create``.

Then it times, over ``--runs`` runs each, after one warm-up:

- ``leader_dashboard`` for the province leader (counts, per-unit table, overdue list, trend),
  and the same for a district leader;
- "Việc của tôi" for one ward: its assignments, open first, due soonest, the first page of 50,
  rendered to a list (``services.my_assignments`` when it exists);
- the home inbox of a ward chairman (``dieuhanh.web.inbox.fill``: every section's count and rows);
- one event told to 500 users (``dieuhanh.tasks.events.notify_event``: one bulk INSERT);
- the worker's daily scan (``dieuhanh.tasks.worker.scan``), once, in assignments per second.

Targets (issue): dashboard p95 ≤ 200 ms, "Việc của tôi" and the inbox p95 ≤ 100 ms, fan-out to 500
users p95 ≤ 200 ms, scan ≥ 5,000 assignments/s.
``--reuse`` keeps an already built database of the same size (to try indexes quickly).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchdb import prepare_database, setup_django  # noqa: E402  (bench/ is the script folder)

TARGETS = {"dashboard": 200.0, "district": 200.0, "mine": 100.0, "inbox": 100.0, "fan-out": 200.0}


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--assignments", type=int, default=500_000)
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--sqlite", default="/tmp/dieuhanh-tasks-bench.sqlite3", help="SQLite file (without DATABASE_URL)")
    p.add_argument("--reuse", action="store_true", help="keep an existing bench database of the same size")
    p.add_argument("--seed", type=int, default=20240615)
    p.add_argument("--no-worker", action="store_true", help="skip the worker scan")
    return p.parse_args()


# --- the dataset --------------------------------------------------------------------------------


def build(n_assignments: int, seed: int, today: date) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from dieuhanh.accounts.models import Role, User
    from dieuhanh.orgs.models import Unit, UnitKind
    from dieuhanh.tasks.models import Assignment, Priority, Role as TaskRole, Status, Task

    rng = random.Random(seed)
    t0 = time.perf_counter()
    units: list[Unit] = []
    uid = iter(range(1, 10**6))

    def unit(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
        u = Unit(id=next(uid), code=code, name=name, kind=kind, parent=parent, valid_from=date(2004, 1, 1))
        units.append(u)
        return u

    province = unit("ubnd-tinh", "Ủy ban nhân dân tỉnh Bench", UnitKind.UBND_TINH, None)
    departments = [unit(f"so-{i}", f"Sở {i:02d}", UnitKind.SO, province) for i in range(1, 11)]
    districts, offices, wards = [], {}, {}
    for d in range(1, 16):
        district = unit(f"huyen-{d}", f"Ủy ban nhân dân huyện {d:02d}", UnitKind.UBND_HUYEN, province)
        districts.append(district)
        offices[district.id] = [unit(f"huyen-{d}-phong-{i}", f"Phòng {i:02d} huyện {d:02d}", UnitKind.PHONG, district)
                                for i in range(1, 16)]
        wards[district.id] = [unit(f"huyen-{d}-xa-{i}", f"Ủy ban nhân dân xã {i:02d} huyện {d:02d}",
                                   UnitKind.UBND_XA, district) for i in range(1, 13)]
    password = make_password("bench", hasher="md5") if "md5" in _hashers() else make_password("bench")
    users = []
    n_user = 0
    for u in units:
        leader_role = Role.LANH_DAO_UBND if u.kind in (UnitKind.UBND_TINH, UnitKind.UBND_HUYEN, UnitKind.UBND_XA) \
            else Role.LANH_DAO_DON_VI
        for role, count in ((leader_role, 1), (Role.CHUYEN_VIEN, 2), (Role.VAN_THU, 1)):
            for _i in range(count):
                n_user += 1
                users.append(User(username=f"u{n_user}", first_name="Nguyễn", last_name=f"Văn {n_user}",
                                  unit_id=u.id, role=role, password=password))
    with transaction.atomic():
        Unit.objects.bulk_create(units, batch_size=1000)
        User.objects.bulk_create(users, batch_size=1000)

    start_day = today - timedelta(days=3 * 365)
    span = (today - start_day).days
    statuses_open = [Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.SUBMITTED,
                     Status.RETURNED]
    tasks: list[Task] = []
    assignments: list[Assignment] = []
    task_id = 0
    assignment_id = 0
    written = 0

    def flush() -> None:
        nonlocal tasks, assignments, written
        with transaction.atomic():
            Task.objects.bulk_create(tasks, batch_size=2000)
            Assignment.objects.bulk_create(assignments, batch_size=2000)
        written += len(assignments)
        tasks, assignments = [], []

    all_district_units = {d.id: [d, *offices[d.id], *wards[d.id]] for d in districts}
    while assignment_id < n_assignments:
        task_id += 1
        pick = rng.random()
        if pick < 0.25:  # the province to departments and districts
            by = province
            pool = departments + districts
        elif pick < 0.40:  # a department to districts
            by = rng.choice(departments)
            pool = districts
        else:  # a district to its offices and wards
            district = rng.choice(districts)
            by = district
            pool = all_district_units[district.id][1:]
        fan = min(len(pool), rng.choice((1, 1, 2, 2, 3, 4)), n_assignments - assignment_id)
        issued = start_day + timedelta(days=rng.randrange(span))
        due = issued + timedelta(days=rng.choice((7, 10, 15, 20, 30, 30, 45, 60, 90)))
        tasks.append(Task(id=task_id, title=f"Nhiệm vụ số {task_id}: triển khai kế hoạch",
                          assigned_by_unit_id=by.id, priority=Priority.NORMAL,
                          issued_at=datetime(issued.year, issued.month, issued.day, 8, tzinfo=_tz())))
        for k, target in enumerate(rng.sample(pool, fan)):
            assignment_id += 1
            extended = rng.random() < 0.08
            due_on = due + timedelta(days=rng.choice((7, 15, 30))) if extended else due
            r = rng.random()
            completed = None
            if rng.random() < 0.02:
                status = Status.CANCELLED
            elif due < today - timedelta(days=14):  # old: mostly done, mostly on time
                if r < 0.93:
                    status = Status.DONE
                    late = rng.random() < 0.2
                    completed = due + timedelta(days=rng.randint(1, 40)) if late else due - timedelta(
                        days=rng.randint(0, 10))
                    completed = min(completed, today)
                else:
                    status = rng.choice(statuses_open)
            else:  # recent or future
                if r < 0.3 and issued + timedelta(days=2) <= today:
                    status = Status.DONE
                    completed = min(today, issued + timedelta(days=rng.randint(1, max(1, (due - issued).days))))
                else:
                    status = rng.choice(statuses_open)
            ack = status != Status.NEW
            assignments.append(Assignment(
                id=assignment_id, task_id=task_id, unit_id=target.id,
                role=TaskRole.LEAD if k == 0 else TaskRole.COORDINATE, status=status,
                due_on=due_on, original_due_on=due, completed_on=completed,
                progress=100 if status == Status.DONE else rng.choice((0, 10, 30, 50, 80)),
                acknowledged_at=datetime(issued.year, issued.month, issued.day, 9, tzinfo=_tz()) if ack else None,
                created_at=datetime(issued.year, issued.month, issued.day, 8, tzinfo=_tz())))
        if len(assignments) >= 20_000:
            flush()
    flush()
    _reset_sequences(connection)
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM sets the visibility map, or index-only scans read the heap anyway.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"built {len(units)} units, {len(users)} users, {task_id} tasks, {written} assignments "
          f"in {time.perf_counter() - t0:.1f}s", flush=True)
    # bulk_create bypasses Assignment.save(): count finished work as the worker does each day.
    from dieuhanh.tasks import tally

    t1 = time.perf_counter()
    rows = tally.rebuild()
    print(f"tally rebuilt: {rows} unit-month rows in {time.perf_counter() - t1:.1f}s", flush=True)


def _tz():  # type: ignore[no-untyped-def]
    from datetime import timezone as dt_timezone

    return dt_timezone.utc


def _hashers() -> str:
    from django.conf import settings

    return " ".join(settings.PASSWORD_HASHERS).lower()


def _reset_sequences(connection) -> None:  # type: ignore[no-untyped-def]
    from django.core.management.color import no_style

    from dieuhanh.accounts.models import User
    from dieuhanh.orgs.models import Unit
    from dieuhanh.tasks.models import Assignment, Task

    sql = connection.ops.sequence_reset_sql(no_style(), [Unit, User, Task, Assignment])
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


# --- measuring ----------------------------------------------------------------------------------


def timed(label: str, fn, runs: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    fn()  # warm-up: caches, prepared plans
    samples = []
    for _i in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    target = TARGETS.get(label)
    verdict = "" if target is None else ("  OK" if p95 <= target else f"  SLOWER than {target:.0f} ms")
    print(f"{label:<10} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   max {samples[-1]:8.1f} ms{verdict}", flush=True)
    return {"p50": p50, "p95": p95}


def fresh(user):  # type: ignore[no-untyped-def]
    """Forget per-request caches on the user object (each run is a new request)."""
    for attr in ("_visible_unit_ids",):
        if hasattr(user, attr):
            delattr(user, attr)
    return user


def mine_queryset(user):  # type: ignore[no-untyped-def]
    """The ward's "Việc của tôi": open first, due soonest (services.my_assignments when present)."""
    from django.db.models import Case, IntegerField, Value, When

    from dieuhanh.tasks.models import OPEN_STATUSES, Assignment, Status

    try:
        from dieuhanh.tasks.services import my_assignments
    except ImportError:
        my_assignments = None
    if my_assignments is not None:
        qs = my_assignments(user)
    else:
        qs = Assignment.objects.filter(unit_id=user.unit_id).select_related("task", "unit")
    qs = qs.exclude(status=Status.CANCELLED).annotate(
        closed=Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()))
    return qs.order_by("closed", *qs.query.order_by)


def main() -> None:
    args = parse_args()
    label = prepare_database(args)
    setup_django()

    from django.db import connection
    from django.template.loader import render_to_string  # noqa: F401  (template engine warm)
    from django.utils import timezone

    from dieuhanh.accounts.models import Role, User
    from dieuhanh.tasks.dashboard import leader_dashboard
    from dieuhanh.tasks.models import Assignment

    today = timezone.localdate()
    have = Assignment.objects.count()
    if have != args.assignments:
        if have:
            sys.exit(f"{label} holds {have} assignments, not {args.assignments}: run without --reuse")
        build(args.assignments, args.seed, today)
    print(f"{label}: {Assignment.objects.count()} assignments, {connection.vendor} — {args.runs} runs each",
          flush=True)

    province_leader = User.objects.get(unit__code="ubnd-tinh", role=Role.LANH_DAO_UBND)
    district_leader = User.objects.get(unit__code="huyen-7", role=Role.LANH_DAO_UBND)
    ward_clerk = User.objects.filter(unit__code="huyen-7-xa-5", role=Role.VAN_THU).first()

    def dashboard(user):  # type: ignore[no-untyped-def]
        def run() -> None:
            data = leader_dashboard(fresh(user), on=today)
            assert data.rows and data.counts["total"]
        return run

    def mine() -> None:
        page = [(a.pk, a.task.title, a.unit.name, a.due_on, a.get_status_display())
                for a in mine_queryset(fresh(ward_clerk))[:50]]
        assert page

    results = {
        "dashboard": timed("dashboard", dashboard(province_leader), args.runs),
        "district": timed("district", dashboard(district_leader), args.runs),
        "mine": timed("mine", mine, args.runs),
    }
    ward_chairman = User.objects.filter(unit__code="huyen-7-xa-5", role=Role.LANH_DAO_UBND).first()
    from dieuhanh.tasks.events import notify_event
    from dieuhanh.web import inbox

    def home() -> None:
        assert inbox.fill(fresh(ward_chairman))

    fan_ids = list(User.objects.order_by("id").values_list("id", flat=True)[:500])
    fan_run = iter(range(10**6))

    def fan_out() -> None:
        n = notify_event("task.assigned", None, recipients=fan_ids, message="Nhiệm vụ mới (đo tốc độ)",
                         key=f"bench-fan-out:{next(fan_run)}:{time.time_ns()}")
        assert n == len(fan_ids)

    results["inbox"] = timed("inbox", home, args.runs)
    results["fan-out"] = timed("fan-out", fan_out, max(5, args.runs // 5))
    from dieuhanh.tasks.models import Notification

    Notification.objects.filter(key__contains="bench-fan-out").delete()
    data = leader_dashboard(province_leader, on=today)
    print(f"  province: {data.counts}, {len(data.rows)} rows, {len(data.overdue)} overdue shown", flush=True)

    if not args.no_worker:
        try:
            from dieuhanh.tasks import worker
        except ImportError:
            worker = None
        if worker is not None and hasattr(worker, "scan"):
            day = today
            cal = worker.get_calendar()
            while not cal.is_working_day(day):
                day -= timedelta(days=1)
            t = time.perf_counter()
            examined, created = worker.scan(day)
            seconds = time.perf_counter() - t
            rate = examined / seconds if seconds else float("inf")
            verdict = "OK" if rate >= 5000 else "SLOWER than 5,000/s"
            print(f"worker     scan {examined} assignments, {created} notifications in {seconds:.2f}s: "
                  f"{rate:,.0f} assignments/s  {verdict}", flush=True)
            results["worker"] = {"rate": rate}
        else:
            print("worker     dieuhanh/tasks/worker.py has no scan(): skipped", flush=True)
    failed = [k for k, v in results.items() if k in TARGETS and v["p95"] > TARGETS[k]]
    if "worker" in results and results["worker"]["rate"] < 5000:
        failed.append("worker")
    print("all targets met" if not failed else f"targets missed: {', '.join(failed)}", flush=True)


if __name__ == "__main__":
    main()

"""The inbox ("Văn bản chờ xử lý") and the registers (sổ đến / sổ đi) at province scale.

    .venv/bin/python bench/inbox_bench.py [--documents 200000] [--users 50000] [--runs 50] [--reuse]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dieuhanh .venv/bin/python bench/inbox_bench.py

Builds a fresh database (see ``benchdb``: an SQLite file under /tmp, or ``<DATABASE_URL>_bench``)
with one province: 10 departments, 15 districts × (15 offices + 12 wards); ``--users`` people
spread over the units; ``--documents`` documents over three years, each registered by its
owner unit (its own receipt in the incoming register, or an outgoing document), two in three
incoming ones delivered to 1-4 other units (a receipt each, with its own arrival number),
and routed: presented to a leader, then a bút phê to a lead unit, a co-operating unit and
people for information, so that every user has receipts of their own in the inbox. Most
routes are old and done; recent ones are open. Everything is written with ``bulk_create``.

Then it times, over ``--runs`` runs each after a warm-up, the pages as the views build them
(the template rendered to a string, no HTTP):

- ``inbox``: "Văn bản chờ xử lý" of a busy specialist (first page of 50 and the count) and
  ``pending_documents_count`` (what the home page shows);
- ``incoming``: a district's sổ đến for the latest year (first page, count, the ten columns);
- ``outgoing``: the same district's sổ đi;

and, for each, the floor: the same first page read with one raw SQL query.
Target (issue 11): p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchdb import prepare_database, setup_django  # noqa: E402  (bench/ is the script folder)

TARGET_MS = 100.0
BATCH = 20_000


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--documents", type=int, default=200_000)
    p.add_argument("--users", type=int, default=50_000)
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--sqlite", default="/tmp/dieuhanh-inbox-bench.sqlite3", help="SQLite file (without DATABASE_URL)")
    p.add_argument("--reuse", action="store_true", help="keep an existing bench database of the same size")
    p.add_argument("--seed", type=int, default=20200302)
    return p.parse_args()


# --- the dataset ----------------------------------------------------------------------------------

class Ids:
    def __init__(self) -> None:
        self.n: dict[str, int] = {}

    def next(self, kind: str) -> int:
        self.n[kind] = self.n.get(kind, 0) + 1
        return self.n[kind]


def build_units_and_users(n_users: int) -> tuple[list, dict[int, list], list]:  # type: ignore[type-arg]
    from dieuhanh.accounts.models import Role, User
    from dieuhanh.orgs.models import Unit, UnitKind

    units: list[Unit] = []

    def unit(code: str, name: str, kind: str, parent: Unit | None) -> Unit:
        u = Unit(id=len(units) + 1, code=code, name=name, kind=kind, parent=parent, valid_from=date(2004, 1, 1))
        units.append(u)
        return u

    province = unit("ubnd-tinh", "Ủy ban nhân dân tỉnh Bench", UnitKind.UBND_TINH, None)
    for i in range(1, 11):
        unit(f"so-{i}", f"Sở {i:02d}", UnitKind.SO, province)
    for d in range(1, 16):
        district = unit(f"huyen-{d}", f"Ủy ban nhân dân huyện {d:02d}", UnitKind.UBND_HUYEN, province)
        for i in range(1, 16):
            unit(f"huyen-{d}-phong-{i}", f"Phòng {i:02d} huyện {d:02d}", UnitKind.PHONG, district)
        for i in range(1, 13):
            unit(f"huyen-{d}-xa-{i}", f"Ủy ban nhân dân xã {i:02d} huyện {d:02d}", UnitKind.UBND_XA, district)
    password = "!"  # unusable: nobody logs in to a bench database
    users: list[User] = []
    people: dict[int, list[int]] = {u.id: [] for u in units}
    fixed = (Role.LANH_DAO_UBND, Role.VAN_THU, Role.CHUYEN_VIEN)
    for i in range(n_users):
        u = units[i % len(units)]
        role = fixed[i // len(units)] if i < len(units) * len(fixed) else Role.CHUYEN_VIEN
        if role == Role.LANH_DAO_UBND and not u.is_committee:
            role = Role.LANH_DAO_DON_VI
        users.append(User(id=i + 1, username=f"u{i + 1}", first_name="Nguyễn", last_name=f"Văn {i + 1}",
                          unit_id=u.id, role=role, password=password))
        people[u.id].append(i + 1)
    Unit.objects.bulk_create(units, batch_size=1000)
    User.objects.bulk_create(users, batch_size=2000)
    return units, people, users


def build(n_documents: int, n_users: int, seed: int, today: date) -> None:
    from django.db import connection, transaction

    from dieuhanh.documents.models import (Direction, Document, Receipt, ReceiptStatus, Register, RegisterCounter,
                                           Route, RouteAction, RouteState)

    rng = random.Random(seed)
    t0 = time.perf_counter()
    with transaction.atomic():
        units, people, _users = build_units_and_users(n_users)
        registers = []
        for u in units:
            for direction, name in ((Direction.INCOMING, "Sổ văn bản đến"), (Direction.OUTGOING, "Sổ văn bản đi")):
                registers.append(Register(id=len(registers) + 1, unit=u, direction=direction, name=name))
        Register.objects.bulk_create(registers)
    reg_in = {r.unit_id: r.id for r in registers if r.direction == Direction.INCOMING}
    reg_out = {r.unit_id: r.id for r in registers if r.direction == Direction.OUTGOING}
    leaders = {u.id: people[u.id][0] for u in units if people[u.id]}
    counters: dict[tuple[int, int], int] = {}
    ids = Ids()
    start = today - timedelta(days=3 * 365)
    days = sorted(start + timedelta(days=rng.randrange(3 * 365 + 1)) for _ in range(n_documents))
    docs: list = []
    receipts: list = []
    routes: list = []

    def number(register_id: int, year: int) -> int:
        counters[(register_id, year)] = counters.get((register_id, year), 0) + 1
        return counters[(register_id, year)]

    def stamp(day: date, hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=dt_timezone.utc)

    def flush() -> None:
        with transaction.atomic():
            Document.objects.bulk_create(docs, batch_size=5000)
            Receipt.objects.bulk_create(receipts, batch_size=5000)
            Route.objects.bulk_create(routes, batch_size=5000)
        docs.clear(), receipts.clear(), routes.clear()

    for day in days:
        owner = rng.choice(units)
        doc_id = ids.next("doc")
        outgoing = rng.random() < 0.3
        register_id = reg_out[owner.id] if outgoing else reg_in[owner.id]
        reg_number = number(register_id, day.year)
        docs.append(Document(
            id=doc_id, register_id=register_id, direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
            owner_unit_id=owner.id, doc_type="Công văn", number=reg_number, number_symbol=f"{reg_number}/UBND-VP",
            ns_key=f"{reg_number}/UBND-VP", issuer="Ủy ban nhân dân tỉnh Bench", issued_on=day,
            subject=f"Về việc triển khai nhiệm vụ số {doc_id}", search_text=f"ve viec trien khai nhiem vu so {doc_id}",
            reg_year=day.year, reg_number=reg_number, arrived_on=None if outgoing else day,
            urgency=rng.choice(("", "", "", "", "KHẨN")), created_at=stamp(day, 8)))
        old = (today - day).days > 20
        targets = [] if outgoing else [owner]
        if rng.random() < 0.66:
            targets += rng.sample(units, rng.randint(1, 4))
        seen_units = {owner.id} if outgoing else set()  # the sender does not receive its own document
        for target in targets:
            if target.id in seen_units:
                continue
            seen_units.add(target.id)
            receipt_id = ids.next("receipt")
            own = target.id == owner.id
            r_number = reg_number if own else number(reg_in[target.id], day.year)
            receipts.append(Receipt(
                id=receipt_id, document_id=doc_id, unit_id=target.id, register_id=reg_in[target.id],
                reg_year=day.year, reg_number=r_number, arrived_on=day, sender_unit_id=None if own else owner.id,
                status=ReceiptStatus.DONE if old else ReceiptStatus.RECEIVED, forwarded_on=day,
                created_at=stamp(day, 8), status_at=stamp(day, 9)))
            done = RouteState.DONE if old else RouteState.PENDING
            routes.append(Route(document_id=doc_id, receipt_id=receipt_id, action=RouteAction.RECEIVE,
                                unit_id=target.id, state=RouteState.DONE, created_at=stamp(day, 8)))
            if target.id in leaders:
                routes.append(Route(document_id=doc_id, receipt_id=receipt_id, action=RouteAction.SUBMIT,
                                    unit_id=target.id, user_id=leaders[target.id], state=RouteState.DONE,
                                    created_at=stamp(day, 9)))
            lead = rng.choice(units)
            routes.append(Route(document_id=doc_id, receipt_id=receipt_id, action=RouteAction.LEAD, unit_id=lead.id,
                                state=done, due_on=day + timedelta(days=10), created_at=stamp(day, 10)))
            for _i in range(1):  # a person for information: every user gets receipts of their own
                person = rng.randrange(1, n_users + 1)
                routes.append(Route(document_id=doc_id, receipt_id=receipt_id, action=RouteAction.INFORM,
                                    unit_id=units[(person - 1) % len(units)].id, user_id=person,
                                    state=done if rng.random() < 0.5 else RouteState.DONE,
                                    created_at=stamp(day, 10)))
        if len(docs) >= BATCH:
            flush()
    flush()
    RegisterCounter.objects.bulk_create([RegisterCounter(register_id=r, year=y, last_number=n)
                                         for (r, y), n in counters.items()], batch_size=5000)
    _reset_sequences(connection)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"built {len(units)} units, {n_users} users, {Document.objects.count()} documents, "
          f"{Receipt.objects.count()} receipts, {Route.objects.count()} routes in {time.perf_counter() - t0:.1f}s",
          flush=True)


def _reset_sequences(connection) -> None:  # type: ignore[no-untyped-def]
    from django.core.management.color import no_style

    from dieuhanh.accounts.models import User
    from dieuhanh.documents.models import Document, Receipt, Register, Route
    from dieuhanh.orgs.models import Unit

    for statement in connection.ops.sequence_reset_sql(no_style(), [Unit, User, Register, Document, Receipt, Route]):
        with connection.cursor() as cursor:
            cursor.execute(statement)


# --- measuring ----------------------------------------------------------------------------------

def timed(label: str, fn, runs: int, target: float | None = TARGET_MS) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up: caches, prepared plans
    samples = []
    for _i in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    verdict = "" if target is None else ("  OK" if p95 <= target else f"  SLOWER than {target:.0f} ms")
    print(f"{label:<18} p50 {statistics.median(samples):8.1f} ms   p95 {p95:8.1f} ms   max {samples[-1]:8.1f} ms"
          f"{verdict}", flush=True)
    return p95


def request_for(user, path: str, **params):  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    for attr in ("_visible_unit_ids",):
        if hasattr(user, attr):
            delattr(user, attr)
    request = RequestFactory().get(path, params)
    request.user = user
    return request


def raw(sql: str, params: list) -> None:  # type: ignore[type-arg]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert cursor.fetchall()


def main() -> None:
    args = parse_args()
    label = prepare_database(args)
    setup_django()

    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from dieuhanh.accounts.models import Role, User
    from dieuhanh.documents import routing, views, views_routing
    from dieuhanh.documents.models import Document, Register, Route

    today = timezone.localdate()
    have = Document.objects.count()
    if have != args.documents:
        if have:
            sys.exit(f"{label} holds {have} documents, not {args.documents}: run without --reuse")
        build(args.documents, args.users, args.seed, today)
    print(f"{label}: {Document.objects.count()} documents, {Route.objects.count()} routes, {connection.vendor} — "
          f"{args.runs} runs each", flush=True)

    busiest = (Route.objects.filter(user__isnull=False, state__in=("cho", "da_xem")).values("user_id")
               .order_by().annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
               .order_by("-n").first())
    reader = User.objects.get(pk=busiest["user_id"]) if busiest else User.objects.filter(role=Role.CHUYEN_VIEN).first()
    clerk = User.objects.filter(unit__code="huyen-7", role=Role.VAN_THU).first()
    register_in = Register.objects.get(unit__code="huyen-7", direction="den")
    register_out = Register.objects.get(unit__code="huyen-7", direction="di")
    print(f"inbox of {reader.username} ({routing.pending_documents_count(reader)} documents waiting); "
          f"registers of huyen-7", flush=True)

    def inbox() -> None:
        response = views_routing.inbox(request_for(reader, reverse("documents:inbox")))
        assert response.status_code == 200

    def pending() -> None:
        routing.pending_documents_count(reader)

    def register(name: str):  # type: ignore[no-untyped-def]
        view = views.incoming if name == "incoming" else views.outgoing
        path = reverse(f"documents:{name}")

        def run() -> None:
            response = view(request_for(clerk, path))
            assert response.status_code == 200 and b"<table" in response.content
        return run

    filter_sql = ("SELECT r.id, r.action, r.created_at, r.due_on, r.state, d.number_symbol, d.subject "
                  "FROM documents_route r JOIN documents_document d ON d.id = r.document_id "
                  "WHERE (r.user_id = %s OR (r.user_id IS NULL AND r.unit_id = %s AND r.action IN ('xu_ly_chinh', "
                  "'phoi_hop', 'de_biet'))) AND r.state IN ('cho', 'da_xem') ORDER BY r.created_at DESC, r.id DESC "
                  "LIMIT 50")
    year = today.year
    receipts_sql = ("SELECT r.reg_number, r.arrived_on, d.issuer, d.number_symbol, d.issued_on, d.subject "
                    "FROM documents_receipt r JOIN documents_document d ON d.id = r.document_id "
                    "WHERE r.register_id = %s AND r.reg_year = %s ORDER BY r.reg_number DESC LIMIT 50")
    outgoing_sql = ("SELECT reg_number, number_symbol, issued_on, subject, signer_name FROM documents_document "
                    "WHERE register_id = %s AND reg_year = %s AND direction = 'di' ORDER BY reg_number DESC LIMIT 50")
    results = {
        "inbox": timed("inbox", inbox, args.runs),
        "pending count": timed("pending count", pending, args.runs),
        "inbox floor": timed("inbox floor", lambda: raw(filter_sql, [reader.pk, reader.unit_id]), args.runs, None),
        "incoming": timed("incoming register", register("incoming"), args.runs),
        "incoming floor": timed("incoming floor", lambda: raw(receipts_sql, [register_in.pk, year]), args.runs, None),
        "outgoing": timed("outgoing register", register("outgoing"), args.runs),
        "outgoing floor": timed("outgoing floor", lambda: raw(outgoing_sql, [register_out.pk, year]), args.runs, None),
    }
    missed = [k for k in ("inbox", "pending count", "incoming", "outgoing") if results[k] > TARGET_MS]
    print("all targets met" if not missed else f"targets missed: {', '.join(missed)}", flush=True)


if __name__ == "__main__":
    main()

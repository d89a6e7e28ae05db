"""Reminders, escalation and the daily e-mail digest (``dieuhanh worker``).

:func:`run_once` does two phases; any number of workers may run it at once.

SCAN (once per working day, claimed through a :class:`WorkerCursor` row with a
conditional UPDATE so only one worker does the work) walks the open assignments
in SQL, in id-ordered batches over indexed columns, and writes one
:class:`Notification` per (reason, assignment, user, reference day) with a
deterministic ``key`` and multi-row ``INSERT … ON CONFLICT (key) DO NOTHING``: scanning twice
creates nothing new. The reasons, with ``d`` today (a working day):

- not acknowledged for ``TASKS_ACK_WITHIN_DAYS`` working days → the unit's users, that day and then
  every ``TASKS_OVERDUE_REPEAT_DAYS`` working days;
- due within ``TASKS_REMIND_DAYS_BEFORE`` working days → the unit's users, once per deadline;
- due today (or, for a deadline on a day off, on the last working day before it) → once per deadline;
- overdue → the unit's users on the first overdue working day, then every
  ``TASKS_OVERDUE_REPEAT_DAYS`` working days (not every day: a province's volume stays bounded);
- overdue ≥ ``TASKS_ESCALATE_UNIT_HEAD_DAYS`` working days → the unit's leaders (unit head; a
  committee's leaders), once per deadline; ≥ ``TASKS_ESCALATE_LEADER_DAYS`` → the leaders of the
  assigning unit and the top of the chain (:class:`ChainTop`: the Chủ tịch/Phó Chủ tịch who signed
  the source document), once per deadline.

The scan's day also purges read notifications older than ``NOTIFICATIONS_KEEP_MONTHS``.

SEND claims users who have unread, unsent notifications (``SELECT … FOR UPDATE SKIP
LOCKED`` on the user rows on PostgreSQL; on SQLite the single conditional UPDATE is
already serialised by the database lock), stamps their rows with ``digest_day`` (the
claim column: a user who has rows stamped today already had today's digest) and sends
one e-mail listing them, then sets ``emailed_at``. No rows, no e-mail. A failed send
releases the claim so the next round retries it.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import close_old_connections, connection, transaction
from django.db.models import Exists, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import Role, User
from dieuhanh.tasks import tally
from dieuhanh.tasks.models import Assignment, Notification, NotificationKind, Status, WorkerCursor, WorkerHeartbeat

log = logging.getLogger("dieuhanh.worker")

SCAN_JOB = "scan"
BATCH = 2000
INSERT_BATCH = 1000
# PostgreSQL takes the reminders in large COPY batches: each flush is a transaction and four
# statements, so fewer and larger flushes (memory: a few MB per 20,000 rows).
COPY_BATCH = 20000
USER_CHUNK = 20
# A claim is a lease: the worker holding it renews it every LEASE_RENEW while it works, so a
# worker killed mid-scan (kill -9, power cut) loses it within STALE_CLAIM and another takes over.
STALE_CLAIM = timedelta(seconds=45)
LEASE_RENEW = timedelta(seconds=15)
DIGEST_MAX_ITEMS = 100

# Statuses the doing unit still has to act on. "Submitted" waits for the assigner, so it is not chased.
DOER_OPEN = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RETURNED)
LEADER_ROLES = (Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND)
KIND_ORDER = {k: i for i, k in enumerate([
    NotificationKind.ESCALATED, NotificationKind.OVERDUE, NotificationKind.DUE_TODAY,
    NotificationKind.UNACKNOWLEDGED, NotificationKind.BEFORE_DUE, NotificationKind.EVENT])}


@dataclass
class Stats:
    day: date
    worker_id: str = ""
    scanned: int = 0            # assignments examined by this worker's scan
    created: int = 0            # notifications the scan created
    scan_seconds: float = 0.0
    scan_state: str = ""        # "done" (by us), "skipped" (already done), "busy" (another worker), "day_off"
    digests: int = 0            # e-mails sent
    emailed: int = 0            # notifications listed in them
    failed: int = 0             # digests that could not be sent (retried next round)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return (f"{self.day:%d/%m/%Y} [{self.worker_id}] quét: {self.scan_state} ({self.scanned} phân công, "
                f"{self.created} thông báo mới, {self.scan_seconds:.2f}s); "
                f"thư: {self.digests} ({self.emailed} thông báo), lỗi gửi: {self.failed}")


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


# --- calendar -------------------------------------------------------------------------


class _WeekdayCalendar:
    """Monday–Friday; only used until ``dieuhanh.tasks.calendar`` exists."""

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5


def get_calendar() -> Any:
    try:
        from dieuhanh.tasks.calendar import work_calendar
    except ImportError:
        return _WeekdayCalendar()
    return work_calendar()


class _Days:
    """Working-day arithmetic for one scan, on top of ``is_working_day`` only (cached)."""

    def __init__(self, cal: Any, today: date) -> None:
        self.cal = cal
        self.today = today
        self._cache: dict[date, bool] = {}
        self._since: list[int] = [0]

    def working(self, day: date) -> bool:
        hit = self._cache.get(day)
        if hit is None:
            hit = self._cache[day] = bool(self.cal.is_working_day(day))
        return hit

    def shift(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (n > 0) or before it (n < 0)."""
        step = timedelta(days=1 if n > 0 else -1)
        left = abs(n)
        while left:
            day += step
            if self.working(day):
                left -= 1
        return day

    def since(self, start: date) -> int:
        """Working days in (start, today]: one walk back from today, shared by every start date
        (a province's overdue work goes back years: one walk per date would be quadratic)."""
        back = (self.today - start).days
        if back <= 0:
            return 0
        counts = self._since  # counts[k]: working days in (today - k, today]
        while len(counts) <= back:
            k = len(counts)
            counts.append(counts[-1] + self.working(self.today - timedelta(days=k - 1)))
        return counts[back]


# --- recipients -----------------------------------------------------------------------


class Recipients:
    """Active users by unit (everyone but administrators) and the leaders of each unit."""

    def __init__(self) -> None:
        self.members: dict[int, list[int]] = defaultdict(list)
        self.leaders: dict[int, list[int]] = defaultdict(list)
        rows = (User.objects.filter(is_active=True, unit__isnull=False).exclude(role=Role.QUAN_TRI)
                .values_list("id", "unit_id", "role").order_by("id"))
        for uid, unit_id, role in rows:
            self.members[unit_id].append(uid)
            if role in LEADER_ROLES:
                self.leaders[unit_id].append(uid)

    def doers(self, unit_id: int, assignee_id: int | None) -> list[int]:
        users = self.members.get(unit_id, [])
        if assignee_id and assignee_id not in users:
            return [*users, assignee_id]
        return users


class ChainTop:
    """The top of each escalation chain: the Chủ tịch/Phó Chủ tịch who signed the source
    document, found by name among the leaders of the committee the assigning unit works for
    (an office works for its UBND); when no leader bears that name (or there is no document),
    that committee's leaders. Two queries per scan, one per batch of new documents."""

    def __init__(self, people: Recipients) -> None:
        from dieuhanh.lib.vntext import fold
        from dieuhanh.orgs.models import COMMITTEE_KINDS, Unit

        self.fold = fold
        self.people = people
        committees = {str(k) for k in COMMITTEE_KINDS}
        units = {pk: (parent, kind) for pk, parent, kind in Unit.objects.values_list("id", "parent_id", "kind")}
        self.committee_of: dict[int, int] = {}
        for pk, (parent, kind) in units.items():
            if kind in committees:
                self.committee_of[pk] = pk
            elif parent is not None and units.get(parent, (None, ""))[1] in committees:
                self.committee_of[pk] = parent
        # the words of each leader's name, in any order ("Lê Văn Cường" or first "Cường", last "Lê Văn")
        self.names = {uid: sorted(fold(f"{first} {last}").split()) for uid, first, last in User.objects.filter(
            is_active=True, role=Role.LANH_DAO_UBND).values_list("id", "first_name", "last_name")}
        self.signer: dict[int, list[str]] = {}
        self._cache: dict[tuple[int | None, int], list[int]] = {}

    def load(self, document_ids: Iterable[int | None]) -> None:
        from dieuhanh.documents.models import Document

        todo = {d for d in document_ids if d and d not in self.signer}
        if todo:
            found = dict(Document.objects.filter(pk__in=todo).values_list("id", "signer_name"))
            self.signer.update({d: sorted(self.fold(found.get(d) or "").split()) for d in todo})

    def of(self, document_id: int | None, by_unit_id: int) -> list[int]:
        hit = self._cache.get((document_id, by_unit_id))
        if hit is None:
            committee = self.committee_of.get(by_unit_id)
            leaders = [u for u in self.people.leaders.get(committee, ()) if u in self.names] if committee else []
            name = self.signer.get(document_id or 0)
            signed = [u for u in leaders if name and self.names[u] == name]
            hit = self._cache[(document_id, by_unit_id)] = signed or leaders
        return hit


def unit_users(unit_id: int) -> list[int]:
    """Ids of the active users of a unit (not administrators)."""
    return list(User.objects.filter(is_active=True, unit_id=unit_id).exclude(role=Role.QUAN_TRI)
                .values_list("id", flat=True).order_by("id"))


def unit_leaders(unit_id: int) -> list[int]:
    """Ids of a unit's leaders: its head (lãnh đạo đơn vị) or, for a committee, its leaders (lãnh đạo UBND)."""
    return list(User.objects.filter(is_active=True, unit_id=unit_id, role__in=LEADER_ROLES)
                .values_list("id", flat=True).order_by("id"))


# --- scan -------------------------------------------------------------------------------


def _batches(qs: Any, fields: tuple[str, ...]) -> Iterator[list[tuple]]:
    """Keyset pagination by id: each batch is one indexed range query."""
    last = 0
    while True:
        rows = list(qs.filter(id__gt=last).order_by("id").values_list("id", *fields)[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def scan(day: date, now: datetime | None = None, cal: Any = None) -> tuple[int, int]:
    """Create today's reminder notifications. Returns (assignments examined, notifications created).

    Idempotent: every row has a deterministic key and conflicts are ignored.
    """
    now = now or timezone.now()
    days = _Days(cal or get_calendar(), day)
    if not days.working(day):
        return 0, 0
    people = Recipients()
    n_before = settings.TASKS_REMIND_DAYS_BEFORE
    next_wd = days.shift(day, 1)
    before_until = days.shift(day, n_before + 1)  # due_on < this: within N working days
    head_cutoff = days.shift(day, -(settings.TASKS_ESCALATE_UNIT_HEAD_DAYS - 1)) \
        if settings.TASKS_ESCALATE_UNIT_HEAD_DAYS > 0 else day
    leader_cutoff = days.shift(day, -(settings.TASKS_ESCALATE_LEADER_DAYS - 1)) \
        if settings.TASKS_ESCALATE_LEADER_DAYS > 0 else day
    ack_cutoff = _local_midnight(days.shift(day, -(settings.TASKS_ACK_WITHIN_DAYS - 1))
                                 if settings.TASKS_ACK_WITHIN_DAYS > 0 else day + timedelta(days=1))

    repeat = max(1, settings.TASKS_OVERDUE_REPEAT_DAYS)
    # Working days since the last finished scan: a repeated reminder whose day fell in them (the
    # worker was down that day) goes out now; the key (deadline and period) keeps it once.
    prev = (WorkerCursor.objects.filter(job=SCAN_JOB, day__lt=day, done_at__isnull=False)
            .order_by("-day").values_list("day", flat=True).first())
    missed = days.since(prev) if prev else 10**9
    head_days, leader_days = settings.TASKS_ESCALATE_UNIT_HEAD_DAYS, settings.TASKS_ESCALATE_LEADER_DAYS
    top = ChainTop(people)
    base = Assignment.objects.filter(status__in=DOER_OPEN, task__cancelled_at__isnull=True)
    fields = ("unit_id", "assignee_id", "due_on", "task__title", "task__assigned_by_unit_id", "unit__name",
              "task__document_id")
    pending: list[tuple] = []
    created_at = now
    examined = 0
    inserted = 0  # rows the INSERTs really added (a key seen before is skipped)
    flush_at = COPY_BATCH if connection.vendor == "postgresql" else INSERT_BATCH

    stamp = connection.ops.adapt_datetimefield_value(created_at)

    def add(kind: str, aid: int, users: Iterable[int], ref: date, message: str, suffix: str = "") -> None:
        tail = f":{ref.isoformat()}{suffix}"
        for uid in users:
            pending.append((uid, aid, kind, f"{kind}:{aid}:{uid}{tail}", message, stamp))

    with translation.override(settings.LANGUAGE_CODE):
        # 1. Deadlines: one range over the due_on index.
        for rows in _batches(base.filter(due_on__lt=before_until), fields):
            examined += len(rows)
            top.load(r[-1] for r in rows if r[3] < day)
            for aid, unit_id, assignee_id, due, title, by_unit_id, unit_name, document_id in rows:
                doers = people.doers(unit_id, assignee_id)
                ctx = {"title": title, "unit": unit_name, "due": due.strftime("%d/%m/%Y")}
                if due >= next_wd:
                    add(NotificationKind.BEFORE_DUE, aid, doers, due,
                        _("Nhiệm vụ «%(title)s» của %(unit)s sắp đến hạn (hạn %(due)s).") % ctx)
                elif due >= day:
                    add(NotificationKind.DUE_TODAY, aid, doers, due,
                        _("Nhiệm vụ «%(title)s» của %(unit)s đến hạn hôm nay (hạn %(due)s).") % ctx)
                else:
                    # Overdue: on the first overdue working day, then every `repeat` working days;
                    # each escalation on the day its threshold is reached (or, if the worker missed
                    # that day, on the next reminder day: the key keeps it once per deadline).
                    n = ctx["n"] = days.since(due)
                    reminder_day = (n - 1) % repeat < missed
                    if reminder_day:
                        add(NotificationKind.OVERDUE, aid, doers, due,
                            _("Nhiệm vụ «%(title)s» của %(unit)s đã quá hạn %(n)s ngày làm việc (hạn %(due)s).")
                            % ctx, f":{(n - 1) // repeat}")
                    if due < head_cutoff and (reminder_day or 0 <= n - head_days < missed
                                              or 0 <= n - leader_days < missed):
                        escalate = _("Báo cáo lãnh đạo: nhiệm vụ «%(title)s» giao cho %(unit)s đã quá hạn "
                                     "%(n)s ngày làm việc (hạn %(due)s).") % ctx
                        add(NotificationKind.ESCALATED, aid, people.leaders.get(unit_id, ()), due, escalate, ":1")
                        if due < leader_cutoff:
                            chain = people.leaders.get(by_unit_id, [])
                            chain = [*chain, *(u for u in top.of(document_id, by_unit_id) if u not in chain)]
                            add(NotificationKind.ESCALATED, aid, chain, due, escalate, ":2")
                if len(pending) >= flush_at:
                    inserted += _flush(pending)
            inserted += _flush(pending)

        # 2. Receipt: new assignments nobody has acknowledged in time (status index).
        unacked = base.filter(status=Status.NEW, acknowledged_at__isnull=True, created_at__lt=ack_cutoff)
        for rows in _batches(unacked, ("unit_id", "assignee_id", "created_at", "task__title", "unit__name")):
            examined += len(rows)
            for aid, unit_id, assignee_id, created, title, unit_name in rows:
                n = days.since(timezone.localdate(created))
                late = max(0, n - settings.TASKS_ACK_WITHIN_DAYS)
                if late % repeat >= missed:
                    continue  # chased on the first day late, then every `repeat` working days
                add(NotificationKind.UNACKNOWLEDGED, aid, people.doers(unit_id, assignee_id),
                    timezone.localdate(created),
                    _("Nhiệm vụ «%(title)s» giao cho %(unit)s chưa được tiếp nhận sau %(n)s ngày làm việc.")
                    % {"title": title, "unit": unit_name, "n": n}, f":{late // repeat}")
                if len(pending) >= flush_at:
                    inserted += _flush(pending)
            inserted += _flush(pending)
    return examined, inserted


def purge_read(now: datetime) -> int:
    """Delete read notifications older than ``NOTIFICATIONS_KEEP_MONTHS``: one DELETE a day
    (nothing refers to a notification, so no per-row collection)."""
    months = settings.NOTIFICATIONS_KEEP_MONTHS
    if months <= 0:
        return 0
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    cutoff = now.replace(year=year, month=month + 1, day=min(now.day, 28))
    return Notification.objects.filter(read_at__lt=cutoff)._raw_delete(connection.alias)


def _insert_sql(rows: int) -> str:
    # Plain multi-row INSERTs: the ORM's per-value preparation costs ten times the insert itself.
    # "ON CONFLICT (key) DO NOTHING" is understood by PostgreSQL and SQLite ≥ 3.24 alike.
    meta = Notification._meta
    qn = connection.ops.quote_name
    cols = ", ".join(qn(meta.get_field(f).column) for f in COLUMNS)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * rows)
    return (f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES {values} "
            f"ON CONFLICT ({qn(meta.get_field('key').column)}) DO NOTHING")


COLUMNS = ("user", "assignment", "kind", "key", "message", "created_at")


def _copy_insert(cursor: Any, rows: list[tuple]) -> int:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT skipping known keys.

    COPY sends the rows without per-value SQL quoting or array encoding (a third of the scan's
    time went into encoding arrays), and the INSERT reads them back inside the server.
    """
    meta = Notification._meta
    qn = connection.ops.quote_name
    cols = ", ".join(qn(meta.get_field(f).column) for f in COLUMNS)
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS scan_notification ({qn('user_id')} bigint, "
                   f"{qn('assignment_id')} bigint, kind varchar(24), key varchar(120), message text, "
                   f"created_at timestamptz) ON COMMIT DELETE ROWS")
    raw = cursor.cursor if hasattr(cursor, "cursor") else cursor  # the psycopg cursor under Django's wrapper
    with raw.copy(f"COPY scan_notification ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(f"INSERT INTO {qn(meta.db_table)} ({cols}) SELECT {cols} FROM scan_notification "
                   f"ON CONFLICT ({qn(meta.get_field('key').column)}) DO NOTHING")
    inserted = max(cursor.rowcount, 0)
    cursor.execute("TRUNCATE scan_notification")
    return inserted


def _flush(pending: list[tuple]) -> int:
    """Insert the pending rows (conflicting keys skipped); returns how many were new."""
    if not pending:
        return 0
    inserted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            inserted += _copy_insert(cursor, pending)
        else:
            size = min(INSERT_BATCH, (connection.features.max_query_params or 6 * INSERT_BATCH) // 6)
            for start in range(0, len(pending), size):
                chunk = pending[start:start + size]
                cursor.execute(_insert_sql(len(chunk)), [value for row in chunk for value in row])
                inserted += max(cursor.rowcount, 0)
    pending.clear()
    return inserted


# --- claims -----------------------------------------------------------------------------


def claim_job(job: str, day: date, worker_id: str, now: datetime) -> bool:
    """Take (job, day) unless it is done or held by a live worker: one conditional UPDATE."""
    WorkerCursor.objects.bulk_create([WorkerCursor(job=job, day=day)], ignore_conflicts=True)
    taken = (WorkerCursor.objects.filter(job=job, day=day, done_at__isnull=True)
             .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM))
             .update(claimed_by=worker_id[:100], claimed_at=now))
    return taken == 1


def renew_job(job: str, day: date, worker_id: str) -> bool:
    """Extend our lease; False when it is no longer ours (taken over after we stalled)."""
    return WorkerCursor.objects.filter(job=job, day=day, claimed_by=worker_id[:100], done_at__isnull=True) \
        .update(claimed_at=timezone.now()) == 1


class LeaseKeeper:
    """While the block runs, a thread renews the lease every ``LEASE_RENEW`` (its own connection)."""

    def __init__(self, job: str, day: date, worker_id: str) -> None:
        self.args = (job, day, worker_id)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._renew, name=f"lease-{job}", daemon=True)

    def _renew(self) -> None:
        from django.db import connections

        try:
            while not self.stop.wait(LEASE_RENEW.total_seconds()):
                try:
                    if not renew_job(*self.args):
                        log.warning("lease on %s/%s lost to another worker", *self.args[:2])
                        return
                except Exception:  # noqa: BLE001 - a busy database: try again next time
                    log.exception("lease renewal failed; retrying")
        finally:
            connections.close_all()  # this thread's connections only

    def __enter__(self) -> "LeaseKeeper":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.thread.join()


def beat(worker_id: str, interval: float, rounds: int) -> None:
    """The worker's heartbeat row (``dieuhanh check`` reads it); rows silent for a week are dropped."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id[:100], defaults={
        "seen_at": now, "rounds": rounds, "interval": interval})
    if rounds == 0:
        WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=7)).delete()


def finish_job(job: str, day: date, worker_id: str, now: datetime) -> None:
    WorkerCursor.objects.filter(job=job, day=day, claimed_by=worker_id[:100]).update(done_at=now)


def release_job(job: str, day: date, worker_id: str) -> None:
    WorkerCursor.objects.filter(job=job, day=day, claimed_by=worker_id[:100], done_at__isnull=True) \
        .update(claimed_by="", claimed_at=None)


def job_done(job: str, day: date) -> bool:
    return WorkerCursor.objects.filter(job=job, day=day, done_at__isnull=False).exists()


# --- send -------------------------------------------------------------------------------


def _unsent(day: date) -> Q:
    # Unread and never e-mailed; rows claimed on an earlier day but not sent (a worker died) count again.
    return Q(emailed_at__isnull=True, read_at__isnull=True) & (Q(digest_day__isnull=True) | Q(digest_day__lt=day))


def _candidates(day: date) -> list[int]:
    from dieuhanh.tasks.mailing import NOT_DIGEST

    # Users who chose one mail per notification, or none, are not sent the digest.
    return list(Notification.objects.filter(_unsent(day), user__is_active=True).exclude(user__email="")
                .exclude(user__notification_setting__email_mode__in=NOT_DIGEST)
                .values_list("user_id", flat=True).distinct().order_by("user_id"))


def _claim_user(uid: int, day: date) -> int:
    """Stamp the user's unsent rows with today's digest day unless they already had one today."""
    had_digest = Notification.objects.filter(user_id=uid, digest_day=day)
    return (Notification.objects.filter(_unsent(day), user_id=uid).filter(~Exists(had_digest))
            .update(digest_day=day))


def _claim_users(chunk: list[int], day: date) -> list[int]:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Another worker holding one of these users skips it instead of waiting.
            chunk = list(User.objects.select_for_update(skip_locked=True, of=("self",))
                         .filter(pk__in=chunk).order_by("pk").values_list("pk", flat=True))
        return [uid for uid in chunk if _claim_user(uid, day)]


def digest_subject(count: int, day: date) -> str:
    return _("[Điều hành] %(n)s việc cần chú ý ngày %(day)s") % {"n": count, "day": day.strftime("%d/%m/%Y")}


def _centre_path() -> str:
    try:
        return reverse("tasks:notifications")
    except Exception:  # no such page (yet) or a broken URLconf: the digest still goes out
        return ""


def _send_digest(uid: int, day: date, now: datetime, mail_connection: Any,
                 subject: Callable[[int], str] | None = None) -> int:
    from dieuhanh.tasks.events import event_label

    rows = list(Notification.objects.filter(user_id=uid, digest_day=day, emailed_at__isnull=True)
                .select_related("user", "assignment__task", "assignment__unit"))
    if not rows:
        return 0  # never an empty digest
    user = rows[0].user
    with translation.override(settings.LANGUAGE_CODE):
        for n in rows:  # the digest lists the rows grouped: reminders by kind, events by what happened
            n.group = event_label(n.event) or str(n.get_kind_display())
    rows.sort(key=lambda n: (KIND_ORDER.get(n.kind, 99), n.group, n.created_at, n.id))
    base_url = (getattr(settings, "SITE_URL", "") or os.environ.get("SITE_URL", "")).rstrip("/")
    centre = _centre_path() if base_url else ""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": user, "day": day, "items": rows[:DIGEST_MAX_ITEMS], "count": len(rows),
                   "more": max(0, len(rows) - DIGEST_MAX_ITEMS),
                   "centre_url": f"{base_url}{centre}" if centre else ""}
        subject_line = subject(len(rows)) if subject else digest_subject(len(rows), day)
        text = render_to_string("tasks/email/digest.txt", context)
        html = render_to_string("tasks/email/digest.html", context)
    message = EmailMultiAlternatives(subject_line, text, settings.DEFAULT_FROM_EMAIL, [user.email],
                                     connection=mail_connection)
    message.attach_alternative(html, "text/html")
    message.send()
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=now)
    return len(rows)


def send_digests(day: date, now: datetime, stats: Stats) -> None:
    users = _candidates(day)
    if not users:
        return
    mail = get_connection()
    try:
        for start in range(0, len(users), USER_CHUNK):
            for uid in _claim_users(users[start:start + USER_CHUNK], day):
                try:
                    sent = _send_digest(uid, day, now, mail)
                except Exception:
                    log.exception("digest to user %s failed; released for the next round", uid)
                    Notification.objects.filter(user_id=uid, digest_day=day, emailed_at__isnull=True) \
                        .update(digest_day=None)
                    stats.failed += 1
                    continue
                if sent:
                    stats.digests += 1
                    stats.emailed += sent
    finally:
        mail.close()


# --- entry points -------------------------------------------------------------------------


def _render_drafts(worker_id: str, stats: Stats) -> None:
    """Signed and issued drafts waiting for their PDF (``dieuhanh.drafts.rendering``)."""
    from dieuhanh.drafts.rendering import run_pending

    rendered = run_pending(worker_id)
    if rendered:
        stats.extra["rendered"] = rendered


def run_once(now: datetime | None = None, worker_id: str | None = None) -> Stats:
    """One round: today's scan (if no other worker has it) then the digests."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    worker_id = worker_id or default_worker_id()
    stats = Stats(day=day, worker_id=worker_id)
    _render_drafts(worker_id, stats)
    from dieuhanh.tasks.mailing import send_immediate

    send_immediate(day, now, stats)  # one mail per notification for those who chose it: every round
    if job_done(SCAN_JOB, day):
        stats.scan_state = "skipped"
    elif claim_job(SCAN_JOB, day, worker_id, now):
        started = time.perf_counter()
        try:
            with LeaseKeeper(SCAN_JOB, day, worker_id):
                stats.scanned, stats.created = scan(day, now)
                stats.extra["purged"] = purge_read(now)
                # Once a day, finished work is counted again from scratch: whatever bypassed
                # Assignment.save() (a bulk import, a manual SQL fix) is mended within a day.
                stats.extra["tally_rows"] = tally.rebuild()
        except BaseException:
            release_job(SCAN_JOB, day, worker_id)
            raise
        stats.scan_seconds = time.perf_counter() - started
        finish_job(SCAN_JOB, day, worker_id, now)
        stats.scan_state = "done"
    else:
        # Another worker is scanning: wait for it, or a digest would go out before today's reminders.
        stats.scan_state = "busy"
        return stats
    send_digests(day, now, stats)
    return stats


def _intake_round(worker_id: str, echo: Callable[[str], None] | None) -> None:
    from dieuhanh.documents.intake.jobs import run_pending

    try:
        done = run_pending(worker_id)
    except Exception:
        log.exception("intake round failed")
        connection.close()
        return
    if done and echo:
        echo(f"Đã đọc {done} tệp tải lên (intake jobs processed)")


def _render_round(worker_id: str, echo: Callable[[str], None] | None) -> None:
    from dieuhanh.drafts.rendering import run_pending

    try:
        done = run_pending(worker_id, limit=1)
    except Exception:
        log.exception("render round failed")
        connection.close()
        return
    if done and echo:
        echo(f"Đã tạo PDF của {done} dự thảo (draft PDFs rendered)")


def loop(interval: float = 60, worker_id: str | None = None, stop: threading.Event | None = None,
         echo: Callable[[str], None] | None = None, parent_pid: int | None = None) -> int:
    """Run :func:`run_once` every ``interval`` seconds until SIGTERM/SIGINT (or ``stop`` is set).

    With ``parent_pid`` the loop also ends when that process is gone (``dieuhanh demo``).
    """
    stop = stop or threading.Event()
    worker_id = worker_id or default_worker_id()
    if threading.current_thread() is threading.main_thread():
        def _stop(signum: int, frame: Any) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    rounds = 0
    while not stop.is_set():
        if parent_pid and os.getppid() != parent_pid:
            break
        close_old_connections()
        try:
            beat(worker_id, interval, rounds)
        except Exception:  # noqa: BLE001 - the round itself says what is wrong with the database
            log.warning("heartbeat not written", exc_info=True)
        try:
            stats = run_once(worker_id=worker_id)
            if echo and (stats.scan_state == "done" or stats.digests or stats.failed or stats.extra.get("rendered")):
                echo(str(stats))
        except Exception:
            log.exception("worker round failed; retrying in %ss", interval)
            connection.close()
        rounds += 1
        deadline = time.monotonic() + interval
        while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            _intake_round(worker_id, echo)  # uploads waiting for OCR/conversion start within a second
            _render_round(worker_id, echo)  # a signed draft's PDF too
            stop.wait(min(left, 1.0))
            if parent_pid and os.getppid() != parent_pid:
                stop.set()  # the demo server that started us is gone
    connection.close()
    return rounds

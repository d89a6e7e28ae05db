"""The reminder worker: which reminders on which days, escalation, digests, claims, idempotence."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat

from dieuhanh.accounts.models import Role, User
from dieuhanh.tasks import worker
from dieuhanh.tasks.models import (
    Assignment, CalendarDay, Notification, NotificationKind as K, Status, Task, WorkerCursor,
)
from dieuhanh.tasks.notify import notify
from tests.conftest import REPO
from tests.factories import UserFactory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ON_POSTGRES = connection.vendor == "postgresql"


def at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def need_calendar() -> None:
    """Weekend/holiday cases need the working-day calendar (dieuhanh.tasks.calendar)."""
    try:
        from dieuhanh.tasks.calendar import work_calendar  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("dieuhanh.tasks.calendar is missing: weekend/holiday reminders are untested")
        pytest.skip("dieuhanh.tasks.calendar (working-day calendar) has not landed yet")


@pytest.fixture(autouse=True)
def _rules(settings):  # type: ignore[no-untyped-def]
    settings.TASKS_REMIND_DAYS_BEFORE = 3
    settings.TASKS_ACK_WITHIN_DAYS = 2
    settings.TASKS_ESCALATE_UNIT_HEAD_DAYS = 3
    settings.TASKS_ESCALATE_LEADER_DAYS = 7
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_calendar():  # type: ignore[no-untyped-def]
    # work_calendar() is cached per process; a test's rolled-back CalendarDay must not leak into the next.
    try:
        from dieuhanh.tasks.calendar import invalidate_calendar
    except ImportError:
        yield
        return
    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture
def people(actors):  # type: ignore[no-untyped-def]
    User.objects.update(email=Concat("username", Value("@example.org")))
    for user in actors.values():
        user.refresh_from_db()
    return actors


def make(units, people, *, unit="noi_vu", due=None, status=Status.ACKNOWLEDGED, created=None,  # type: ignore[no-untyped-def]
         by="district", title="Báo cáo sơ kết công tác cải cách hành chính", assignee=None):
    task = Task.objects.create(title=title, assigned_by_unit=units[by], assigned_by=people["district_leader"])
    return Assignment.objects.create(task=task, unit=units[unit], due_on=due, original_due_on=due, status=status,
                                     created_at=created or at(date(2026, 10, 1), 9), assignee=assignee,
                                     acknowledged_at=None if status == Status.NEW else at(date(2026, 10, 1), 10))


def kinds_on(day: date, assignment: Assignment | None = None) -> dict[str, set[str]]:
    """Run the worker on ``day``; return {username: {kind, …}} of what was created that day."""
    with time_machine.travel(at(day), tick=False):
        worker.run_once(now=at(day), worker_id="test")
    qs = Notification.objects.filter(created_at=at(day))
    if assignment is not None:
        qs = qs.filter(assignment=assignment)
    found: dict[str, set[str]] = {}
    for username, kind in qs.values_list("user__username", "kind"):
        found.setdefault(username, set()).add(kind)
    return found


DOERS = {"cv.noivu", "tp.noivu"}  # the Phòng Nội vụ's users


# --- which reminder on which day ---------------------------------------------------------


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 10, 12), set()),               # Mon: 4 working days before Fri — not yet
    (date(2026, 10, 13), {K.BEFORE_DUE}),       # Tue: 3 working days before
    (date(2026, 10, 16), {K.DUE_TODAY}),        # Fri: the deadline
    (date(2026, 10, 17), set()),               # Sat: no reminders on a day off
    (date(2026, 10, 19), {K.OVERDUE}),          # Mon: overdue (1 working day)
])
def test_reminder_kinds_for_a_friday_deadline(units, people, day, expected) -> None:  # type: ignore[no-untyped-def]
    need_calendar()
    a = make(units, people, due=date(2026, 10, 16))
    found = kinds_on(day, a)
    assert set(found) == (DOERS if expected else set())
    assert all(kinds == expected for kinds in found.values())


def test_before_due_is_sent_once_per_deadline_and_again_after_an_extension(units, people) -> None:
    need_calendar()
    a = make(units, people, due=date(2026, 10, 16))
    assert kinds_on(date(2026, 10, 13), a)["cv.noivu"] == {K.BEFORE_DUE}
    assert kinds_on(date(2026, 10, 14), a) == {}  # same deadline: already told
    Assignment.objects.filter(pk=a.pk).update(due_on=date(2026, 10, 19))  # extension approved
    assert kinds_on(date(2026, 10, 15), a)["cv.noivu"] == {K.BEFORE_DUE}


def test_a_deadline_on_a_weekend_is_due_on_the_last_working_day_before_it(units, people) -> None:
    need_calendar()
    a = make(units, people, due=date(2026, 10, 18))  # Sunday
    assert kinds_on(date(2026, 10, 12), a) == {}  # 4 working days before Friday
    assert kinds_on(date(2026, 10, 13), a)["cv.noivu"] == {K.BEFORE_DUE}
    assert kinds_on(date(2026, 10, 16), a)["cv.noivu"] == {K.DUE_TODAY}
    assert kinds_on(date(2026, 10, 19), a)["cv.noivu"] == {K.OVERDUE}


def test_public_holidays_are_skipped(units, people) -> None:
    need_calendar()
    from dieuhanh.tasks.calendar import work_calendar

    cal = work_calendar()
    if cal.is_working_day(date(2026, 9, 2)) or cal.is_working_day(date(2026, 8, 31)):
        pytest.skip("this holidays package does not give 31/8–2/9/2026 off")
    a = make(units, people, due=date(2026, 9, 1))  # a holiday: the last working day before it is Fri 28/8
    assert kinds_on(date(2026, 8, 28), a)["cv.noivu"] == {K.DUE_TODAY}
    assert kinds_on(date(2026, 8, 31), a) == {}  # Mon 31/8 is a day off
    assert kinds_on(date(2026, 9, 2), a) == {}
    assert kinds_on(date(2026, 9, 3), a)["cv.noivu"] == {K.OVERDUE}
    message = Notification.objects.get(key=f"{K.OVERDUE}:{a.pk}:{people['district_specialist'].pk}:2026-09-01:0").message
    assert "quá hạn 1 ngày làm việc" in message  # only Thu 3/9 counts


def test_an_administrator_day_off_moves_the_due_day_reminder(units, people) -> None:
    need_calendar()
    CalendarDay.objects.create(day=date(2026, 10, 16), is_working_day=False, name="Nghỉ bù")
    a = make(units, people, due=date(2026, 10, 16))
    assert kinds_on(date(2026, 10, 15), a)["cv.noivu"] == {K.DUE_TODAY}
    assert kinds_on(date(2026, 10, 16), a) == {}


def test_unacknowledged_assignments_are_chased_after_n_working_days(units, people) -> None:
    need_calendar()
    a = make(units, people, status=Status.NEW, created=at(date(2026, 10, 15), 9))  # Thursday, no deadline
    assert kinds_on(date(2026, 10, 16), a) == {}  # 1 working day
    assert kinds_on(date(2026, 10, 17), a) == {}  # Saturday
    assert kinds_on(date(2026, 10, 19), a)["cv.noivu"] == {K.UNACKNOWLEDGED}  # 2 working days
    assert kinds_on(date(2026, 10, 20), a) == {}  # then every TASKS_OVERDUE_REPEAT_DAYS (5) working days
    assert kinds_on(date(2026, 10, 26), a)["cv.noivu"] == {K.UNACKNOWLEDGED}  # 7 working days
    Assignment.objects.filter(pk=a.pk).update(status=Status.ACKNOWLEDGED, acknowledged_at=at(date(2026, 10, 26)))
    assert kinds_on(date(2026, 11, 2), a) == {}


def test_finished_submitted_and_cancelled_work_is_not_chased(units, people) -> None:
    due = date(2026, 10, 5)
    done = make(units, people, due=due, status=Status.DONE)
    submitted = make(units, people, due=due, status=Status.SUBMITTED, title="Chờ duyệt")
    cancelled = make(units, people, due=due, title="Đã hủy")
    Task.objects.filter(pk=cancelled.task_id).update(cancelled_at=at(date(2026, 10, 2)))
    kinds_on(date(2026, 10, 19))
    assert not Notification.objects.filter(assignment__in=[done, submitted, cancelled]).exists()


# --- escalation ------------------------------------------------------------------------------


def test_escalation_chain_unit_head_then_the_assigners_leader(units, people) -> None:
    need_calendar()
    a = make(units, people, due=date(2026, 10, 16))  # Phòng Nội vụ, assigned by UBND quận Cái Răng
    day1 = kinds_on(date(2026, 10, 19), a)  # 1 working day overdue
    assert day1 == {"cv.noivu": {K.OVERDUE}, "tp.noivu": {K.OVERDUE}}
    assert kinds_on(date(2026, 10, 20), a) == {}  # 2: overdue is repeated every 5 working days, not daily
    day3 = kinds_on(date(2026, 10, 21), a)  # 3: the unit head
    assert day3 == {"tp.noivu": {K.ESCALATED}}
    assert kinds_on(date(2026, 10, 22), a) == {}  # escalated once per deadline, not every day
    day6 = kinds_on(date(2026, 10, 26), a)  # 6: the second overdue reminder
    assert day6 == {"cv.noivu": {K.OVERDUE}, "tp.noivu": {K.OVERDUE}}
    day7 = kinds_on(date(2026, 10, 27), a)  # 7: the leader of the assigning committee
    assert day7 == {"pct.cairang": {K.ESCALATED}}
    escalated = Notification.objects.filter(kind=K.ESCALATED, assignment=a)
    assert sorted(escalated.values_list("user__username", flat=True)) == ["pct.cairang", "tp.noivu"]
    assert not Notification.objects.filter(user__username__in=["vanthu.tanan", "quantri"]).exists()


def test_a_ward_committee_escalates_to_its_chairman(units, people) -> None:
    need_calendar()
    a = make(units, people, unit="le_binh", due=date(2026, 10, 16))
    kinds_on(date(2026, 10, 19), a)
    found = kinds_on(date(2026, 10, 21), a)
    assert found["ct.lebinh"] == {K.ESCALATED}
    assert Notification.objects.filter(user__username="vanthu.lebinh", kind=K.OVERDUE).count() == 1
    assert "vanthu.balang" not in found


# --- digests --------------------------------------------------------------------------------


def test_one_digest_per_user_listing_their_notifications(units, people) -> None:
    need_calendar()
    make(units, people, due=date(2026, 10, 16))
    make(units, people, due=date(2026, 10, 14), title="Rà soát thủ tục hành chính")
    with time_machine.travel(at(date(2026, 10, 16)), tick=False):
        stats = worker.run_once(worker_id="w1")
    assert stats.scan_state == "done" and stats.created == 4 and stats.digests == 2
    by_user = {m.to[0]: m for m in mail.outbox}
    assert set(by_user) == {"cv.noivu@example.org", "tp.noivu@example.org"}
    message = by_user["cv.noivu@example.org"]
    assert message.subject == "[Điều hành] 2 việc cần chú ý ngày 16/10/2026"
    assert "Rà soát thủ tục hành chính" in message.body and "Báo cáo sơ kết" in message.body
    assert message.body.index("Quá hạn") < message.body.index("Đến hạn hôm nay")  # worst first
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<li>" in html
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert set(Notification.objects.values_list("digest_day", flat=True)) == {date(2026, 10, 16)}


def test_running_twice_sends_nothing_new(units, people) -> None:
    make(units, people, due=date(2026, 10, 16))
    first = kinds_on(date(2026, 10, 16))
    rows, sent = Notification.objects.count(), len(mail.outbox)
    assert first and sent == 2
    again = worker.run_once(now=at(date(2026, 10, 16), 15), worker_id="other")
    assert again.scan_state == "skipped" and again.digests == 0
    # Even a forced second scan creates no row: the keys are deterministic.
    assert worker.scan(date(2026, 10, 16), at(date(2026, 10, 16), 16)) == (1, 0)
    assert Notification.objects.count() == rows and len(mail.outbox) == sent


def test_later_events_wait_for_the_next_days_digest(units, people) -> None:
    a = make(units, people, due=date(2026, 10, 16))
    kinds_on(date(2026, 10, 16))
    assert len(mail.outbox) == 2
    with time_machine.travel(at(date(2026, 10, 16), 14), tick=False):
        notify([people["district_specialist"]], a, K.EVENT, "Nhiệm vụ bị trả lại", key=f"returned:{a.pk}:1")
        worker.run_once(worker_id="w")
    assert len(mail.outbox) == 2  # already had today's digest
    with time_machine.travel(at(date(2026, 10, 17)), tick=False):  # Saturday: no scan, but digests go out
        worker.run_once(worker_id="w")
    assert [m.to for m in mail.outbox[2:]] == [["cv.noivu@example.org"]]
    assert mail.outbox[2].subject == "[Điều hành] 1 việc cần chú ý ngày 17/10/2026"


def test_never_an_empty_digest(units, people) -> None:
    kinds_on(date(2026, 10, 16))  # nothing to remind anyone of
    assert mail.outbox == []
    a = make(units, people, due=date(2026, 10, 20))
    notify([people["district_specialist"]], a, K.EVENT, "Đã đọc trên web", key="read-before")
    Notification.objects.update(read_at=at(date(2026, 10, 16), 8))  # read in the app before the digest
    worker.run_once(now=at(date(2026, 10, 19)), worker_id="w")
    assert [m.to for m in mail.outbox] == [["cv.noivu@example.org"], ["tp.noivu@example.org"]]  # only the new reminder
    assert all(m.subject.startswith("[Điều hành] 1 việc") for m in mail.outbox)


def test_users_without_email_keep_their_notifications_in_the_app(units, people) -> None:
    User.objects.filter(username="cv.noivu").update(email="")
    make(units, people, due=date(2026, 10, 16))
    kinds_on(date(2026, 10, 16))
    assert [m.to for m in mail.outbox] == [["tp.noivu@example.org"]]
    assert Notification.objects.filter(user__username="cv.noivu", emailed_at__isnull=True).count() == 1


def test_a_failed_send_is_retried_next_round(units, people, monkeypatch) -> None:
    make(units, people, due=date(2026, 10, 16))
    real = worker.EmailMultiAlternatives.send
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("SMTP down")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(worker.EmailMultiAlternatives, "send", flaky)
    first = worker.run_once(now=at(date(2026, 10, 16)), worker_id="w")
    assert first.failed == 1 and first.digests == 1
    second = worker.run_once(now=at(date(2026, 10, 16), 8), worker_id="w")
    assert second.digests == 1 and len(mail.outbox) == 2
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_claim_left_by_a_dead_worker_is_sent_the_next_day(units, people) -> None:
    make(units, people, due=date(2026, 10, 16))
    day = date(2026, 10, 16)
    worker.claim_job(worker.SCAN_JOB, day, "dead", at(day))
    worker.scan(day, at(day))
    worker.finish_job(worker.SCAN_JOB, day, "dead", at(day))
    Notification.objects.update(digest_day=day)  # claimed, then the worker died before sending
    worker.run_once(now=at(day, 9), worker_id="w")
    assert mail.outbox == []  # today's digest counts as taken
    worker.run_once(now=at(day + timedelta(days=1)), worker_id="w")
    assert len(mail.outbox) == 2


# --- claims and concurrency -----------------------------------------------------------------


def test_scan_claim_is_taken_once_and_a_stale_claim_is_taken_over(db) -> None:
    day, now = date(2026, 10, 16), at(date(2026, 10, 16))
    assert worker.claim_job("scan", day, "a", now)
    assert not worker.claim_job("scan", day, "b", now + timedelta(seconds=30))
    assert worker.claim_job("scan", day, "b", now + worker.STALE_CLAIM + timedelta(seconds=1))
    worker.finish_job("scan", day, "b", now)
    assert not worker.claim_job("scan", day, "c", now + timedelta(days=1))
    assert WorkerCursor.objects.get().claimed_by == "b"


def test_a_worker_waits_while_another_scans(units, people) -> None:
    make(units, people, due=date(2026, 10, 16))
    day = date(2026, 10, 16)
    assert worker.claim_job(worker.SCAN_JOB, day, "a", at(day))
    stats = worker.run_once(now=at(day), worker_id="b")
    assert stats.scan_state == "busy" and stats.digests == 0 and mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_email_each_notification_exactly_once(settings, monkeypatch) -> None:
    if not ON_POSTGRES:
        pytest.skip("SKIP LOCKED concurrency needs PostgreSQL (SQLite serialises writers); "
                    "the PostgreSQL pass of .ci/run runs this test")
    from tests.factories import build_actors, build_tree

    units = build_tree()
    build_actors(units)
    staff = [UserFactory(username=f"cb{i}", unit=units["le_binh"], email=f"cb{i}@example.org") for i in range(30)]
    day = date(2026, 10, 16)
    task = Task.objects.create(title="Tổng kết", assigned_by_unit=units["district"])
    Assignment.objects.create(task=task, unit=units["le_binh"], due_on=day, original_due_on=day)
    for i, user in enumerate(staff):
        notify([user], None, K.EVENT, f"Sự kiện {i}", key=f"e{i}")
    real = worker._send_digest

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.005)
        return real(*args, **kwargs)

    monkeypatch.setattr(worker, "_send_digest", slow)
    barrier = threading.Barrier(2)
    results: list[worker.Stats] = []
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            barrier.wait()
            for _ in range(3):
                results.append(worker.run_once(now=at(day), worker_id=name))
        except BaseException as err:  # noqa: BLE001
            errors.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("w1", "w2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(s.scan_state == "done" for s in results) == 1
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)), "a user got two digests"
    total = Notification.objects.exclude(user__email="").count()  # the ward's named actors have no address
    assert total >= 30 and sum(s.emailed for s in results) == total
    assert not Notification.objects.filter(emailed_at__isnull=True).exclude(user__email="").exists()
    assert {s.worker_id for s in results if s.digests} <= {"w1", "w2"}


# --- entry points ----------------------------------------------------------------------------


def test_management_command_once(units, people, capsys) -> None:
    make(units, people, due=date(2026, 10, 16))
    with time_machine.travel(at(date(2026, 10, 16)), tick=False):
        call_command("worker", "--once", "--worker-id", "cmd")
    out = capsys.readouterr().out
    assert "16/10/2026 [cmd]" in out and "thư: 2" in out
    assert len(mail.outbox) == 2


def test_cli_worker_once(units, people, capsys) -> None:
    from dieuhanh.cli import main

    with time_machine.travel(at(date(2026, 10, 16)), tick=False):
        assert main(["worker", "--once"]) == 0
    assert "16/10/2026" in capsys.readouterr().out


def test_loop_runs_rounds_until_asked_to_stop_and_survives_a_failed_round(monkeypatch) -> None:
    calls: list[str] = []

    def fake_run_once(worker_id=None):  # type: ignore[no-untyped-def]
        calls.append(worker_id)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return worker.Stats(day=date(2026, 10, 16), worker_id=worker_id)

    monkeypatch.setattr(worker, "run_once", fake_run_once)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(worker.log, "exception", lambda *args, **kwargs: calls.append("logged"))
    stop = threading.Event()
    rounds: list[int] = []
    thread = threading.Thread(target=lambda: rounds.append(worker.loop(0.01, worker_id="t", stop=stop)))
    thread.start()
    time.sleep(0.2)
    stop.set()
    thread.join(5)
    assert not thread.is_alive() and rounds[0] >= 2 and calls[:2] == ["t", "logged"]


@pytest.mark.sqlite_only
def test_worker_process_stops_cleanly_on_sigterm(tmp_path) -> None:
    env = {**os.environ, "SQLITE_PATH": str(tmp_path / "w.sqlite3"), "DIEUHANH_VAR": str(tmp_path),
           "PYTHONPATH": str(REPO)}
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "dieuhanh.cli"]
    subprocess.run([*cli, "manage", "migrate", "-v", "0"], env=env, check=True, cwd=REPO, timeout=120)
    proc = subprocess.Popen([*cli, "worker", "--interval", "0.2"], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "đang chạy" in (proc.stdout.readline() if proc.stdout else "")
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "Đã dừng" in out and "Traceback" not in out


def test_demo_helpers_start_and_stop_the_worker(monkeypatch, tmp_path) -> None:
    from dieuhanh import cli_server

    started: list[list[str]] = []

    class Fake:
        def __init__(self, argv, env):  # type: ignore[no-untyped-def]
            started.append(argv)
            self.env, self.signals, self.returncode = env, [], None

        def poll(self):  # type: ignore[no-untyped-def]
            return self.returncode

        def send_signal(self, sig):  # type: ignore[no-untyped-def]
            self.signals.append(sig)

        def wait(self, timeout=None):  # type: ignore[no-untyped-def]
            self.returncode = 0
            return 0

    monkeypatch.setattr(cli_server.subprocess, "Popen", Fake)
    proc = cli_server.start_worker()
    assert started == [[sys.executable, "-m", "dieuhanh.cli", "worker"]]
    assert proc.env["DIEUHANH_WORKER_PARENT"] == str(os.getpid())
    cli_server.stop_worker(proc)
    assert proc.signals == [signal.SIGTERM] and proc.returncode == 0


# --- speed ------------------------------------------------------------------------------------


def test_scan_speed(units, people, capsys) -> None:
    """Thousands of open assignments are scanned in well under a second (figure printed with -s)."""
    extra = [UserFactory.build(username=f"nv{i}", unit=units["noi_vu"], role=Role.CHUYEN_VIEN) for i in range(2)]
    User.objects.bulk_create(extra)
    n = 5000
    tasks = Task.objects.bulk_create([Task(title=f"Nhiệm vụ {i}", assigned_by_unit=units["district"]) for i in range(n)])
    day = date(2026, 10, 16)
    dues = [day - timedelta(days=30), day - timedelta(days=3), day, day + timedelta(days=3)]
    Assignment.objects.bulk_create([
        Assignment(task=t, unit=units["noi_vu"], due_on=dues[i % 4], original_due_on=dues[i % 4],
                   status=Status.NEW if i % 5 == 0 else Status.IN_PROGRESS, created_at=at(day - timedelta(days=20)))
        for i, t in enumerate(tasks)])
    if ON_POSTGRES:  # fresh tables have no planner statistics yet; autovacuum would gather them in production
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    started = time.perf_counter()
    examined, created = worker.scan(day, at(day))
    elapsed = time.perf_counter() - started
    rate = examined / elapsed
    with capsys.disabled():
        print(f"\nscan: {examined} assignments, {created} notifications in {elapsed:.2f}s "
              f"= {rate:,.0f} assignments/s ({connection.vendor})")
    assert examined == n + n // 5 and created > 4 * n
    assert rate > 1000


# --- the reminder policy: repeat, catch-up, the top of the chain, purge ----------------------------


def test_overdue_is_repeated_every_n_working_days_and_caught_up_after_a_missed_day(units, people, settings) -> None:
    need_calendar()
    settings.TASKS_OVERDUE_REPEAT_DAYS = 5
    a = make(units, people, due=date(2026, 10, 16))
    days = [date(2026, 10, 19) + timedelta(days=i) for i in range(0, 15) if (date(2026, 10, 19) + timedelta(days=i)).weekday() < 5]
    told = [d for d in days if K.OVERDUE in kinds_on(d, a).get("cv.noivu", set())]
    assert told == [date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2)]  # overdue 1, 6 and 11 days
    b = make(units, people, due=date(2026, 11, 2), title="Báo cáo tình hình")
    # first overdue day Tue 03/11: the worker is down until Thu 05/11, which catches up once
    assert kinds_on(date(2026, 11, 5), b)["cv.noivu"] == {K.OVERDUE}
    assert kinds_on(date(2026, 11, 6), b) == {}


def test_the_chain_ends_with_the_leader_who_signed_the_source_document(units, people) -> None:
    need_calendar()
    from dieuhanh.documents.models import Direction, Document, Register

    signer = UserFactory(username="ct.cairang", unit=units["district"], role=Role.LANH_DAO_UBND,
                         first_name="Nguyễn Văn", last_name="Hòa")
    register = Register.objects.create(unit=units["district"], direction=Direction.INCOMING, name="Sổ đến")
    doc = Document.objects.create(register=register, owner_unit=units["district"], direction=Direction.INCOMING, subject="Kế hoạch CCHC",
                                  number_symbol="313/UBND", reg_year=2026, signer_name="Nguyễn Văn Hòa")
    a = make(units, people, due=date(2026, 10, 16), by="noi_vu", unit="le_binh")
    Task.objects.filter(pk=a.task_id).update(document=doc)
    kinds_on(date(2026, 10, 19), a)
    found = kinds_on(date(2026, 10, 27), a)  # 7 working days: the office's head and the signer, not the other PCT
    assert found["tp.noivu"] == found["ct.cairang"] == {K.ESCALATED}
    assert "pct.cairang" not in found
    Document.objects.filter(pk=doc.pk).update(signer_name="")
    b = make(units, people, due=date(2026, 10, 19), by="noi_vu", unit="le_binh", title="Không rõ người ký")
    Task.objects.filter(pk=b.task_id).update(document=doc)
    found = kinds_on(date(2026, 10, 28), b)  # unknown signer: the committee's leaders
    assert {u for u, k in found.items() if K.ESCALATED in k} >= {"ct.cairang", "pct.cairang", "tp.noivu"}
    assert signer.pk


def test_read_notifications_older_than_the_keep_period_are_purged(units, people, settings) -> None:
    settings.NOTIFICATIONS_KEEP_MONTHS = 12
    a = make(units, people, due=date(2026, 10, 16))
    me = people["district_specialist"]
    notify([me], a, K.EVENT, "cũ, đã đọc", key="old-read")
    notify([me], a, K.EVENT, "cũ, chưa đọc", key="old-unread")
    notify([me], a, K.EVENT, "mới, đã đọc", key="new-read")
    Notification.objects.filter(key__contains="old-read").update(read_at=at(date(2025, 10, 1)))
    Notification.objects.filter(key__contains="new-read").update(read_at=at(date(2026, 9, 1)))
    assert worker.purge_read(at(date(2026, 10, 19))) == 1
    assert sorted(Notification.objects.values_list("message", flat=True)) == ["cũ, chưa đọc", "mới, đã đọc"]

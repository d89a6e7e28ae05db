"""Worker claims are leases renewed while the work goes on, so a killed worker's claim expires
within a minute; and every worker round leaves a heartbeat for ``dieuhanh check``."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dieuhanh.tasks import worker
from dieuhanh.tasks.models import WorkerCursor, WorkerHeartbeat


def test_a_killed_workers_claim_expires_within_a_minute(db) -> None:
    assert worker.STALE_CLAIM <= timedelta(minutes=1)
    assert worker.LEASE_RENEW * 2 < worker.STALE_CLAIM  # a live worker renews twice before it could be taken
    day, now = date(2026, 10, 16), timezone.now()
    assert worker.claim_job(worker.SCAN_JOB, day, "killed", now)
    assert not worker.claim_job(worker.SCAN_JOB, day, "other", now + timedelta(seconds=30))
    assert worker.claim_job(worker.SCAN_JOB, day, "other", now + timedelta(seconds=50))
    assert not worker.renew_job(worker.SCAN_JOB, day, "killed")  # the killed one's lease is gone for good


@pytest.mark.django_db(transaction=True)
def test_the_lease_is_renewed_while_the_work_goes_on(monkeypatch) -> None:
    monkeypatch.setattr(worker, "LEASE_RENEW", timedelta(seconds=0.05))
    day = date(2026, 10, 16)
    long_ago = timezone.now() - timedelta(seconds=40)
    assert worker.claim_job(worker.SCAN_JOB, day, "busy", long_ago)
    with worker.LeaseKeeper(worker.SCAN_JOB, day, "busy"):
        time.sleep(0.5)  # a long scan
    claimed_at = WorkerCursor.objects.get().claimed_at
    assert claimed_at > long_ago + timedelta(seconds=30)
    # Renewed, so another worker cannot take it 45 s after the original claim.
    assert not worker.claim_job(worker.SCAN_JOB, day, "other", long_ago + timedelta(seconds=50))


@pytest.mark.django_db(transaction=True)
def test_each_round_leaves_a_heartbeat(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The test waits on an in-memory count of beats, never on the database, while the loop runs:
    # SQLite's shared in-memory test database refuses a second connection's read during a write
    # ("table is locked") instead of waiting.
    beats = threading.Semaphore(0)
    real_beat = worker.beat

    def counted_beat(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_beat(*args, **kwargs)
        beats.release()

    monkeypatch.setattr(worker, "beat", counted_beat)
    stop = threading.Event()
    runner = threading.Thread(target=worker.loop, kwargs={"interval": 0.05, "worker_id": "may-chu-1:42",
                                                          "stop": stop})
    runner.start()
    for _ in range(3):  # the third beat records two finished rounds
        assert beats.acquire(timeout=60)
    stop.set()
    runner.join(120)
    assert not runner.is_alive()
    beat = WorkerHeartbeat.objects.get(worker_id="may-chu-1:42")
    assert beat.rounds >= 2 and beat.interval == 0.05
    assert timezone.now() - beat.seen_at < timedelta(seconds=60)

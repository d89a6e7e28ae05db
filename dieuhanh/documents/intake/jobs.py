"""The worker's side of the intake: claim a staged upload, OCR or convert it, record progress.

``run_pending`` is called by ``dieuhanh worker`` about once a second. A job is claimable
while it still ``needs`` something ("ocr", "convert", "signatures") and nobody holds it, or
its holder has not renewed the claim for ``LEASE`` (a worker killed mid-OCR): the claim is
one conditional UPDATE per row, so two workers never take the same job on SQLite or
PostgreSQL alike. The holder renews ``claimed_at`` on every progress message and every
``HEARTBEAT`` seconds while Tesseract or LibreOffice runs; it writes its result only
while it still holds the claim. A job tried ``MAX_ATTEMPTS`` times (its workers died each
time) fails with a message instead of killing the next worker too.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.documents import storage
from dieuhanh.documents.intake import chain
from dieuhanh.documents.models import Document, IntakeJob, IntakeStatus

log = logging.getLogger("dieuhanh.worker")

LEASE = timedelta(seconds=60)
HEARTBEAT = 15.0
MAX_ATTEMPTS = 3
_ACTIVE = (IntakeStatus.QUEUED, IntakeStatus.WORKING, IntakeStatus.READY, IntakeStatus.SAVED)


def _claimable(now: datetime) -> Q:
    return (~Q(needs="") & Q(status__in=_ACTIVE)
            & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE)))


def claim(worker_id: str, now: datetime | None = None) -> IntakeJob | None:
    """The oldest claimable job, now held by ``worker_id``; None when there is none."""
    now = now or timezone.now()
    for pk in IntakeJob.objects.filter(_claimable(now)).order_by("pk").values_list("pk", flat=True)[:10]:
        taken = IntakeJob.objects.filter(_claimable(now), pk=pk).update(
            claimed_by=worker_id[:100], claimed_at=now, attempts=F("attempts") + 1,
            status=Case(When(status=IntakeStatus.QUEUED, then=Value(IntakeStatus.WORKING)), default=F("status")))
        if taken:
            return IntakeJob.objects.get(pk=pk)
    return None


class _Holder:
    """Progress and lease renewal of one claimed job."""

    def __init__(self, job: IntakeJob, worker_id: str) -> None:
        self.job, self.worker_id = job, worker_id[:100]
        self.renewed = time.monotonic()

    def mine(self) -> Any:
        return IntakeJob.objects.filter(pk=self.job.pk, claimed_by=self.worker_id)

    def progress(self, message: dict[str, Any]) -> None:
        page, pages = int(message.get("page") or 0), int(message.get("pages") or 0)
        self.mine().update(page=page, pages=pages, claimed_at=timezone.now(), status=IntakeStatus.WORKING
                           if self.job.status in (IntakeStatus.QUEUED, IntakeStatus.WORKING) else self.job.status)
        self.renewed = time.monotonic()

    def tick(self) -> None:
        if time.monotonic() - self.renewed >= HEARTBEAT:
            self.mine().update(claimed_at=timezone.now())
            self.renewed = time.monotonic()


def process(job: IntakeJob, worker_id: str) -> None:
    """Read the claimed ``job`` fully and store the outcome (only while still holding it)."""
    holder = _Holder(job, worker_id)
    only_signatures = job.needs == "signatures" and job.status in (IntakeStatus.READY, IntakeStatus.SAVED)
    data = storage.staged(job.checksum)
    if job.attempts > MAX_ATTEMPTS:
        outcome = _("Đọc tệp đã bị gián đoạn %(n)s lần; hãy tải tệp lên lại.") % {"n": MAX_ATTEMPTS}
    elif data is None:
        outcome = _("Tệp tạm đã bị xóa (quá hạn); hãy tải tệp lên lại.")
    else:
        try:
            outcome = chain.read(data, job.filename, full=True, on_progress=holder.progress, on_tick=holder.tick)
        except ValidationError as exc:
            outcome = " ".join(exc.messages)
    if only_signatures:
        _store_signatures(job, holder, outcome if isinstance(outcome, dict) else None)
    elif isinstance(outcome, dict):
        chain.apply_result(job, outcome)
        job.needs = ""
        _store(job, holder)
    else:
        chain.fail(job, outcome)
        _store(job, holder)
    if job.status == IntakeStatus.READY and job.auto_register and not only_signatures:
        from dieuhanh.documents.intake.api import register_job

        register_job(job)


def _store(job: IntakeJob, holder: _Holder) -> None:
    written = holder.mine().update(status=job.status, parsed=job.parsed, body=job.body, needs=job.needs,
                                   message=job.message, claimed_by="", claimed_at=None)
    if not written:
        log.warning("intake job %s: claim lost before the result was stored", job.pk)
    elif job.status == IntakeStatus.FAILED:
        storage.unstage(job.checksum)


def _store_signatures(job: IntakeJob, holder: _Holder, outcome: dict[str, Any] | None) -> None:
    """A text PDF read in the request: add its signatures (and nothing else) to the parse."""
    found = ((outcome or {}).get("parsed") or {}).get("signatures")
    signatures = found if isinstance(found, list) else [{"status": "error", "summary": _(
        "Chữ ký số: không kiểm tra được chữ ký.")}]
    parsed = {**job.parsed, "signatures": signatures}
    if holder.mine().update(parsed=parsed, needs="", claimed_by="", claimed_at=None):
        job.parsed, job.needs = parsed, ""
        if job.document_id:
            document = Document.objects.filter(pk=job.document_id).first()
            if document is not None:
                Document.objects.filter(pk=document.pk).update(parsed={**document.parsed, "signatures": signatures})
        if job.status == IntakeStatus.SAVED:
            storage.unstage(job.checksum)


def run_pending(worker_id: str, *, budget: float = 30.0) -> int:
    """Process claimable jobs for up to ``budget`` seconds (one job always finishes)."""
    started, done = time.monotonic(), 0
    while time.monotonic() - started < budget:
        job = claim(worker_id)
        if job is None:
            break
        try:
            process(job, worker_id)
        except Exception:
            log.exception("intake job %s failed; released for another try", job.pk)
            IntakeJob.objects.filter(pk=job.pk, claimed_by=worker_id[:100]).update(claimed_by="", claimed_at=None)
        done += 1
    return done

"""The worker's render jobs: a signed draft → PDF (LibreOffice), signed with PAdES where a certificate
is configured (``drafts.signing``).

Jobs are claimed with a conditional UPDATE (``state`` pending → running), so any number of
workers can run :func:`run_pending`; a job left running by a worker that died is taken again
after :data:`STALE`. ``ky`` renders the signed draft (no number yet) onto ``Draft.pdf``;
``phat_hanh`` renders the issued document with its number and date and attaches the PDF to the
issued ``documents.Document`` as its main file.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from dieuhanh.accounts.audit import record
from dieuhanh.accounts.models import AuditAction
from dieuhanh.drafts import layout, signing
from dieuhanh.drafts.models import Draft, JobState, PdfState, RenderJob

log = logging.getLogger("dieuhanh.worker")
STALE = timedelta(minutes=15)
MAX_ATTEMPTS = 3


def docx_to_pdf_bytes(docx: bytes, stem: str = "van-ban") -> bytes:
    from dieuhanh.reports.pdf import docx_to_pdf

    with tempfile.TemporaryDirectory(prefix="dieuhanh-draft-") as work:
        source = Path(work) / f"{stem}.docx"
        source.write_bytes(docx)
        return docx_to_pdf(source, Path(work) / "pdf").read_bytes()


def _claim(worker_id: str, now: Any) -> RenderJob | None:
    stale = now - STALE
    candidates = (RenderJob.objects.filter(Q(state=JobState.PENDING) | Q(state=JobState.RUNNING, claimed_at__lt=stale))
                  .filter(attempts__lt=MAX_ATTEMPTS).order_by("id").values_list("pk", "state")[:5])
    for pk, state in candidates:
        condition = Q(pk=pk, state=state)
        if state == JobState.RUNNING:
            condition &= Q(claimed_at__lt=stale)
        claimed = RenderJob.objects.filter(condition).update(state=JobState.RUNNING, claimed_by=worker_id[:100],
                                                             claimed_at=now, attempts=F("attempts") + 1)
        if claimed:
            return RenderJob.objects.select_related("draft", "draft__issuer_unit", "draft__signer",
                                                    "draft__document").get(pk=pk)
    return None


def render_pdf(draft: Draft, *, issued: bool) -> tuple[bytes, bool, str]:
    """(PDF bytes, digitally signed?, note). The signer's certificate signs; on the issued document the
    body's seal certificate signs after it, as the văn thư does when stamping the number."""
    document = draft.document if issued else None
    number = str(document.number) if document is not None and document.number else None
    docx = layout.render_docx(draft, number=number, date=document.issued_on if document is not None else None)
    pdf = docx_to_pdf_bytes(docx)
    certificates = [(signing.certificate_for_user(draft.signer), "Signature1", "Ký duyệt")]
    if issued:
        certificates.append((signing.certificate_for_unit(draft.issuer_unit), "Signature2", "Phát hành"))
    signed = False
    for certificate, field, reason in certificates:
        if certificate is not None:
            pdf = signing.sign_pdf(pdf, certificate, field=field, reason=reason)
            signed = True
    if not signed:
        return pdf, False, "PDF không được ký số"
    found = signing.verify(pdf)
    if not found or any(s.get("intact") is not True for s in found):
        raise signing.SigningError("Chữ ký số trên PDF không kiểm tra được: "
                                   + "; ".join(str(s.get("summary")) for s in found))
    return pdf, True, "; ".join(str(s.get("summary")) for s in found)[:255]


def _store_signed(job: RenderJob, pdf: bytes, signed: bool, note: str) -> None:
    draft = job.draft
    with transaction.atomic():
        draft.pdf.save(f"{draft.pk}-ky.pdf", ContentFile(pdf), save=False)
        draft.pdf_state, draft.pdf_signed, draft.pdf_note = PdfState.DONE, signed, note
        draft.save(update_fields=["pdf", "pdf_state", "pdf_signed", "pdf_note", "updated_at"])
        record(None, AuditAction.STATE, draft, unit_id=draft.unit_id, actor_name="worker",
               after={"pdf_state": PdfState.DONE, "pdf_signed": signed}, note=note)


def _store_issued(job: RenderJob, pdf: bytes, signed: bool, note: str) -> None:
    from dieuhanh.documents.models import Attachment
    from dieuhanh.documents.services import IntakeFile, _attach

    document = job.draft.document
    created: list[str] = []
    with transaction.atomic():
        Attachment.objects.filter(document=document, is_main=True).update(is_main=False)
        name = f"{document.number_symbol.replace('/', '-')}.pdf"
        _attach(None, document, IntakeFile(pdf, name), True, created)
        record(None, AuditAction.UPDATE, document, unit_id=document.owner_unit_id, actor_name="worker",
               note=f"PDF {'đã ký số' if signed else 'không được ký số'}: {note}"[:255])


def run_job(job: RenderJob) -> None:
    issued = job.kind == RenderJob.KIND_ISSUED
    try:
        pdf, signed, note = render_pdf(job.draft, issued=issued)
        (_store_issued if issued else _store_signed)(job, pdf, signed, note)
    except Exception as exc:  # noqa: BLE001 - recorded on the job; the worker goes on
        message = str(exc)[:500] or type(exc).__name__
        log.warning("render job %s failed: %s", job.pk, message)
        final = job.attempts >= MAX_ATTEMPTS
        RenderJob.objects.filter(pk=job.pk).update(state=JobState.FAILED if final else JobState.PENDING,
                                                   error=message, finished_at=timezone.now())
        if final and not issued:
            Draft.objects.filter(pk=job.draft_id).update(pdf_state=PdfState.FAILED, pdf_note=message[:255])
        return
    RenderJob.objects.filter(pk=job.pk).update(state=JobState.DONE, error="", finished_at=timezone.now())


def run_pending(worker_id: str, *, limit: int = 10, now: Any = None) -> int:
    """Claim and run up to ``limit`` render jobs; returns how many ran."""
    done = 0
    while done < limit:
        job = _claim(worker_id, now or timezone.now())
        if job is None:
            break
        run_job(job)
        done += 1
    return done

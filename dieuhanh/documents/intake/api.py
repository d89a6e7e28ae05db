"""API uploads: registered as soon as they are read, by the request or by the worker.

``POST /api/documents`` has no review form: a file that reads quickly is registered in
the request (201), one that needs OCR or conversion is staged (202 with the intake's
id) and registered by the worker when read; ``GET /api/intakes/{id}`` tells its state.
A duplicate is not registered: the intake fails with the existing document's id.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from dieuhanh.documents.intake import chain
from dieuhanh.documents.intake.fields import fields_from_parse
from dieuhanh.documents.models import IntakeJob, IntakeStatus


def register_job(job: IntakeJob, *, request: Any = None, allow_duplicate: bool = False) -> Any:
    """Register a read job from its parse alone; the document, or None (job failed)."""
    duplicates = [] if allow_duplicate else chain.detect_duplicates(job.user, job)
    if duplicates:
        message = duplicates[0].message
        job.parsed = {**job.parsed, "duplicate_of": duplicates[0].document.pk}
        IntakeJob.objects.filter(pk=job.pk).update(status=IntakeStatus.FAILED, message=message, parsed=job.parsed)
        job.status, job.message = IntakeStatus.FAILED, message
        return None
    try:
        return chain.register(job.user, job, fields_from_parse(job.parsed), request=request)
    except (ValidationError, PermissionDenied) as exc:
        message = " ".join(getattr(exc, "messages", [str(exc)])) or _("Không vào sổ được.")
        IntakeJob.objects.filter(pk=job.pk).update(status=IntakeStatus.FAILED, message=message)
        job.status, job.message = IntakeStatus.FAILED, message
        return None


def job_out(job: IntakeJob) -> dict[str, Any]:
    return {"id": job.pk, "status": job.status, "progress": str(job.progress_text), "message": job.message,
            "filename": job.filename, "document_id": job.document_id,
            "duplicate_of": (job.parsed or {}).get("duplicate_of")}

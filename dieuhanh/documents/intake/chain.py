"""Intake as one chain of small steps, shared by the web intake, the API and the worker.

    accept → stage → read (fast in the request, or convert/OCR in the worker) → parse
           → normalise the issuer → detect duplicates → review (web) or register (API)

* ``accept``: size, type and emptiness of an upload or pasted text (``ValidationError``).
* ``stage``: the bytes wait in ``MEDIA_ROOT/tmp``; an ``IntakeJob`` row names them.
* ``read``: ``reading.read_and_parse`` in a forked child with time and memory limits
  (``sandbox``); in a request only the fast kinds are read, scans and .doc wait for
  the worker (``jobs``), which calls the same step in full mode.
* ``normalise_issuer``: the issuer's official name from the agency directory
  (``dieuhanh.lib.agencies``); the name as printed stays in ``parsed["issuer_printed"]``.
* ``detect_duplicates``: visible documents with the same file or the same number,
  symbol, issuer and date (``services.find_duplicates``).

``dieuhanh parse`` calls ``vanban`` directly: the read and parse steps are vanban's own
(pure Python, no database), and the Django steps (jobs, duplicates) mean nothing there.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dieuhanh.documents import storage
from dieuhanh.documents.intake import fields as intake_fields
from dieuhanh.documents.intake import reading, sandbox
from dieuhanh.documents.models import IntakeJob, IntakeStatus, Register
from dieuhanh.lib import agencies

# A request reads text, DOCX and text PDFs only; these bound it (a fork of the web worker).
FAST_TIMEOUT = 20.0
FAST_MEMORY_MB = 1536
# Bigger sources go to the worker unread: parsing runs at ~0.5 MB/s, and the upload must answer at once.
FAST_MAX_BYTES = 1024 * 1024
# The worker's reading: OCR of up to ``ocr.MAX_OCR_PAGES`` pages, LibreOffice, pyHanko.
FULL_TIMEOUT = 900.0
FULL_MEMORY_MB = 3072


def accept(*, data: bytes | None = None, filename: str | None = None,
           text: str | None = None) -> intake_fields.IntakeFile:
    """Step 1: the source, checked (one of file/text, not empty, size, type)."""
    raw, name, kind = intake_fields._raw_source(data, filename, text)
    intake_fields.check_size(len(raw))
    return intake_fields.IntakeFile(raw, name if kind == "file" else "")  # no name: pasted text


def stage(user: Any, register: Register, source: intake_fields.IntakeFile, *, auto_register: bool = False) -> IntakeJob:
    """Step 2: the bytes in the staging area and a queued job naming them."""
    checksum = storage.stage(source.data)
    return IntakeJob.objects.create(
        user=user, register=register, kind="file" if source.filename else "text",
        filename=source.filename[:255], size=len(source.data), checksum=checksum, auto_register=auto_register)


def read(data: bytes, filename: str, *, full: bool = False, on_progress: Any = None,
         on_tick: Any = None) -> dict[str, Any]:
    """Step 3 (+ parse): ``reading.read_and_parse`` in the sandbox. Raises ValidationError."""
    mode = reading.FULL if full else reading.FAST
    layer_dir = str(storage.stage_dir()) if full else ""
    try:
        return sandbox.run(reading.read_and_parse, data, filename or intake_fields.PASTED_NAME, mode,
                           settings.UPLOAD_MAX_BYTES, layer_dir,
                           timeout=FULL_TIMEOUT if full else FAST_TIMEOUT,
                           memory_mb=FULL_MEMORY_MB if full else FAST_MEMORY_MB,
                           on_message=on_progress, on_tick=on_tick)
    except sandbox.SandboxError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def normalise_issuer(parsed: dict[str, Any]) -> dict[str, Any]:
    """Step 4: the issuer (and the parent body) under their directory names."""
    for key in ("issuer", "issuer_parent"):
        printed = parsed.get(key)
        if not printed:
            continue
        name, agency = agencies.normalise(str(printed))
        if name != printed:
            parsed[f"{key}_printed"] = printed
            parsed[key] = name
        if agency is not None and agency.e_id and key == "issuer":
            parsed["issuer_e_id"] = agency.e_id
    return parsed


def detect_duplicates(user: Any, job: IntakeJob) -> list[Any]:
    """Step 5: documents the user can see that this upload would repeat."""
    from dieuhanh.documents.services import find_duplicates

    fields = intake_fields.fields_from_parse(job.parsed)
    return find_duplicates(user, fields.get("number_symbol"), fields.get("issuer"), fields.get("issued_on"),
                           job.checksum if job.kind == "file" else None)


def apply_result(job: IntakeJob, result: dict[str, Any]) -> None:
    """Record what the reading step gave: the parse (normalised) and the text, or what is left to do."""
    if "parsed" not in result:
        job.needs, job.pages = result.get("needs", ""), int(result.get("pages") or 0)
        job.status = IntakeStatus.QUEUED
        return
    parsed = normalise_issuer(result["parsed"])
    if result.get("layer"):
        parsed["ocr_layer"] = result["layer"]
    job.parsed, job.body = parsed, result.get("body") or ""
    job.needs = result.get("needs") or ""
    job.status = IntakeStatus.READY
    job.message = ""


def fail(job: IntakeJob, message: str) -> None:
    job.status, job.message, job.needs = IntakeStatus.FAILED, message, ""
    job.parsed, job.body = {}, ""


def start(user: Any, register: Register, source: intake_fields.IntakeFile, *,
          auto_register: bool = False) -> IntakeJob:
    """Steps 2–4 in a request: stage, read what is quick to read, leave the rest queued.

    A source that cannot be read at all raises ValidationError and leaves nothing behind."""
    if len(source.data) > FAST_MAX_BYTES:
        result = {"needs": "parse", "pages": 0}
    else:
        result = read(source.data, source.filename)
    job = stage(user, register, source, auto_register=auto_register)
    apply_result(job, result)
    job.save()
    return job


def saved(job: IntakeJob, document: Any) -> None:
    """The job's document was registered: keep the row (idempotency), drop the staged bytes."""
    with transaction.atomic():
        IntakeJob.objects.filter(pk=job.pk).update(status=IntakeStatus.SAVED, document=document, body="")
    job.status, job.document = IntakeStatus.SAVED, document
    if not job.needs:
        storage.unstage(job.checksum)


def register(user: Any, job: IntakeJob, fields: dict[str, Any], *, request: Any = None,
             idempotency_key: str | None = None) -> Any:
    """Last step: file the staged upload into its register with the reviewed ``fields``.

    The text and the parse come from the job (the review form never carries the body);
    the job's id is the idempotency key, so a second submit returns the first document.
    An OCR'd file's searchable PDF is stored beside it as a second attachment."""
    from dieuhanh.documents import services

    if job.document_id is not None:
        return job.document
    data = storage.staged(job.checksum)
    if data is None:
        raise ValidationError(_("Tệp tạm đã bị xóa (quá hạn); hãy tải tệp lên lại."), code="expired")
    values = {**fields, "body": job.body}
    upload = None
    if job.kind == "file":
        upload = intake_fields.IntakeFile(data, job.filename)
    else:
        values["checksum"] = job.checksum
    document = services.register_document(user, job.register, values, upload=upload, parsed=job.parsed,
                                           idempotency_key=idempotency_key or f"intake-{job.pk}", request=request)
    _attach_layer(user, document, job, request)
    saved(job, document)
    return document


def _attach_layer(user: Any, document: Any, job: IntakeJob, request: Any) -> None:
    layer = (job.parsed or {}).get("ocr_layer")
    data = storage.staged(layer) if isinstance(layer, str) else None
    if data is None or document.attachments.filter(checksum=layer).exists():
        return
    from dieuhanh.documents import services

    stem = (job.filename.rsplit(".", 1)[0] if job.filename else "van-ban") or "van-ban"
    services.add_attachment(user, document, intake_fields.IntakeFile(data, f"{stem} (lớp chữ OCR).pdf"),
                            request=request)
    storage.unstage(layer)

"""Intake: a file or pasted text becomes a register entry, in one chain of small steps.

``chain`` holds the steps (accept → read, convert or OCR → parse → normalise the
issuer → detect duplicates → stage for review); ``sandbox`` runs the reading and
parsing in a forked child with time and memory limits; ``jobs`` is the worker's side
(claim a staged intake, OCR or convert it, record progress). ``fields`` turns a parse
into the review form's initial values. The names below are the ones the rest of the
app imports.
"""

from dieuhanh.documents.intake.fields import (
    ALLOWED_EXTENSIONS,
    DATE_FIELDS,
    FIELDS,
    LIST_FIELDS,
    PASTED_NAME,
    TEXT_FIELDS,
    IntakeFile,
    check_size,
    fields_from_parse,
    human_size,
    iso_date,
    preview_intake,
    safe_filename,
)

__all__ = ["ALLOWED_EXTENSIONS", "DATE_FIELDS", "FIELDS", "LIST_FIELDS", "PASTED_NAME", "TEXT_FIELDS", "IntakeFile",
           "check_size", "fields_from_parse", "human_size", "iso_date", "preview_intake", "safe_filename"]

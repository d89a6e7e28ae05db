"""Shapes of the API's answers (dates ISO 8601, as JSON expects; the web pages show dd/mm/yyyy)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str
    errors: list[dict] | None = None


class DuplicateOut(Schema):
    detail: str
    document_id: int


class IntakeOut(Schema):
    """An upload being read in the background (OCR, conversion); the worker registers it when read."""

    id: int
    status: str  # queued, working, ready, failed, saved
    progress: str
    message: str
    filename: str
    document_id: int | None = None
    duplicate_of: int | None = None


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    parent: str | None
    short_names: list[str]
    symbol: str
    place: str
    valid_from: date | None
    valid_to: date | None


class UnitDetailOut(UnitOut):
    aliases: list[str]
    e_id: str
    note: str
    children: list[str]


class RegisterOut(Schema):
    id: int
    name: str
    direction: str
    unit: str


class DocumentOut(Schema):
    id: int
    url: str
    direction: str
    doc_type: str
    number_symbol: str
    issuer: str
    issued_on: date | None
    subject: str
    owner_unit: str
    register_: RegisterOut = Field(..., alias="register")  # "register" would shadow BaseModel.register
    reg_year: int
    reg_number: int | None
    arrived_on: date | None
    due_on: date | None


class CitationOut(Schema):
    number_symbol: str
    cited_on: date | None
    cited_id: int | None


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    is_main: bool


class DocumentDetailOut(DocumentOut):
    issuer_parent: str
    place: str
    recipients: list
    distribution: list
    signer_authority: str
    signer_position: str
    signer_name: str
    urgency: str
    sender: str
    body: str
    created_at: datetime
    citations: list[CitationOut]
    cited_by: list[CitationOut]
    attachments: list[AttachmentOut]
    warnings: list[dict]


class DocumentPage(Schema):
    items: list[DocumentOut]
    count: int
    page: int
    pages: int


class SearchHitOut(Schema):
    document: DocumentOut
    highlight: dict[str, str]


class SearchPageOut(Schema):
    query: str
    items: list[SearchHitOut]
    count: int
    page: int
    pages: int

"""Documents and search: list, detail, intake (POST), search — always within the caller's scope."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from dieuhanh.api.schemas import DocumentDetailOut, DocumentPage, DuplicateOut, ErrorOut, IntakeOut, SearchPageOut
from dieuhanh.documents import search
from dieuhanh.documents.intake import check_size
from dieuhanh.documents.models import Direction, Document
from dieuhanh.lib.filetypes import served_type

router = Router()
MAX_PER_PAGE = 100


class DocumentFilter(Schema):
    direction: Direction | None = None
    doc_type: str | None = None
    issuer: str | None = None
    date_from: date | None = None  # issued on or after (YYYY-MM-DD)
    date_to: date | None = None
    register_id: int | None = Field(None, alias="register")
    q: str | None = None
    page: int = 1
    per_page: int = 20


class SearchQuery(Schema):
    q: str
    page: int = 1
    per_page: int = 20


def _url(doc: Document) -> str:
    try:
        return reverse("documents:detail", args=[doc.pk])
    except NoReverseMatch:
        return ""


def document_out(doc: Document) -> dict[str, Any]:
    register = doc.register
    return {
        "id": doc.pk, "url": _url(doc), "direction": doc.direction, "doc_type": doc.doc_type,
        "number_symbol": doc.number_symbol, "issuer": doc.issuer, "issued_on": doc.issued_on,
        "subject": doc.subject, "owner_unit": doc.owner_unit.code,
        "register": {"id": register.pk, "name": register.name, "direction": register.direction,
                     "unit": register.unit.code},
        "reg_year": doc.reg_year, "reg_number": doc.reg_number, "arrived_on": doc.arrived_on, "due_on": doc.due_on,
    }


def _citation(c: Any, cited_id: int | None) -> dict[str, Any]:
    return {"number_symbol": c.number_symbol, "cited_on": c.cited_on, "cited_id": cited_id}


def document_detail_out(doc: Document, user: Any) -> dict[str, Any]:
    from dieuhanh.documents.services import documents_visible_to

    data = document_out(doc)
    visible = set(documents_visible_to(user).filter(
        pk__in=[c.cited_id for c in doc.citations.all() if c.cited_id]).values_list("pk", flat=True))
    data.update({
        "issuer_parent": doc.issuer_parent, "place": doc.place, "recipients": doc.recipients,
        "distribution": doc.distribution, "signer_authority": doc.signer_authority,
        "signer_position": doc.signer_position, "signer_name": doc.signer_name, "urgency": doc.urgency,
        "sender": doc.sender, "body": doc.body, "created_at": doc.created_at,
        # A cited document outside the caller's scope is named, not linked.
        "citations": [_citation(c, c.cited_id if c.cited_id in visible else None) for c in doc.citations.all()],
        "attachments": [{"id": a.pk, "name": a.original_name, "content_type": served_type(a.content_type),
                         "size": a.size, "is_main": a.is_main} for a in doc.attachments.all()],
        "warnings": [w for w in (doc.parsed or {}).get("warnings") or [] if isinstance(w, dict)],
    })
    # Documents citing this one, those the caller may see.
    data["cited_by"] = [{"number_symbol": c.citing.number_symbol, "cited_on": c.citing.issued_on,
                         "cited_id": c.citing_id} for c in
                        doc.cited_by.filter(citing__in=documents_visible_to(user)).select_related("citing")]
    return data


def _page(qs: QuerySet[Document], page: int, per_page: int) -> tuple[list[Document], int, int, int]:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    count = qs.count()
    pages = max(1, math.ceil(count / per_page))
    page = max(1, min(page, pages))
    rows = list(qs.select_related("register__unit", "owner_unit").defer(*Document.LIST_DEFER)
                [(page - 1) * per_page:page * per_page])
    return rows, count, page, pages


@router.get("/documents", response=DocumentPage, by_alias=True, summary="Danh sách văn bản")
def list_documents(request: HttpRequest, filters: Query[DocumentFilter]) -> dict[str, Any]:
    """Văn bản trong phạm vi của người gọi, mới nhất trước; lọc và tìm như trang Tìm kiếm."""
    qs = search.filter_documents(request.auth, filters.q, doc_type=filters.doc_type, issuer=filters.issuer,
                                 date_from=filters.date_from, date_to=filters.date_to,
                                 register_id=filters.register_id, direction=filters.direction)
    rows, count, page, pages = _page(qs, filters.page, filters.per_page)
    return {"items": [document_out(d) for d in rows], "count": count, "page": page, "pages": pages}


@router.get("/documents/{int:document_id}", response=DocumentDetailOut, by_alias=True, summary="Một văn bản")
def get_document(request: HttpRequest, document_id: int) -> dict[str, Any]:
    from dieuhanh.documents.services import get_document_for_user

    doc = get_document_for_user(request.auth, document_id)
    return document_detail_out(doc, request.auth)


@router.post("/documents", response={201: DocumentDetailOut, 202: IntakeOut, 400: ErrorOut, 403: ErrorOut,
                                    404: ErrorOut, 409: DuplicateOut},
             by_alias=True, summary="Vào sổ một văn bản từ tệp")
def create_document(request: HttpRequest, file: File[UploadedFile],
                    register_id: int = Form(..., alias="register")) -> Any:
    """Tải lên tệp (.txt, .md, .docx, .pdf, bản quét, ảnh, .doc/.odt/.rtf) và mã sổ: hệ thống đọc văn bản rồi
    vào sổ theo kết quả đọc.

    Tệp cần nhận dạng ký tự (OCR) hoặc chuyển đổi được đọc ở tiến trình nền: trả về 202 cùng mã lượt nhập;
    xem tiến độ và văn bản đã vào sổ tại `GET /api/intakes/{id}`.
    Văn bản đã có (cùng tệp, hoặc cùng số, ký hiệu, cơ quan ban hành và ngày) trả về 409.
    Gửi lại cùng tiêu đề `Idempotency-Key` thì nhận lại văn bản đã tạo, không tạo bản mới.
    """
    from dieuhanh.documents.intake import api as intake_api
    from dieuhanh.documents.intake import chain
    from dieuhanh.documents.models import IntakeStatus
    from dieuhanh.documents.services import can_register, document_for_key, get_register_for_user

    user = request.auth
    register = get_register_for_user(user, register_id)  # Http404 outside scope
    if not can_register(user, register):
        return Status(403, {"detail": _("Bạn không có quyền vào sổ này.")})
    key = (request.headers.get("Idempotency-Key") or "").strip()[:40] or None
    if key and (done := document_for_key(user, key)) is not None:
        return Status(201, document_detail_out(_with_relations(done), user))
    try:
        check_size(file.size or 0)
        job = chain.start(user, register, chain.accept(data=file.read(), filename=file.name or ""),
                          auto_register=True)
        if job.status != IntakeStatus.READY:
            return Status(202, intake_api.job_out(job))
        duplicates = [] if key else chain.detect_duplicates(user, job)
        if duplicates:
            return Status(409, {"detail": duplicates[0].message, "document_id": duplicates[0].document.pk})
        document = chain.register(user, job, intake_api.fields_from_parse(job.parsed), request=request,
                                  idempotency_key=key)
    except DjangoValidationError as exc:
        return Status(400, {"detail": " ".join(exc.messages)})
    except PermissionDenied:
        return Status(403, {"detail": _("Bạn không có quyền vào sổ này.")})
    return Status(201, document_detail_out(_with_relations(document), user))


def _with_relations(document: Document) -> Document:
    return Document.objects.select_related("register__unit", "owner_unit").get(pk=document.pk)


@router.get("/intakes/{int:intake_id}", response=IntakeOut, by_alias=True, summary="Một lượt nhập văn bản")
def get_intake(request: HttpRequest, intake_id: int) -> dict[str, Any]:
    """Tiến độ đọc một tệp đã tải lên (chỉ người tải lên xem được): trạng thái, trang đang nhận dạng,
    lý do không đọc được, mã văn bản khi đã vào sổ."""
    from dieuhanh.documents.intake import api as intake_api
    from dieuhanh.documents.intake_views import get_intake_for_user

    return intake_api.job_out(get_intake_for_user(request.auth, intake_id))


@router.get("/search", response=SearchPageOut, by_alias=True, summary="Tìm kiếm văn bản")
def search_documents(request: HttpRequest, params: Query[SearchQuery]) -> dict[str, Any]:
    """Tìm theo số, ký hiệu, trích yếu, cơ quan ban hành và nội dung; có dấu hay không dấu đều được."""
    result = search.search_documents(request.auth, params.q, page=params.page, per_page=params.per_page)
    return {
        "query": params.q, "count": result.total, "page": result.page, "pages": result.pages,
        "items": [{"document": document_out(hit.document),
                   "highlight": {"number_symbol": str(hit.number_symbol), "subject": str(hit.subject),
                                 "issuer": str(hit.issuer), "snippet": str(hit.snippet)}}
                  for hit in result.items],
    }

"""Draft pages: list, create, edit (versions, live format checks), review, sign, issue, review chain."""

from __future__ import annotations

import difflib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dieuhanh.drafts import forms, layout, services
from dieuhanh.drafts.models import Draft, DraftType, DraftVersion, State
from dieuhanh.web.downloads import file_download

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages] or [_("Không thực hiện được.")]


@require_GET
@login_required
def draft_list(request: HttpRequest) -> HttpResponse:
    visible = services.drafts_visible_to(request.user).select_related("unit", "created_by", "document")
    rows = list(visible.order_by("-updated_at", "-id")[:200])
    uid = request.user.pk
    mine = [d for d in rows if d.current_reviewer_id == uid or (d.state == State.SIGNED
                                                                and services.can_issue(request.user, d))]
    return render(request, "drafts/list.html", {"drafts": rows, "waiting": mine,
                                                "can_draft": services.can_draft(request.user)})


@require_http_methods(["GET", "POST"])
@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not services.can_draft(request.user):
        raise PermissionDenied(_("Chỉ chuyên viên và lãnh đạo của một đơn vị mới soạn được dự thảo."))
    doc_type = request.GET.get("loai") if request.GET.get("loai") in DraftType.values else DraftType.CONG_VAN
    if request.method == "GET":
        form = forms.DraftCreateForm(initial={"doc_type": doc_type, "body": layout.STARTERS.get(doc_type, "")})
        return render(request, "drafts/create.html", {"form": form, "types": DraftType.choices})
    form = forms.DraftCreateForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            draft = services.create_draft(request.user, form.cleaned_data["doc_type"], form.values(),
                                          upload=form.cleaned_data.get("upload"),
                                          symbol=form.cleaned_data.get("symbol") or "", request=request)
        except ValidationError as exc:
            for text in _errors(exc):
                form.add_error(None, text)
        else:
            messages.success(request, _("Đã tạo dự thảo."))
            return redirect("drafts:detail", pk=draft.pk)
    return render(request, "drafts/create.html", {"form": form, "types": DraftType.choices}, status=200)


def _context(request: HttpRequest, draft: Draft, form: Any = None) -> dict[str, Any]:
    user = request.user
    editable = draft.can_edit(user)
    if form is None and editable:
        form = forms.DraftTextForm(initial=forms.DraftTextForm.initial_from(draft))
    return {
        "draft": draft, "form": form, "editable": editable,
        "findings": services.format_findings(draft),
        "versions": list(draft.versions.select_related("created_by")[:50]),
        "events": list(draft.events.select_related("actor")),
        "is_drafter": draft.is_drafter(user) and draft.state in (State.DRAFTING, State.RETURNED),
        "my_turn": draft.current_reviewer_id == user.pk,
        "last_step": draft.at_last_step, "can_issue": services.can_issue(user, draft),
        "pdf_status": services.pdf_status(draft), "comment_form": forms.CommentForm(),
        "route": [{**s, "done": i < draft.step or draft.state in (State.SIGNED, State.ISSUED),
                   "current": i == draft.step and draft.state == State.IN_REVIEW}
                  for i, s in enumerate(draft.route or [])],
    }


@require_http_methods(["GET", "POST"])
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    draft = services.get_draft_for_user(request.user, pk)
    if request.method == "GET":
        return render(request, "drafts/detail.html", _context(request, draft))
    if not draft.can_edit(request.user):
        raise PermissionDenied(_("Bạn không sửa được dự thảo này ở trạng thái “%(state)s”.")
                               % {"state": draft.get_state_display()})
    form = forms.DraftTextForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.save_version(request.user, draft, form.values(),
                                            upload=form.cleaned_data.get("upload"), request=request)
        except ValidationError as exc:
            for text in _errors(exc):
                form.add_error(None, text)
        else:
            messages.success(request, _("Đã lưu phiên bản %(n)d.") % {"n": version.number})
            return redirect("drafts:detail", pk=draft.pk)
    return render(request, "drafts/detail.html", _context(request, draft, form))


@require_POST
@login_required
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX: the Decree 30 findings on the text as typed (nothing saved)."""
    draft = services.get_draft_for_user(request.user, pk)
    values = {name: request.POST.get(name, "") for name in ("subject", "body")}
    for name in ("recipients", "distribution"):
        values[name] = request.POST.get(name, "").splitlines()
    return render(request, "drafts/_findings.html", {"findings": services.format_findings(draft, values)})


def _act(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    draft = services.get_draft_for_user(request.user, pk)
    try:
        action(draft)
    except ValidationError as exc:
        for text in _errors(exc):
            messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("drafts:detail", pk=draft.pk)


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda d: services.submit(request.user, d, request=request), _("Đã trình duyệt dự thảo."))


@require_POST
@login_required
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")[:2000]
    return _act(request, pk, lambda d: services.approve(request.user, d, comment, request=request),
                _("Đã đồng ý và chuyển bước duyệt tiếp theo."))


@require_POST
@login_required
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")[:2000]
    return _act(request, pk, lambda d: services.send_back(request.user, d, comment, request=request),
                _("Đã trả lại dự thảo cho người soạn thảo."))


@require_POST
@login_required
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda d: services.sign(request.user, d, request=request),
                _("Đã ký duyệt; văn bản đang được tạo PDF."))


@require_GET
@login_required
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    draft = services.get_draft_for_user(request.user, pk)
    found = draft.versions.filter(number=number).select_related("created_by").first()
    if found is None:
        raise Http404
    return render(request, "drafts/version.html", {"draft": draft, "version": found,
                                                   "editable": draft.can_edit(request.user)})


def _text_of(v: DraftVersion) -> list[str]:
    return [f"Trích yếu: {v.subject}", "Kính gửi:", *v.recipients, "", *v.body.splitlines(), "", "Nơi nhận:",
            *v.distribution]


@require_GET
@login_required
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    draft = services.get_draft_for_user(request.user, pk)
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
    except ValueError:
        raise Http404 from None
    versions = {v.number: v for v in draft.versions.filter(number__in=[a, b])}
    if a not in versions or b not in versions:
        raise Http404
    lines = []
    for line in difflib.ndiff(_text_of(versions[a]), _text_of(versions[b])):
        if line.startswith("? "):
            continue
        lines.append({"kind": {"+": "add", "-": "del"}.get(line[:1], "same"), "text": line[2:]})
    return render(request, "drafts/compare.html", {"draft": draft, "a": versions[a], "b": versions[b],
                                                   "lines": lines})


@require_POST
@login_required
def restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    draft = services.get_draft_for_user(request.user, pk)
    found = draft.versions.filter(number=number).first()
    if found is None:
        raise Http404
    new = services.restore_version(request.user, draft, found, request=request)
    messages.success(request, _("Đã khôi phục phiên bản %(old)d thành phiên bản %(new)d.")
                     % {"old": found.number, "new": new.number})
    return redirect("drafts:detail", pk=draft.pk)


@require_GET
@login_required
def docx(request: HttpRequest, pk: int) -> HttpResponse:
    from django.utils.http import content_disposition_header

    draft = services.get_draft_for_user(request.user, pk)
    response = HttpResponse(layout.render_docx(draft), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, f"du-thao-{draft.pk}.docx")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    draft = services.get_draft_for_user(request.user, pk)
    if not draft.pdf:
        raise Http404(_("Chưa có tệp PDF."))
    try:
        handle = draft.pdf.open("rb")
    except OSError:
        raise Http404(_("Tệp không còn trên máy chủ.")) from None
    return file_download(handle, f"du-thao-{draft.pk}.pdf")


@require_http_methods(["GET", "POST"])
@login_required
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    """The văn thư's confirmation page (number to be drawn, date), then the irreversible issue."""
    draft = services.get_draft_for_user(request.user, pk)
    if draft.state == State.ISSUED and draft.document_id:
        return redirect("documents:detail", pk=draft.document_id)
    from dieuhanh.documents.permissions import can_register

    register = services.issue_register(draft)
    if not can_register(request.user, register):
        raise PermissionDenied(_("Chỉ văn thư của %(unit)s (người có quyền vào sổ văn bản đi) mới cấp số và phát "
                                 "hành được văn bản này.") % {"unit": draft.issuer_unit.name})
    if draft.state != State.SIGNED:
        return render(request, "drafts/issue.html", {"draft": draft, "register": register, "not_ready": True})
    form = forms.IssueForm(request.POST or None, initial={"issued_on": timezone.localdate().strftime("%d/%m/%Y")})
    if request.method == "POST" and form.is_valid():
        try:
            document = services.issue(request.user, draft, issued_on=form.cleaned_data["issued_on"], request=request)
        except ValidationError as exc:
            for text in _errors(exc):
                form.add_error(None, text)
        else:
            messages.success(request, _("Đã cấp số %(n)s và phát hành văn bản.") % {"n": document.number_symbol})
            return redirect("documents:detail", pk=document.pk)
    from dieuhanh.documents.numbering import last_number

    year = timezone.localdate().year
    upcoming = (last_number(register, year) + 1) if register.pk else 1
    return render(request, "drafts/issue.html", {"draft": draft, "form": form, "register": register,
                                                 "upcoming": f"{upcoming}/{draft.symbol}"})


@require_http_methods(["GET", "POST"])
@login_required
def chain(request: HttpRequest) -> HttpResponse:
    """The review chain of the user's unit (an administrator picks the unit with ?don_vi=)."""
    from dieuhanh.accounts.models import User
    from dieuhanh.drafts.models import ReviewChain
    from dieuhanh.orgs.models import Unit

    unit = request.user.unit
    if request.user.is_admin_role and request.GET.get("don_vi"):
        unit = Unit.objects.filter(pk=request.GET["don_vi"]).first() if request.GET["don_vi"].isdigit() else None
    if unit is None:
        raise Http404
    existing = ReviewChain.objects.filter(unit=unit).select_related("issuer_unit").first()
    manage = services.can_manage_chain(request.user, unit)
    # Reviewers: the unit's leaders and the leaders of the units above it.
    ancestors, cursor = [], unit
    while cursor is not None and len(ancestors) < 10:
        ancestors.append(cursor.pk)
        cursor = cursor.parent
    reviewers = User.objects.filter(is_active=True, unit_id__in=ancestors).exclude(role="van_thu").order_by(
        "unit_id", "last_name")
    issuers = Unit.objects.filter(pk__in=ancestors).order_by("name")
    initial: dict[str, Any] = {"issuer_unit": existing.issuer_unit_id if existing else None}
    if existing:
        for i, step in enumerate(existing.steps.order_by("order")[:forms.ChainForm.STEPS]):
            initial[f"label_{i}"], initial[f"reviewer_{i}"] = step.label, step.reviewer_id
    form = forms.ChainForm(request.POST or None, initial=initial, reviewers=reviewers, issuers=issuers)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(_("Chỉ lãnh đạo đơn vị hoặc quản trị mới thiết lập được quy trình duyệt."))
        if form.is_valid():
            try:
                services.set_chain(request.user, unit, form.steps(), issuer_unit=form.cleaned_data["issuer_unit"],
                                   request=request)
            except ValidationError as exc:
                for text in _errors(exc):
                    form.add_error(None, text)
            else:
                messages.success(request, _("Đã lưu quy trình duyệt dự thảo."))
                return redirect(request.get_full_path())
    return render(request, "drafts/chain.html", {"unit": unit, "form": form, "manage": manage, "chain": existing})

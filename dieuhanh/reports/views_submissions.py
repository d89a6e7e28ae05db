"""A unit's report: the form it fills ("Lưu nháp", "Gửi báo cáo"), its files, its history, and the
requester's "Tiếp nhận" / "Trả lại"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dieuhanh.reports import forms
from dieuhanh.reports import permissions as perms
from dieuhanh.reports import services as reports
from dieuhanh.reports.models import Submission, SubmissionStatus
from dieuhanh.reports.views import SERVICE_ERRORS, error_texts, flash_errors
from dieuhanh.web.downloads import file_download

EDITABLE = (SubmissionStatus.NOT_STARTED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


def _context(request: HttpRequest, sub: Submission, *, problems: Any = (), raw: Any = None,
             errors: list[str] | None = None, return_form: Any = None, upload_form: Any = None) -> dict[str, Any]:
    user = request.user
    schema = sub.request.outline_version.schema()
    may_edit = perms.can_edit_submission(user, sub)
    editable = may_edit and sub.status in EDITABLE
    requester = perms.is_requester(user, sub.request)
    return {
        "sub": sub, "req": sub.request, "sheet": forms.build_sheet(schema, sub.data, problems, raw),
        "editable": editable, "may_edit": may_edit, "requester": requester,
        "can_decide": requester and sub.status == SubmissionStatus.SUBMITTED,
        "return_form": return_form or forms.ReturnForm(),
        "upload_form": upload_form or forms.AttachmentForm(),
        "versions": list(sub.versions.select_related("by").order_by("-at", "-id")),
        "attachments": list(sub.attachments.all()),
        "errors": errors or [],
    }


@require_http_methods(["GET", "POST"])
@login_required
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    sub = perms.get_submission_for_user(user, pk)
    if request.method == "GET":
        return render(request, "reports/submission.html", _context(request, sub))
    if not perms.can_edit_submission(user, sub):
        raise PermissionDenied(_("Bạn chỉ được xem báo cáo này."))
    if sub.status not in EDITABLE:
        messages.warning(request, _("Báo cáo đã gửi; không sửa được nữa."))
        return redirect("reports:submission", pk=sub.pk)
    schema = sub.request.outline_version.schema()
    raw = forms.raw_from_post(schema, request.POST)
    upload_form = forms.AttachmentForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return render(request, "reports/submission.html",
                      _context(request, sub, raw=raw, upload_form=upload_form,
                               errors=[e for errs in upload_form.errors.values() for e in errs]))
    sending = request.POST.get("hanh_dong") == "gui"
    try:
        upload = upload_form.cleaned_data.get("file")
        if upload is not None:
            reports.add_attachment(user, sub, upload, http_request=request)
        problems = (reports.submit if sending else reports.save_draft)(user, sub, raw, http_request=request)
    except SERVICE_ERRORS as exc:
        sub = perms.get_submission_for_user(user, pk)
        return render(request, "reports/submission.html",
                      _context(request, sub, raw=raw, errors=error_texts(exc)))
    if problems:
        sub = perms.get_submission_for_user(user, pk)
        text = _("Báo cáo chưa gửi được: còn %(n)d lỗi cần sửa.") if sending else \
            _("Đã lưu nháp; còn %(n)d lỗi cần sửa trước khi gửi.")
        return render(request, "reports/submission.html",
                      _context(request, sub, problems=problems, raw=raw,
                               errors=[text % {"n": len(list(problems))}]))
    messages.success(request, _("Đã gửi báo cáo.") if sending else _("Đã lưu nháp."))
    return redirect("reports:submission", pk=sub.pk)


def _requester_only(request: HttpRequest, pk: int) -> Submission:
    sub = perms.get_submission_for_user(request.user, pk)
    if not perms.is_requester(request.user, sub.request):
        raise PermissionDenied(_("Chỉ đơn vị yêu cầu báo cáo mới được tiếp nhận hoặc trả lại."))
    return sub


@require_POST
@login_required
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _requester_only(request, pk)
    try:
        reports.accept_submission(request.user, sub, http_request=request)
    except SERVICE_ERRORS as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã tiếp nhận báo cáo của %(unit)s.") % {"unit": sub.unit.name})
    return redirect("reports:submission", pk=sub.pk)


@require_POST
@login_required
def return_(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _requester_only(request, pk)
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        return render(request, "reports/submission.html",
                      _context(request, sub, return_form=form,
                               errors=[e for errs in form.errors.values() for e in errs]))
    try:
        reports.return_submission(request.user, sub, form.cleaned_data["comment"], http_request=request)
    except SERVICE_ERRORS as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã trả lại báo cáo của %(unit)s.") % {"unit": sub.unit.name})
    return redirect("reports:submission", pk=sub.pk)


@require_GET
@login_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    sub = perms.get_submission_for_user(request.user, pk)
    found = sub.attachments.filter(pk=attachment_pk).first()
    if found is None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    return file_download(handle, found.name or "tep-dinh-kem")  # type read from the file, never the upload's

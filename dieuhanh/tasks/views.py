"""/nhiem-vu/: my tasks, "Giao việc" from a document, manual tasks, an assignment and its
actions (HTMX), the files of its progress notes and results, a document's task status and
the chain page.

The unit lists of "Giao việc", the manual task and "Giao tiếp" offer only the units the
issuing unit reaches (:func:`dieuhanh.tasks.permissions.assign_scope`), and say why the
others are absent; the services refuse the rest whatever is posted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dieuhanh.accounts.models import User
from dieuhanh.documents.models import Direction
from dieuhanh.documents.services import documents_visible_to, get_document_for_user
from dieuhanh.orgs.models import Unit
from dieuhanh.tasks import forms, proposals, services
from dieuhanh.tasks.models import Assignment, Extension, ExtensionStatus, Status, Task, TransitionError
from dieuhanh.tasks.permissions import AssignScope, assign_scope, get_assignment_for_user, get_note_for_user
from dieuhanh.web.downloads import file_download

PAGE_SIZE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- Việc của tôi ------------------------------------------------------------------------------

@require_GET
@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    status = forms.parse_status(request.GET.get("trang_thai"))
    assigned = request.GET.get("loai") == "da-giao"
    rows = services.my_assignments(request.user, status, assigned=assigned)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "tasks/list.html", {
        "page": page, "status": status or "", "assigned": assigned, "statuses": forms.STATUS_FILTER,
        "today": timezone.localdate(), "can_issue": services.can_issue(request.user),
    })


# --- Giao việc từ văn bản -------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@login_required
def propose(request: HttpRequest, document_pk: int) -> HttpResponse:
    user = request.user
    document = get_document_for_user(user, document_pk)
    if not services.can_issue(user):
        raise PermissionDenied(_("Bạn không có quyền giao việc."))
    on = document.issued_on or timezone.localdate()
    scope = assign_scope(user.unit_id, on)
    units = scope.units().order_by("name")
    issued = services.issued_count(user, document)
    if request.method == "GET":
        found = proposals.propose_tasks(document)
        formset = forms.ProposalFormSet(initial=[forms.ProposalForm.initial_from(p) for p in found],
                                        units=units, prefix="nv")
        return _render_propose(request, document, formset, issued, found, scope)
    data = request.POST.copy()
    if "them_dong" in data:  # add an empty row and show the form again
        key = "nv-TOTAL_FORMS"
        try:
            data[key] = str(min(int(data.get(key, "0")) + 1, 200))
        except ValueError:
            data[key] = "1"
        formset = forms.ProposalFormSet(data, units=units, prefix="nv")
        formset.is_valid()
        return _render_propose(request, document, formset, issued, None, scope, adding=True)
    formset = forms.ProposalFormSet(data, units=units, prefix="nv")
    try:
        seen = int(data.get("da_giao", issued))
    except ValueError:
        seen = issued
    if seen != issued:
        messages.warning(request, _("Các nhiệm vụ của văn bản này vừa được giao; không giao lặp lại."))
        return redirect("tasks:document_status", document_pk=document.pk)
    if formset.is_valid():
        chosen = [f.to_proposal() for f in formset.forms
                  if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not chosen:
            formset._non_form_errors = formset.error_class([_("Chưa có nhiệm vụ nào để giao.")])
        else:
            try:
                tasks = services.issue_tasks(user, document, chosen, already_issued=seen, request=request)
            except TransitionError as exc:
                messages.warning(request, exc.message)
                return redirect("tasks:document_status", document_pk=document.pk)
            except (ValidationError, PermissionDenied) as exc:
                formset._non_form_errors = formset.error_class(_messages(exc))
            else:
                count = sum(t.assignments.count() for t in tasks)
                messages.success(request, _("Đã giao %(tasks)d nhiệm vụ (%(assignments)d đơn vị thực hiện).")
                                 % {"tasks": len(tasks), "assignments": count})
                return redirect("tasks:document_status", document_pk=document.pk)
    return _render_propose(request, document, formset, issued, None, scope)


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or _("Bạn không có quyền giao việc cho đơn vị này.")]


def _outside_scope(found: list | None, scope: AssignScope) -> list[str]:
    """Names of units the document's proposals name but the issuing unit may not assign to."""
    wanted = {u for p in found or [] for u in (*p.lead_unit_ids, *p.coordinating_unit_ids)}
    return scope.names_of(scope.outside(wanted))


def _render_propose(request: HttpRequest, document: Any, formset: Any, issued: int, found: list | None,
                    scope: AssignScope, adding: bool = False) -> HttpResponse:
    spans: list[tuple[int, int]] = []
    if found is not None:
        spans = [s for p in found for s in p.spans]
    else:
        for form in formset.forms:
            raw = str(form["span"].value() or "")
            try:
                start, end = (int(x) for x in raw.split(",", 1))
            except ValueError:
                continue
            spans.append((start, end))
    unresolved = sorted({u for p in found or [] for u in p.unresolved})
    return render(request, "tasks/propose.html", {
        "document": document, "formset": formset, "issued": issued, "unresolved": unresolved,
        "pieces": proposals.highlight(document.body or "", spans), "adding": adding,
        "has_parse": found is None or bool(found), "scope": scope, "outside": _outside_scope(found, scope),
    })


# --- việc không có văn bản -----------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@login_required
def create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not services.can_issue(user):
        raise PermissionDenied(_("Bạn không có quyền giao việc."))
    scope = assign_scope(user.unit_id, timezone.localdate())
    form = forms.ManualTaskForm(request.POST or None, units=scope.units().order_by("name"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            task = services.create_task(user, d["title"], d["lead_units"], d.get("due_on"),
                                        source_note=d["source_note"], description=d.get("description") or "",
                                        coordinating=d.get("coordinating_units") or [], request=request)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _messages(exc))
        else:
            messages.success(request, _("Đã giao nhiệm vụ."))
            first = task.assignments.order_by("id").first()
            return redirect("tasks:assignment", pk=first.pk)
    return render(request, "tasks/create.html", {"form": form, "scope": scope})


# --- một phân công -------------------------------------------------------------------------------------

def _panel_context(request: HttpRequest, a: Assignment, forms_in: dict[str, Any] | None = None) -> dict[str, Any]:
    user = request.user
    a = Assignment.objects.select_related("task", "task__document", "task__assigned_by_unit", "unit", "assignee",
                                          "result_document", "task__parent", "task__parent__unit").get(pk=a.pk)
    doer, assigner = services.acts_for_doer(user, a), services.decides_for_assigner(user, a)
    extensions = list(a.extensions.select_related("requested_by", "decided_by"))
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    forms_in = forms_in or {}
    ctx: dict[str, Any] = {
        "a": a, "task": a.task, "doer": doer, "assigner": assigner,
        "withdraws": services.acts_for_assigner(user, a.task),
        "notes": list(a.notes.select_related("author")), "extensions": extensions, "pending": pending,
        "subtasks": list(Task.objects.filter(parent=a).prefetch_related("assignments__unit",
                                                                          "assignments__assignee")),
        "workable": a.status in Assignment.WORKABLE, "open": a.status in (*Assignment.WORKABLE, Status.NEW),
        "can_delegate": services.can_delegate(user, a) and a.status in Assignment.WORKABLE,
    }
    if doer and a.status in Assignment.WORKABLE:
        ctx["progress_form"] = forms_in.get("tien-do") or forms.ProgressForm(initial={"progress": a.progress})
        ctx["result_form"] = forms_in.get("nop-ket-qua") or forms.ResultForm(documents=_result_documents(user))
    # no extension of a task without a deadline; the requester never decides his own request
    if doer and a.status not in (Status.DONE, Status.CANCELLED, Status.SUBMITTED) and pending is None and a.due_on:
        ctx["extension_form"] = forms_in.get("xin-gia-han") or forms.ExtensionForm()
    if assigner and a.status == Status.SUBMITTED:
        ctx["return_form"] = forms_in.get("tra-lai") or forms.ReturnForm()
    if assigner and pending is not None and (pending.requested_by_id != user.pk or user.is_admin_role):
        ctx["decision_form"] = forms_in.get("duyet-gia-han") or forms.DecisionForm(initial={"extension": pending.pk})
    if ctx["can_delegate"]:
        units, people = _delegate_choices(a)
        ctx["delegate_form"] = forms_in.get("giao-tiep") or forms.DelegateForm(units=units, people=people)
        ctx["delegate_scope"] = assign_scope(a.unit_id).explanation
    ctx["errors"] = forms_in.get("_errors") or []
    return ctx


def _result_documents(user: Any) -> Any:
    return documents_visible_to(user).filter(direction=Direction.OUTGOING).order_by("-issued_on", "-pk")


def _delegate_choices(a: Assignment) -> tuple[Any, Any]:
    reach, below = services.delegation_targets(a)
    units = Unit.objects.in_force(timezone.localdate()).filter(pk__in=reach).order_by("name")
    people = User.objects.filter(unit_id__in=below, is_active=True).order_by("last_name", "username")
    return units, people


@require_GET
@login_required
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_assignment_for_user(request.user, pk)
    return render(request, "tasks/assignment.html", _panel_context(request, a))


def _do_acknowledge(request: HttpRequest, a: Assignment) -> Any:
    services.acknowledge(request.user, a, request=request)
    return _("Đã tiếp nhận nhiệm vụ.")


def _do_start(request: HttpRequest, a: Assignment) -> Any:
    services.start(request.user, a, request=request)
    return _("Đã chuyển sang đang thực hiện.")


def _do_progress(request: HttpRequest, a: Assignment) -> Any:
    form = forms.ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        return form
    d = form.cleaned_data
    services.update_progress(request.user, a, d["progress"], d["text"], upload=d.get("file"), request=request)
    return _("Đã cập nhật tiến độ.")


def _do_submit(request: HttpRequest, a: Assignment) -> Any:
    form = forms.ResultForm(request.POST, request.FILES, documents=_result_documents(request.user))
    if not form.is_valid():
        return form
    d = form.cleaned_data
    services.submit_result(request.user, a, note=d.get("note") or "", upload=d.get("file"),
                           document=d.get("document"), request=request)
    return _("Đã nộp kết quả, chờ đơn vị giao việc nghiệm thu.")


def _do_accept(request: HttpRequest, a: Assignment) -> Any:
    services.accept(request.user, a, request=request)
    return _("Đã nghiệm thu kết quả.")


def _do_return(request: HttpRequest, a: Assignment) -> Any:
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        return form
    services.return_assignment(request.user, a, form.cleaned_data["reason"], request=request)
    return _("Đã trả lại kết quả.")


def _do_cancel(request: HttpRequest, a: Assignment) -> Any:
    services.cancel(request.user, a, request=request)
    return _("Đã hủy phân công.")


def _do_extension(request: HttpRequest, a: Assignment) -> Any:
    form = forms.ExtensionForm(request.POST)
    if not form.is_valid():
        return form
    d = form.cleaned_data
    services.request_extension(request.user, a, d["reason"], d["proposed_due_on"], request=request)
    return _("Đã gửi đề nghị gia hạn.")


def _do_decide(request: HttpRequest, a: Assignment) -> Any:
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        return form
    ext = Extension.objects.filter(pk=form.cleaned_data["extension"], assignment=a).first()
    if ext is None:
        raise Http404
    approve = form.cleaned_data["decision"] == "dong_y"
    services.decide_extension(request.user, ext, approve, form.cleaned_data.get("note") or "", request=request)
    return _("Đã đồng ý gia hạn.") if approve else _("Đã từ chối gia hạn.")


def _do_delegate(request: HttpRequest, a: Assignment) -> Any:
    units, people = _delegate_choices(a)
    form = forms.DelegateForm(request.POST, units=units, people=people)
    if not form.is_valid():
        return form
    d = form.cleaned_data
    services.delegate(request.user, a, [*(d.get("units") or []), *(d.get("people") or [])], d["due_on"], d["title"],
                      request=request)
    return _("Đã giao tiếp nhiệm vụ.")


# action → (handler, who may do it)
ACTIONS: dict[str, tuple[Callable[[HttpRequest, Assignment], Any], Callable[[Any, Assignment], bool]]] = {
    "tiep-nhan": (_do_acknowledge, services.acts_for_doer),
    "bat-dau": (_do_start, services.acts_for_doer),
    "tien-do": (_do_progress, services.acts_for_doer),
    "nop-ket-qua": (_do_submit, services.acts_for_doer),
    "xin-gia-han": (_do_extension, services.acts_for_doer),
    "giao-tiep": (_do_delegate, services.can_delegate),
    "nghiem-thu": (_do_accept, services.decides_for_assigner),
    "tra-lai": (_do_return, services.decides_for_assigner),
    "huy": (_do_cancel, lambda u, a: services.acts_for_assigner(u, a.task)),
    "duyet-gia-han": (_do_decide, services.decides_for_assigner),
}


@require_POST
@login_required
def assignment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    a = get_assignment_for_user(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    handler, allowed = ACTIONS[action]
    if not allowed(request.user, a):
        raise PermissionDenied(_("Bạn chỉ được xem nhiệm vụ này."))
    forms_in: dict[str, Any] = {}
    try:
        outcome = handler(request, a)
    except (TransitionError, ValidationError) as exc:
        text = exc.message if isinstance(exc, TransitionError) else "; ".join(exc.messages)
        forms_in["_errors"] = [text]
        outcome = None
    if outcome is not None and not isinstance(outcome, str):  # an invalid form
        forms_in[action] = outcome
        forms_in["_errors"] = [e for errs in outcome.errors.values() for e in errs]
    if _is_htmx(request):
        ctx = _panel_context(request, a, forms_in)
        ctx["done_message"] = outcome if isinstance(outcome, str) else ""
        return render(request, "tasks/_assignment_panel.html", ctx)
    if isinstance(outcome, str):
        messages.success(request, outcome)
    else:
        for text in forms_in.get("_errors") or [_("Không thực hiện được.")]:
            messages.error(request, text)
    return redirect("tasks:assignment", pk=a.pk)


@require_GET
@login_required
def note_file(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    """The file of a progress note or result, for whoever may see the assignment (404 otherwise)."""
    note = get_note_for_user(request.user, pk, note_pk)
    try:
        handle = note.attachment.open("rb")
    except (OSError, ValueError):
        raise Http404(_("Tệp không còn trên máy chủ.")) from None
    services.record_download(request.user, note, request=request)
    return file_download(handle, note.attachment_name or note.attachment.name)


# --- theo văn bản và chuỗi ---------------------------------------------------------------------------------

@require_GET
@login_required
def document_status(request: HttpRequest, document_pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, document_pk)
    ctx = {"document": document, "rows": services.document_status(request.user, document),
           "can_issue": services.can_issue(request.user), "today": timezone.localdate()}
    if _is_htmx(request):
        return render(request, "tasks/_document_tasks.html", ctx)
    return render(request, "tasks/document_status.html", ctx)


@require_GET
@login_required
def chain_view(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_assignment_for_user(request.user, pk)
    found = services.chain(a, request.user)
    return render(request, "tasks/chain.html", {"chain": found, "a": a})

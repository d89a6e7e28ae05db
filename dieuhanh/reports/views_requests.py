"""Report requests: the list, "Tạo yêu cầu báo cáo", one request (timeliness per unit) and the
timeliness table across requests."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dieuhanh.accounts.scope import can_see_unit, visible_unit_ids
from dieuhanh.orgs.models import Unit
from dieuhanh.reports import forms
from dieuhanh.reports import permissions as perms
from dieuhanh.reports import services as reports
from dieuhanh.reports.models import ReportRequest, Submission, SubmissionStatus
from dieuhanh.reports.timeliness import rate, request_timeliness, timeliness_by_unit, totals
from dieuhanh.reports.views import SERVICE_ERRORS, error_texts
from dieuhanh.tasks.exports import requested_format, table_response
from dieuhanh.tasks.permissions import assign_scope, get_assignment_for_user

PAGE_SIZE = 50
SUBMITTED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)


def _requester_side(user: Any) -> Any:
    """Requests the user follows as (or above) the requesting unit."""
    ids = visible_unit_ids(user)
    qs = ReportRequest.objects.all()
    return qs if ids is None else qs.filter(requested_by_unit_id__in=ids)


# --- danh sách ----------------------------------------------------------------------------------

@require_GET
@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    asked = (_requester_side(user)
             .select_related("requested_by_unit", "outline_version__outline")
             .annotate(expected=Count("submissions", distinct=True),
                       submitted=Count("submissions", filter=Q(submissions__first_submitted_at__isnull=False),
                                       distinct=True),
                       on_time=Count("submissions", filter=Q(submissions__first_submitted_at__date__lte=F("due_on")),
                                     distinct=True))
             .order_by("-created_at", "-id"))
    page = Paginator(asked, PAGE_SIZE).get_page(request.GET.get("trang"))
    for r in page.object_list:
        r.on_time_rate = round(100.0 * r.on_time / r.expected, 1) if r.expected else None
    owed: list[Submission] = []
    ids = visible_unit_ids(user)
    if ids:  # the reports the user's own unit(s) must send (an administrator has none)
        owed = list(Submission.objects.filter(unit_id__in=ids).select_related("request", "unit", "request__requested_by_unit")
                    .order_by(F("accepted_at").asc(nulls_first=True), "request__due_on", "id")[:200])
        owed.sort(key=lambda s: (s.status == SubmissionStatus.ACCEPTED, s.request.due_on, s.pk))
        for s in owed:
            s.overdue = s.status not in SUBMITTED and s.request.due_on < today
    return render(request, "reports/list.html", {
        "page": page, "owed": owed, "today": today, "can_request": perms.can_request(user),
        "can_manage_outlines": perms.can_manage_outlines(user),
    })


# --- tạo yêu cầu --------------------------------------------------------------------------------

def _requestable_units(user: Any) -> Any:
    """The units a user may ask for reports: a request issues them a task, so those the user's
    unit may assign work to (:func:`dieuhanh.tasks.permissions.assign_scope`), without the
    committee that heads that reach (a ward chairman asks the ward's own bodies, Phòng Nội vụ
    the offices and wards of the district)."""
    qs = Unit.objects.select_related("parent").order_by("parent__name", "kind", "name")
    if user.unit_id is None:
        return qs.none()
    scope = assign_scope(user.unit_id)
    return qs.filter(pk__in=scope.ids - {scope.root.pk})


@require_http_methods(["GET", "POST"])
@login_required
def create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not perms.can_request(user):
        raise PermissionDenied(_("Bạn không có quyền yêu cầu báo cáo."))
    units = list(_requestable_units(user))
    unit_qs = Unit.objects.filter(pk__in=[u.pk for u in units])
    versions = forms.current_versions()
    source = None
    raw_source = request.POST.get("source_assignment") if request.method == "POST" else \
        request.GET.get("from_assignment")
    if raw_source:
        source = get_assignment_for_user(user, raw_source)
    if request.method == "GET":
        today = timezone.localdate()
        initial: dict[str, Any] = {"year": today.year, "period_kind": "quy", "number": (today.month - 1) // 3 + 1}
        first = versions.first()
        if first is not None:
            initial["outline_version"] = first.pk
        if source is not None:
            initial.update(title=source.task.title, due_on=source.due_on, source_assignment=source.pk)
        form = forms.RequestForm(initial=initial, units=unit_qs, versions=versions)
        return _render_create(request, form, units, source, checked=[])
    data = request.POST.copy()
    pick = data.get("chon")
    if pick in forms.PICKS:  # "chọn tất cả …": tick those units and show the form again
        checked = sorted({*data.getlist("units"), *map(str, forms.picked_units(units, pick))})
        data.setlist("units", checked)
        form = forms.RequestForm(data, units=unit_qs, versions=versions)
        return _render_create(request, form, units, source, checked=checked, quiet=True)
    form = forms.RequestForm(data, units=unit_qs, versions=versions)
    checked = data.getlist("units")
    if "tinh_ngay" in data:  # "Tính ngày": show the window of the chosen period, create nothing
        form.is_valid()
        return _render_create(request, form, units, source, checked=checked, preview=True)
    if form.is_valid():
        d = form.cleaned_data
        try:
            created = reports.create_request(
                user, title=d["title"], outline_version=d["outline_version"], units=list(d["units"]),
                period_kind=d["period_kind"], period_start=d["period_start"], period_end=d["period_end"],
                cutoff_on=d["cutoff_on"], due_on=d["due_on"], recipient=d.get("recipient") or "",
                instructions=d.get("instructions") or "", source_assignment=source, http_request=request)
        except SERVICE_ERRORS as exc:
            form.add_error(None, error_texts(exc))
        else:
            messages.success(request, _("Đã gửi yêu cầu báo cáo tới %(n)d đơn vị.") % {"n": len(d["units"])})
            return redirect("reports:detail", pk=created.pk)
    return _render_create(request, form, units, source, checked=checked)


def _render_create(request: HttpRequest, form: forms.RequestForm, units: list[Unit], source: Any,
                   checked: list[Any], quiet: bool = False, preview: bool = False) -> HttpResponse:
    return render(request, "reports/create.html", {
        "form": form, "groups": forms.unit_groups(units, checked), "source": source, "quiet": quiet,
        "window": form.window_preview() if preview else None, "picks": forms.PICKS,
        "has_versions": form.fields["outline_version"].queryset.exists(),
    })


# --- một yêu cầu ---------------------------------------------------------------------------------

@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    req = perms.get_request_for_user(user, pk)
    follows = can_see_unit(user, req.requested_by_unit_id)
    ctx: dict[str, Any] = {"req": req, "follows": follows, "today": timezone.localdate(),
                           "is_requester": perms.is_requester(user, req)}
    if follows:
        rows = request_timeliness(req)
        ctx.update(rows=rows, totals=totals(rows),
                   consolidation=getattr(req, "consolidation", None) if _has_consolidation(req) else None)
    else:
        ids = visible_unit_ids(user) or set()
        ctx["own"] = list(req.submissions.filter(unit_id__in=ids).select_related("unit"))
    return render(request, "reports/detail.html", ctx)


def _has_consolidation(req: ReportRequest) -> bool:
    from dieuhanh.reports.models import Consolidation

    try:
        return req.consolidation is not None
    except Consolidation.DoesNotExist:
        return False


# --- tình hình nộp báo cáo ----------------------------------------------------------------------

TIMELINESS_COLUMNS = [
    ("unit_code", gettext_lazy("Mã đơn vị")),
    ("unit", gettext_lazy("Đơn vị")),
    ("expected", gettext_lazy("Phải nộp")),
    ("submitted", gettext_lazy("Đã nộp")),
    ("on_time", gettext_lazy("Đúng hạn")),
    ("late", gettext_lazy("Trễ hạn")),
    ("missing", gettext_lazy("Chưa nộp, quá hạn")),
    ("pending", gettext_lazy("Chưa đến hạn")),
    ("reporting_rate", gettext_lazy("Tỷ lệ nộp (%)")),
    ("on_time_rate", gettext_lazy("Tỷ lệ đúng hạn (%)")),
]


@require_GET
@login_required
def timeliness(request: HttpRequest) -> HttpResponse:
    qs = _requester_side(request.user)
    year = (request.GET.get("nam") or "").strip()
    if year.isdigit():
        qs = qs.filter(period_start__year=int(year))
    rows = timeliness_by_unit(qs)
    fmt = requested_format(request)
    if fmt:
        return table_response(request, rows, TIMELINESS_COLUMNS, "tinh-hinh-nop-bao-cao", fmt)
    summed = {k: sum(r[k] for r in rows) for k in ("expected", "submitted", "on_time", "late", "missing", "pending")}
    summed["reporting_rate"] = rate(summed["submitted"], summed["expected"])
    summed["on_time_rate"] = rate(summed["on_time"], summed["expected"])
    return render(request, "reports/timeliness.html", {"rows": rows, "totals": summed,
                                                       "year": year if year.isdigit() else ""})

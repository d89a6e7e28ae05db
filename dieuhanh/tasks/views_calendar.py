"""The working-day calendar page (administrators) and the personal ICS feed."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dieuhanh.accounts.permissions import admin_required
from dieuhanh.lib.workcalendar import FIRST_YEAR, LAST_YEAR
from dieuhanh.tasks import calendar as calendar_service
from dieuhanh.tasks import ics
from dieuhanh.tasks.buckets import today
from dieuhanh.tasks.models import CalendarDay, FeedToken

WEEKDAYS = (gettext_lazy("Thứ Hai"), gettext_lazy("Thứ Ba"), gettext_lazy("Thứ Tư"), gettext_lazy("Thứ Năm"),
            gettext_lazy("Thứ Sáu"), gettext_lazy("Thứ Bảy"), gettext_lazy("Chủ nhật"))


class OverrideForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Ngày (dd/mm/yyyy)"),
                          error_messages={"invalid": gettext_lazy("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy."),
                                          "required": gettext_lazy("Hãy nhập ngày.")})
    is_working_day = forms.TypedChoiceField(
        label=gettext_lazy("Loại ngày"), coerce=lambda v: v == "1",
        choices=(("0", gettext_lazy("Ngày nghỉ (nghỉ bù, nghỉ thêm)")),
                 ("1", gettext_lazy("Ngày làm việc (làm bù thứ Bảy…)"))),
        error_messages={"required": gettext_lazy("Hãy chọn loại ngày."),
                        "invalid_choice": gettext_lazy("Loại ngày không hợp lệ.")})
    name = forms.CharField(label=gettext_lazy("Lý do"), max_length=150,
                           error_messages={"required": gettext_lazy("Hãy ghi lý do (ví dụ: theo Thông báo số …)."),
                                           "max_length": gettext_lazy("Lý do dài quá 150 ký tự.")})

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(_("Chỉ điều chỉnh các năm từ %(a)d đến %(b)d.")
                                        % {"a": FIRST_YEAR, "b": LAST_YEAR})
        return day


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    try:
        year = int(raw)
    except ValueError:
        return today().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else today().year


def _calendar_page(request: HttpRequest, year: int, form: OverrideForm, status: int = 200) -> HttpResponse:
    cal = calendar_service.work_calendar()
    overrides = {row.day: row for row in CalendarDay.objects.filter(day__year=year)}
    days = []
    for d, name in cal.days_off(year).items():
        days.append({
            "day": d, "weekday": WEEKDAYS[d.weekday()], "name": name, "working": cal.is_working_day(d),
            "override": overrides.get(d),
        })
    start, end = date(year, 1, 1), date(year, 12, 31)
    working = cal.working_days_between(start - timedelta(days=1), end)
    return render(request, "tasks/calendar.html", {
        "year": year, "days": days, "form": form, "working_count": working,
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
    }, status=status)


@require_http_methods(["GET", "POST"])
@never_cache
@admin_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    """GET ?year=: the year's days off and make-up days; POST action=add|remove."""
    year = _year(request)
    if request.method == "GET":
        return _calendar_page(request, year, OverrideForm(initial={"is_working_day": "0"}))
    action = request.POST.get("action", "add")
    if action == "remove":
        row = calendar_service.remove_override(request.user, request.POST.get("pk"), request)
        if row is None:
            messages.info(request, _("Ngày điều chỉnh này đã được xóa từ trước."))
        else:
            messages.success(request, _("Đã xóa điều chỉnh ngày %(day)s.") % {"day": row.day.strftime("%d/%m/%Y")})
            year = row.day.year
        return redirect(f"{reverse('tasks:calendar')}?year={year}")
    if action != "add":
        messages.error(request, _("Thao tác không hợp lệ."))
        return redirect(f"{reverse('tasks:calendar')}?year={year}")
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return _calendar_page(request, year, form, status=400)
    data = form.cleaned_data
    row, created = calendar_service.set_override(request.user, data["day"], data["is_working_day"],
                                                 data["name"].strip(), request)
    text = _("Đã thêm điều chỉnh ngày %(day)s.") if created else _("Đã cập nhật điều chỉnh ngày %(day)s.")
    messages.success(request, text % {"day": row.day.strftime("%d/%m/%Y")})
    return redirect(f"{reverse('tasks:calendar')}?year={row.day.year}")


# --- the ICS feed --------------------------------------------------------------------------------


@require_GET
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar file; the secret in the URL is the only credential."""
    user = ics.user_for_token(token)
    if user is None:
        raise Http404
    response = HttpResponse(ics.calendar_for(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="han-nhiem-vu.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@login_required
def feed_page(request: HttpRequest) -> HttpResponse:
    """The user's own feed URL; POST makes a new secret (the old URL stops working)."""
    if request.method == "POST":
        existed = FeedToken.objects.filter(user=request.user).exists()
        ics.regenerate_token(request.user, request)
        messages.success(request, _("Đã tạo đường dẫn mới; đường dẫn cũ không dùng được nữa.") if existed
                         else _("Đã tạo đường dẫn lịch của bạn."))
        return redirect("tasks:feed")
    feed = FeedToken.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("tasks:feed_ics", args=[feed.token])) if feed else ""
    webcal = ("webcal://" + url.split("://", 1)[1]) if url else ""
    count = ics.feed_assignments(request.user).count()
    return render(request, "tasks/calendar_feed.html", {"feed": feed, "url": url, "webcal": webcal,
                                                        "count": count})

"""/danh-gia/: criteria sets, rounds, a unit's score sheet, the ranking.

Thin views: objects come through ``permissions.get_<thing>_for_user`` (404 outside the
user's scope); changes go through ``services``/``workflow`` (403 for a reader who may not act).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dieuhanh.accounts.models import Role, User
from dieuhanh.accounts.scope import visible_unit_ids
from dieuhanh.evaluation import forms, ranking, services, workflow
from dieuhanh.evaluation import permissions as perms
from dieuhanh.evaluation.models import CriteriaVersion, Evidence, Stage, UnitGroup
from dieuhanh.orgs.models import Unit
from dieuhanh.reports.views import download, error_texts, flash_errors
from dieuhanh.web.downloads import file_download

PAGE_SIZE = 50


# --- criteria sets --------------------------------------------------------------------------------

@require_GET
@login_required
def set_list(request: HttpRequest) -> HttpResponse:
    rows = perms.sets_visible_to(request.user).select_related("owner_unit")
    return render(request, "evaluation/sets.html", {"sets": rows, "can_manage": perms.can_manage_sets(request.user)})


def _version(criteria_set: Any, raw: str | None) -> CriteriaVersion:
    versions = criteria_set.versions.order_by("-number")
    try:
        found = versions.get(number=int(raw)) if raw else versions.first()
    except (ValueError, CriteriaVersion.DoesNotExist):
        raise Http404 from None
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@login_required
def set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    criteria_set = perms.get_set_for_user(request.user, pk)
    version = _version(criteria_set, request.GET.get("phien_ban"))
    can_edit = perms.can_edit_set(request.user, criteria_set)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Bạn không có quyền sửa bộ tiêu chí này."))
        new_max = {k[4:]: v for k, v in request.POST.items() if k.startswith("max_")}
        try:
            new = services.edit_max_points(request.user, version, new_max, http_request=request)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Đã lưu phiên bản %(n)d.") % {"n": new.number})
        return redirect("evaluation:set", pk=criteria_set.pk)
    versions = list(criteria_set.versions.select_related("created_by").order_by("-number"))
    return render(request, "evaluation/set.html", {
        "set": criteria_set, "version": version, "tree": version.tree(), "versions": versions,
        "can_edit": can_edit and version.number == versions[0].number})


@require_GET
@login_required
def set_yaml(request: HttpRequest, pk: int) -> HttpResponse:
    criteria_set = perms.get_set_for_user(request.user, pk)
    version = _version(criteria_set, request.GET.get("phien_ban"))
    return download(version.tree().to_yaml().encode("utf-8"), "application/yaml; charset=utf-8",
                    f"{criteria_set.code}-v{version.number}.yaml")


@require_http_methods(["GET", "POST"])
@login_required
def set_import(request: HttpRequest) -> HttpResponse:
    if not perms.can_manage_sets(request.user):
        raise PermissionDenied(_("Bạn không có quyền quản lý bộ tiêu chí."))
    form = forms.SetImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.import_set(request.user, form.cleaned_data["yaml"],
                                          note=form.cleaned_data.get("note") or "", http_request=request)
        except ValidationError as exc:
            for text in error_texts(exc):
                form.add_error(None, text)
        else:
            messages.success(request, _("Đã nhập bộ tiêu chí «%(title)s», phiên bản %(n)d.")
                             % {"title": version.criteria_set.title, "n": version.number})
            return redirect("evaluation:set", pk=version.criteria_set_id)
    return render(request, "evaluation/set_import.html", {"form": form})


# --- rounds ---------------------------------------------------------------------------------------

@require_GET
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = perms.rounds_visible_to(request.user).select_related("organiser_unit")
    return render(request, "evaluation/rounds.html", {"rounds": rounds, "can_open": perms.acting(request.user)
                                                      or perms.is_admin(request.user)})


def _round_form(request: HttpRequest) -> forms.RoundForm:
    from dieuhanh.tasks.permissions import assign_scope

    user = request.user
    if user.unit_id is None:
        unit_ids: set[int] = set()
    else:
        unit_ids = set(assign_scope(user.unit_id).ids)
    kinds = ("ubnd_xa", "phong", "van_phong", "ubnd_huyen")
    units = Unit.objects.filter(pk__in=unit_ids, kind__in=kinds).order_by("kind", "name")
    people = (User.objects.filter(is_active=True, unit_id__in=unit_ids | {user.unit_id},
                                  role__in=(Role.CHUYEN_VIEN, Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND))
              .order_by("unit__name", "username"))
    year = datetime.date.today().year - 1
    initial = {"year": year, "title": _("Đánh giá, xếp hạng công tác cải cách hành chính năm %(year)s") % {"year": year},
               **forms.default_dates(year)}
    return forms.RoundForm(request.POST or None, units=units, people=people, initial=initial)


@require_http_methods(["GET", "POST"])
@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    if not (perms.acting(request.user) or perms.is_admin(request.user)):
        raise PermissionDenied(_("Bạn không có quyền mở đợt đánh giá."))
    form = _round_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rnd = services.open_round(
                request.user, title=data["title"], year=data["year"], units=data["units"],
                self_deadline=data["self_deadline"], explain_deadline=data["explain_deadline"],
                cutoff_on=data["cutoff_on"], council=data["council"],
                plan_documents=_plan_documents(request.user, data["plan_documents"]), http_request=request)
        except ValidationError as exc:
            for text in error_texts(exc):
                form.add_error(None, text)
        else:
            messages.success(request, _("Đã mở đợt đánh giá."))
            return redirect("evaluation:round", pk=rnd.pk)
    return render(request, "evaluation/round_create.html", {"form": form})


def _plan_documents(user: Any, text: str) -> list[Any]:
    from dieuhanh.documents.models import Document, number_symbol_key

    keys = [number_symbol_key(part) for part in (text or "").split(",") if part.strip()]
    ids = visible_unit_ids(user)
    qs = Document.objects.filter(ns_key__in=[k for k in keys if k])
    if ids is not None:
        qs = qs.filter(owner_unit_id__in=ids)
    return list(qs)


@require_GET
@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = perms.get_round_for_user(request.user, pk)
    everything = perms.sees_everything(request.user, rnd)
    participants = rnd.participants.select_related("unit").order_by("group", "unit__name")
    if not everything and not rnd.published:
        ids = visible_unit_ids(request.user)
        participants = participants.filter(unit_id__in=ids or set())
    return render(request, "evaluation/round.html", {
        "round": rnd, "participants": participants, "organiser": perms.is_organiser(request.user, rnd),
        "council": rnd.council.all(), "next_stage": rnd.next_stage(), "sees_results": perms.sees_results(request.user, rnd),
        "survey_form": forms.SurveyForm(), "stages": Stage, "campaigns": rnd.campaigns.all(),
    })


@require_POST
@login_required
def round_advance(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = perms.get_round_for_user(request.user, pk)
    try:
        workflow.advance(request.user, rnd, http_request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã chuyển sang giai đoạn: %(stage)s.") % {"stage": rnd.get_stage_display()})
    return redirect("evaluation:round", pk=rnd.pk)


@require_POST
@login_required
def round_survey(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = perms.get_round_for_user(request.user, pk)
    if not perms.is_organiser(request.user, rnd):
        raise PermissionDenied(_("Chỉ đơn vị tổ chức đợt đánh giá được nhập điểm điều tra."))
    form = forms.SurveyForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("evaluation:round", pk=rnd.pk)
    try:
        n = workflow.import_survey(request.user, rnd, form.cleaned_data["file"].read(), http_request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã nhập %(n)d điểm điều tra xã hội học.") % {"n": n})
    return redirect("evaluation:round", pk=rnd.pk)


@require_GET
@login_required
def ranking_page(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = perms.get_round_for_user(request.user, pk)
    if not perms.sees_results(request.user, rnd):
        raise PermissionDenied(_("Kết quả xếp hạng chưa được công bố."))
    counts = ranking.group_counts(rnd)
    group = request.GET.get("nhom") or next(iter(g for g in UnitGroup.values if g in counts), UnitGroup.PHONG)
    if group not in UnitGroup.values:
        raise Http404
    page = Paginator(ranking.ranked(rnd, group), PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = ranking.decorate(list(page.object_list), rnd, counts.get(group, 0))
    titles = ranking.area_titles(rnd, group)
    averages = ranking.area_averages(rnd).get(group, {})
    previous = ranking.previous_round(rnd)
    last = previous.summary.get(group, {}) if previous else {}
    chart_areas = ranking.bar_chart(
        _("Điểm trung bình theo lĩnh vực (% điểm tối đa)"), [t for _c, t in titles],
        [(str(rnd.year), [averages.get(c) for c, _t in titles])]
        + ([(str(previous.year), [last.get(c) for c, _t in titles])] if previous else []))
    chart_units = ranking.bar_chart(_("Chỉ số CCHC của các đơn vị (%)"), [p.unit.name for p in rows],
                                    [(str(rnd.year), [float(p.index) for p in rows])])
    return render(request, "evaluation/ranking.html", {
        "round": rnd, "group": group, "groups": [(g, label) for g, label in UnitGroup.choices if g in counts],
        "rows": rows, "page": page, "chart_areas": chart_areas, "chart_units": chart_units,
        "flagged": [p for p in rows if p.flagged], "organiser": perms.is_organiser(request.user, rnd)})


# --- a unit's score sheet -------------------------------------------------------------------------

def _entries(post: Any, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key, value in post.items():
        for field in fields:
            prefix = f"{field}_"
            if key.startswith(prefix):
                out.setdefault(key[len(prefix):], {})[field] = value
    return out


@require_http_methods(["GET", "POST"])
@login_required
def participant(request: HttpRequest, pk: int) -> HttpResponse:
    p = perms.get_participant_for_user(request.user, pk)
    rnd = p.round
    if request.method == "POST":
        return _participant_post(request, p)
    scores = {s.item: s for s in p.scores.prefetch_related("adjustments", "evidence")}
    tree = p.version.tree()
    own = perms.can_self_score(request.user, p)
    return render(request, "evaluation/participant.html", {
        "p": p, "round": rnd, "tree": tree, "scores": scores,
        "areas": [(a, [(c, [(i, scores.get(i.code)) for i in c.items]) for c in a.criteria]) for a in tree.areas],
        "can_self": own and rnd.stage == Stage.SELF, "can_explain": own and rnd.stage == Stage.EXPLANATION,
        "can_appraise": perms.is_council(request.user, rnd) and rnd.stage in (Stage.APPRAISAL, Stage.SECOND),
        "evidence_form": forms.EvidenceForm(), "chart": _participant_chart(p, tree, request.user),
    })


def _participant_chart(p: Any, tree: Any, user: Any) -> Any:
    normal = [a for a in tree.areas if a.kind == "normal" and a.max]
    mine = [float(services.parse_points(p.area_points.get(a.code, "0")) * 100 / a.max) for a in normal]
    averages = ranking.area_averages(p.round).get(p.group, {}) if perms.sees_results(user, p.round) else {}
    series = [(str(p.unit), mine)]
    if averages:
        series.append((_("Trung bình nhóm"), [averages.get(a.code) for a in normal]))
    return ranking.bar_chart(_("Điểm theo lĩnh vực (% điểm tối đa)"), [a.title for a in normal], series)


def _participant_post(request: HttpRequest, p: Any) -> HttpResponse:
    action = request.POST.get("hanh_dong")
    try:
        if action == "tu_cham":
            n = workflow.self_score(request.user, p, _entries(request.POST, ("points", "note")), http_request=request)
        elif action == "tham_dinh":
            n = workflow.appraise(request.user, p, _entries(request.POST, ("points", "reason")), http_request=request)
        elif action == "giai_trinh":
            texts = {k: v.get("explanation", "") for k, v in _entries(request.POST, ("explanation",)).items()}
            n = workflow.explain(request.user, p, texts, http_request=request)
        else:
            raise ValidationError(_("Thao tác không hợp lệ."))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã lưu %(n)d thay đổi.") % {"n": n})
    return redirect("evaluation:participant", pk=p.pk)


@require_POST
@login_required
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    p = perms.get_participant_for_user(request.user, pk)
    if not perms.can_self_score(request.user, p):
        raise PermissionDenied(_("Chỉ đơn vị được đánh giá mới thêm tài liệu kiểm chứng."))
    form = forms.EvidenceForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError([str(e) for errors in form.errors.values() for e in errors])
        score = p.scores.filter(item=form.cleaned_data["item"]).first()
        if score is None:
            raise ValidationError(_("Không có tiêu chí thành phần này."))
        workflow.add_evidence(request.user, score, upload=form.cleaned_data.get("file"),
                              http_request=request, **_linked(request.user, form.cleaned_data.get("link") or ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã thêm tài liệu kiểm chứng."))
    return redirect("evaluation:participant", pk=p.pk)


def _linked(user: Any, link: str) -> dict[str, Any]:
    """ "van-ban:12" / "nhiem-vu:5" / "bao-cao:3" → the object, loaded in the user's scope."""
    link = link.strip()
    if not link:
        return {}
    kind, _sep, raw = link.partition(":")
    try:
        if kind == "van-ban":
            from dieuhanh.documents.services import get_document_for_user

            return {"document": get_document_for_user(user, raw)}
        if kind == "nhiem-vu":
            from dieuhanh.tasks.permissions import get_assignment_for_user

            return {"assignment": get_assignment_for_user(user, raw)}
        if kind == "bao-cao":
            from dieuhanh.reports.permissions import get_submission_for_user

            return {"submission": get_submission_for_user(user, raw)}
    except Http404:
        raise ValidationError(_("Không tìm thấy “%(link)s” trong phạm vi của bạn.") % {"link": link}) from None
    raise ValidationError(_("Liên kết phải có dạng van-ban:ID, nhiem-vu:ID hoặc bao-cao:ID."))


@require_GET
@login_required
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        evidence = Evidence.objects.select_related("score").get(pk=int(pk), kind="tep")
    except (Evidence.DoesNotExist, ValueError):
        raise Http404 from None
    perms.get_participant_for_user(request.user, evidence.score.participant_id)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return file_download(handle, evidence.name)



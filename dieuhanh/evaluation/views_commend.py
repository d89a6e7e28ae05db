"""/danh-gia/…/khen-thuong/: a commendation campaign, its shortlist, proposals, vote and outputs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dieuhanh.evaluation import commendation, documents_docx, forms
from dieuhanh.evaluation import permissions as perms
from dieuhanh.reports.views import download, error_texts, flash_errors

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _campaign(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    campaign = perms.get_campaign_for_user(request.user, pk)
    if not perms.sees_everything(request.user, campaign.round) and not perms.can_propose(request.user):
        raise PermissionDenied(_("Bạn không có quyền xem đợt khen thưởng này."))
    return campaign


@require_POST
@login_required
def campaign_create(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = perms.get_round_for_user(request.user, pk)
    if not perms.is_organiser(request.user, rnd):
        raise PermissionDenied(_("Chỉ đơn vị tổ chức đợt đánh giá được lập đợt khen thưởng."))
    form = forms.CampaignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("evaluation:round", pk=rnd.pk)
    try:
        campaign = commendation.create_campaign(request.user, rnd, form.cleaned_data, http_request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("evaluation:round", pk=rnd.pk)
    messages.success(request, _("Đã lập đợt khen thưởng và danh sách đề xuất."))
    return redirect("evaluation:campaign", pk=campaign.pk)


@require_http_methods(["GET", "POST"])
@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    organiser = perms.is_organiser(request.user, campaign.round)
    nominees = list(campaign.nominees.select_related("unit", "proposed_by"))
    choices = [(str(n.pk), n.name) for n in nominees]
    proposal, vote = forms.ProposalForm(), forms.VoteForm(choices=choices, initial={
        "approved": [str(n.pk) for n in nominees if n.approved], "votes_for": campaign.votes_for,
        "votes_total": campaign.votes_total, "minutes": campaign.minutes})
    if request.method == "POST":
        action = request.POST.get("hanh_dong")
        try:
            if action == "de_nghi":
                proposal = forms.ProposalForm(request.POST)
                if not proposal.is_valid():
                    raise ValidationError([str(e) for errs in proposal.errors.values() for e in errs])
                commendation.propose(request.user, campaign, proposal.cleaned_data, http_request=request)
            elif action == "bieu_quyet":
                if not organiser:
                    raise PermissionDenied(_("Chỉ cơ quan thường trực Hội đồng ghi kết quả họp xét."))
                vote = forms.VoteForm(request.POST, choices=choices)
                if not vote.is_valid():
                    raise ValidationError([str(e) for errs in vote.errors.values() for e in errs])
                data = vote.cleaned_data
                commendation.record_vote(request.user, campaign, [int(x) for x in data["approved"]],
                                         data["votes_for"], data["votes_total"], data["minutes"], http_request=request)
            else:
                raise ValidationError(_("Thao tác không hợp lệ."))
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Đã lưu."))
        return redirect("evaluation:campaign", pk=campaign.pk)
    return render(request, "evaluation/campaign.html", {
        "campaign": campaign, "nominees": nominees, "organiser": organiser, "proposal_form": proposal,
        "vote_form": vote, "can_propose": perms.can_propose(request.user) and campaign.voted_at is None,
        "basis": commendation.legal_basis(campaign.decided_on)})


@require_GET
@login_required
def campaign_output(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not perms.sees_everything(request.user, campaign.round):
        raise PermissionDenied(_("Bạn không có quyền tải văn bản khen thưởng."))
    if kind not in documents_docx.OUTPUTS:
        raise Http404
    build, name = documents_docx.OUTPUTS[kind]
    return download(build(campaign), DOCX, f"{name}-{campaign.pk}.docx")


__all__ = ["campaign_create", "campaign_detail", "campaign_output", "error_texts"]

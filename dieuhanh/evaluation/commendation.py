"""Commendation (khen thưởng theo đợt, chuyên đề) fed by a round's ranking and tracked work.

The shortlist gives its reasons: for a collective, its index, band and rank, its on-time
rate of tasks and reports in the year and no overdue work at the cut-off; for an
individual, the reports they sent on time and the tasks they carried out on time for a
shortlisted unit (or, when the system knows of none, the unit's head). Heads of units add
their own proposals; the council's vote is recorded with its minutes. The outputs are
Decree 30 DOCX files: the Tờ trình with the list, the Quyết định of the district chairman,
and the Giấy khen certificates. The legal basis cited follows the decision's date
(``data/legal-basis.yaml``).
"""

from __future__ import annotations

import datetime
import io
from collections import Counter
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction, Role
from dieuhanh.evaluation import metrics, ranking
from dieuhanh.evaluation import permissions as perms
from dieuhanh.evaluation.models import Campaign, Nominee, NomineeKind, Round, Stage

LEGAL_BASIS = Path(__file__).resolve().parent / "data" / "legal-basis.yaml"


@lru_cache(maxsize=1)
def _basis_table() -> list[dict[str, Any]]:
    return yaml.safe_load(LEGAL_BASIS.read_text(encoding="utf-8"))


def legal_basis(on: datetime.date) -> list[str]:
    for entry in _basis_table():
        start, end = entry.get("valid_from"), entry.get("valid_to")
        if (start is None or start <= on) and (end is None or on <= end):
            return list(entry["basis"])
    return []


def _pct(value: Any) -> str:
    return f"{Decimal(value):.1f}".replace(".", ",") + "%"


def create_campaign(user: Any, rnd: Round, data: dict[str, Any], http_request: Any = None) -> Campaign:
    if not perms.is_organiser(user, rnd):
        raise PermissionDenied(_("Chỉ đơn vị tổ chức đợt đánh giá (thường trực Hội đồng Thi đua - Khen thưởng) "
                                 "được lập đợt khen thưởng."))
    if rnd.stage not in (Stage.SECOND, Stage.PUBLISHED):
        raise ValidationError(_("Chỉ lập đợt khen thưởng sau khi thẩm định lần 2."))
    with transaction.atomic():
        campaign = Campaign.objects.create(round=rnd, created_by=user, **data)
        record(user, AuditAction.CREATE, campaign, after=snapshot(campaign), request=http_request,
               unit_id=rnd.organiser_unit_id)
        build_shortlist(campaign)
    return campaign


def build_shortlist(campaign: Campaign) -> list[Nominee]:
    rnd = campaign.round
    rows = ranking.full_ranking(rnd)
    counts = ranking.group_counts(rnd)
    unit_ids = [r["participant"].unit_id for r in rows]
    tasks = metrics.tasks_on_time(unit_ids, rnd.year, rnd.cutoff_on)
    reports = metrics.reports_on_time(unit_ids, rnd.year, rnd.cutoff_on)
    overdue = _overdue_at_cutoff(unit_ids, rnd.cutoff_on)
    chosen = []
    for row in sorted(rows, key=lambda r: -r["participant"].index):
        p = row["participant"]
        rate = tasks[p.unit_id].rate if p.unit_id in tasks else None
        if p.index < campaign.min_index or (rate is not None and rate < campaign.min_on_time) or overdue[p.unit_id]:
            continue
        reasons = [_("Chỉ số CCHC năm %(year)s: %(index)s, xếp loại %(band)s, hạng %(rank)d/%(count)d trong nhóm "
                     "%(group)s.") % {"year": rnd.year, "index": _pct(p.index), "band": row["band"], "rank": row["rank"],
                                      "count": counts[row["group"]], "group": p.get_group_display().lower()}]
        if p.unit_id in tasks:
            t = tasks[p.unit_id]
            reasons.append(_("Hoàn thành đúng hạn %(good)d/%(n)d nhiệm vụ được giao (%(rate)s).")
                           % {"good": t.good, "n": t.counted, "rate": _pct(t.rate)})
        if p.unit_id in reports:
            r = reports[p.unit_id]
            reasons.append(_("Gửi đúng hạn %(good)d/%(n)d báo cáo.") % {"good": r.good, "n": r.counted})
        reasons.append(_("Không có nhiệm vụ quá hạn tại ngày chốt %(day)s.") % {"day": rnd.cutoff_on.strftime("%d/%m/%Y")})
        chosen.append((p, reasons))
        if len(chosen) >= campaign.quota_collectives:
            break
    with transaction.atomic():
        campaign.nominees.filter(proposed=False).delete()
        made = [Nominee(campaign=campaign, kind=NomineeKind.COLLECTIVE, unit=p.unit, name=p.unit.name, reasons=reasons)
                for p, reasons in chosen]
        made += _individuals(campaign, [p.unit for p, _r in chosen])
        Nominee.objects.bulk_create(made)
    return made


def _overdue_at_cutoff(unit_ids: list[int], cutoff: datetime.date) -> Counter[int]:
    from dieuhanh.tasks.models import OPEN_STATUSES, Assignment

    return Counter(Assignment.objects.filter(unit_id__in=unit_ids, status__in=OPEN_STATUSES,
                                             original_due_on__lt=cutoff).values_list("unit_id", flat=True))


def _individuals(campaign: Campaign, units: list[Any]) -> list[Nominee]:
    """People who sent the units' reports on time or carried out their tasks on time; else the head."""
    from dieuhanh.accounts.models import User
    from dieuhanh.reports.models import SubmissionVersion
    from dieuhanh.tasks.models import Assignment, Status

    rnd = campaign.round
    start, end = datetime.date(rnd.year, 1, 1), datetime.date(rnd.year, 12, 31)
    credit: Counter[int] = Counter()
    for by_id, at, due in (SubmissionVersion.objects.filter(
            submission__unit__in=units, event="da_nop", submission__request__due_on__range=(start, end),
            by__isnull=False).values_list("by_id", "at", "submission__request__due_on")):
        if timezone.localdate(at) <= due:
            credit[by_id] += 1
    for by_id, completed, due in (Assignment.objects.filter(
            unit__in=units, status=Status.DONE, original_due_on__range=(start, end), assignee__isnull=False)
            .values_list("assignee_id", "completed_on", "original_due_on")):
        if completed and completed <= due:
            credit[by_id] += 1
    people = {u.pk: u for u in User.objects.filter(pk__in=list(credit), unit__in=units).select_related("unit")}
    out = []
    for pk, n in credit.most_common():
        if pk in people and len(out) < campaign.quota_individuals:
            u = people[pk]
            out.append(Nominee(campaign=campaign, kind=NomineeKind.INDIVIDUAL, unit=u.unit, person=u,
                               name=u.get_full_name() or u.username, position=u.position,
                               reasons=[_("Thực hiện đúng hạn %(n)d báo cáo, nhiệm vụ của %(unit)s năm %(year)s.")
                                        % {"n": n, "unit": u.unit.name, "year": rnd.year}]))
    if not out:
        heads = User.objects.filter(unit__in=units, is_active=True, role__in=(Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND))
        for u in heads.select_related("unit").order_by("unit__name")[:campaign.quota_individuals]:
            out.append(Nominee(campaign=campaign, kind=NomineeKind.INDIVIDUAL, unit=u.unit, person=u,
                               name=u.get_full_name() or u.username, position=u.position,
                               reasons=[_("Thủ trưởng %(unit)s, đơn vị đạt tiêu chuẩn khen thưởng tập thể.")
                                        % {"unit": u.unit.name}]))
    return out


def propose(user: Any, campaign: Campaign, data: dict[str, str], http_request: Any = None) -> Nominee:
    if not perms.can_propose(user) or user.unit_id is None:
        raise PermissionDenied(_("Chỉ thủ trưởng đơn vị được đề nghị khen thưởng."))
    if campaign.voted_at is not None:
        raise ValidationError(_("Hội đồng đã họp xét; không nhận thêm đề nghị."))
    with transaction.atomic():
        nominee = Nominee.objects.create(
            campaign=campaign, kind=NomineeKind.INDIVIDUAL, unit_id=user.unit_id, name=data["name"].strip(),
            position=(data.get("position") or "").strip(), reasons=[data["reason"].strip()], proposed=True,
            proposed_by=user)
        record(user, AuditAction.CREATE, nominee, after=snapshot(nominee), request=http_request,
               note="Đề nghị khen thưởng")
    return nominee


def record_vote(user: Any, campaign: Campaign, approved_ids: list[int], votes_for: int, votes_total: int,
                minutes: str, http_request: Any = None) -> Campaign:
    if not perms.is_organiser(user, campaign.round):
        raise PermissionDenied(_("Chỉ cơ quan thường trực Hội đồng Thi đua - Khen thưởng ghi kết quả họp xét."))
    with transaction.atomic():
        campaign.nominees.update(approved=False)
        campaign.nominees.filter(pk__in=approved_ids).update(approved=True)
        before = snapshot(campaign, ["minutes", "votes_for", "votes_total"])
        campaign.minutes, campaign.votes_for, campaign.votes_total = minutes.strip(), votes_for, votes_total
        campaign.voted_at = timezone.now()
        campaign.save(update_fields=["minutes", "votes_for", "votes_total", "voted_at"])
        record(user, AuditAction.UPDATE, campaign, before=before, request=http_request,
               after={**snapshot(campaign, ["minutes", "votes_for", "votes_total"]), "approved": approved_ids})
    return campaign

"""The round's cycle: self-assessment with evidence → appraisal → explanation → second
appraisal → published; survey points from CSV. Each function checks the stage, the date
and the actor, changes everything or nothing, and writes its audit rows."""

from __future__ import annotations

import csv
import os
import datetime
import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction
from dieuhanh.evaluation import permissions as perms
from dieuhanh.evaluation.models import (Adjustment, Evidence, EvidenceKind, Participant, Round, Score, Stage)
from dieuhanh.evaluation.services import parse_points, refresh_participant, score_round

MAX_CSV_BYTES = 2_000_000


def _today() -> datetime.date:
    """Deadlines are judged on ``on`` when given (the demo replays 2021), else today."""
    return timezone.localdate()


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _check_points(score: Score, raw: Any, problems: list[str]) -> Decimal | None:
    value = parse_points(raw)
    if value is None:
        problems.append(_("Điểm của %(item)s phải là số (ví dụ 1,5).") % {"item": score.item})
    elif value < 0 or value > score.max_points:
        problems.append(_("Điểm của %(item)s phải từ 0 đến %(max)s.") % {"item": score.item, "max": score.max_points})
    else:
        return value.quantize(Decimal("0.01"))
    return None


@transaction.atomic
def self_score(user: Any, participant: Participant, entries: dict[str, dict[str, str]],
               http_request: Any = None, on: datetime.date | None = None) -> int:
    """``entries``: item code → {"points": "1,5", "note": "…"}. Computed items with a value take only
    a note (the value comes from the tracked data). Returns how many scores changed."""
    rnd = participant.round
    _require(perms.can_self_score(user, participant), _("Chỉ lãnh đạo, chuyên viên của đơn vị được tự chấm điểm."))
    if rnd.stage != Stage.SELF:
        raise ValidationError(_("Đợt đánh giá đã qua giai đoạn tự đánh giá."))
    if (on or _today()) > rnd.self_deadline:
        raise ValidationError(_("Đã quá hạn tự đánh giá (%(day)s).") % {"day": rnd.self_deadline.strftime("%d/%m/%Y")})
    scores = {s.item: s for s in participant.scores.select_for_update()}
    problems, changed = [], []
    for code, entry in entries.items():
        score = scores.get(code)
        if score is None:
            problems.append(_("Không có tiêu chí thành phần %(item)s trong bộ tiêu chí.") % {"item": code})
            continue
        raw = (entry.get("points") or "").strip()
        note = (entry.get("note") or "").strip()[:4000]
        value = score.self_points
        locked = score.method == "survey" or (score.method == "computed" and score.computed is not None)
        if raw and not locked:
            value = _check_points(score, raw, problems)
        elif not raw and not locked:
            value = None
        if value != score.self_points or note != score.self_note:
            before = snapshot(score, ["self_points", "self_note"])
            score.self_points, score.self_note = value, note
            score.settle()
            changed.append((score, before))
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        for score, before in changed:
            score.save(update_fields=["self_points", "self_note", "points"])
            record(user, AuditAction.UPDATE, score, before=before, after=snapshot(score, ["self_points", "self_note"]),
                   unit_id=participant.unit_id, request=http_request, note="Tự đánh giá")
        if changed:
            participant.self_submitted_at = timezone.now()
            participant.save(update_fields=["self_submitted_at"])
            refresh_participant(participant)
    return len(changed)


def add_evidence(user: Any, score: Score, *, upload: Any = None, document: Any = None, assignment: Any = None,
                 submission: Any = None, http_request: Any = None) -> Evidence:
    participant = score.participant
    _require(perms.can_self_score(user, participant), _("Chỉ đơn vị được đánh giá mới thêm tài liệu kiểm chứng."))
    if participant.round.stage not in (Stage.SELF, Stage.EXPLANATION):
        raise ValidationError(_("Chỉ thêm tài liệu kiểm chứng khi tự đánh giá hoặc giải trình."))
    if upload is not None:
        name = os.path.basename(str(getattr(upload, "name", "") or "")).strip()[:255] or "tep"
        limit = getattr(settings, "UPLOAD_MAX_BYTES", 25 * 1024 * 1024)
        if not getattr(upload, "size", 0):
            raise ValidationError(_("Tệp %(name)s rỗng, không có nội dung.") % {"name": name})
        if upload.size > limit:
            raise ValidationError(_("Tệp %(name)s quá lớn (tối đa %(mb)d MB).") % {"name": name, "mb": limit // 2**20})
        evidence = Evidence(score=score, kind=EvidenceKind.FILE, name=name, added_by=user)
        evidence.file.save(upload.name, upload, save=False)
    elif document is not None:
        evidence = Evidence(score=score, kind=EvidenceKind.DOCUMENT, document=document, added_by=user,
                            name=str(document)[:255])
    elif assignment is not None:
        evidence = Evidence(score=score, kind=EvidenceKind.TASK, assignment=assignment, added_by=user,
                            name=assignment.task.title[:255])
    elif submission is not None:
        evidence = Evidence(score=score, kind=EvidenceKind.REPORT, submission=submission, added_by=user,
                            name=submission.request.title[:255])
    else:
        raise ValidationError(_("Chọn tệp hoặc văn bản, nhiệm vụ, báo cáo đã có trong hệ thống."))
    with transaction.atomic():
        evidence.save()
        record(user, AuditAction.CREATE, evidence, after=snapshot(evidence), unit_id=participant.unit_id,
               request=http_request, note=f"Tài liệu kiểm chứng {score.item}")
    return evidence


@transaction.atomic
def appraise(user: Any, participant: Participant, entries: dict[str, dict[str, str]],
             http_request: Any = None) -> int:
    """The council's changes: item → {"points", "reason"}; a change without a reason is refused."""
    rnd = participant.round
    _require(perms.is_council(user, rnd), _("Chỉ thành viên Hội đồng thẩm định được điều chỉnh điểm."))
    if rnd.stage not in (Stage.APPRAISAL, Stage.SECOND):
        raise ValidationError(_("Chỉ điều chỉnh điểm trong giai đoạn thẩm định."))
    field = "appraised" if rnd.stage == Stage.APPRAISAL else "final"
    scores = {s.item: s for s in participant.scores.select_for_update()}
    problems, changed = [], []
    for code, entry in entries.items():
        score = scores.get(code)
        raw = (entry.get("points") or "").strip()
        if score is None or not raw:
            continue
        value = _check_points(score, raw, problems)
        if value is None or value == score.points:
            continue
        reason = (entry.get("reason") or "").strip()
        if not reason:
            problems.append(_("Điều chỉnh điểm %(item)s phải có lý do.") % {"item": code})
            continue
        changed.append((score, score.points, value, reason[:4000]))
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        for score, before, value, reason in changed:
            setattr(score, field, value)
            score.settle()
            score.save(update_fields=[field, "points"])
            Adjustment.objects.create(score=score, stage=rnd.stage, before=before, after=value, reason=reason, by=user)
            record(user, AuditAction.UPDATE, score, before={"points": str(before)}, after={"points": str(value)},
                   unit_id=participant.unit_id, request=http_request, note=f"Thẩm định: {reason}"[:255])
        if changed:
            refresh_participant(participant)
    return len(changed)


@transaction.atomic
def explain(user: Any, participant: Participant, texts: dict[str, str], http_request: Any = None,
            on: datetime.date | None = None) -> int:
    rnd = participant.round
    _require(perms.can_self_score(user, participant), _("Chỉ lãnh đạo, chuyên viên của đơn vị được giải trình."))
    if rnd.stage != Stage.EXPLANATION:
        raise ValidationError(_("Chỉ giải trình trong giai đoạn giải trình."))
    if (on or _today()) > rnd.explain_deadline:
        raise ValidationError(_("Đã quá hạn giải trình (%(day)s).") % {"day": rnd.explain_deadline.strftime("%d/%m/%Y")})
    changed = 0
    with transaction.atomic():
        for score in participant.scores.select_for_update().filter(item__in=list(texts)):
            text = (texts.get(score.item) or "").strip()[:4000]
            if text != score.explanation:
                before = {"explanation": score.explanation}
                score.explanation = text
                score.save(update_fields=["explanation"])
                record(user, AuditAction.UPDATE, score, before=before, after={"explanation": text},
                       unit_id=participant.unit_id, request=http_request, note="Giải trình")
                changed += 1
    return changed


def advance(user: Any, rnd: Round, http_request: Any = None) -> Round:
    """The organiser moves the round to its next stage; the last one publishes the results."""
    _require(perms.is_organiser(user, rnd), _("Chỉ đơn vị tổ chức đợt đánh giá được chuyển giai đoạn."))
    target = rnd.next_stage()
    if target is None:
        raise ValidationError(_("Đợt đánh giá đã công bố kết quả."))
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=rnd.pk)
        if locked.stage != rnd.stage:
            raise ValidationError(_("Đợt đánh giá vừa được chuyển giai đoạn; hãy tải lại trang."))
        before = {"stage": locked.stage}
        locked.stage = target
        if target == Stage.PUBLISHED:
            locked.published_at = timezone.now()
            score_round(locked)
        locked.save(update_fields=["stage", "published_at"])
        record(user, AuditAction.STATE, locked, before=before, after={"stage": target}, request=http_request)
    rnd.stage, rnd.published_at = locked.stage, locked.published_at
    return rnd


# --- survey points --------------------------------------------------------------------------------

def _rows(data: bytes) -> tuple[list[list[str]], str]:
    if len(data) > MAX_CSV_BYTES:
        raise ValidationError(_("Tệp CSV quá lớn (tối đa 2 MB)."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("Tệp CSV phải mã hóa UTF-8 (khi lưu từ Excel chọn “CSV UTF-8”).")) from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValidationError(_("Tệp CSV rỗng."))
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    return list(csv.reader(lines, delimiter=delimiter)), delimiter


@transaction.atomic
def import_survey(user: Any, rnd: Round, data: bytes, http_request: Any = None) -> int:
    """CSV ``ma_don_vi, tieu_chi, diem`` (a header row, comma or semicolon separated; with a
    semicolon the points may use a decimal comma). Every row is checked before anything is saved."""
    _require(perms.is_organiser(user, rnd), _("Chỉ đơn vị tổ chức đợt đánh giá được nhập điểm điều tra."))
    if rnd.stage == Stage.PUBLISHED:
        raise ValidationError(_("Đợt đánh giá đã công bố kết quả."))
    rows, delimiter = _rows(data)
    header = [h.strip().lower() for h in rows[0]]
    if header[:3] != ["ma_don_vi", "tieu_chi", "diem"]:
        raise ValidationError(_("Dòng đầu của tệp CSV phải là: ma_don_vi, tieu_chi, diem."))
    participants = {p.unit.code: p for p in rnd.participants.select_related("unit")}
    scores = {(s.participant_id, s.item): s for s in Score.objects.filter(participant__round=rnd, method="survey")}
    problems: list[str] = []
    found: dict[int, Score] = {}
    for n, row in enumerate(rows[1:], 2):
        if len(row) != 3:
            hint = _(" Điểm có dấu phẩy thập phân? Hãy dùng dấu chấm (7.5) hoặc dấu chấm phẩy “;” để phân cách cột.") \
                if delimiter == "," and len(row) == 4 else ""
            problems.append(_("Dòng %(n)d có %(k)d cột, cần 3.") % {"n": n, "k": len(row)} + hint)
            continue
        code, item, raw = (c.strip() for c in row)
        participant = participants.get(code)
        if participant is None:
            problems.append(_("Dòng %(n)d: đơn vị “%(code)s” không thuộc đợt đánh giá này.") % {"n": n, "code": code})
            continue
        score = scores.get((participant.pk, item))
        if score is None:
            problems.append(_("Dòng %(n)d: “%(item)s” không phải tiêu chí điều tra xã hội học của %(unit)s.")
                            % {"n": n, "item": item, "unit": participant.unit})
            continue
        if delimiter == "," and "," in raw:
            problems.append(_("Dòng %(n)d: điểm “%(raw)s” có dấu phẩy thập phân; hãy dùng dấu chấm.")
                            % {"n": n, "raw": raw})
            continue
        value = _check_points(score, raw, problems)
        if value is not None:
            score.survey = value
            score.settle()
            found[score.pk] = score
    if problems:
        raise ValidationError(problems[:50])
    if not found:
        raise ValidationError(_("Tệp CSV không có dòng điểm nào."))
    with transaction.atomic():
        Score.objects.bulk_update(list(found.values()), ["survey", "points"])
        record(user, AuditAction.UPDATE, rnd, after={"survey_rows": len(found)}, request=http_request,
               note="Nhập điểm điều tra xã hội học")
        score_round(rnd)
    return len(found)

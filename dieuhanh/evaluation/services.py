"""Criteria sets, rounds, scoring and appraisal: every multi-row change, in one transaction
with its audit rows. Errors the user must read are ``ValidationError`` (Vietnamese)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction
from dieuhanh.evaluation import criteria as tree_module
from dieuhanh.evaluation import metrics
from dieuhanh.evaluation import permissions as perms
from dieuhanh.evaluation.models import (Adjustment, CriteriaSet, CriteriaVersion, Participant, Round, Score, Stage,
                                        UnitGroup)
from dieuhanh.orgs.models import Unit, UnitKind

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_SETS = ("cchc-phong-2018-2020", "cchc-phuong-2018-2020", "cchc-quan-2018-2020")
TWO = Decimal("0.01")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def group_of(unit: Unit) -> str | None:
    """The criteria group a unit is scored with (None: not evaluated by these sets)."""
    if unit.kind == UnitKind.UBND_XA:
        return UnitGroup.PHUONG
    if unit.kind == UnitKind.UBND_HUYEN:
        return UnitGroup.QUAN
    if unit.kind in (UnitKind.PHONG, UnitKind.VAN_PHONG):
        return UnitGroup.PHONG
    return None


# --- criteria sets --------------------------------------------------------------------------------

def parse_set(text: str | bytes) -> tree_module.CriteriaSet:
    try:
        return tree_module.parse(text)
    except tree_module.CriteriaError as err:
        raise ValidationError(err.problems) from None


def import_set(user: Any, text: str | bytes, *, note: str = "", shared: bool = False,
               http_request: Any = None) -> CriteriaVersion:
    """A new set when its code is new, else a new version when the content changed (same content:
    the latest version back). ``shared`` (administrators, the packaged defaults) has no owner unit."""
    if user is not None:
        _require(perms.can_manage_sets(user), _("Bạn không có quyền quản lý bộ tiêu chí."))
    tree = parse_set(text)
    actor = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        existing = CriteriaSet.objects.select_for_update().filter(code=tree.code).first()
        if existing is None:
            existing = CriteriaSet.objects.create(
                code=tree.code, title=tree.title[:500], unit_group=tree.unit_group, valid_from=tree.valid_from,
                valid_to=tree.valid_to, owner_unit_id=None if shared or actor is None else actor.unit_id)
            record(actor, AuditAction.CREATE, existing, after=snapshot(existing), request=http_request,
                   note="Nhập bộ tiêu chí")
            number = 1
        else:
            if user is not None and not perms.can_edit_set(user, existing):
                raise ValidationError(_("Bộ tiêu chí mã “%(code)s” là bộ dùng chung hoặc của đơn vị khác: chỉ quản "
                                        "trị viên hoặc đơn vị sở hữu được sửa; hãy đổi mã để tạo bộ mới.")
                                      % {"code": existing.code})
            latest = existing.current
            if latest is not None and latest.fingerprint == tree.fingerprint():
                return latest
            number = (latest.number if latest else 0) + 1
            before = snapshot(existing, ["title", "unit_group", "valid_from", "valid_to"])
            existing.title, existing.unit_group = tree.title[:500], tree.unit_group
            existing.valid_from, existing.valid_to = tree.valid_from, tree.valid_to
            existing.save(update_fields=["title", "unit_group", "valid_from", "valid_to"])
            record(actor, AuditAction.UPDATE, existing, before=before, request=http_request,
                   after=snapshot(existing, ["title", "unit_group", "valid_from", "valid_to"]))
        version = CriteriaVersion.objects.create(
            criteria_set=existing, number=number, spec=tree.to_dict(), fingerprint=tree.fingerprint(),
            max_points=tree.max_points, note=(note or "").strip()[:255], created_by=actor)
        record(actor, AuditAction.CREATE, version, after={"number": number, "fingerprint": version.fingerprint},
               note=f"Bộ tiêu chí phiên bản {number}", request=http_request)
    return version


def load_defaults() -> list[CriteriaVersion]:
    """The packaged default sets (assumptions from cchc-data.yaml), shared by every unit."""
    return [import_set(None, (DATA / f"{code}.yaml").read_bytes(), shared=True, note="Bộ mặc định")
            for code in DEFAULT_SETS]


def edit_max_points(user: Any, version: CriteriaVersion, new_max: dict[str, str], note: str = "",
                    http_request: Any = None) -> CriteriaVersion:
    """A new version with the items' maxima changed (the whole set is checked again)."""
    _require(perms.can_edit_set(user, version.criteria_set), _("Bạn không có quyền sửa bộ tiêu chí này."))
    spec = version.tree().to_dict()
    problems = []
    for area in spec["areas"]:
        for criterion in area["criteria"]:
            for item in criterion["items"]:
                raw = new_max.get(item["code"])
                if raw is None or str(raw).strip() == "":
                    continue
                value = parse_points(raw)
                if value is None:
                    problems.append(_("Điểm tối đa của %(code)s phải là số.") % {"code": item["code"]})
                else:
                    item["max"] = float(value)
    if problems:
        raise ValidationError(problems)
    import yaml

    return import_set(user, yaml.safe_dump(spec, allow_unicode=True, sort_keys=False),
                      note=note or _("Sửa điểm tối đa"), http_request=http_request)


def parse_points(raw: Any) -> Decimal | None:
    """ "7,5" or "7.5" → Decimal('7.5'); None when not a finite number."""
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def version_for(group: str, year: int) -> CriteriaVersion | None:
    """The latest version of the set of ``group`` in force in ``year``."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    sets = (CriteriaSet.objects.filter(unit_group=group).exclude(valid_from__gt=end).exclude(valid_to__lt=start)
            .order_by("-valid_from", "-id"))
    for criteria_set in sets:
        version = criteria_set.current
        if version is not None:
            return version
    return None


# --- rounds ---------------------------------------------------------------------------------------

def open_round(user: Any, *, title: str, year: int, units: Iterable[Unit], self_deadline: datetime.date,
               explain_deadline: datetime.date, cutoff_on: datetime.date, council: Iterable[Any] = (),
               plan_documents: Iterable[Any] = (), http_request: Any = None) -> Round:
    """Phòng Nội vụ opens a round: one participant per unit, its score sheet, the pre-filled values."""
    _require(perms.acting(user) or perms.is_admin(user), _("Bạn không có quyền mở đợt đánh giá."))
    units = list(units)
    problems = []
    if not units:
        problems.append(_("Chọn ít nhất một đơn vị được đánh giá."))
    if explain_deadline < self_deadline:
        problems.append(_("Hạn giải trình phải sau hạn tự đánh giá."))
    versions: dict[int, CriteriaVersion] = {}
    for unit in units:
        group = group_of(unit)
        version = version_for(group, year) if group else None
        if version is None:
            problems.append(_("Chưa có bộ tiêu chí áp dụng năm %(year)s cho %(unit)s.") % {"year": year, "unit": unit})
        else:
            versions[unit.pk] = version
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        rnd = Round.objects.create(title=title.strip()[:300], year=year, organiser_unit_id=user.unit_id,
                                   opened_by=user if user.is_authenticated else None, self_deadline=self_deadline,
                                   explain_deadline=explain_deadline, cutoff_on=cutoff_on)
        rnd.council.set(list(council))
        rnd.plan_documents.set(list(plan_documents))
        record(user, AuditAction.CREATE, rnd, after=snapshot(rnd), request=http_request, note="Mở đợt đánh giá")
        participants = Participant.objects.bulk_create([
            Participant(round=rnd, unit=unit, group=versions[unit.pk].criteria_set.unit_group,
                        version=versions[unit.pk]) for unit in units])
        add_score_rows(participants)
        prefill(rnd)
    return rnd


def add_score_rows(participants: list[Participant], batch_size: int = 5000) -> None:
    rows = []
    for p in participants:
        tree = p.version.tree()
        for area in tree.areas:
            for item in area.items:
                rows.append(Score(participant=p, item=item.code, area=area.code, method=item.method,
                                  max_points=item.max))
        if len(rows) >= batch_size:
            Score.objects.bulk_create(rows, batch_size=batch_size)
            rows = []
    Score.objects.bulk_create(rows, batch_size=batch_size)


def prefill(rnd: Round) -> int:
    """Fill the computed items from the tracked data; returns how many scores changed.

    Plain tuples, not model instances: at 10,000 units × 2 computed items this is most of the
    scoring time (bench/evaluation_bench.py)."""
    participants = dict(Participant.objects.filter(round_id=rnd.pk).values_list("id", "unit_id"))
    scores = list(Score.objects.filter(participant__round=rnd, method="computed").order_by()
                  .values_list("id", "participant_id", "item", "max_points", "final", "appraised", "self_points"))
    if not scores:
        return 0
    sources = _sources(rnd)
    found = metrics.compute(list(participants.values()), rnd.year, rnd.cutoff_on,
                            list(rnd.plan_documents.values_list("id", flat=True)), set(sources.values()))
    empty = {"counted": 0, "good": 0, "rows": [], "more": 0}
    rows = []
    for pk, participant_id, item, maximum, final, appraised, self_points in scores:
        source = sources.get((participant_id, item), "")
        tally = found.get(source, {}).get(participants[participant_id])
        computed = metrics.points_for(tally, maximum)
        points = next((v for v in (final, appraised, computed, self_points) if v is not None), Decimal(0))
        rows.append((computed, {"source": source, **(tally.detail() if tally else empty)}, points, pk))
    write_rows(Score, ["computed", "computed_detail", "points"], rows)
    score_round(rnd)
    return len(rows)


def _sources(rnd: Round) -> dict[tuple[int, str], str]:
    """(participant id, item code) → the source of each computed item."""
    by_version: dict[int, dict[str, str]] = {}
    out = {}
    for pk, version_id in rnd.participants.values_list("id", "version_id"):
        if version_id not in by_version:
            tree = CriteriaVersion.objects.get(pk=version_id).tree()
            by_version[version_id] = {i.code: i.source for i in tree.items if i.method == "computed"}
        for code, source in by_version[version_id].items():
            out[(pk, code)] = source
    return out


def write_rows(model: Any, fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """``UPDATE … SET fields WHERE id = %s`` for each row (values in ``fields`` order, then the id),
    run with executemany. Django's ``bulk_update`` builds a CASE over the whole batch and model
    instances cost more than the write: seconds at a million scores. JSON values are dumped here."""
    import json

    from django.db import connection

    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    json_at = [i for i, c in enumerate(columns) if c.get_internal_type() == "JSONField"]
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = (f"UPDATE {quote(model._meta.db_table)} SET "
           + ", ".join(f"{quote(c.column)} = {cast if i in json_at else '%s'}" for i, c in enumerate(columns))
           + f" WHERE {quote('id')} = %s")
    params = []
    for row in rows:
        values = list(row)
        for i in json_at:
            values[i] = json.dumps(values[i], ensure_ascii=False, default=str)
        params.append(values)
    with connection.cursor() as cursor:
        for start in range(0, len(params), 5000):
            cursor.executemany(sql, params[start:start + 5000])


# --- totals ---------------------------------------------------------------------------------------

def _area_rules(version_ids: Iterable[int]) -> dict[int, tuple[dict[str, tuple[str, Decimal | None]], Decimal]]:
    out = {}
    for version in CriteriaVersion.objects.filter(pk__in=set(version_ids)):
        tree = version.tree()
        out[version.pk] = ({a.code: (a.kind, a.cap) for a in tree.areas}, tree.max_points)
    return out


def _total(areas: dict[str, Decimal], rules: dict[str, tuple[str, Decimal | None]]) -> Decimal:
    total = Decimal(0)
    for code, value in areas.items():
        kind, cap = rules.get(code, ("normal", None))
        if kind == "bonus":
            total += min(value, cap or Decimal(0))
        elif kind == "penalty":
            total -= min(abs(value), cap or Decimal(0))
        else:
            total += value
    return max(total, Decimal(0))


def _index(total: Decimal, maximum: Decimal) -> Decimal:
    if not maximum:
        return Decimal(0)
    return (Decimal(100) * total / maximum).quantize(TWO, ROUND_HALF_UP)


def score_round(rnd: Round | int) -> int:
    """Totals, self-assessed totals, per-area points and index of every participant: one aggregate
    query over the scores, one executemany. Returns the number of participants."""
    round_id = getattr(rnd, "pk", rnd)
    versions = dict(Participant.objects.filter(round_id=round_id).values_list("id", "version_id"))
    rules = _area_rules(set(versions.values()))
    areas: dict[int, dict[str, Decimal]] = {pk: {} for pk in versions}
    first: dict[int, Decimal] = dict.fromkeys(versions, Decimal(0))
    rows = (Score.objects.filter(participant__round_id=round_id).order_by()
            .values_list("participant_id", "area")
            .annotate(points=Sum("points"),
                      first=Sum(Coalesce("computed", "survey", "self_points", Value(Decimal(0))))))
    for pk, area, points, first_points in rows.iterator(chunk_size=20000):
        areas[pk][area] = points or Decimal(0)
        first[pk] += first_points or Decimal(0)
    out = []
    for pk, version_id in versions.items():
        area_rules, maximum = rules[version_id]
        total = _total(areas[pk], area_rules)
        out.append((total, first[pk], _index(total, maximum),
                    {code: str(value) for code, value in areas[pk].items()}, pk))
    write_rows(Participant, ["total", "self_total", "index", "area_points"], out)
    from dieuhanh.evaluation.ranking import compute_summary

    Round.objects.filter(pk=round_id).update(summary=compute_summary(Round(pk=round_id)))
    return len(out)


def refresh_participant(participant: Participant) -> None:
    area_rules, maximum = _area_rules([participant.version_id])[participant.version_id]
    areas: dict[str, Decimal] = {}
    first = Decimal(0)
    for area, points, first_points in (participant.scores.order_by().values_list("area")
                                       .annotate(points=Sum("points"),
                                                 first=Sum(Coalesce("computed", "survey", "self_points",
                                                                    Value(Decimal(0)))))):
        areas[area] = points or Decimal(0)
        first += first_points or Decimal(0)
    participant.total = _total(areas, area_rules)
    participant.self_total = first
    participant.index = _index(participant.total, maximum)
    participant.area_points = {code: str(value) for code, value in areas.items()}
    participant.save(update_fields=["total", "self_total", "index", "area_points"])

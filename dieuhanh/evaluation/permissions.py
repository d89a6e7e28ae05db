"""Who sees and who acts in an evaluation round.

- A round is seen by the people of its organiser unit (and leaders above it), by its
  council members and by the units it evaluates (and their leaders).
- A participant's scores are seen by its own unit, the organiser and the council; the
  other participants see them only once the results are published.
- The ranking and the commendation pages: organiser, council, administrators; after
  publication, every unit of the round reads the ranking.
- The organiser unit's specialists and leaders (not its clerk) open rounds, move them on,
  import survey points and run commendation campaigns; council members adjust scores; the
  evaluated unit's specialists and leaders self-score and explain; heads of units propose
  nominees of their own unit.

Loading goes through ``get_<thing>_for_user(user, pk)``: Http404 for anything outside the
user's scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.scope import visible_unit_ids
from dieuhanh.evaluation.models import Campaign, CriteriaSet, Participant, Round

ACTING_ROLES = (Role.CHUYEN_VIEN, Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_admin(user: Any) -> bool:
    return _authenticated(user) and bool(user.is_admin_role)


def acting(user: Any) -> bool:
    return _authenticated(user) and user.unit_id is not None and user.role in ACTING_ROLES


def _pk(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


# --- criteria sets --------------------------------------------------------------------------------

def sets_visible_to(user: Any) -> QuerySet[CriteriaSet]:
    ids = visible_unit_ids(user)
    qs = CriteriaSet.objects.all()
    if ids is None:
        return qs
    if not _authenticated(user) or user.unit_id is None:
        return qs.none()
    return qs.filter(Q(owner_unit__isnull=True) | Q(owner_unit_id__in=ids))


def get_set_for_user(user: Any, pk: Any) -> CriteriaSet:
    try:
        return sets_visible_to(user).get(pk=_pk(pk))
    except CriteriaSet.DoesNotExist:
        raise Http404 from None


def can_manage_sets(user: Any) -> bool:
    return is_admin(user) or acting(user)


def can_edit_set(user: Any, criteria_set: CriteriaSet) -> bool:
    """Shared (default) sets: administrators; a unit's own sets: its specialists and leaders."""
    if is_admin(user):
        return True
    return acting(user) and criteria_set.owner_unit_id is not None and criteria_set.owner_unit_id == user.unit_id


# --- rounds and participants ----------------------------------------------------------------------

def rounds_visible_to(user: Any) -> QuerySet[Round]:
    ids = visible_unit_ids(user)
    qs = Round.objects.all()
    if ids is None:
        return qs
    if not ids:
        return qs.none()
    evaluated = Participant.objects.filter(round_id=OuterRef("pk"), unit_id__in=ids)
    return qs.filter(Q(organiser_unit_id__in=ids) | Q(council=user) | Q(Exists(evaluated))).distinct()


def get_round_for_user(user: Any, pk: Any) -> Round:
    try:
        return rounds_visible_to(user).select_related("organiser_unit").get(pk=_pk(pk))
    except Round.DoesNotExist:
        raise Http404 from None


def is_organiser(user: Any, rnd: Round) -> bool:
    return is_admin(user) or (acting(user) and user.unit_id == rnd.organiser_unit_id)


def is_council(user: Any, rnd: Round) -> bool:
    if is_admin(user):
        return True
    cached = getattr(rnd, "_council_ids", None)
    if cached is None:
        cached = rnd._council_ids = set(rnd.council.values_list("id", flat=True))
    return _authenticated(user) and user.pk in cached


def sees_everything(user: Any, rnd: Round) -> bool:
    """Organiser scope (readers too), council, administrators: every unit's scores, any time."""
    ids = visible_unit_ids(user)
    return ids is None or rnd.organiser_unit_id in ids or is_council(user, rnd)


def sees_results(user: Any, rnd: Round) -> bool:
    return sees_everything(user, rnd) or rnd.published


def get_participant_for_user(user: Any, pk: Any) -> Participant:
    try:
        participant = (Participant.objects.select_related("round", "round__organiser_unit", "unit", "version",
                                                         "version__criteria_set").get(pk=_pk(pk)))
    except Participant.DoesNotExist:
        raise Http404 from None
    ids = visible_unit_ids(user)
    own = ids is None or participant.unit_id in ids
    rnd = participant.round
    if own or sees_everything(user, rnd):
        return participant
    if rnd.published and rounds_visible_to(user).filter(pk=rnd.pk).exists():
        return participant
    raise Http404


def can_self_score(user: Any, participant: Participant) -> bool:
    return is_admin(user) or (acting(user) and user.unit_id == participant.unit_id)


def get_campaign_for_user(user: Any, pk: Any) -> Campaign:
    try:
        campaign = Campaign.objects.select_related("round", "round__organiser_unit").get(pk=_pk(pk))
    except Campaign.DoesNotExist:
        raise Http404 from None
    get_round_for_user(user, campaign.round_id)
    return campaign


def can_propose(user: Any) -> bool:
    """Heads of units (and committee leaders) propose nominees of their own unit."""
    return is_admin(user) or (_authenticated(user) and user.unit_id is not None
                              and user.role in (Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND))

"""Who sees and who acts on report requests, submissions and outlines.

- A request is seen by the people of the requesting unit (and the leaders of a unit
  above it: :func:`dieuhanh.accounts.scope.visible_unit_ids`) and by every unit that owes
  a submission to it (a ward sees the request, but only its own submission).
- A submission is seen by its unit (and leaders above it) and by the requesting unit.
- The requesting unit's specialists and leaders act for the requester (return, accept);
  the reporting unit's specialists and leaders edit and submit; clerks (văn thư) read.
  Administrators do everything.
- Outlines: the shared ones (no owner unit) are seen by every signed-in user with a unit;
  the others by their owner unit's scope and by those who see a request that uses them.

Loading goes through ``get_<thing>_for_user(user, pk)``: Http404 for anything outside the
user's scope, also for a pk that is not a number.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from dieuhanh.accounts.models import Role
from dieuhanh.accounts.scope import visible_unit_ids
from dieuhanh.reports.models import Outline, ReportRequest, Submission

ACTING_ROLES = (Role.CHUYEN_VIEN, Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND)

__all__ = [
    "can_edit_submission", "can_manage_outlines", "can_request", "get_outline_for_user", "get_request_for_user",
    "get_submission_for_user", "is_admin", "is_requester", "outlines_visible_to", "requests_visible_to",
    "submissions_visible_to",
]


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_admin(user: Any) -> bool:
    return _authenticated(user) and bool(user.is_admin_role)


def _acting(user: Any) -> bool:
    return _authenticated(user) and user.unit_id is not None and user.role in ACTING_ROLES


# --- querysets ------------------------------------------------------------------------------------

def requests_visible_to(user: Any) -> QuerySet[ReportRequest]:
    ids = visible_unit_ids(user)
    qs = ReportRequest.objects.all()
    if ids is None:
        return qs
    if not ids:
        return qs.none()
    owes = Submission.objects.filter(request_id=OuterRef("pk"), unit_id__in=ids)
    return qs.filter(Q(requested_by_unit_id__in=ids) | Q(Exists(owes)))


def submissions_visible_to(user: Any) -> QuerySet[Submission]:
    ids = visible_unit_ids(user)
    qs = Submission.objects.all()
    if ids is None:
        return qs
    if not ids:
        return qs.none()
    return qs.filter(Q(unit_id__in=ids) | Q(request__requested_by_unit_id__in=ids))


def outlines_visible_to(user: Any) -> QuerySet[Outline]:
    ids = visible_unit_ids(user)
    qs = Outline.objects.all()
    if ids is None:
        return qs
    if not _authenticated(user) or user.unit_id is None:
        return qs.none()
    used = requests_visible_to(user).filter(outline_version__outline_id=OuterRef("pk"))
    return qs.filter(Q(owner_unit__isnull=True) | Q(owner_unit_id__in=ids) | Q(Exists(used)))


def _pk(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def get_request_for_user(user: Any, pk: Any) -> ReportRequest:
    try:
        return (requests_visible_to(user)
                .select_related("outline_version", "outline_version__outline", "requested_by_unit", "task")
                .get(pk=_pk(pk)))
    except ReportRequest.DoesNotExist:
        raise Http404 from None


def get_submission_for_user(user: Any, pk: Any) -> Submission:
    try:
        return (submissions_visible_to(user)
                .select_related("request", "request__outline_version", "request__requested_by_unit", "unit",
                                "assignment")
                .get(pk=_pk(pk)))
    except Submission.DoesNotExist:
        raise Http404 from None


def get_outline_for_user(user: Any, pk: Any) -> Outline:
    try:
        return outlines_visible_to(user).get(pk=_pk(pk))
    except Outline.DoesNotExist:
        raise Http404 from None


# --- who may act ----------------------------------------------------------------------------------

def can_request(user: Any) -> bool:
    """Specialists, unit heads, committee leaders (of a unit) and administrators ask for reports."""
    return is_admin(user) or _acting(user)


def is_requester(user: Any, request: ReportRequest) -> bool:
    """The requesting unit's specialists and leaders (not its clerk), or an administrator."""
    return is_admin(user) or (_acting(user) and user.unit_id == request.requested_by_unit_id)


def can_edit_submission(user: Any, submission: Submission) -> bool:
    """The reporting unit's specialists and leaders write and submit; its clerk reads only."""
    return is_admin(user) or (_acting(user) and user.unit_id == submission.unit_id)


def can_manage_outlines(user: Any) -> bool:
    return is_admin(user) or _acting(user)

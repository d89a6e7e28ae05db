"""Routing of incoming documents (Decree 30, Điều 24): register → trình → bút phê → handling.

The clerk of the receiving unit presents ("trình") the registered document to a leader
of the unit, or to the leader's delegate (a leader of the unit's Văn phòng). The leader
writes the bút phê: free text, the unit or person handling it (xử lý chính, one), those
co-operating (phối hợp) and those informed (để biết), and the deadline. Each of them then
has the document in "Văn bản chờ xử lý" (a :class:`Route` row each); the lead unit turns
it into tasks ("Giao việc") or finishes it with a note (the reply). Every step writes an
audit row and a timeline event.

Public API::

    inbox_filter(user) -> Q                              # Route rows the user's inbox shows
    inbox(user, *, done=False) -> QuerySet[Route]
    pending_documents_count(user) -> int                 # for the home page
    submit_candidates(receipt) -> QuerySet[User]
    can_submit(user, receipt) / can_instruct(user, receipt) -> bool
    submit(user, receipt, to, *, note="", request=None) -> Route
    instruct(user, receipt, *, text, lead=None, coordinate=(), inform=(), due_on=None, request=None) -> Instruction
    finish(user, route, *, note="", request=None) -> Route
    mark_seen(user, document, *, request=None) -> int
    on_tasks_issued(user, document, *, request=None) -> None   # "Giao việc" from the document
    own_receipt(user, document) -> Receipt | None

Notification hooks (for the notifications service): a new Route for its addressee (the
person, or the unit's people that ``inbox_filter`` names), and a finished LEAD route for
the leader who wrote the bút phê.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.audit import record, snapshot
from dieuhanh.accounts.models import AuditAction, Role
from dieuhanh.documents.exchange import advance_receipt, log_event, mark_read
from dieuhanh.documents.models import (OPEN_ROUTE_STATES, Document, EventKind, Instruction, Receipt, ReceiptStatus,
                                       Route, RouteAction, RouteState)

LEADER_ROLES = (Role.LANH_DAO_DON_VI, Role.LANH_DAO_UBND)
# Who in a unit sees what is addressed to the unit as a whole: the clerk takes in new
# documents; leaders and specialists handle, co-operate and read.
UNIT_ACTIONS = {
    Role.VAN_THU: (RouteAction.RECEIVE,),
    Role.CHUYEN_VIEN: (RouteAction.LEAD, RouteAction.COORDINATE, RouteAction.INFORM),
    Role.LANH_DAO_DON_VI: (RouteAction.LEAD, RouteAction.COORDINATE, RouteAction.INFORM),
    Role.LANH_DAO_UBND: (RouteAction.LEAD, RouteAction.COORDINATE, RouteAction.INFORM),
    Role.QUAN_TRI: (RouteAction.RECEIVE, RouteAction.LEAD, RouteAction.COORDINATE, RouteAction.INFORM),
}


# --- the inbox ----------------------------------------------------------------------------

def inbox_filter(user: Any) -> Q:
    """Route rows addressed to the user, or to the user's unit for what the user's role does."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    mine = Q(user_id=user.pk)
    actions = UNIT_ACTIONS.get(user.role, ())
    if user.unit_id is not None and actions:
        mine |= Q(user__isnull=True, unit_id=user.unit_id, action__in=actions)
    return mine


def inbox(user: Any, *, done: bool = False) -> QuerySet[Route]:
    states = (RouteState.DONE,) if done else OPEN_ROUTE_STATES
    return (Route.objects.filter(inbox_filter(user), state__in=states)
            .select_related("document", "unit", "sent_by", "receipt", "instruction")
            .order_by("-created_at", "-id"))


def pending_documents_count(user: Any) -> int:
    """Documents waiting on the user (open routes to the user or, by role, to the user's unit)."""
    return (Route.objects.filter(inbox_filter(user), state__in=OPEN_ROUTE_STATES)
            .values("document_id").distinct().count())


# --- who may do what ------------------------------------------------------------------------

def own_receipt(user: Any, document: Document) -> Receipt | None:
    """The receipt of the document in the user's own unit's incoming register, if any."""
    if not getattr(user, "is_authenticated", False) or user.unit_id is None:
        return None
    return Receipt.objects.filter(document=document, unit_id=user.unit_id).select_related("unit").first()


def submit_candidates(receipt: Receipt) -> QuerySet[Any]:
    """The unit's leaders, and the leaders of its Văn phòng (to whom routing is often delegated)."""
    from dieuhanh.accounts.models import User
    from dieuhanh.orgs.models import UnitKind

    offices = Q(unit__parent_id=receipt.unit_id, unit__kind=UnitKind.VAN_PHONG)
    return (User.objects.filter(Q(unit_id=receipt.unit_id) | offices, is_active=True, role__in=LEADER_ROLES)
            .select_related("unit").order_by("unit__name", "last_name", "first_name", "pk"))


def can_submit(user: Any, receipt: Receipt) -> bool:
    if not getattr(user, "is_authenticated", False) or receipt.is_void:
        return False
    return user.is_admin_role or (user.unit_id == receipt.unit_id and user.role == Role.VAN_THU)


def _open_submissions(receipt: Receipt) -> QuerySet[Route]:
    return Route.objects.filter(receipt=receipt, action=RouteAction.SUBMIT, state__in=OPEN_ROUTE_STATES)


def can_instruct(user: Any, receipt: Receipt) -> bool:
    """The leader (or delegate) it was presented to; any leader of the unit; an administrator."""
    if not getattr(user, "is_authenticated", False) or receipt.is_void:
        return False
    if user.is_admin_role:
        return True
    if user.unit_id == receipt.unit_id and user.role in LEADER_ROLES:
        return True
    return _open_submissions(receipt).filter(user_id=user.pk).exists()


def _route_snapshot(route: Route) -> dict[str, Any]:
    return snapshot(route, ["document", "receipt", "action", "unit", "user", "state", "due_on"])


# --- steps ------------------------------------------------------------------------------------

def submit(user: Any, receipt: Receipt, to: Any, *, note: str = "", request: HttpRequest | None = None) -> Route:
    """Present the registered document to a leader (or delegate) of the unit."""
    if not can_submit(user, receipt):
        raise PermissionDenied(_("Chỉ văn thư của đơn vị nhận mới trình được văn bản này."))
    if to is None or not submit_candidates(receipt).filter(pk=to.pk).exists():
        raise ValidationError(_("Hãy chọn lãnh đạo của đơn vị (hoặc người được ủy quyền) để trình."))
    with transaction.atomic():
        if _open_submissions(receipt).filter(user_id=to.pk).exists():
            raise ValidationError(_("Văn bản đã được trình cho %(name)s và đang chờ ý kiến.")
                                  % {"name": to.get_full_name() or to.username})
        now = timezone.now()
        Route.objects.filter(receipt=receipt, action=RouteAction.RECEIVE, state__in=OPEN_ROUTE_STATES).update(
            state=RouteState.DONE, done_at=now)
        route = Route.objects.create(document_id=receipt.document_id, receipt=receipt, action=RouteAction.SUBMIT,
                                     unit_id=receipt.unit_id, user=to, sent_by=user, done_note="")
        Receipt.objects.filter(pk=receipt.pk, forwarded_on__isnull=True).update(forwarded_on=now.date())
        record(user, AuditAction.CREATE, route, after=_route_snapshot(route), unit_id=receipt.unit_id,
               request=request, note=note[:255])
        text = to.get_full_name() or to.username
        log_event(receipt.document, EventKind.SUBMITTED, user, unit_id=receipt.unit_id, receipt=receipt,
                  note=f"{text}: {note}" if note else text)
    return route


def _target_units(receipt: Receipt) -> set[int]:
    from dieuhanh.accounts.scope import subtree_ids

    return subtree_ids(receipt.unit_id)


def _check_targets(receipt: Receipt, targets: list[Any]) -> None:
    from dieuhanh.accounts.models import User

    allowed = _target_units(receipt)
    for target in targets:
        unit_id = target.unit_id if isinstance(target, User) else target.pk
        if unit_id not in allowed or (isinstance(target, User) and not target.is_active):
            raise ValidationError(_("%(name)s không thuộc đơn vị nhận văn bản hoặc đơn vị trực thuộc.")
                                  % {"name": str(target)})


def _key(target: Any) -> tuple[str, int]:
    from dieuhanh.accounts.models import User

    return ("p" if isinstance(target, User) else "u", target.pk)


def _routes_for(instruction: Instruction, receipt: Receipt, user: Any,
                groups: list[tuple[str, list[Any]]]) -> list[Route]:
    from dieuhanh.accounts.models import User

    rows = []
    for action, targets in groups:
        for target in targets:
            person = target if isinstance(target, User) else None
            rows.append(Route(document_id=receipt.document_id, receipt=receipt, instruction=instruction,
                              action=action, unit_id=person.unit_id if person else target.pk, user=person,
                              sent_by=user, due_on=instruction.due_on))
    return Route.objects.bulk_create(rows)


def instruct(user: Any, receipt: Receipt, *, text: str, lead: Any = None, coordinate: Iterable[Any] = (),
             inform: Iterable[Any] = (), due_on: datetime.date | None = None,
             request: HttpRequest | None = None) -> Instruction:
    """The leader's bút phê: the document goes to the lead, co-operating and informed recipients."""
    if not can_instruct(user, receipt):
        raise PermissionDenied(_("Chỉ lãnh đạo được trình văn bản mới cho ý kiến chỉ đạo được."))
    coordinate, inform = list(coordinate), list(inform)
    leads = [lead] if lead is not None else []
    everyone = leads + coordinate + inform
    if not everyone:
        raise ValidationError(_("Hãy chọn ít nhất một đơn vị hoặc người nhận (xử lý chính, phối hợp hoặc để biết)."))
    if len({_key(t) for t in everyone}) != len(everyone):
        raise ValidationError(_("Mỗi đơn vị hoặc người chỉ nhận văn bản với một vai trò."))
    if due_on is not None and due_on < receipt.arrived_on:
        raise ValidationError(_("Hạn xử lý không được trước ngày đến (%(day)s).")
                              % {"day": receipt.arrived_on.strftime("%d/%m/%Y")})
    _check_targets(receipt, everyone)
    with transaction.atomic():
        instruction = Instruction.objects.create(document_id=receipt.document_id, receipt=receipt,
                                                 unit_id=receipt.unit_id, author=user, text=(text or "").strip(),
                                                 due_on=due_on)
        now = timezone.now()
        _open_submissions(receipt).filter(Q(user_id=user.pk) | Q(user__isnull=True)).update(
            state=RouteState.DONE, done_at=now)
        if user.is_admin_role or user.role in LEADER_ROLES:  # any leader's bút phê answers the presentation
            _open_submissions(receipt).update(state=RouteState.DONE, done_at=now)
        routes = _routes_for(instruction, receipt, user, [(RouteAction.LEAD, leads),
                                                          (RouteAction.COORDINATE, coordinate),
                                                          (RouteAction.INFORM, inform)])
        record(user, AuditAction.CREATE, instruction, after={
            **snapshot(instruction), "routes": [_route_snapshot(r) for r in routes]},
            unit_id=receipt.unit_id, request=request)
        names = "; ".join(f"{r.get_action_display()}: {_addressee(r)}" for r in routes)
        log_event(receipt.document, EventKind.INSTRUCTED, user, unit_id=receipt.unit_id, receipt=receipt,
                  note=f"{instruction.text} ({names})" if instruction.text else names)
        advance_receipt(receipt, ReceiptStatus.ASSIGNED, user, request=request)
    return instruction


def _addressee(route: Route) -> str:
    if route.user_id:
        return route.user.get_full_name() or route.user.username
    return route.unit.name


def can_finish(user: Any, route: Route) -> bool:
    if not getattr(user, "is_authenticated", False) or route.state == RouteState.DONE:
        return False
    if route.action in (RouteAction.RECEIVE, RouteAction.SUBMIT):
        return False  # closed by presenting and by the bút phê
    return user.is_admin_role or Route.objects.filter(inbox_filter(user), pk=route.pk).exists()


def finish(user: Any, route: Route, *, note: str = "", request: HttpRequest | None = None,
           completes: bool = True) -> Route:
    """Mark a handling route done (the lead unit's reply, a co-operating unit's contribution).
    The lead route done completes the receipt ("hoàn thành") unless ``completes`` is false
    (tasks were issued: the work goes on in them)."""
    if not can_finish(user, route):
        raise PermissionDenied(_("Bạn không xử lý văn bản này, hoặc việc đã xong."))
    with transaction.atomic():
        updated = Route.objects.filter(pk=route.pk, state__in=OPEN_ROUTE_STATES).update(
            state=RouteState.DONE, done_at=timezone.now(), done_note=(note or "").strip()[:500])
        if not updated:
            raise ValidationError(_("Việc này vừa được đánh dấu đã xử lý."))
        route.refresh_from_db()
        record(user, AuditAction.STATE, route, before={"state": "open"}, after={"state": route.state},
               unit_id=route.unit_id, request=request, note=route.done_note[:255])
        log_event(route.document, EventKind.DONE, user, unit_id=route.unit_id, receipt=route.receipt,
                  note=f"{route.get_action_display()}: {route.done_note}" if route.done_note
                  else route.get_action_display())
        if route.action == RouteAction.LEAD and route.receipt_id:
            status = ReceiptStatus.DONE if completes else ReceiptStatus.ASSIGNED
            advance_receipt(route.receipt, status, user, request=request)
    return route


def mark_seen(user: Any, document: Document, *, request: HttpRequest | None = None,
              receipt: Receipt | None | bool = False) -> int:
    """Opening the document: its pending routes to the user are seen; "để biết" ones are done;
    the user's unit's receipt becomes "đã xem". ``receipt``: the user's unit's, when the caller
    has it (``None``: there is none)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    now = timezone.now()
    pending = list(Route.objects.filter(inbox_filter(user), document=document, state=RouteState.PENDING)
                   .exclude(action=RouteAction.RECEIVE).values_list("pk", "action"))
    informed = [pk for pk, action in pending if action == RouteAction.INFORM]
    seen = [pk for pk, action in pending if action != RouteAction.INFORM]
    if receipt is False:
        receipt = own_receipt(user, document)
    needs_read = receipt is not None and receipt.read_at is None and receipt.unit_id == user.unit_id
    if not (pending or needs_read):
        return 0
    with transaction.atomic():
        if informed:
            Route.objects.filter(pk__in=informed).update(state=RouteState.DONE, seen_at=now, done_at=now)
        if seen:
            Route.objects.filter(pk__in=seen).update(state=RouteState.SEEN, seen_at=now)
        if pending:
            record(user, AuditAction.STATE, document, unit_id=user.unit_id, request=request,
                   note=_("Đã xem văn bản được chuyển"))
        if needs_read:
            mark_read(receipt, user, request=request)
    return len(pending)


def on_tasks_issued(user: Any, document: Document, *, request: HttpRequest | None = None) -> None:
    """Tasks were issued from the document ("Giao việc"): the issuing unit's lead route is done and
    its receipt "đã giao xử lý"."""
    if not getattr(user, "is_authenticated", False) or user.unit_id is None:
        return
    routes = list(Route.objects.filter(document=document, action=RouteAction.LEAD, state__in=OPEN_ROUTE_STATES)
                  .filter(Q(unit_id=user.unit_id, user__isnull=True) | Q(user_id=user.pk))
                  .select_related("receipt", "document"))
    for route in routes:
        finish(user, route, note=_("Đã giao nhiệm vụ từ văn bản"), request=request, completes=False)
    receipt = own_receipt(user, document)
    if receipt is not None:
        advance_receipt(receipt, ReceiptStatus.ASSIGNED, user, request=request)

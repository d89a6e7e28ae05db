"""Who sees which assignments and who acts on them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from dieuhanh.tasks import services
from dieuhanh.tasks.models import Assignment
from dieuhanh.tasks.permissions import assignments_visible_to, get_assignment_for_user, tasks_visible_to
from tests.tasks.test_services import fast_password_hasher  # noqa: F401
from tests.tasks.test_services import frozen_today  # noqa: F401
from tests.tasks.test_services import issued  # noqa: F401
from tests.tasks.test_services import media_root  # noqa: F401
from tests.tasks.test_services import seed_document  # noqa: F401
from tests.tasks.test_services import ward_assignment  # noqa: F401
from tests.tasks.test_services import world  # noqa: F401


def test_a_ward_sees_only_its_own_assignments(issued, world) -> None:  # type: ignore[no-untyped-def]
    units, actors = world["units"], world["actors"]
    for name, unit in (("ward_clerk", "le_binh"), ("ward_chairman", "le_binh"), ("other_ward_clerk", "ba_lang")):
        seen = set(assignments_visible_to(actors[name]).values_list("unit_id", flat=True))
        assert seen == {units[unit].pk}
        assert set(services.my_assignments(actors[name]).values_list("unit_id", flat=True)) == {units[unit].pk}


def test_the_specialist_sees_what_their_unit_assigned(issued, world) -> None:  # type: ignore[no-untyped-def]
    specialist = world["actors"]["district_specialist"]
    assert assignments_visible_to(specialist).count() == Assignment.objects.count()
    assert services.my_assignments(specialist, assigned=True).count() == Assignment.objects.count()
    assert set(tasks_visible_to(specialist)) == set(issued)


def test_outsiders_get_404(issued, world) -> None:  # type: ignore[no-untyped-def]
    a = ward_assignment(issued, world)
    for name in ("outsider", "other_ward_clerk"):
        with pytest.raises(Http404):
            get_assignment_for_user(world["actors"][name], a.pk)
    assert services.my_assignments(world["actors"]["outsider"]).count() == 0
    with pytest.raises(Http404):
        get_assignment_for_user(world["actors"]["ward_clerk"], "abc")


def test_leaders_above_see_but_do_not_act(issued, world) -> None:  # type: ignore[no-untyped-def]
    leader = world["actors"]["district_leader"]
    a = ward_assignment(issued, world)
    assert get_assignment_for_user(leader, a.pk) == a
    assert not services.acts_for_doer(leader, a)
    assert not services.acts_for_assigner(leader, a.task)
    assert not services.can_delegate(leader, a)


def test_sides_of_an_assignment(issued, world) -> None:  # type: ignore[no-untyped-def]
    actors = world["actors"]
    a = ward_assignment(issued, world)
    assert services.acts_for_doer(actors["ward_chairman"], a)
    assert not services.acts_for_doer(actors["ward_clerk"], a)  # the clerk follows the ward's tasks read-only
    assert not services.can_delegate(actors["ward_clerk"], a) and services.can_delegate(actors["ward_chairman"], a)
    assert services.acts_for_assigner(actors["district_specialist"], a.task)
    assert services.acts_for_assigner(actors["noi_vu_head"], a.task)
    assert not services.acts_for_assigner(actors["ward_chairman"], a.task)
    assert services.acts_for_doer(actors["admin"], a) and services.acts_for_assigner(actors["admin"], a.task)


def test_the_requester_does_not_decide_their_own_extension(issued, world) -> None:  # type: ignore[no-untyped-def]
    head = world["actors"]["noi_vu_head"]
    a = Assignment.objects.get(task=issued[1])  # Phòng Nội vụ assigned it to itself
    ext = services.request_extension(head, a, "Chờ số liệu", date(2020, 4, 20))
    with pytest.raises(PermissionDenied, match="không tự duyệt"):
        services.decide_extension(head, ext, True)


def test_a_person_assignment_belongs_to_that_person(issued, world) -> None:  # type: ignore[no-untyped-def]
    from dieuhanh.accounts.models import Role
    from tests.factories import UserFactory

    units, actors = world["units"], world["actors"]
    officer = UserFactory(username="cv.lebinh", unit=units["le_binh"], role=Role.CHUYEN_VIEN)
    a = ward_assignment(issued, world)
    services.acknowledge(actors["ward_chairman"], a)
    sub = services.delegate(actors["ward_chairman"], Assignment.objects.get(pk=a.pk), [officer], date(2020, 4, 1),
                            "Tổng kết tại phường")
    row = sub.assignments.get()
    assert services.acts_for_doer(officer, row) and services.acts_for_doer(actors["ward_chairman"], row)
    assert not services.acts_for_doer(actors["ward_clerk"], row)
    assert services.acts_for_assigner(actors["ward_chairman"], sub)

"""Who sees which tasks and assignments.

A user sees an assignment when its unit is in their scope (they must do it) or
when its task was assigned by a unit in their scope (they follow it up).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from dieuhanh.accounts.scope import visible_unit_ids
from dieuhanh.tasks.models import Assignment, Task


def assignments_visible_to(user: Any) -> QuerySet[Assignment]:
    ids = visible_unit_ids(user)
    qs = Assignment.objects.all()
    if ids is None:
        return qs
    return qs.filter(Q(unit_id__in=ids) | Q(task__assigned_by_unit_id__in=ids))


def tasks_visible_to(user: Any) -> QuerySet[Task]:
    ids = visible_unit_ids(user)
    qs = Task.objects.all()
    if ids is None:
        return qs
    return qs.filter(Q(assigned_by_unit_id__in=ids) | Q(assignments__unit_id__in=ids)).distinct()


def get_assignment_for_user(user: Any, pk: Any) -> Assignment:
    try:
        return assignments_visible_to(user).select_related("task", "unit", "task__assigned_by_unit").get(pk=int(pk))
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_task_for_user(user: Any, pk: Any) -> Task:
    try:
        return tasks_visible_to(user).get(pk=int(pk))
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_assigner(user: Any, task: Task) -> bool:
    """The assigning unit's specialists, heads and leaders act for the assigner."""
    ids = visible_unit_ids(user)
    return ids is None or task.assigned_by_unit_id in ids


def is_doer(user: Any, assignment: Assignment) -> bool:
    ids = visible_unit_ids(user)
    return ids is None or assignment.unit_id in ids

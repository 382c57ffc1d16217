"""Who may act on a wait state: its assignee (a username) or a member of its group (a Django
auth group name), else the process's starter; superusers and auditors always."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Q, QuerySet

from runtime.access import AUDIT_PERMISSION
from runtime.models import Status, Wait


def may_act(user: AbstractBaseUser, wait: Wait) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_perm(AUDIT_PERMISSION):
        return True
    if wait.assignee or wait.group:
        return (bool(wait.assignee) and wait.assignee == user.get_username()) or (
            bool(wait.group) and user.groups.filter(name=wait.group).exists()
        )
    return wait.execution.created_by_id == user.pk


def open_tasks(user: AbstractBaseUser) -> QuerySet[Wait]:
    """The open waits with manual transitions that this user is asked to act on."""
    groups = user.groups.values_list("name", flat=True)
    mine = (
        Q(assignee=user.get_username())
        | Q(group__in=groups)
        | Q(assignee="", group="", execution__created_by=user)
    )
    return (
        Wait.objects.filter(
            mine,
            is_task=True,
            left_at__isnull=True,
            execution__status=Status.WAITING,
            seq=F("execution__event_seq"),
        )
        .select_related("execution")
        .order_by("entered_at")
    )

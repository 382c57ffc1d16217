"""Who may see and act on an execution: its starter, or an auditor. The API and the websocket
both ask here."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from runtime.models import Execution

AUDIT_PERMISSION = "runtime.audit_execution"


def visible_executions(user: AbstractBaseUser) -> QuerySet[Execution]:
    query = Execution.objects.all()
    if user.has_perm(AUDIT_PERMISSION):
        return query
    return query.filter(created_by=user)


def can_see(user: AbstractBaseUser, execution: Execution) -> bool:
    if not user.is_authenticated:
        return False
    return execution.created_by_id == user.pk or user.has_perm(AUDIT_PERMISSION)

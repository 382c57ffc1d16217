"""Loading one execution by id through the prepared statement gives what the ORM gives."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Model

from runtime import fetch
from runtime.models import Execution
from tests.factories import execution_fields

pytestmark = pytest.mark.django_db


def columns(instance: Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_instance_is_the_one_the_orm_builds(published_flow: Any, user: Any) -> None:
    execution = Execution.objects.create(**execution_fields(published_flow(), user))
    loaded = fetch.by_pk(Execution, execution.pk)
    assert loaded is not None
    assert columns(loaded) == columns(Execution.objects.get(pk=execution.pk))
    assert loaded.input["tags"] == ["a", "é"] and loaded.error is None
    assert loaded.started_at.tzinfo is not None  # converted as the ORM converts
    assert not loaded._state.adding and loaded.created_by == user


def test_a_string_id_works_and_a_missing_one_is_none(published_flow: Any, user: Any) -> None:
    execution = Execution.objects.create(**execution_fields(published_flow(), user))
    assert Execution.objects.find(str(execution.pk)) == execution
    assert Execution.objects.find(uuid.uuid4()) is None
    with pytest.raises(ValidationError):
        Execution.objects.find("not-a-uuid")


def test_a_filtered_queryset_keeps_its_filter(published_flow: Any, user: Any) -> None:
    execution = Execution.objects.create(**execution_fields(published_flow(), user))
    assert Execution.objects.filter(status="completed").find(execution.pk) == execution
    assert Execution.objects.filter(status="failed").find(execution.pk) is None

"""``manage.py seed_demo`` loads every app's demo part and may be run again safely."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings

from crm.accounts.models import User


def row_counts():
    return {model._meta.label: model._base_manager.count() for model in apps.get_models() if model._meta.managed}


def test_seed_demo_loads_and_running_it_again_changes_nothing(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "crm-demo-2026" in out.getvalue()
    first = row_counts()
    assert first["accounts.User"] >= 8
    call_command("seed_demo", stdout=io.StringIO())
    second = row_counts()
    changed = {label: (first[label], second[label]) for label in first if first[label] != second[label]}
    # Sessions and the operation log may grow; business data must not.
    changed.pop("auditlog.LogEntry", None)
    assert changed == {}


@override_settings(PRODUCTION=True)
def test_seed_demo_refuses_to_run_in_production(db):
    with pytest.raises(CommandError, match="create_administrator"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="admin").exists()


@override_settings(PRODUCTION=True)
def test_seed_demo_runs_in_production_only_when_told_to(db):
    call_command("seed_demo", "--allow-in-production", stdout=io.StringIO())
    assert User.objects.filter(username="admin").exists()

"""Fixtures shared by every app's tests: one user per default role, signed-in clients."""

import functools

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import get_hashers
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython
from django.utils import translation
from rest_framework.test import APIClient

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role

# Tests create thousands of users; the production hasher's deliberate slowness (≈0.6 s a hash on
# this hardware) is not what they check.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
get_hashers.cache_clear()


@pytest.fixture(autouse=True)
def english():
    """Tests read messages in English, the source language. Without this the active language
    would be whatever the previous request in the same worker left behind."""
    with translation.override("en"):
        yield


@pytest.fixture
def administrator(db):
    return user_with_role(Role.Key.ADMINISTRATOR, username="admin_t")


@pytest.fixture
def supervisor(db):
    return user_with_role(Role.Key.SUPERVISOR, username="supervisor_t")


@pytest.fixture
def account_manager(db):
    return user_with_role(Role.Key.ACCOUNT_MANAGER, username="manager_t")


@pytest.fixture
def executive(db):
    return user_with_role(Role.Key.EXECUTIVE, username="executive_t")


@pytest.fixture
def client_for(client):
    """``client_for(user)`` signs the Django test client in as ``user`` (English interface)."""

    def sign_in(user):
        client.force_login(user)
        client.cookies["django_language"] = "en"
        return client

    return sign_in


@pytest.fixture
def api_for():
    """``api_for(user)`` returns a DRF APIClient authenticated as ``user``."""

    def make(user):
        api = APIClient()
        api.force_authenticate(user)
        api.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return api

    return make


@functools.cache
def data_migrations():
    """Forward functions of the project's data migrations (``RunPython``), in migration order."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {config.label for config in apps.get_app_configs() if config.name.startswith("crm.")}
    functions, seen = [], set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key in seen or key[0] not in ours:
                continue
            seen.add(key)
            functions += [
                op.code
                for op in loader.graph.nodes[key].operations
                if isinstance(op, RunPython) and not op.hints.get("schema_only")  # a flush keeps indexes
            ]
    return functions


def _runs_outside_a_transaction(request):
    marker = request.node.get_closest_marker("django_db")
    by_marker = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    return by_marker or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames


@pytest.fixture(autouse=True)
def installation_data(request):
    """A test outside a transaction starts from what ``migrate`` leaves, as an installation does.

    Such a test empties the database when it ends (a flush), which takes the data migrations'
    rows with it (dictionary items, pipeline stages). So: post_migrate again (content types,
    permissions, default roles), then every data migration, which therefore must be idempotent.
    """
    if not _runs_outside_a_transaction(request):
        return
    request.getfixturevalue("transactional_db")
    emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    for function in data_migrations():
        function(apps, None)

"""Fixtures shared by every app's tests: one user per default role, signed-in clients."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hashers
from rest_framework.test import APIClient

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role

# Tests create thousands of users; the production hasher's deliberate slowness (≈0.6 s a hash on
# this hardware) is not what they check.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
get_hashers.cache_clear()


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

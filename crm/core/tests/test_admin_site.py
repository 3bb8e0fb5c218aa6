"""Django's own admin site bypasses the CRM's rules, scopes and operation log: it is routed only
when CRM_ENABLE_DJANGO_ADMIN is on (the default in the embedded mode, off in production)."""

import importlib

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches

from crm.accounts.tests.factories import UserFactory


def reload_urls():
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@pytest.fixture
def urls_follow_the_settings():
    """The URL configuration reads the switch when imported: build it again under the test's
    settings, and once more afterwards under the real ones."""
    yield reload_urls
    reload_urls()


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_the_admin_site_is_not_routed_when_switched_off(superuser_client, urls_follow_the_settings):
    with override_settings(CRM_ENABLE_DJANGO_ADMIN=False):
        urls_follow_the_settings()
        assert superuser_client.get("/django-admin/").status_code == 404
        assert superuser_client.get("/django-admin/login/").status_code == 404


def test_the_admin_site_answers_when_switched_on(superuser_client, urls_follow_the_settings):
    with override_settings(CRM_ENABLE_DJANGO_ADMIN=True):
        urls_follow_the_settings()
        assert superuser_client.get("/django-admin/").status_code == 200

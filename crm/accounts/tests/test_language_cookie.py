"""The language cookie follows the LANGUAGE_COOKIE_* settings: Secure in production, HttpOnly, Lax."""

from django.test import override_settings
from django.urls import reverse

from crm.accounts.tests.factories import PASSWORD


def assert_hardened(cookie):
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_the_language_switch_sets_a_secure_httponly_cookie(client, db):
    response = client.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    assert_hardened(response.cookies["django_language"])


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_signing_in_sets_the_saved_language_in_a_secure_httponly_cookie(client, administrator):
    administrator.language = "en"
    administrator.save(update_fields=["language"])
    response = client.post(reverse("accounts:login"), {"username": administrator.username, "password": PASSWORD})
    assert response.status_code == 302
    assert_hardened(response.cookies["django_language"])

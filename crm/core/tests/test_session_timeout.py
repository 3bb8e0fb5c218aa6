"""A sign-in ends after CRM_SESSION_IDLE_SECONDS without a request, and SESSION_COOKIE_AGE after
signing in however active the user is (crm.core.middleware.SessionTimeoutMiddleware)."""

import time

from django.test import override_settings
from django.urls import reverse

from crm.core.middleware import LAST_SEEN_AT, SIGNED_IN_AT


def shift_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def signed_in(client, user):
    client.force_login(user)
    return client


@override_settings(CRM_SESSION_IDLE_SECONDS=2 * 3600)
def test_a_session_idle_longer_than_the_timeout_is_signed_out(client, administrator):
    signed_in(client, administrator)
    shift_session(client, **{LAST_SEEN_AT: 2 * 3600 + 61})
    response = client.get(reverse("accounts:user-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


@override_settings(CRM_SESSION_IDLE_SECONDS=2 * 3600)
def test_an_idle_session_no_longer_reaches_the_api(client, administrator):
    signed_in(client, administrator)
    assert client.get("/api/v1/users/").status_code == 200
    shift_session(client, **{LAST_SEEN_AT: 2 * 3600 + 61})
    response = client.get("/api/v1/users/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


@override_settings(CRM_SESSION_IDLE_SECONDS=2 * 3600)
def test_activity_within_the_idle_timeout_keeps_the_session_and_moves_the_clock(client, administrator):
    signed_in(client, administrator)
    shift_session(client, **{LAST_SEEN_AT: 2 * 3600 - 60})
    assert client.get(reverse("accounts:user-list")).status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN_AT] < 60


@override_settings(SESSION_COOKIE_AGE=12 * 3600, CRM_SESSION_IDLE_SECONDS=2 * 3600)
def test_a_session_ends_after_its_lifetime_however_active(client, administrator):
    signed_in(client, administrator)
    shift_session(client, **{SIGNED_IN_AT: 12 * 3600 + 1, LAST_SEEN_AT: 30})
    response = client.get(reverse("accounts:user-list"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_signing_in_starts_both_clocks(client, administrator):
    signed_in(client, administrator)
    now = int(time.time())
    assert now - client.session[SIGNED_IN_AT] < 5
    assert now - client.session[LAST_SEEN_AT] < 5

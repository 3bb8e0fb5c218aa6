"""Every answer carries the security headers: a strict Content-Security-Policy, a Permissions-Policy
that denies device access, HSTS, nosniff, the referrer policy and frame denial; and what only a
signed-in user may see (pages, API answers, exports) is never kept by a browser or proxy."""

import pytest
from django.test import override_settings
from django.urls import reverse

# What settings.py switches on with CRM_ENV=production; the requests below come over HTTPS.
PRODUCTION_LIKE = {
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "DEBUG": False,
}


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def assert_security_headers(response):
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def assert_not_stored(response):
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control


@override_settings(**PRODUCTION_LIKE)
def test_a_signed_in_page_has_the_security_headers_and_is_not_stored(client_for, administrator):
    response = client_for(administrator).get(reverse("accounts:user-list"), secure=True)
    assert response.status_code == 200
    assert_security_headers(response)
    assert_not_stored(response)


@override_settings(**PRODUCTION_LIKE)
def test_an_api_answer_has_the_security_headers_and_is_not_stored(api_for, administrator):
    response = api_for(administrator).get("/api/v1/users/", secure=True)
    assert response.status_code == 200
    assert_security_headers(response)
    assert_not_stored(response)


@override_settings(**PRODUCTION_LIKE)
def test_an_api_answer_to_a_stranger_is_not_stored_either(client):
    response = client.get("/api/v1/users/", secure=True)
    assert response.status_code == 401
    assert_not_stored(response)


@override_settings(**PRODUCTION_LIKE)
def test_a_report_export_has_the_security_headers_and_is_not_stored(client_for, executive):
    response = client_for(executive).get(reverse("reports:contribution"), {"export": "csv"}, secure=True)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert_security_headers(response)
    assert_not_stored(response)


@override_settings(**PRODUCTION_LIKE)
def test_the_sign_in_page_has_the_security_headers(client):
    response = client.get(reverse("accounts:login"), secure=True)
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize("path", ["/static/crm/app.js", "/static/vendor/alpine/alpine-csp.min.js"])
def test_static_files_stay_cacheable_for_a_signed_in_user(client_for, administrator, path):
    response = client_for(administrator).get(path)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_pages_carry_no_inline_script(client_for, administrator):
    """The policy refuses inline script, so a page holding one would silently lose it."""
    for name in ("home", "accounts:user-list", "accounts:role-create", "reports:contribution", "reports:targets"):
        html = client_for(administrator).get(reverse(name)).content.decode()
        for tag in html.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=" in opening or 'type="application/json"' in opening, (name, opening)
        for handler in ("onclick=", "onchange=", "onsubmit=", "onload=", "hx-on", "@click", "x-on:"):
            assert handler not in html, (name, handler)


def test_api_docs_load_their_start_up_script_from_a_file(client_for, administrator):
    client = client_for(administrator)
    html = client.get(reverse("api-docs")).content.decode()
    assert "<script>" not in html
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()

"""Production settings refuse unsafe defaults and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
STRONG_KEY = "k3y-" + "x" * 60


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "DJANGO_", "SECRET_KEY", "ALLOWED_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "Set SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "Set SECRET_KEY"),
        ({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "crm.example.com", "DJANGO_DEBUG": "1"}, "DJANGO_DEBUG"),
        ({"SECRET_KEY": STRONG_KEY}, "Set ALLOWED_HOSTS"),
        ({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "*"}, "not '*'"),
        ({"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "crm.example.com, *"}, "not '*'"),
    ],
)
def test_production_refuses_to_start_with_unsafe_settings(tmp_path, env, message):
    result = manage("check", CRM_ENV="production", CRM_VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        CRM_ENV="production",
        CRM_VAR_DIR=str(tmp_path),
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="crm.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


PRODUCTION_ENV = {"CRM_ENV": "production", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "crm.example.com"}
SHOW_SETTINGS = (
    "from django.conf import settings as s; print(s.CRM_ENABLE_DJANGO_ADMIN, s.LANGUAGE_COOKIE_SECURE, "
    "s.LANGUAGE_COOKIE_HTTPONLY, s.LANGUAGE_COOKIE_SAMESITE, s.SESSION_COOKIE_AGE, s.CRM_SESSION_IDLE_SECONDS)"
)


def show_settings(tmp_path, **env):
    result = manage("shell", "--no-imports", "-c", SHOW_SETTINGS, CRM_VAR_DIR=str(tmp_path), **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_defaults_close_the_admin_site_and_harden_cookies_and_sessions(tmp_path):
    assert show_settings(tmp_path, **PRODUCTION_ENV) == ["False", "True", "True", "Lax", "43200", "7200"]


def test_the_admin_site_and_session_limits_follow_their_environment_variables(tmp_path):
    env = {"CRM_ENABLE_DJANGO_ADMIN": "true", "CRM_SESSION_HOURS": "24", "CRM_SESSION_IDLE_MINUTES": "30"}
    assert show_settings(tmp_path, **PRODUCTION_ENV, **env) == ["True", "True", "True", "Lax", "86400", "1800"]


def test_the_embedded_mode_keeps_the_admin_site_and_a_plain_language_cookie(tmp_path):
    assert show_settings(tmp_path)[:2] == ["True", "False"]

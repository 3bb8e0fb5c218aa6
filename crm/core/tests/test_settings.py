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

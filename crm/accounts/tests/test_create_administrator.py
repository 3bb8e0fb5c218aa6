"""``manage.py create_administrator`` creates a user with the administrator role and a password
the operator chose, checked by the password validators."""

import io

import pytest
from django.core.management import CommandError, call_command

from crm.accounts.models import Department, Role, User

STRONG = "Blue-Harbour-7-Lanterns"


def create(*args, **env_and_options):
    out = io.StringIO()
    call_command("create_administrator", *args, stdout=out, **env_and_options)
    return out.getvalue()


def test_creates_an_administrator_with_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("FIRST_ADMIN_PASSWORD", STRONG)
    out = create("--username", "zhaomin", "--name", "赵敏", "--password-from-env", "FIRST_ADMIN_PASSWORD", "--noinput")
    user = User.objects.get(username="zhaomin")
    assert "zhaomin" in out
    assert user.name == "赵敏"
    assert user.check_password(STRONG)
    assert list(user.roles.values_list("system_key", flat=True)) == [Role.Key.ADMINISTRATOR]
    assert user.has_perm("accounts.add_user")
    assert not user.is_superuser
    assert user.department.name == "Head office"


def test_joins_an_existing_department_of_the_given_name(db, monkeypatch):
    it = Department.objects.create(name="信息技术部")
    monkeypatch.setenv("FIRST_ADMIN_PASSWORD", STRONG)
    create(
        "--username",
        "zhaomin",
        "--department",
        "信息技术部",
        "--password-from-env",
        "FIRST_ADMIN_PASSWORD",
        "--noinput",
    )
    assert User.objects.get(username="zhaomin").department == it
    assert Department.objects.filter(name="信息技术部").count() == 1


@pytest.mark.parametrize("password", ["12345678", "password", "zhaomin1"])
def test_a_weak_password_is_refused_and_nobody_is_created(db, monkeypatch, password):
    monkeypatch.setenv("FIRST_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError):
        create("--username", "zhaomin", "--password-from-env", "FIRST_ADMIN_PASSWORD", "--noinput")
    assert not User.objects.filter(username="zhaomin").exists()


def test_an_existing_username_is_refused(administrator, monkeypatch):
    monkeypatch.setenv("FIRST_ADMIN_PASSWORD", STRONG)
    with pytest.raises(CommandError):
        create("--username", administrator.username, "--password-from-env", "FIRST_ADMIN_PASSWORD", "--noinput")
    assert User.objects.filter(username=administrator.username).count() == 1


def test_without_input_a_missing_password_is_an_error_not_a_prompt(db, monkeypatch):
    monkeypatch.delenv("FIRST_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="FIRST_ADMIN_PASSWORD"):
        create("--username", "zhaomin", "--password-from-env", "FIRST_ADMIN_PASSWORD", "--noinput")
    with pytest.raises(CommandError, match="--password-from-env"):
        create("--username", "zhaomin", "--noinput")
    assert not User.objects.filter(username="zhaomin").exists()


def test_asks_for_the_username_and_the_password_twice(db, monkeypatch):
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("builtins.input", lambda prompt: "zhaomin")
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    create()
    assert User.objects.get(username="zhaomin").check_password(STRONG)


def test_two_different_passwords_are_refused(db, monkeypatch):
    answers = iter([STRONG, STRONG + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError):
        create("--username", "zhaomin")
    assert not User.objects.filter(username="zhaomin").exists()

"""User services: creation, edits, disabling and password resets (R-AUTH-1, R-AUTH-2)."""

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from crm.accounts import services
from crm.accounts.models import Role, User
from crm.accounts.tests.factories import DepartmentFactory, UserFactory, default_role
from crm.core.concurrency import StaleEditError

GOOD_PASSWORD = "Sales-Team-2026"


def create(by, **overrides):
    fields = {"username": "zhaomin", "password": GOOD_PASSWORD, "name": "赵敏", "department": DepartmentFactory()}
    return services.create_user(by=by, **(fields | overrides))


def edit(user, by, **overrides):
    fields = {
        "username": user.username,
        "name": user.name,
        "mobile": user.mobile,
        "email": user.email,
        "department": user.department,
        "superior": user.superior,
        "position": user.position,
        "gender": user.gender,
        "roles": list(user.roles.all()),
    }
    return services.update_user(user, by=by, expected_version=user.version, **(fields | overrides))


def field_errors(error):
    return {field: [str(m) for m in messages] for field, messages in error.value.message_dict.items()}


# Creating -------------------------------------------------------------------------------------


def test_create_user_with_roles_and_a_usable_password(administrator):
    role = default_role(Role.Key.ACCOUNT_MANAGER)
    user = create(administrator, mobile=" 13800000009 ", roles=[role], superior=administrator)
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    assert user.mobile == "13800000009"
    assert list(user.roles.all()) == [role]
    assert user.superior == administrator
    assert user.is_active


def test_blank_mobile_is_stored_as_none_so_many_users_may_have_none(administrator):
    create(administrator, username="a", mobile="")
    create(administrator, username="b", mobile="  ")
    assert User.objects.filter(username__in=["a", "b"], mobile=None).count() == 2


def test_create_user_needs_username_and_department(administrator):
    with pytest.raises(ValidationError) as error:
        create(administrator, username="  ", department=None)
    assert set(field_errors(error)) == {"username", "department"}


def test_username_is_unique(administrator):
    create(administrator)
    with pytest.raises(ValidationError) as error:
        create(administrator, username=" zhaomin ")
    assert field_errors(error) == {"username": ["This username is already taken."]}


def test_mobile_number_is_unique(administrator):
    create(administrator, username="a", mobile="13800000009")
    with pytest.raises(ValidationError) as error:
        create(administrator, username="b", mobile="13800000009")
    assert list(field_errors(error)) == ["mobile"]


def test_username_may_not_be_another_users_mobile_number(administrator):
    # Both sign in: one login would otherwise name two accounts.
    create(administrator, username="a", mobile="13800000009")
    with pytest.raises(ValidationError) as error:
        create(administrator, username="13800000009")
    assert list(field_errors(error)) == ["username"]


def test_mobile_number_may_not_be_another_users_username(administrator):
    create(administrator, username="13800000009")
    with pytest.raises(ValidationError) as error:
        create(administrator, username="b", mobile="13800000009")
    assert list(field_errors(error)) == ["mobile"]


@pytest.mark.parametrize("password", ["short1", "12345678901", "password", "zhaomin-赵敏"])
def test_weak_passwords_are_refused(administrator, password):
    with pytest.raises(ValidationError) as error:
        create(administrator, password=password)
    assert list(field_errors(error)) == ["password"]
    assert not User.objects.filter(username="zhaomin").exists()


def test_superior_must_be_active(administrator):
    gone = UserFactory(is_active=False)
    with pytest.raises(ValidationError) as error:
        create(administrator, superior=gone)
    assert list(field_errors(error)) == ["superior"]


# Editing --------------------------------------------------------------------------------------


def test_edit_changes_fields_and_roles_and_bumps_the_version(administrator):
    user = create(administrator, roles=[default_role(Role.Key.ACCOUNT_MANAGER)])
    edit(user, administrator, name="赵敏敏", position="经理", roles=[default_role(Role.Key.SUPERVISOR)])
    user = User.objects.get(pk=user.pk)
    assert (user.name, user.position, user.version) == ("赵敏敏", "经理", 2)
    assert [r.system_key for r in user.roles.all()] == [Role.Key.SUPERVISOR]


def test_edit_from_a_stale_version_is_refused(administrator):
    user = create(administrator)
    stale = User.objects.get(pk=user.pk)
    edit(user, administrator, name="first")
    with pytest.raises(StaleEditError):
        edit(stale, administrator, name="second")
    assert User.objects.get(pk=user.pk).name == "first"


def test_edit_keeps_a_password_reset_made_meanwhile(administrator):
    user = create(administrator)
    loaded = User.objects.get(pk=user.pk)
    services.reset_password(user, password="Another-pass-2026", by=administrator)
    edit(loaded, administrator, name="renamed")
    assert User.objects.get(pk=user.pk).check_password("Another-pass-2026")


def test_edit_keeps_a_disable_made_meanwhile(administrator):
    user = create(administrator)
    loaded = User.objects.get(pk=user.pk)
    services.set_user_active(user, active=False, by=administrator)
    edit(loaded, administrator, name="renamed")
    assert not User.objects.get(pk=user.pk).is_active


def test_a_user_cannot_report_to_themselves(administrator):
    user = create(administrator)
    with pytest.raises(ValidationError) as error:
        edit(user, administrator, superior=user)
    assert list(field_errors(error)) == ["superior"]


def test_a_user_cannot_report_to_their_own_subordinate(administrator):
    boss = create(administrator, username="boss")
    lead = create(administrator, username="lead", superior=boss)
    rep = create(administrator, username="rep", superior=lead)
    with pytest.raises(ValidationError) as error:
        edit(boss, administrator, superior=rep)
    assert list(field_errors(error)) == ["superior"]
    assert User.objects.get(pk=boss.pk).superior is None


def test_editing_username_to_a_taken_one_is_refused(administrator):
    create(administrator, username="a")
    b = create(administrator, username="b")
    with pytest.raises(ValidationError):
        edit(b, administrator, username="a")


def test_keeping_own_username_and_mobile_is_not_a_clash(administrator):
    user = create(administrator, mobile="13800000009")
    edit(user, administrator, name="same login")
    assert User.objects.get(pk=user.pk).name == "same login"


# The last administrator ------------------------------------------------------------------------


def test_last_administrator_cannot_lose_the_role(administrator):
    with pytest.raises(ValidationError):
        edit(administrator, administrator, roles=[])
    assert User.objects.get(pk=administrator.pk).has_role(Role.Key.ADMINISTRATOR)


def test_an_administrator_may_lose_the_role_while_another_remains(administrator):
    other = UserFactory(roles=[default_role(Role.Key.ADMINISTRATOR)])
    edit(other, administrator, roles=[])
    assert not User.objects.get(pk=other.pk).has_role(Role.Key.ADMINISTRATOR)


def test_a_disabled_administrator_does_not_count_as_remaining(administrator):
    UserFactory(roles=[default_role(Role.Key.ADMINISTRATOR)], is_active=False)
    with pytest.raises(ValidationError):
        edit(administrator, administrator, roles=[])


def test_an_active_superuser_counts_as_an_administrator(administrator):
    UserFactory(is_superuser=True)
    edit(administrator, administrator, roles=[])


def test_last_administrator_cannot_be_disabled_by_another_user(administrator):
    manager = UserFactory(roles=[default_role(Role.Key.SUPERVISOR)])
    with pytest.raises(ValidationError):
        services.set_user_active(administrator, active=False, by=manager)
    assert User.objects.get(pk=administrator.pk).is_active


# Disabling, enabling, passwords ------------------------------------------------------------------


def test_disable_and_enable_a_user(administrator, account_manager):
    services.set_user_active(account_manager, active=False, by=administrator)
    assert not User.objects.get(pk=account_manager.pk).is_active
    services.set_user_active(account_manager, active=True, by=administrator)
    assert User.objects.get(pk=account_manager.pk).is_active


def test_nobody_disables_their_own_account(administrator):
    UserFactory(roles=[default_role(Role.Key.ADMINISTRATOR)])
    with pytest.raises(ValidationError) as error:
        services.set_user_active(administrator, active=False, by=administrator)
    assert "your own account" in error.value.messages[0]


def test_disabled_user_keeps_their_data(administrator, account_manager):
    # Users are never deleted, so everything they own keeps its owner.
    services.set_user_active(account_manager, active=False, by=administrator)
    assert User.objects.filter(pk=account_manager.pk).exists()


def test_reset_password(administrator, account_manager):
    services.reset_password(account_manager, password="Reset-by-admin-1", by=administrator)
    assert User.objects.get(pk=account_manager.pk).check_password("Reset-by-admin-1")


def test_reset_to_a_weak_password_is_refused(administrator, account_manager):
    with pytest.raises(ValidationError) as error:
        services.reset_password(account_manager, password="123", by=administrator)
    assert list(field_errors(error)) == ["password"]


def test_set_language(account_manager):
    services.set_language(account_manager, "en")
    assert User.objects.get(pk=account_manager.pk).language == "en"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_administrators_disabling_each_other_at_once_leave_one_active(monkeypatch):
    admin_role = default_role(Role.Key.ADMINISTRATOR)
    first, second = UserFactory(roles=[admin_role]), UserFactory(roles=[admin_role])
    barrier = threading.Barrier(2, timeout=3)
    check = services._ensure_an_administrator_remains

    def check_then_wait(*args, **kwargs):
        check(*args, **kwargs)
        # Both pass the check before either commits, unless the check takes a lock.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    monkeypatch.setattr(services, "_ensure_an_administrator_remains", check_then_wait)
    outcomes = []

    def disable(target, by):
        try:
            services.set_user_active(User.objects.get(pk=target.pk), active=False, by=by)
            outcomes.append("disabled")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=disable, args=(first, second)),
        threading.Thread(target=disable, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["disabled", "refused"]
    assert User.objects.filter(roles=admin_role, is_active=True).count() == 1

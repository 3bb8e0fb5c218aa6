"""Who may grant what: nobody gives a role wider than their own, only administrators manage
administrators, and the administrator role keeps what administration needs."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from crm.accounts import services
from crm.accounts.models import ADMINISTRATION_PERMISSIONS, Role, User
from crm.accounts.services import _permissions
from crm.accounts.tests.factories import PASSWORD, DepartmentFactory, RoleFactory, UserFactory, default_role

USER_MANAGER = ["accounts.view_user", "accounts.add_user", "accounts.change_user", "accounts.view_role"]


def role_with(codes, scope=Role.DataScope.SELF, **kwargs):
    role = RoleFactory(data_scope=scope, **kwargs)
    role.permissions.set(_permissions(codes))
    return role


@pytest.fixture
def manager(db):
    """A user manager: may add and edit users, but is no administrator."""
    return UserFactory(username="manager", roles=[role_with(USER_MANAGER, Role.DataScope.DEPARTMENT)])


def admin_role():
    return default_role(Role.Key.ADMINISTRATOR)


def user_fields(user, **overrides):
    fields = {
        key: getattr(user, key)
        for key in ["username", "name", "mobile", "email", "department", "superior", "position", "gender"]
    }
    return fields | {"roles": list(user.roles.all())} | overrides


def edit_role(role, by, **overrides):
    fields = {"name": role.name, "data_scope": role.data_scope, "permissions": list(role.permissions.all())}
    return services.update_role(role, expected_version=role.version, by=by, **(fields | overrides))


# The grant rule ---------------------------------------------------------------------------------


def test_a_role_is_grantable_only_within_the_granters_permissions_and_scope(manager):
    narrower = role_with(["accounts.view_user"], Role.DataScope.SELF)
    same = role_with(USER_MANAGER, Role.DataScope.DEPARTMENT)
    more_permissions = role_with(["accounts.view_user", "customers.view_customer"])
    wider_scope = role_with(["accounts.view_user"], Role.DataScope.ALL)
    assert services.can_grant(manager, narrower)
    assert services.can_grant(manager, same)
    assert not services.can_grant(manager, more_permissions)
    assert not services.can_grant(manager, wider_scope)
    assert not services.can_grant(manager, admin_role())


def test_only_administrators_grant_the_administrator_role_even_to_a_user_holding_its_permissions(db):
    lookalike = UserFactory(roles=[role_with(sorted(ADMINISTRATION_PERMISSIONS), Role.DataScope.ALL)])
    assert not services.can_grant(lookalike, admin_role())


def test_administrators_and_superusers_grant_any_role(administrator):
    superuser = UserFactory(is_superuser=True)
    wide = role_with(["customers.view_customer"], Role.DataScope.ALL)
    for granter in (administrator, superuser):
        assert services.can_grant(granter, admin_role())
        assert services.can_grant(granter, wide)


def test_user_form_offers_only_grantable_roles(manager, client_for):
    narrower = role_with(["accounts.view_user"], name="narrow")
    wider = role_with(["customers.view_customer"], name="wide")
    html = client_for(manager).get("/accounts/users/new/").content.decode()
    assert "narrow" in html
    assert "wide" not in html
    assert admin_role().name not in html
    offered = client_for(manager).get("/accounts/users/new/").context["form"].fields["roles"].queryset
    assert narrower in offered and wider not in offered


# Reproductions of the review's findings -----------------------------------------------------------


def test_user_manager_cannot_make_themselves_administrator_through_the_api(manager, api_for):
    response = api_for(manager).patch(
        f"/api/v1/users/{manager.pk}/",
        {"roles": [admin_role().pk, *manager.roles.values_list("pk", flat=True)], "version": manager.version},
        format="json",
    )
    assert response.status_code == 400
    assert "roles" in response.json()["errors"]
    assert not User.objects.get(pk=manager.pk).has_role(Role.Key.ADMINISTRATOR)


def test_user_manager_cannot_create_an_administrator(manager, api_for):
    department = DepartmentFactory()
    response = api_for(manager).post(
        "/api/v1/users/",
        {
            "username": "mole",
            "name": "Mole",
            "password": "Mole-pass-2026",
            "department": department.pk,
            "roles": [admin_role().pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="mole").exists()


def test_user_manager_cannot_reset_an_administrators_password_and_take_their_token(manager, administrator, api_for):
    response = api_for(manager).post(
        f"/api/v1/users/{administrator.pk}/reset-password/", {"password": "Taken-over-2026"}, format="json"
    )
    assert response.status_code == 400
    token = APIClient().post("/api/v1/auth/token/", {"username": administrator.username, "password": "Taken-over-2026"})
    assert token.status_code == 400
    assert User.objects.get(pk=administrator.pk).check_password(PASSWORD)


def test_user_manager_cannot_reset_the_password_of_a_user_holding_more_than_they_do(manager):
    supervisor = UserFactory(roles=[default_role(Role.Key.SUPERVISOR)])
    with pytest.raises(ValidationError):
        services.reset_password(supervisor, password="Taken-over-2026", by=manager)
    peer = UserFactory(roles=[role_with(["accounts.view_user"])])
    services.reset_password(peer, password="Fresh-start-2026", by=manager)
    assert User.objects.get(pk=peer.pk).check_password("Fresh-start-2026")


@pytest.mark.parametrize("active", [False, True])
def test_only_administrators_enable_or_disable_an_administrator(manager, administrator, active):
    target = UserFactory(roles=[admin_role()], is_active=not active)
    with pytest.raises(ValidationError):
        services.set_user_active(target, active=active, by=manager)
    assert User.objects.get(pk=target.pk).is_active is not active
    services.set_user_active(target, active=active, by=administrator)
    assert User.objects.get(pk=target.pk).is_active is active


def test_only_administrators_edit_an_administrator(manager, administrator):
    with pytest.raises(ValidationError):
        services.update_user(
            administrator, by=manager, expected_version=administrator.version, **user_fields(administrator, name="X")
        )
    superuser = UserFactory(is_superuser=True)
    with pytest.raises(ValidationError):
        services.update_user(superuser, by=manager, expected_version=superuser.version, **user_fields(superuser))


def test_a_user_keeps_a_role_the_editor_could_not_grant(manager):
    wide = role_with(["customers.view_customer"])
    user = UserFactory(roles=[wide])
    services.update_user(user, by=manager, expected_version=user.version, **user_fields(user, name="Renamed"))
    assert list(User.objects.get(pk=user.pk).roles.all()) == [wide]


# Roles ------------------------------------------------------------------------------------------------


def test_administrator_role_cannot_be_emptied(administrator, api_for):
    role = admin_role()
    response = api_for(administrator).patch(
        f"/api/v1/roles/{role.pk}/", {"permissions": [], "version": role.version}, format="json"
    )
    assert response.status_code == 400
    assert "permissions" in response.json()["errors"]
    assert {services.permission_code(p) for p in role.permissions.all()} >= ADMINISTRATION_PERMISSIONS


def test_administrator_role_may_lose_a_permission_administration_does_not_need(administrator):
    role = admin_role()
    kept = [p for p in role.permissions.all() if services.permission_code(p) in ADMINISTRATION_PERMISSIONS]
    edit_role(role, administrator, permissions=kept)
    assert {services.permission_code(p) for p in role.permissions.all()} == ADMINISTRATION_PERMISSIONS


def test_administrator_role_is_changed_only_by_administrators(db):
    role = admin_role()
    editor = UserFactory(roles=[role_with(["accounts.view_role", "accounts.change_role"], Role.DataScope.ALL)])
    with pytest.raises(ValidationError):
        edit_role(role, editor, name="Renamed")


def test_role_editor_cannot_add_a_permission_they_do_not_hold(db):
    editor_role = role_with(["accounts.view_role", "accounts.change_role"])
    editor = UserFactory(roles=[editor_role])
    with pytest.raises(ValidationError) as error:
        edit_role(
            editor_role, editor, permissions=[*editor_role.permissions.all(), *_permissions(["accounts.change_user"])]
        )
    assert "permissions" in error.value.message_dict
    assert not editor.has_perm("accounts.change_user")


def test_role_editor_cannot_widen_a_roles_scope_beyond_their_own(db):
    editor = UserFactory(roles=[role_with(["accounts.view_role", "accounts.change_role"], Role.DataScope.DEPARTMENT)])
    role = role_with(["accounts.view_role"])
    with pytest.raises(ValidationError) as error:
        edit_role(role, editor, data_scope=Role.DataScope.ALL)
    assert "data_scope" in error.value.message_dict
    edit_role(role, editor, data_scope=Role.DataScope.DEPARTMENT)


def test_role_editor_may_remove_permissions_they_do_not_hold(db):
    editor = UserFactory(roles=[role_with(["accounts.view_role", "accounts.change_role"])])
    role = role_with(["accounts.view_role", "customers.view_customer"])
    edit_role(role, editor, permissions=_permissions(["accounts.view_role"]))
    assert [services.permission_code(p) for p in role.permissions.all()] == ["accounts.view_role"]


def test_role_creator_cannot_create_a_role_wider_than_their_own(db):
    creator = UserFactory(roles=[role_with(["accounts.view_role", "accounts.add_role"])])
    with pytest.raises(ValidationError):
        services.create_role(name="wide", permissions=_permissions(["customers.view_customer"]), by=creator)
    with pytest.raises(ValidationError):
        services.create_role(name="wide", data_scope=Role.DataScope.ALL, by=creator)
    assert not Role.objects.filter(name="wide").exists()
    services.create_role(name="narrow", permissions=_permissions(["accounts.view_role"]), by=creator)

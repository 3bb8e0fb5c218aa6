"""Privilege matrix: whatever single permission a role gives (each one the role form offers),
its holder cannot escalate: grant a wider role, widen a role, take over another account, or
touch an administrator — through the pages or the API.

The holder also gets the view permissions of users and roles, so a refusal comes from the rule
and not merely from being unable to read the record.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from crm.accounts import services
from crm.accounts.models import Role, User
from crm.accounts.services import _permissions
from crm.accounts.tests.factories import PASSWORD, RoleFactory, UserFactory, default_role
from crm.core import menu

CODES = menu.all_permission_codes()
VIEWS = ["accounts.view_user", "accounts.view_role"]
NEW_PASSWORD = "Taken-over-2026"


def role_with(codes, scope=Role.DataScope.SELF):
    role = RoleFactory(data_scope=scope)
    role.permissions.set(_permissions(codes))
    return role


@dataclass
class Setting:
    holder: User
    own_role: Role
    extra: str  # a permission the holder lacks
    administrator: User
    page: object
    api: APIClient

    def wider_role(self):
        """A role carrying one permission more than the holder's."""
        return role_with([*self.codes(), self.extra])

    def codes(self):
        return sorted(services.permission_code(p) for p in self.own_role.permissions.all())


@pytest.fixture
def setting(request, db, client, administrator):
    code = request.node.callspec.params["code"]
    own_role = role_with({code, *VIEWS})
    holder = UserFactory(username="holder", roles=[own_role])
    extra = next(c for c in CODES if c not in {code, *VIEWS})
    client.force_login(holder)
    api = APIClient()
    api.force_authenticate(holder)
    return Setting(holder, own_role, extra, administrator, client, api)


def ids(roles):
    return [role.pk for role in roles]


def user_form(user, roles, **extra):
    data = {
        "username": user.username,
        "name": user.name or "Name",
        "department": user.department_id,
        "gender": "",
        "roles": ids(roles),
        "version": user.version,
    }
    return data | extra


def refused(response):
    assert response.status_code in (302, 400, 403), (response.status_code, response.content[:300])


# Granting a wider role --------------------------------------------------------------------------


def create_user_with_wider_roles(s):
    for wider in (default_role(Role.Key.ADMINISTRATOR), s.wider_role()):
        body = {"username": "mole", "name": "Mole", "password": NEW_PASSWORD, "department": s.holder.department_id}
        refused(s.api.post("/api/v1/users/", body | {"roles": [wider.pk]}, format="json"))
        refused(s.page.post(reverse("accounts:user-create"), body | {"roles": [wider.pk]}))
        assert not User.objects.filter(username="mole").exists()


def give_self_wider_roles(s):
    for wider in (default_role(Role.Key.ADMINISTRATOR), s.wider_role()):
        roles = [s.own_role, wider]
        holder = User.objects.get(pk=s.holder.pk)
        body = {"roles": ids(roles), "version": holder.version}
        refused(s.api.patch(f"/api/v1/users/{holder.pk}/", body, format="json"))
        refused(s.page.post(reverse("accounts:user-edit", args=[holder.pk]), user_form(holder, roles)))
        assert list(User.objects.get(pk=holder.pk).roles.all()) == [s.own_role]


def give_another_user_a_wider_role(s):
    other = UserFactory(roles=[role_with(VIEWS)])
    wider = s.wider_role()
    roles = [*other.roles.all(), wider]
    refused(s.api.patch(f"/api/v1/users/{other.pk}/", {"roles": ids(roles), "version": 1}, format="json"))
    refused(s.page.post(reverse("accounts:user-edit", args=[other.pk]), user_form(other, roles)))
    assert wider not in User.objects.get(pk=other.pk).roles.all()


# Widening a role --------------------------------------------------------------------------------


def add_a_permission_to_a_role(s):
    for role in (s.own_role, role_with(VIEWS)):
        codes = sorted(services.permission_code(p) for p in role.permissions.all())
        wanted = [*codes, s.extra]
        refused(s.api.patch(f"/api/v1/roles/{role.pk}/", {"permissions": wanted, "version": 1}, format="json"))
        form = {"name": role.name, "description": "", "data_scope": role.data_scope, "version": 1}
        refused(s.page.post(reverse("accounts:role-edit", args=[role.pk]), form | {"permission_codes": wanted}))
        assert sorted(services.permission_code(p) for p in role.permissions.all()) == codes


def widen_a_roles_scope(s):
    body = {"data_scope": Role.DataScope.ALL, "version": 1}
    refused(s.api.patch(f"/api/v1/roles/{s.own_role.pk}/", body, format="json"))
    form = {"name": s.own_role.name, "description": "", "permission_codes": s.codes()}
    refused(s.page.post(reverse("accounts:role-edit", args=[s.own_role.pk]), form | body))
    assert Role.objects.get(pk=s.own_role.pk).data_scope == Role.DataScope.SELF


def create_a_wider_role(s):
    body = {"name": "wider", "data_scope": Role.DataScope.SELF, "permissions": [*s.codes(), s.extra]}
    refused(s.api.post("/api/v1/roles/", body, format="json"))
    refused(s.api.post("/api/v1/roles/", body | {"permissions": s.codes(), "data_scope": "all"}, format="json"))
    form = {"name": "wider", "description": "", "data_scope": "self", "permission_codes": [*s.codes(), s.extra]}
    refused(s.page.post(reverse("accounts:role-create"), form))
    assert not Role.objects.filter(name="wider").exists()


# Taking over accounts ---------------------------------------------------------------------------


def reset_another_users_password(s):
    supervisor = UserFactory(roles=[default_role(Role.Key.SUPERVISOR)])
    for target in (s.administrator, supervisor):
        url = f"/api/v1/users/{target.pk}/reset-password/"
        refused(s.api.post(url, {"password": NEW_PASSWORD}, format="json"))
        page = reverse("accounts:user-password", args=[target.pk])
        refused(s.page.post(page, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}))
        assert User.objects.get(pk=target.pk).check_password(PASSWORD)
        assert (
            APIClient().post("/api/v1/auth/token/", {"username": target.username, "password": NEW_PASSWORD}).status_code
            == 400
        )


# Administrators -------------------------------------------------------------------------------------


def disable_an_administrator(s):
    target = UserFactory(roles=[default_role(Role.Key.ADMINISTRATOR)])
    refused(s.api.post(f"/api/v1/users/{target.pk}/disable/", format="json"))
    refused(s.page.post(reverse("accounts:user-disable", args=[target.pk])))
    assert User.objects.get(pk=target.pk).is_active


def enable_an_administrator(s):
    target = UserFactory(roles=[default_role(Role.Key.ADMINISTRATOR)], is_active=False)
    refused(s.api.post(f"/api/v1/users/{target.pk}/enable/", format="json"))
    refused(s.page.post(reverse("accounts:user-enable", args=[target.pk])))
    assert not User.objects.get(pk=target.pk).is_active


def change_an_administrator(s):
    target = s.administrator
    roles = list(target.roles.all())
    refused(s.api.patch(f"/api/v1/users/{target.pk}/", {"name": "Changed", "version": 1}, format="json"))
    refused(s.page.post(reverse("accounts:user-edit", args=[target.pk]), user_form(target, roles, name="Changed")))
    refused(s.api.patch(f"/api/v1/users/{target.pk}/", {"roles": [], "version": 1}, format="json"))
    target = User.objects.get(pk=target.pk)
    assert target.name != "Changed" and target.version == 1 and target.has_role(Role.Key.ADMINISTRATOR)


def change_the_administrator_role(s):
    role = default_role(Role.Key.ADMINISTRATOR)
    before = sorted(services.permission_code(p) for p in role.permissions.all())
    refused(s.api.patch(f"/api/v1/roles/{role.pk}/", {"permissions": [], "version": role.version}, format="json"))
    form = {"name": "x", "description": "", "data_scope": "self", "permission_codes": [], "version": role.version}
    refused(s.page.post(reverse("accounts:role-edit", args=[role.pk]), form))
    role = Role.objects.get(pk=role.pk)
    assert sorted(services.permission_code(p) for p in role.permissions.all()) == before
    assert role.data_scope == Role.DataScope.ALL


DANGEROUS_ACTIONS = [
    create_user_with_wider_roles,
    give_self_wider_roles,
    give_another_user_a_wider_role,
    add_a_permission_to_a_role,
    widen_a_roles_scope,
    create_a_wider_role,
    reset_another_users_password,
    disable_an_administrator,
    enable_an_administrator,
    change_an_administrator,
    change_the_administrator_role,
]


@pytest.mark.parametrize("action", DANGEROUS_ACTIONS, ids=lambda action: action.__name__)
@pytest.mark.parametrize("code", CODES)
def test_a_single_permission_does_not_allow(setting, code, action):
    action(setting)

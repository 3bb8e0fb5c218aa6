"""Department tree (R-AUTH-2) and role services (R-AUTH-3, R-ROLE-1)."""

import pytest
from django.core.exceptions import ValidationError

from crm.accounts import services
from crm.accounts.models import Department, Role
from crm.accounts.services import _permissions
from crm.accounts.tests.factories import DepartmentFactory, RoleFactory, UserFactory, default_role
from crm.core import menu
from crm.core.concurrency import StaleEditError


def field_errors(error):
    return {field: [str(m) for m in messages] for field, messages in error.value.message_dict.items()}


# Departments ---------------------------------------------------------------------------------


def test_create_department_under_a_parent(db):
    sales = services.create_department(name=" Sales ")
    north = services.create_department(name="North", parent=sales, sort_order=2)
    assert (sales.name, north.parent, north.sort_order) == ("Sales", sales, 2)


def test_department_needs_a_name(db):
    with pytest.raises(ValidationError) as error:
        services.create_department(name="   ")
    assert list(field_errors(error)) == ["name"]


def test_department_names_are_unique_per_level_including_the_top(db):
    sales = services.create_department(name="Sales")
    services.create_department(name="North", parent=sales)
    with pytest.raises(ValidationError):
        services.create_department(name="Sales")
    with pytest.raises(ValidationError):
        services.create_department(name="North", parent=sales)
    services.create_department(name="North")  # another level: allowed
    assert Department.objects.filter(name="North").count() == 2


def test_rename_and_move_a_department(db):
    sales, service = DepartmentFactory(name="Sales"), DepartmentFactory(name="Service")
    team = DepartmentFactory(name="Team", parent=sales)
    services.update_department(team, expected_version=1, name="Team A", parent=service, sort_order=3)
    team.refresh_from_db()
    assert (team.name, team.parent, team.version) == ("Team A", service, 2)


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
def test_department_cannot_move_under_itself_or_below(db, target):
    root = DepartmentFactory()
    child = DepartmentFactory(parent=root)
    grandchild = DepartmentFactory(parent=child)
    parent = {"itself": root, "child": child, "grandchild": grandchild}[target]
    with pytest.raises(ValidationError) as error:
        services.update_department(root, expected_version=1, name=root.name, parent=parent)
    assert list(field_errors(error)) == ["parent"]
    root.refresh_from_db()
    assert root.parent is None


def test_department_rename_from_a_stale_version_is_refused(db):
    department = DepartmentFactory()
    services.update_department(department, expected_version=1, name="A")
    with pytest.raises(StaleEditError):
        services.update_department(department, expected_version=1, name="B")


def test_empty_department_can_be_deleted(db):
    department = DepartmentFactory()
    services.delete_department(department)
    assert not Department.objects.filter(pk=department.pk).exists()


def test_department_with_sub_departments_cannot_be_deleted(db):
    parent = DepartmentFactory()
    DepartmentFactory(parent=parent)
    with pytest.raises(ValidationError):
        services.delete_department(parent)
    assert Department.objects.filter(pk=parent.pk).exists()


def test_department_with_users_cannot_be_deleted_even_disabled_ones(db):
    department = DepartmentFactory()
    UserFactory(department=department, is_active=False)
    with pytest.raises(ValidationError) as error:
        services.delete_department(department)
    assert "1 user(s)" in error.value.messages[0]


# Roles ---------------------------------------------------------------------------------------


def test_create_role_with_permissions_and_scope(db):
    role = services.create_role(
        name=" Regional lead ",
        data_scope=Role.DataScope.SUBORDINATES,
        permissions=_permissions(["accounts.view_user", "dictionary.view_dictitem"]),
    )
    role.refresh_from_db()
    assert role.name == "Regional lead"
    assert role.data_scope == Role.DataScope.SUBORDINATES
    assert {p.codename for p in role.permissions.all()} == {"view_user", "view_dictitem"}
    assert not role.is_system


def test_role_name_is_required_and_unique(db):
    services.create_role(name="Lead")
    with pytest.raises(ValidationError):
        services.create_role(name="Lead")
    with pytest.raises(ValidationError):
        services.create_role(name=" ")


def test_role_may_only_carry_permissions_offered_in_the_tree(db):
    # Permissions outside the menu's tree (e.g. Django's own) would be invisible in the role form.
    with pytest.raises(ValidationError) as error:
        services.create_role(name="Sneaky", permissions=_permissions(["auth.change_permission"]))
    assert list(field_errors(error)) == ["permissions"]


def test_update_role_replaces_permissions_and_scope(db):
    role = services.create_role(name="Lead", permissions=_permissions(["accounts.view_user"]))
    services.update_role(
        role,
        expected_version=1,
        name="Lead",
        data_scope=Role.DataScope.DEPARTMENT,
        permissions=_permissions(["accounts.view_role"]),
    )
    role.refresh_from_db()
    assert role.data_scope == Role.DataScope.DEPARTMENT
    assert [p.codename for p in role.permissions.all()] == ["view_role"]
    assert role.version == 2


def test_role_update_from_a_stale_version_is_refused(db):
    role = services.create_role(name="Lead")
    services.update_role(role, expected_version=1, name="Lead 2")
    with pytest.raises(StaleEditError):
        services.update_role(role, expected_version=1, name="Lead 3")


def test_permission_change_reaches_the_roles_users(db):
    role = services.create_role(name="Lead")
    user = UserFactory(roles=[role])
    assert not user.has_perm("accounts.view_user")
    services.update_role(role, expected_version=1, name="Lead", permissions=_permissions(["accounts.view_user"]))
    assert type(user).objects.get(pk=user.pk).has_perm("accounts.view_user")


def test_default_roles_cannot_be_deleted(db):
    for key in Role.Key.values:
        with pytest.raises(ValidationError):
            services.delete_role(default_role(key))
    assert Role.objects.filter(system_key__isnull=False).count() == 4


def test_role_still_held_cannot_be_deleted(db):
    role = RoleFactory()
    UserFactory(roles=[role])
    with pytest.raises(ValidationError):
        services.delete_role(role)


def test_unused_role_can_be_deleted(db):
    role = RoleFactory()
    services.delete_role(role)
    assert not Role.objects.filter(pk=role.pk).exists()


# Default roles and their grants (R-ROLE-1) -----------------------------------------------------


def codes(role):
    return {services.permission_code(p) for p in role.permissions.select_related("content_type")}


def test_four_default_roles_exist_with_their_scopes(db):
    scopes = dict(Role.objects.filter(system_key__isnull=False).values_list("system_key", "data_scope"))
    assert scopes == {
        Role.Key.ADMINISTRATOR: Role.DataScope.ALL,
        Role.Key.SUPERVISOR: Role.DataScope.DEPARTMENT_TREE,
        Role.Key.ACCOUNT_MANAGER: Role.DataScope.SELF,
        Role.Key.EXECUTIVE: Role.DataScope.ALL,
    }


def test_default_roles_hold_their_default_grants(db):
    for key in Role.Key.values:
        assert codes(default_role(key)) == menu.DEFAULT_GRANTS.get(key, set())


def test_administrator_manages_access_control_and_the_dictionary(administrator):
    for code in [
        "accounts.add_user",
        "accounts.change_user",
        "accounts.change_role",
        "accounts.delete_department",
        "dictionary.add_dictitem",
        "dictionary.delete_dictitem",
    ]:
        assert administrator.has_perm(code), code


@pytest.mark.parametrize("role_fixture", ["supervisor", "account_manager", "executive"])
def test_only_the_administrator_manages_access_control(request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert not any(user.has_perm(f"accounts.{action}_user") for action in ("view", "add", "change"))
    assert not user.has_perm("accounts.change_role")
    assert not user.has_perm("dictionary.change_dictitem")


def test_sync_is_idempotent(db):
    before = {role.pk: codes(role) for role in Role.objects.all()}
    services.sync_default_roles()
    services.sync_default_roles()
    assert {role.pk: codes(role) for role in Role.objects.all()} == before
    assert Role.objects.count() == len(before)


def test_sync_does_not_grant_again_what_an_administrator_took_away(db):
    role = default_role(Role.Key.ADMINISTRATOR)
    role.permissions.remove(*_permissions(["dictionary.delete_dictitem"]))
    services.sync_default_roles()
    assert "dictionary.delete_dictitem" not in codes(role)


def test_sync_grants_a_permission_a_later_release_adds(db, monkeypatch):
    grants = {key: set(codes) for key, codes in menu.DEFAULT_GRANTS.items()}
    grants.setdefault(Role.Key.EXECUTIVE, set()).add("accounts.view_department")
    monkeypatch.setattr(menu, "DEFAULT_GRANTS", grants)
    services.sync_default_roles()
    executive = default_role(Role.Key.EXECUTIVE)
    assert "accounts.view_department" in codes(executive)
    assert "accounts.view_department" in executive.seeded_permissions


def test_sync_recreates_a_missing_default_role_beside_a_same_named_custom_role(db):
    default_role(Role.Key.EXECUTIVE).delete()
    RoleFactory(name="高管")
    services.sync_default_roles()
    executive = default_role(Role.Key.EXECUTIVE)
    assert executive.name == "高管 (executive)"
    assert executive.data_scope == Role.DataScope.ALL


def test_renamed_default_role_keeps_its_name(db):
    role = default_role(Role.Key.SUPERVISOR)
    services.update_role(
        role, expected_version=role.version, name="Sales lead", data_scope=role.data_scope, permissions=[]
    )
    services.sync_default_roles()
    assert default_role(Role.Key.SUPERVISOR).name == "Sales lead"

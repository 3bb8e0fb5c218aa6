"""Data scope (R-AUTH-3, R-AUTH-4): whose records a user may see, resolved from their roles."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from crm.accounts import services
from crm.accounts.models import Department, Role, User
from crm.accounts.scope import (
    assignable_users,
    department_tree_ids,
    departments_visible_to,
    forget_scope,
    is_assignable,
    subordinate_ids,
    visible_owner_ids,
)
from crm.accounts.tests.factories import DepartmentFactory, RoleFactory, UserFactory
from crm.core.models import ScopedQuerySet


def with_scope(scope, **kwargs):
    return UserFactory(roles=[RoleFactory(data_scope=scope)], **kwargs)


def ids(*users):
    return frozenset(u.pk for u in users)


@pytest.fixture
def org(db):
    """Sales (North (North-East), South) and Service; a superior chain boss > lead > rep > trainee."""
    sales = DepartmentFactory(name="Sales")
    north = DepartmentFactory(name="North", parent=sales)
    north_east = DepartmentFactory(name="North-East", parent=north)
    south = DepartmentFactory(name="South", parent=sales)
    service = DepartmentFactory(name="Service")
    boss = UserFactory(username="boss", department=sales)
    lead = UserFactory(username="lead", department=north, superior=boss)
    rep = UserFactory(username="rep", department=north, superior=lead)
    trainee = UserFactory(username="trainee", department=north_east, superior=rep)
    southern = UserFactory(username="southern", department=south, superior=boss)
    helper = UserFactory(username="helper", department=service, superior=lead)
    return {
        "sales": sales,
        "north": north,
        "north_east": north_east,
        "south": south,
        "service": service,
        "boss": boss,
        "lead": lead,
        "rep": rep,
        "trainee": trainee,
        "southern": southern,
        "helper": helper,
    }


def as_role(user, scope):
    user.roles.set([RoleFactory(data_scope=scope)])
    forget_scope(user)
    return User.objects.get(pk=user.pk)


def test_self_scope_sees_only_own_records(org):
    assert visible_owner_ids(as_role(org["rep"], Role.DataScope.SELF)) == ids(org["rep"])


def test_subordinates_scope_follows_the_superior_chain_to_any_depth(org):
    lead = as_role(org["lead"], Role.DataScope.SUBORDINATES)
    assert visible_owner_ids(lead) == ids(org["lead"], org["rep"], org["trainee"], org["helper"])


def test_subordinates_scope_of_the_bottom_of_the_chain_is_self(org):
    assert visible_owner_ids(as_role(org["trainee"], Role.DataScope.SUBORDINATES)) == ids(org["trainee"])


def test_department_scope_is_the_own_department_only(org):
    rep = as_role(org["rep"], Role.DataScope.DEPARTMENT)
    assert visible_owner_ids(rep) == ids(org["lead"], org["rep"])


def test_department_tree_scope_includes_every_sub_department(org):
    boss = as_role(org["boss"], Role.DataScope.DEPARTMENT_TREE)
    expected = ids(org["boss"], org["lead"], org["rep"], org["trainee"], org["southern"])
    assert visible_owner_ids(boss) == expected


def test_department_tree_scope_does_not_reach_sibling_departments(org):
    lead = as_role(org["lead"], Role.DataScope.DEPARTMENT_TREE)
    assert visible_owner_ids(lead) == ids(org["lead"], org["rep"], org["trainee"])


def test_all_scope_sees_everything(org):
    assert visible_owner_ids(as_role(org["rep"], Role.DataScope.ALL)) is None


@pytest.mark.parametrize("scope", [Role.DataScope.DEPARTMENT, Role.DataScope.DEPARTMENT_TREE])
def test_department_scopes_without_a_department_see_own_records(db, scope):
    user = with_scope(scope, department=None)
    assert visible_owner_ids(user) == ids(user)


def test_user_without_roles_sees_own_records_only(org):
    assert visible_owner_ids(org["rep"]) == ids(org["rep"])


def test_several_roles_give_the_union_of_their_scopes(org):
    rep = org["rep"]
    rep.roles.set(
        [RoleFactory(data_scope=Role.DataScope.SUBORDINATES), RoleFactory(data_scope=Role.DataScope.DEPARTMENT)]
    )
    assert visible_owner_ids(User.objects.get(pk=rep.pk)) == ids(org["lead"], org["rep"], org["trainee"])


def test_all_in_any_role_wins(org):
    rep = org["rep"]
    rep.roles.set([RoleFactory(data_scope=Role.DataScope.SELF), RoleFactory(data_scope=Role.DataScope.ALL)])
    assert visible_owner_ids(User.objects.get(pk=rep.pk)) is None


def test_superuser_sees_everything(db):
    assert visible_owner_ids(UserFactory(is_superuser=True)) is None


def test_disabled_user_sees_nothing(db):
    user = with_scope(Role.DataScope.ALL, is_active=False)
    assert visible_owner_ids(user) == frozenset()


def test_anonymous_user_sees_nothing(db):
    assert visible_owner_ids(AnonymousUser()) == frozenset()


def test_default_roles_carry_the_specified_scopes(administrator, supervisor, account_manager, executive):
    assert visible_owner_ids(administrator) is None
    assert visible_owner_ids(executive) is None
    assert visible_owner_ids(account_manager) == ids(account_manager)
    colleague = UserFactory(department=supervisor.department)
    assert colleague.pk in visible_owner_ids(supervisor)


def test_superior_chain_with_a_cycle_terminates(db):
    a = UserFactory()
    b = UserFactory(superior=a)
    User.objects.filter(pk=a.pk).update(superior=b)  # bad data written around the service
    assert subordinate_ids(a.pk) == {b.pk}
    assert subordinate_ids(b.pk) == {a.pk}


def test_department_tree_of_no_department_is_empty(db):
    assert department_tree_ids(None) == set()


def test_scope_is_resolved_once_per_user_object(org, django_assert_num_queries):
    rep = as_role(org["rep"], Role.DataScope.DEPARTMENT)
    first = visible_owner_ids(rep)
    with django_assert_num_queries(0):
        assert visible_owner_ids(rep) == first


def test_forget_scope_resolves_again_after_a_change(org):
    rep = as_role(org["rep"], Role.DataScope.SELF)
    assert visible_owner_ids(rep) == ids(org["rep"])
    rep.roles.set([RoleFactory(data_scope=Role.DataScope.DEPARTMENT)])
    forget_scope(rep)
    assert visible_owner_ids(rep) == ids(org["lead"], org["rep"])


def test_editing_a_user_drops_their_cached_scope(org, administrator):
    rep = as_role(org["rep"], Role.DataScope.SELF)
    visible_owner_ids(rep)
    services.update_user(
        rep,
        by=administrator,
        expected_version=rep.version,
        username=rep.username,
        name=rep.name,
        department=org["service"],
        roles=[RoleFactory(data_scope=Role.DataScope.DEPARTMENT)],
    )
    assert visible_owner_ids(rep) == ids(org["rep"], org["helper"])


# visible_to(): the one queryset method every owned model reads through. The foundation has no
# owned model of its own, so users stand in for records, "owned" by their superior.


@pytest.fixture
def owned_by_superior(monkeypatch):
    monkeypatch.setattr(User, "scope_owner_field", "superior", raising=False)
    return ScopedQuerySet(model=User)


def test_visible_to_filters_records_by_their_owner(org, owned_by_superior):
    lead = as_role(org["lead"], Role.DataScope.SELF)
    assert set(owned_by_superior.visible_to(lead)) == {org["rep"], org["helper"]}


def test_visible_to_with_all_scope_returns_every_record_including_unowned(org, owned_by_superior):
    admin = as_role(org["rep"], Role.DataScope.ALL)
    assert owned_by_superior.visible_to(admin).count() == User.objects.count()


def test_visible_to_hides_unowned_records_from_limited_scopes(org, owned_by_superior):
    boss = as_role(org["boss"], Role.DataScope.DEPARTMENT_TREE)
    visible = set(owned_by_superior.visible_to(boss))
    assert org["boss"] not in visible  # the boss has no superior: an unowned record
    assert {org["lead"], org["southern"], org["rep"], org["trainee"], org["helper"]} <= visible


def test_visible_to_for_a_disabled_user_is_empty(org, owned_by_superior):
    User.objects.filter(pk=org["lead"].pk).update(is_active=False)
    lead = User.objects.get(pk=org["lead"].pk)
    assert not owned_by_superior.visible_to(lead).exists()


def test_visible_to_runs_one_query(org, owned_by_superior, django_assert_num_queries):
    lead = as_role(org["lead"], Role.DataScope.SUBORDINATES)
    visible_owner_ids(lead)
    with django_assert_num_queries(1):
        list(owned_by_superior.visible_to(lead))


def test_users_visible_to_are_the_people_of_the_scope(org):
    from crm.accounts.scope import users_visible_to

    lead = as_role(org["lead"], Role.DataScope.SUBORDINATES)
    assert set(users_visible_to(lead)) == {org["lead"], *User.objects.filter(superior=org["lead"])} | {
        u for u in User.objects.all() if u.superior_id and u.superior.superior_id == org["lead"].pk
    }
    everyone = as_role(org["rep"], Role.DataScope.ALL)
    assert users_visible_to(everyone).count() == User.objects.count()
    assert list(users_visible_to(everyone, User.objects.filter(pk=org["boss"].pk))) == [org["boss"]]


# Who a user may make responsible for a record, and which departments they see whole ---------------


def test_assignable_users_are_active_holders_of_the_permission_in_scope(org):
    holder = RoleFactory()
    holder.permissions.add(Permission.objects.get(content_type__app_label="customers", codename="change_customer"))
    for name in ("lead", "rep", "southern", "helper"):
        org[name].roles.add(holder)
    User.objects.filter(pk=org["rep"].pk).update(is_active=False)
    boss = as_role(org["boss"], Role.DataScope.DEPARTMENT_TREE)
    # trainee is in scope but lacks the permission, rep is disabled, helper is outside the scope.
    assert set(assignable_users(boss, "customers.change_customer")) == {org["lead"], org["southern"]}
    assert is_assignable(boss, org["lead"], "customers.change_customer")
    assert not is_assignable(boss, org["helper"], "customers.change_customer")
    assert not is_assignable(boss, org["trainee"], "customers.change_customer")
    assert not is_assignable(boss, None, "customers.change_customer")
    # The system itself (no actor) is limited by the permission only.
    assert set(assignable_users(None, "customers.change_customer")) == {org["lead"], org["southern"], org["helper"]}


def test_departments_visible_are_those_whose_every_member_is_in_scope(org):
    boss = as_role(org["boss"], Role.DataScope.DEPARTMENT_TREE)
    assert set(departments_visible_to(boss)) == {org["sales"], org["north"], org["north_east"], org["south"]}
    lead = as_role(org["lead"], Role.DataScope.DEPARTMENT_TREE)
    assert set(departments_visible_to(lead)) == {org["north"], org["north_east"]}
    # A department scope without the sub-departments does not see North whole (trainee is below).
    rep = as_role(org["rep"], Role.DataScope.DEPARTMENT)
    assert set(departments_visible_to(rep)) == set()
    # Seeing only oneself is not seeing one's department.
    assert set(departments_visible_to(as_role(org["southern"], Role.DataScope.SELF))) == {org["south"]}
    assert set(departments_visible_to(as_role(org["trainee"], Role.DataScope.SELF))) == {org["north_east"]}
    UserFactory(department=org["service"])  # helper is not alone there
    assert set(departments_visible_to(as_role(org["helper"], Role.DataScope.SELF))) == set()
    assert set(departments_visible_to(as_role(org["rep"], Role.DataScope.ALL))) == set(Department.objects.all())

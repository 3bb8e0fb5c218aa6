"""Operation log (操作记录, R-MISC-2): who added, changed (field by field) or deleted what, and who
may read it."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from crm.accounts import services as account_services
from crm.accounts.models import Department, Role, User
from crm.accounts.services import _permissions
from crm.accounts.tests.factories import DepartmentFactory, RoleFactory, UserFactory, default_role
from crm.audit.selectors import log_for
from crm.core.models import ScopedQuerySet
from crm.dictionary import services as dictionary_services


def log_url(label, pk):
    return reverse("audit:record-log", args=[label, pk])


def entries(instance):
    return list(LogEntry.objects.get_for_object(instance).order_by("pk"))


@pytest.fixture
def admin_client(client_for, administrator):
    return client_for(administrator)


# What is recorded -----------------------------------------------------------------------------


def test_page_changes_are_recorded_with_their_actor_and_field_changes(admin_client, administrator):
    department = DepartmentFactory(name="Sales")
    admin_client.post(
        reverse("accounts:department-edit", args=[department.pk]),
        {"name": "Sales North", "sort_order": 3, "version": 1},
    )
    change = entries(department)[-1]
    assert change.action == LogEntry.Action.UPDATE
    assert change.actor == administrator
    assert change.changes_dict["name"] == ["Sales", "Sales North"]
    assert change.changes_dict["sort_order"] == ["0", "3"]
    assert "version" not in change.changes_dict


def test_creation_and_deletion_are_recorded(admin_client, administrator):
    admin_client.post(reverse("accounts:department-create"), {"name": "Temp", "sort_order": 0})
    department = Department.objects.get(name="Temp")
    admin_client.post(reverse("accounts:department-delete", args=[department.pk]))
    actions = [(e.action, e.actor) for e in entries(department)]
    assert actions == [(LogEntry.Action.CREATE, administrator), (LogEntry.Action.DELETE, administrator)]


def test_user_log_never_holds_the_password(administrator):
    user = account_services.create_user(
        by=administrator, username="liqiang", password="Sales-Team-2026", department=DepartmentFactory()
    )
    account_services.reset_password(user, password="Other-pass-2026", by=administrator)
    for entry in entries(user):
        assert "password" not in entry.changes_dict
        assert "Sales-Team-2026" not in str(entry.changes) and "pbkdf2" not in str(entry.changes)


def test_role_changes_of_a_user_are_recorded(administrator):
    user = UserFactory(roles=[default_role(Role.Key.ACCOUNT_MANAGER)])
    account_services.update_user(
        user,
        by=administrator,
        expected_version=1,
        username=user.username,
        department=user.department,
        roles=[default_role(Role.Key.SUPERVISOR)],
    )
    role_entries = [e for e in entries(user) if "roles" in e.changes_dict]
    assert role_entries
    assert "销售主管" in str(role_entries[-1].changes_dict["roles"])


def test_permission_changes_of_a_role_are_recorded(db):
    role = RoleFactory()
    account_services.update_role(
        role, expected_version=1, name=role.name, permissions=_permissions(["accounts.view_user"])
    )
    assert any("permissions" in e.changes_dict for e in entries(role))


def test_dictionary_changes_are_recorded(db):
    item = dictionary_services.create_item(dict_type="地区", label="华东", value="huadong")
    dictionary_services.update_item(item, expected_version=1, dict_type="地区", label="华东区", value="huadong")
    assert entries(item)[-1].changes_dict["label"] == ["华东", "华东区"]


def test_token_api_changes_are_recorded_with_their_actor(administrator):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=administrator).key}")
    item = dictionary_services.create_item(dict_type="地区", label="华东", value="huadong")
    response = api.patch(f"/api/v1/dictionary/{item.pk}/", {"label": "华东区", "version": 1}, format="json")
    assert response.status_code == 200
    assert entries(item)[-1].actor == administrator


# The log page -----------------------------------------------------------------------------------


def test_log_page_shows_changes_newest_first_with_old_and_new_values(admin_client, administrator):
    department = DepartmentFactory(name="Sales")
    account_services.update_department(department, expected_version=1, name="Sales North")
    account_services.update_department(department, expected_version=2, name="Sales South")
    response = admin_client.get(log_url("accounts.department", department.pk))
    assert response.status_code == 200
    listed = list(response.context["entries"])
    assert listed[0].changes_dict["name"] == ["Sales North", "Sales South"]
    html = response.content.decode()
    assert html.index("Sales South") < html.index("Sales North")
    assert "«Sales South»" in html


def test_log_fragment_for_a_detail_tab(admin_client):
    department = DepartmentFactory()
    response = admin_client.get(log_url("accounts.department", department.pk), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert [t.name for t in response.templates][0] == "audit/_log.html"


def test_log_of_a_deleted_record_stays_readable(admin_client):
    department = DepartmentFactory(name="Gone")
    pk = department.pk
    account_services.delete_department(department)
    response = admin_client.get(log_url("accounts.department", pk))
    assert response.status_code == 200
    assert response.context["record"] is None
    assert len(response.context["entries"]) == 2


@pytest.mark.parametrize("label", ["nope.nothing", "accounts", "auth.permission", "sessions.session"])
def test_log_of_an_unknown_or_unlogged_model_is_404(admin_client, label):
    assert admin_client.get(log_url(label, 1)).status_code == 404


def test_log_needs_the_models_view_permission(client_for, account_manager):
    department = DepartmentFactory()
    assert client_for(account_manager).get(log_url("accounts.department", department.pk)).status_code == 404


def test_log_needs_a_signed_in_user(client, db):
    department = DepartmentFactory()
    response = client.get(log_url("accounts.department", department.pk))
    assert response.status_code == 302


def test_log_page_query_count_does_not_grow_with_entries(admin_client, django_assert_max_num_queries):
    department = DepartmentFactory()
    for version in range(1, 30):
        account_services.update_department(department, expected_version=version, name=f"Name {version}")
    with django_assert_max_num_queries(12):
        admin_client.get(log_url("accounts.department", department.pk))


# Data scope of the log (R-AUTH-4) ---------------------------------------------------------------
# Owned records show their log only inside the reader's scope. The foundation has no owned model,
# so users stand in for records, "owned" by their superior.


@pytest.fixture
def users_owned_by_superior(monkeypatch):
    manager = ScopedQuerySet.as_manager()
    manager.model = User
    monkeypatch.setattr(User, "scope_owner_field", "superior", raising=False)
    monkeypatch.setattr(User._meta, "default_manager", manager)


@pytest.fixture
def lead(db):
    role = RoleFactory(data_scope=Role.DataScope.SELF)
    role.permissions.set(_permissions(["accounts.view_user"]))
    return UserFactory(roles=[role])


def test_owned_record_log_is_visible_inside_the_scope(users_owned_by_superior, lead):
    mine = UserFactory(superior=lead)
    record, log = log_for(lead, User, mine.pk)
    assert record == mine
    assert log.exists()


def test_owned_record_log_outside_the_scope_is_404(users_owned_by_superior, lead, client_for):
    from django.http import Http404

    theirs = UserFactory(superior=UserFactory())
    with pytest.raises(Http404):
        log_for(lead, User, theirs.pk)
    assert client_for(lead).get(log_url("accounts.user", theirs.pk)).status_code == 404


def test_deleted_owned_record_log_is_404_as_its_scope_is_unknown(users_owned_by_superior, lead):
    from django.http import Http404

    mine = UserFactory(superior=lead)
    pk = mine.pk
    User.objects.filter(pk=pk).delete()
    with pytest.raises(Http404):
        log_for(lead, User, pk)


def test_log_page_shows_role_changes_as_removed_and_added_roles(admin_client, administrator):
    user = UserFactory(roles=[default_role(Role.Key.ACCOUNT_MANAGER)])
    account_services.update_user(
        user,
        by=administrator,
        expected_version=1,
        username=user.username,
        department=user.department,
        roles=[default_role(Role.Key.SUPERVISOR)],
    )
    response = admin_client.get(log_url("accounts.user", user.pk))
    rows = [row for entry in response.context["entries"] for row in getattr(entry, "change_rows", [])]
    assert ("roles", "客户经理", "") in rows
    assert ("roles", "", "销售主管") in rows
    html = response.content.decode()
    assert "operation" not in html and "objects" not in html


def test_log_page_shows_a_cleared_reference_as_a_dash(admin_client):
    parent = DepartmentFactory(name="Head office")
    department = DepartmentFactory(name="Team", parent=parent)
    account_services.update_department(department, expected_version=1, name="Team", parent=None)
    response = admin_client.get(log_url("accounts.department", department.pk))
    rows = response.context["entries"][0].change_rows
    assert rows == [("parent department", "Head office", "")]
    assert ">None<" not in response.content.decode()

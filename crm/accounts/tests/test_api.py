"""Users, departments and roles over the API: same services, permissions and rules as the pages."""

import pytest
from auditlog.models import LogEntry
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from crm.accounts.models import Department, Role, User
from crm.accounts.services import _permissions
from crm.accounts.tests.factories import PASSWORD, DepartmentFactory, RoleFactory, UserFactory, default_role


@pytest.fixture
def admin_api(api_for, administrator):
    return api_for(administrator)


ENDPOINTS = ["/api/v1/users/", "/api/v1/departments/", "/api/v1/roles/"]


@pytest.mark.parametrize("role_fixture", ["supervisor", "account_manager", "executive"])
def test_other_roles_can_neither_read_nor_write_access_control(request, api_for, role_fixture):
    api = api_for(request.getfixturevalue(role_fixture))
    department, role, user = DepartmentFactory(), RoleFactory(), UserFactory()
    for url in ENDPOINTS:
        assert api.get(url).status_code == 403
        assert api.post(url, {}, format="json").status_code == 403
    for url in (f"/api/v1/users/{user.pk}/", f"/api/v1/departments/{department.pk}/", f"/api/v1/roles/{role.pk}/"):
        assert api.get(url).status_code == 403
        assert api.patch(url, {"name": "x"}, format="json").status_code == 403
    for action in ("disable", "enable", "reset-password"):
        assert api.post(f"/api/v1/users/{user.pk}/{action}/", {"password": "X-long-pass-1"}).status_code == 403
    assert User.objects.get(pk=user.pk).is_active


def test_view_permission_alone_reads_but_does_not_write(api_for, db):
    role = RoleFactory()
    role.permissions.set(_permissions(["accounts.view_department"]))
    api = api_for(UserFactory(roles=[role]))
    assert api.get("/api/v1/departments/").status_code == 200
    assert api.post("/api/v1/departments/", {"name": "X"}, format="json").status_code == 403


# Users ------------------------------------------------------------------------------------------


def test_create_user_over_the_api(admin_api):
    department = DepartmentFactory()
    role = default_role(Role.Key.ACCOUNT_MANAGER)
    response = admin_api.post(
        "/api/v1/users/",
        {
            "username": "liqiang",
            "name": "李强",
            "mobile": "13800000005",
            "department": department.pk,
            "roles": [role.pk],
            "password": "Sales-Team-2026",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "password" not in body
    assert body["roles"] == [role.pk]
    assert body["version"] == 1
    assert User.objects.get(username="liqiang").check_password("Sales-Team-2026")


def test_create_user_over_the_api_applies_the_password_rules(admin_api):
    response = admin_api.post(
        "/api/v1/users/",
        {"username": "x", "department": DepartmentFactory().pk, "password": "123"},
        format="json",
    )
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_user_list_filters_and_searches(admin_api, administrator):
    department = DepartmentFactory()
    UserFactory(username="liqiang", department=department, mobile="13800000005")
    UserFactory(username="wangfang", department=department, is_active=False)
    assert [u["username"] for u in admin_api.get("/api/v1/users/?search=1380000000").json()["results"]] == ["liqiang"]
    names = [u["username"] for u in admin_api.get(f"/api/v1/users/?department={department.pk}").json()["results"]]
    assert names == ["liqiang", "wangfang"]
    inactive = admin_api.get("/api/v1/users/?is_active=false").json()["results"]
    assert [u["username"] for u in inactive] == ["wangfang"]


def test_patch_user_keeps_unsent_fields(admin_api):
    user = UserFactory(mobile="13800000005", roles=[default_role(Role.Key.ACCOUNT_MANAGER)])
    response = admin_api.patch(f"/api/v1/users/{user.pk}/", {"name": "新名字", "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    user = User.objects.get(pk=user.pk)
    assert (user.name, user.mobile, user.version) == ("新名字", "13800000005", 2)
    assert user.has_role(Role.Key.ACCOUNT_MANAGER)


def test_patch_user_roles_replaces_them(admin_api):
    user = UserFactory(roles=[default_role(Role.Key.ACCOUNT_MANAGER)])
    supervisor = default_role(Role.Key.SUPERVISOR)
    response = admin_api.patch(f"/api/v1/users/{user.pk}/", {"roles": [supervisor.pk], "version": 1}, format="json")
    assert response.json()["roles"] == [supervisor.pk]


@pytest.mark.parametrize("body", [{"password": "Sneaky-pass-2026"}, {"is_active": False}])
def test_api_refuses_a_password_or_active_flag_in_an_edit(admin_api, body):
    user = UserFactory()
    response = admin_api.patch(f"/api/v1/users/{user.pk}/", {**body, "version": 1}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(body)
    user = User.objects.get(pk=user.pk)
    assert user.check_password(PASSWORD)
    assert user.is_active


def test_api_refuses_a_superior_cycle(admin_api):
    boss = UserFactory()
    rep = UserFactory(superior=boss)
    response = admin_api.patch(f"/api/v1/users/{boss.pk}/", {"superior": rep.pk, "version": 1}, format="json")
    assert response.status_code == 400
    assert "superior" in response.json()["errors"]


def test_disable_enable_and_reset_password_actions(admin_api, account_manager):
    base = f"/api/v1/users/{account_manager.pk}"
    assert admin_api.post(f"{base}/disable/").json()["is_active"] is False
    assert admin_api.post(f"{base}/enable/").json()["is_active"] is True
    weak = admin_api.post(f"{base}/reset-password/", {"password": "123"}, format="json")
    assert weak.status_code == 400
    assert "password" in weak.json()["errors"]
    assert admin_api.post(f"{base}/reset-password/", {"password": "Reset-by-api-1"}, format="json").status_code == 200
    assert User.objects.get(pk=account_manager.pk).check_password("Reset-by-api-1")


def test_api_refuses_to_disable_the_caller(admin_api, administrator):
    response = admin_api.post(f"/api/v1/users/{administrator.pk}/disable/")
    assert response.status_code == 400
    assert response.json()["message"] == "You cannot disable your own account."


def test_actions_on_an_unknown_user_are_404(admin_api):
    assert admin_api.post("/api/v1/users/999999/disable/").status_code == 404


# Departments and roles --------------------------------------------------------------------------


def test_department_crud(admin_api):
    parent = DepartmentFactory()
    created = admin_api.post("/api/v1/departments/", {"name": "North", "parent": parent.pk}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert admin_api.get(f"/api/v1/departments/?parent={parent.pk}").json()["count"] == 1
    moved = admin_api.patch(f"/api/v1/departments/{pk}/", {"parent": None, "version": 1}, format="json")
    assert moved.status_code == 200
    assert Department.objects.get(pk=pk).parent is None
    assert admin_api.delete(f"/api/v1/departments/{pk}/").status_code == 204
    assert not Department.objects.filter(pk=pk).exists()


def test_department_api_refuses_a_cycle(admin_api):
    root = DepartmentFactory()
    child = DepartmentFactory(parent=root)
    response = admin_api.patch(f"/api/v1/departments/{root.pk}/", {"parent": child.pk, "version": 1}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["errors"]


def test_role_crud_with_permission_codes(admin_api):
    created = admin_api.post(
        "/api/v1/roles/",
        {"name": "Lead", "data_scope": "subordinates", "permissions": ["accounts.view_user"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["permissions"] == ["accounts.view_user"]
    assert body["system_key"] is None
    updated = admin_api.patch(
        f"/api/v1/roles/{body['id']}/", {"permissions": ["accounts.view_role"], "version": 1}, format="json"
    )
    assert updated.json()["permissions"] == ["accounts.view_role"]
    assert updated.json()["data_scope"] == "subordinates"
    assert admin_api.delete(f"/api/v1/roles/{body['id']}/").status_code == 204


def test_role_api_refuses_unknown_and_unoffered_permissions(admin_api):
    unknown = admin_api.post("/api/v1/roles/", {"name": "A", "permissions": ["nope.nothing"]}, format="json")
    assert unknown.status_code == 400
    assert "permissions" in unknown.json()["errors"]
    unoffered = admin_api.post("/api/v1/roles/", {"name": "B", "permissions": ["auth.add_user"]}, format="json")
    assert unoffered.status_code == 400
    assert not Role.objects.filter(name__in=["A", "B"]).exists()


def test_role_api_cannot_make_a_default_role_or_delete_one(admin_api):
    created = admin_api.post("/api/v1/roles/", {"name": "Fake", "system_key": "administrator"}, format="json")
    assert created.status_code == 400
    assert list(created.json()["errors"]) == ["system_key"]
    assert not Role.objects.filter(name="Fake").exists()
    executive = default_role(Role.Key.EXECUTIVE)
    assert admin_api.delete(f"/api/v1/roles/{executive.pk}/").status_code == 400
    assert Role.objects.filter(pk=executive.pk).exists()


def test_role_list_query_count_does_not_grow(admin_api, django_assert_max_num_queries):
    for index in range(20):
        role = RoleFactory(name=f"R{index}")
        role.permissions.set(default_role(Role.Key.ADMINISTRATOR).permissions.all())
    with django_assert_max_num_queries(8):
        assert admin_api.get("/api/v1/roles/?page_size=50").status_code == 200


def test_user_list_query_count_does_not_grow(admin_api, django_assert_max_num_queries):
    for _index in range(30):
        UserFactory(roles=[default_role(Role.Key.ACCOUNT_MANAGER)])
    with django_assert_max_num_queries(8):
        assert admin_api.get("/api/v1/users/?page_size=50").status_code == 200


def test_token_authenticated_changes_are_logged_with_their_actor(administrator):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=administrator).key}")
    response = api.post("/api/v1/departments/", {"name": "By token"}, format="json")
    assert response.status_code == 201
    entry = LogEntry.objects.get_for_object(Department.objects.get(pk=response.json()["id"])).get()
    assert entry.actor == administrator


def test_department_api_names_the_field_that_clashes(admin_api):
    parent = DepartmentFactory()
    DepartmentFactory(name="North", parent=parent)
    response = admin_api.post("/api/v1/departments/", {"name": "North", "parent": parent.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["A department with this name already exists at this level."]}


# Junk bodies: 400 in the error format, nothing changed ---------------------------------------------


@pytest.mark.parametrize("action", ["enable", "disable"])
@pytest.mark.parametrize("body", [[], ["x"], {"active": False}, "junk", 5, False])
def test_enable_and_disable_refuse_a_body(admin_api, action, body):
    user = UserFactory(is_active=action == "disable")
    response = admin_api.post(f"/api/v1/users/{user.pk}/{action}/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert User.objects.get(pk=user.pk).is_active is (action == "disable")


@pytest.mark.parametrize("action", ["enable", "disable"])
@pytest.mark.parametrize("body", [{}, None])
def test_enable_and_disable_take_an_empty_object_or_nothing(admin_api, action, body):
    user = UserFactory(is_active=action == "disable")
    response = (
        admin_api.post(f"/api/v1/users/{user.pk}/{action}/", body, format="json")
        if body is not None
        else admin_api.post(f"/api/v1/users/{user.pk}/{action}/")
    )
    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).is_active is (action == "enable")


USER_JUNK = [
    [],
    [{"name": "x"}],
    "junk",
    7,
    {"name": "x", "colour": "red"},
    {"name": ["x"]},
    {"name": {"a": 1}},
    {"roles": "1"},
    {"roles": [{"id": 1}]},
    {"roles": ["x"]},
    {"department": "x"},
    {"department": [1]},
    {"superior": 999_999},
    {"version": "x"},
    {"version": 2**70},
    {"gender": "Z"},
    {"email": "not-an-address"},
    {"mobile": "1" * 50},
    {"username": ""},
    {"username": "a\x00b"},
    {"is_superuser": True},
    {"id": 5},
]


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("body", USER_JUNK, ids=repr)
def test_user_edit_refuses_junk_with_400_in_the_error_format(admin_api, method, body):
    user = UserFactory(name="Before")
    if method == "put" and isinstance(body, dict):
        body = {"username": user.username, "department": user.department_id, "version": 1} | body
    response = getattr(admin_api, method)(f"/api/v1/users/{user.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"code", "message", "errors"}
    after = User.objects.get(pk=user.pk)
    assert (after.name, after.version, after.is_superuser) == ("Before", 1, False)


@pytest.mark.parametrize(
    "body", [b for b in USER_JUNK if not (isinstance(b, dict) and "version" in b)], ids=repr
)  # create ignores it
def test_user_create_refuses_junk_with_400_in_the_error_format(admin_api, body):
    base = {"username": "newbie", "name": "New", "password": "Newbie-pass-2026", "department": DepartmentFactory().pk}
    body = base | body if isinstance(body, dict) else body
    response = admin_api.post("/api/v1/users/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"code", "message", "errors"}
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("body", [[], "junk", {"password": "Fresh-start-2026", "confirm": "x"}, {"password": 5}])
def test_reset_password_refuses_junk_with_400(admin_api, body):
    user = UserFactory()
    response = admin_api.post(f"/api/v1/users/{user.pk}/reset-password/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


@pytest.mark.parametrize(
    "url, body",
    [
        ("roles", []),
        ("roles", {"permissions": "accounts.view_user"}),
        ("roles", {"permissions": [["x"]]}),
        ("roles", {"data_scope": "everything"}),
        ("roles", {"colour": "red"}),
        ("departments", "junk"),
        ("departments", {"parent": "x"}),
        ("departments", {"sort_order": -1}),
        ("departments", {"sort_order": 2**70}),
        ("departments", {"colour": "red"}),
    ],
    ids=repr,
)
def test_role_and_department_edits_refuse_junk_with_400(admin_api, url, body):
    record = RoleFactory() if url == "roles" else DepartmentFactory()
    if isinstance(body, dict):
        body = body | {"version": 1}
    response = admin_api.patch(f"/api/v1/{url}/{record.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"code", "message", "errors"}
    record.refresh_from_db()
    assert record.version == 1

"""Access-control pages: users, departments and roles through the Django test client."""

import pytest
from django.urls import reverse

from crm.accounts.models import Department, Role, User
from crm.accounts.tests.factories import PASSWORD, DepartmentFactory, RoleFactory, UserFactory, default_role


@pytest.fixture
def admin_client(client_for, administrator):
    return client_for(administrator)


def form_errors(response):
    return response.context["form"].errors


def user_data(user=None, **overrides):
    data = {
        "username": "liqiang",
        "name": "李强",
        "mobile": "13800000005",
        "email": "liqiang@example.com",
        "department": DepartmentFactory().pk,
        "superior": "",
        "position": "客户经理",
        "gender": "M",
        "roles": [default_role(Role.Key.ACCOUNT_MANAGER).pk],
        "password": "Sales-Team-2026",
    }
    if user is not None:
        data.update(
            username=user.username,
            name=user.name,
            mobile=user.mobile or "",
            email=user.email,
            department=user.department_id,
            superior=user.superior_id or "",
            version=user.version,
            roles=[r.pk for r in user.roles.all()],
        )
        del data["password"]
    return data | overrides


# Every page of this module needs its permission -------------------------------------------------


def page_urls(db):
    user, department, role = UserFactory(), DepartmentFactory(), RoleFactory()
    return [
        reverse("accounts:user-list"),
        reverse("accounts:user-create"),
        reverse("accounts:user-edit", args=[user.pk]),
        reverse("accounts:user-disable", args=[user.pk]),
        reverse("accounts:user-enable", args=[user.pk]),
        reverse("accounts:user-password", args=[user.pk]),
        reverse("accounts:department-list"),
        reverse("accounts:department-create"),
        reverse("accounts:department-edit", args=[department.pk]),
        reverse("accounts:department-delete", args=[department.pk]),
        reverse("accounts:role-list"),
        reverse("accounts:role-create"),
        reverse("accounts:role-edit", args=[role.pk]),
        reverse("accounts:role-delete", args=[role.pk]),
    ]


@pytest.mark.parametrize("role_fixture", ["supervisor", "account_manager", "executive"])
def test_access_control_pages_are_forbidden_to_other_roles(request, client_for, role_fixture):
    client = client_for(request.getfixturevalue(role_fixture))
    for url in page_urls(None):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_access_control_pages_send_anonymous_visitors_to_sign_in(client, db):
    for url in page_urls(None):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_access_control_pages_open_for_the_administrator(admin_client, db):
    for url in page_urls(None):
        assert admin_client.get(url).status_code == 200, url


def test_forbidden_page_explains_itself(client_for, account_manager):
    response = client_for(account_manager).get(reverse("accounts:user-list"))
    assert "You do not have permission to open this page." in response.content.decode()


# Users -----------------------------------------------------------------------------------------


def test_user_list_shows_department_superior_roles_and_status(admin_client, administrator):
    boss = UserFactory(name="Boss Wang")
    UserFactory(username="liqiang", superior=boss, roles=[default_role(Role.Key.ACCOUNT_MANAGER)], is_active=False)
    html = admin_client.get(reverse("accounts:user-list") + "?q=liqiang").content.decode()
    assert "liqiang" in html
    assert "Boss Wang" in html
    assert "客户经理" in html
    assert "Disabled" in html
    assert reverse("accounts:user-enable", args=[User.objects.get(username="liqiang").pk]) in html


def test_user_list_filters_by_role_and_status(admin_client, administrator):
    manager = UserFactory(roles=[default_role(Role.Key.ACCOUNT_MANAGER)])
    UserFactory(is_active=False)
    role = default_role(Role.Key.ACCOUNT_MANAGER)
    rows = admin_client.get(f"{reverse('accounts:user-list')}?role={role.pk}").context["rows"]
    assert list(rows) == [manager]
    rows = admin_client.get(f"{reverse('accounts:user-list')}?is_active=false").context["rows"]
    assert all(not row.is_active for row in rows) and len(rows) == 1


def test_create_user(admin_client):
    response = admin_client.post(reverse("accounts:user-create"), user_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user-list")
    user = User.objects.get(username="liqiang")
    assert user.check_password("Sales-Team-2026")
    assert user.has_role(Role.Key.ACCOUNT_MANAGER)
    assert "User created." in admin_client.get(response["Location"]).content.decode()


def test_create_user_form_marks_required_fields(admin_client):
    html = admin_client.get(reverse("accounts:user-create")).content.decode()
    for field in ("username", "name", "department", "password"):
        label = html.split(f'for="id_{field}"', 1)[1].split("</label>", 1)[0]
        assert 'class="text-danger"' in label, field


def test_create_user_shows_each_problem_on_its_field(admin_client):
    UserFactory(username="liqiang")
    response = admin_client.post(reverse("accounts:user-create"), user_data(password="123", department="", name=""))
    assert response.status_code == 400
    errors = form_errors(response)
    assert {"username", "department", "name"} <= set(errors)
    assert not User.objects.filter(name="李强").exists()
    assert "is-invalid" in response.content.decode()


def test_create_user_with_a_weak_password_shows_the_rules(admin_client):
    response = admin_client.post(reverse("accounts:user-create"), user_data(password="12345678"))
    assert response.status_code == 400
    assert "password" in form_errors(response)


def test_edit_user_without_a_password_field(admin_client):
    user = UserFactory(roles=[default_role(Role.Key.ACCOUNT_MANAGER)])
    url = reverse("accounts:user-edit", args=[user.pk])
    assert "password" not in admin_client.get(url).context["form"].fields
    response = admin_client.post(url, user_data(user, name="新名字", roles=[default_role(Role.Key.SUPERVISOR).pk]))
    assert response.status_code == 302, form_errors(response)
    user = User.objects.get(pk=user.pk)
    assert user.name == "新名字"
    assert user.has_role(Role.Key.SUPERVISOR) and not user.has_role(Role.Key.ACCOUNT_MANAGER)
    assert user.check_password(PASSWORD)


def test_edit_user_from_a_stale_form_is_refused(admin_client):
    user = UserFactory()
    url = reverse("accounts:user-edit", args=[user.pk])
    assert admin_client.post(url, user_data(user, name="first")).status_code == 302
    response = admin_client.post(url, user_data(user, name="second"))  # still version 1
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert User.objects.get(pk=user.pk).name == "first"


def test_superior_picker_offers_active_users_other_than_the_user(admin_client):
    user, gone = UserFactory(), UserFactory(is_active=False)
    choices = (
        admin_client.get(reverse("accounts:user-edit", args=[user.pk])).context["form"].fields["superior"].queryset
    )
    assert user not in choices
    assert gone not in choices


def test_administrator_cannot_remove_the_last_administrator_role_from_themselves(admin_client, administrator):
    url = reverse("accounts:user-edit", args=[administrator.pk])
    response = admin_client.post(url, user_data(administrator, roles=[]))
    assert response.status_code == 400
    assert "last active administrator" in response.content.decode()
    assert User.objects.get(pk=administrator.pk).has_role(Role.Key.ADMINISTRATOR)


def test_unknown_user_is_404(admin_client):
    assert admin_client.get(reverse("accounts:user-edit", args=[999999])).status_code == 404


def test_disable_asks_first_then_disables(admin_client, account_manager):
    url = reverse("accounts:user-disable", args=[account_manager.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "They can no longer sign in" in page.content.decode()
    assert User.objects.get(pk=account_manager.pk).is_active
    response = admin_client.post(url)
    assert response.status_code == 302
    assert not User.objects.get(pk=account_manager.pk).is_active
    assert "User disabled." in admin_client.get(response["Location"]).content.decode()


def test_enable_a_disabled_user(admin_client):
    user = UserFactory(is_active=False)
    admin_client.post(reverse("accounts:user-enable", args=[user.pk]))
    assert User.objects.get(pk=user.pk).is_active


def test_disabling_yourself_is_refused_with_a_message(admin_client, administrator):
    response = admin_client.post(reverse("accounts:user-disable", args=[administrator.pk]), follow=True)
    assert "You cannot disable your own account." in response.content.decode()
    assert User.objects.get(pk=administrator.pk).is_active


def test_reset_password_needs_the_same_password_twice(admin_client, account_manager):
    url = reverse("accounts:user-password", args=[account_manager.pk])
    response = admin_client.post(url, {"password": "Reset-by-admin-1", "confirm": "Reset-by-admin-2"})
    assert response.status_code == 400
    assert "confirm" in form_errors(response)
    response = admin_client.post(url, {"password": "Reset-by-admin-1", "confirm": "Reset-by-admin-1"})
    assert response.status_code == 302
    assert User.objects.get(pk=account_manager.pk).check_password("Reset-by-admin-1")


def test_reset_password_refuses_a_weak_one_on_the_field(admin_client, account_manager):
    url = reverse("accounts:user-password", args=[account_manager.pk])
    response = admin_client.post(url, {"password": "11111111", "confirm": "11111111"})
    assert response.status_code == 400
    assert "password" in form_errors(response)


# Departments -----------------------------------------------------------------------------------


def test_department_tree_nests_children_and_counts_users(admin_client):
    sales = DepartmentFactory(name="Sales")
    north = DepartmentFactory(name="North", parent=sales)
    UserFactory.create_batch(2, department=north)
    response = admin_client.get(reverse("accounts:department-list"))
    html = response.content.decode()
    sales_node = html.split('data-department="Sales"', 1)[1]
    assert 'data-department="North"' in sales_node
    north_node = html.split('data-department="North"', 1)[1]
    assert "</i> 2</span>" in north_node.split("</div>", 1)[0]


def test_department_tree_query_count_does_not_grow(admin_client, django_assert_max_num_queries):
    parent = None
    for index in range(15):
        parent = DepartmentFactory(name=f"Level {index}", parent=parent)
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("accounts:department-list"))


def test_create_sub_department_from_the_tree(admin_client):
    sales = DepartmentFactory(name="Sales")
    url = reverse("accounts:department-create") + f"?parent={sales.pk}"
    assert admin_client.get(url).context["form"].initial["parent"] == str(sales.pk)
    response = admin_client.post(url, {"name": "North", "parent": sales.pk, "sort_order": 1})
    assert response.status_code == 302
    assert Department.objects.get(name="North").parent == sales


def test_duplicate_department_name_shows_on_the_name_field(admin_client):
    DepartmentFactory(name="Sales")
    response = admin_client.post(reverse("accounts:department-create"), {"name": "Sales", "sort_order": 0})
    assert response.status_code == 400
    assert "name" in form_errors(response)


def test_edit_department_refuses_moving_it_below_itself(admin_client):
    root = DepartmentFactory()
    child = DepartmentFactory(parent=root)
    url = reverse("accounts:department-edit", args=[root.pk])
    response = admin_client.post(url, {"name": root.name, "parent": child.pk, "sort_order": 0, "version": 1})
    assert response.status_code == 400
    assert "parent" in form_errors(response)


def test_delete_department_asks_then_deletes(admin_client):
    department = DepartmentFactory()
    url = reverse("accounts:department-delete", args=[department.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url).status_code == 302
    assert not Department.objects.filter(pk=department.pk).exists()


def test_delete_department_with_users_is_refused_with_a_message(admin_client):
    department = DepartmentFactory()
    UserFactory(department=department)
    response = admin_client.post(reverse("accounts:department-delete", args=[department.pk]), follow=True)
    assert "still has 1 user(s)" in response.content.decode()
    assert Department.objects.filter(pk=department.pk).exists()


# Roles -----------------------------------------------------------------------------------------


def test_role_list_counts_users_and_permissions(admin_client, administrator):
    response = admin_client.get(reverse("accounts:role-list"))
    admin_row = next(row for row in response.context["rows"] if row.system_key == Role.Key.ADMINISTRATOR)
    assert admin_row.user_count == 1
    assert admin_row.permission_count == default_role(Role.Key.ADMINISTRATOR).permissions.count()


def test_default_roles_offer_no_delete_button(admin_client):
    custom = RoleFactory(name="Custom")
    html = admin_client.get(reverse("accounts:role-list")).content.decode()
    assert reverse("accounts:role-delete", args=[custom.pk]) in html
    for key in Role.Key.values:
        assert reverse("accounts:role-delete", args=[default_role(key).pk]) not in html


def test_create_role_with_permissions_grouped_like_the_menu(admin_client):
    page = admin_client.get(reverse("accounts:role-create")).content.decode()
    assert 'value="accounts.view_user"' in page
    response = admin_client.post(
        reverse("accounts:role-create"),
        {
            "name": "Team lead",
            "description": "",
            "data_scope": "subordinates",
            "permission_codes": ["accounts.view_user"],
        },
    )
    assert response.status_code == 302
    role = Role.objects.get(name="Team lead")
    assert role.data_scope == Role.DataScope.SUBORDINATES
    assert [p.codename for p in role.permissions.all()] == ["view_user"]


def test_edit_role_shows_its_permissions_checked_and_saves_changes(admin_client):
    role = default_role(Role.Key.EXECUTIVE)
    url = reverse("accounts:role-edit", args=[role.pk])
    form = admin_client.get(url).context["form"]
    assert set(form.initial["permission_codes"]) == {
        f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.all()
    }
    response = admin_client.post(
        url,
        {
            "name": role.name,
            "description": "",
            "data_scope": "department",
            "permission_codes": ["accounts.view_department", "dictionary.view_dictitem"],
            "version": role.version,
        },
    )
    assert response.status_code == 302, form_errors(response)
    role.refresh_from_db()
    assert role.data_scope == Role.DataScope.DEPARTMENT
    assert {p.codename for p in role.permissions.all()} == {"view_department", "view_dictitem"}


def test_role_form_refuses_a_permission_outside_the_tree(admin_client):
    response = admin_client.post(
        reverse("accounts:role-create"),
        {"name": "Sneaky", "data_scope": "self", "permission_codes": ["auth.change_permission"]},
    )
    assert response.status_code == 400
    assert "permission_codes" in form_errors(response)
    assert not Role.objects.filter(name="Sneaky").exists()


def test_delete_role_in_use_is_refused_with_a_message(admin_client):
    role = RoleFactory()
    UserFactory(roles=[role])
    response = admin_client.post(reverse("accounts:role-delete", args=[role.pk]), follow=True)
    assert "still hold this role" in response.content.decode()
    assert Role.objects.filter(pk=role.pk).exists()


def test_delete_unused_role(admin_client):
    role = RoleFactory()
    admin_client.post(reverse("accounts:role-delete", args=[role.pk]))
    assert not Role.objects.filter(pk=role.pk).exists()


def test_delete_default_role_is_refused(admin_client):
    role = default_role(Role.Key.EXECUTIVE)
    response = admin_client.post(reverse("accounts:role-delete", args=[role.pk]), follow=True)
    assert "Default roles cannot be deleted." in response.content.decode()
    assert Role.objects.filter(pk=role.pk).exists()


# Language --------------------------------------------------------------------------------------


def test_language_switch_is_kept_for_the_signed_in_user(admin_client, administrator):
    response = admin_client.post(reverse("accounts:language"), {"language": "zh-hans", "next": "/accounts/users/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/users/"
    assert response.cookies["django_language"].value == "zh-hans"
    assert User.objects.get(pk=administrator.pk).language == "zh-hans"
    html = admin_client.get("/accounts/users/").content.decode()
    assert "用户" in html


def test_saved_language_wins_over_the_browser(client_for, administrator):
    User.objects.filter(pk=administrator.pk).update(language="en")
    client = client_for(User.objects.get(pk=administrator.pk))
    client.cookies["django_language"] = "zh-hans"
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_language_switch_ignores_unknown_languages_and_foreign_next_urls(admin_client, administrator):
    response = admin_client.post(reverse("accounts:language"), {"language": "xx", "next": "https://evil.example.com/"})
    assert response["Location"] == "/"
    assert "django_language" not in response.cookies or response.cookies["django_language"].value != "xx"
    assert User.objects.get(pk=administrator.pk).language == ""


def test_language_switch_works_before_signing_in(client, db):
    response = client.post(reverse("accounts:language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(reverse("accounts:login")).content.decode()


def test_django_admin_cannot_delete_users_either(client_for, db):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    victim = UserFactory()
    client = client_for(superuser)
    assert client.get(reverse("admin:accounts_user_change", args=[victim.pk])).status_code == 200
    assert client.post(reverse("admin:accounts_user_delete", args=[victim.pk]), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=victim.pk).exists()

"""The menu and permission tree (crm.core.menu): what each role sees (R-AUTH-5), and that every
code the registry names is a real permission."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from crm.accounts.models import Role
from crm.accounts.services import permission_code
from crm.accounts.tests.factories import UserFactory
from crm.core import menu


def existing_codes():
    return {permission_code(p) for p in Permission.objects.select_related("content_type")}


def menu_url_names(user):
    return {item.url_name for _group, items in menu.menu_for(user) for item in items}


def test_every_permission_offered_in_the_role_form_exists(db):
    missing = set(menu.all_permission_codes()) - existing_codes()
    assert not missing


def test_every_default_grant_names_an_existing_offered_permission(db):
    offered, existing = set(menu.all_permission_codes()), existing_codes()
    for role_key, codes in menu.DEFAULT_GRANTS.items():
        assert role_key in Role.Key.values
        assert codes <= existing, (role_key, codes - existing)
        assert codes <= offered, (role_key, codes - offered)


def test_every_menu_item_opens_a_page_and_is_guarded_by_an_offered_permission(db):
    offered = set(menu.all_permission_codes())
    for group in menu.GROUPS.values():
        for item in group.items:
            assert reverse(item.url_name)
            assert item.permission is None or item.permission in offered, item


def test_permission_codes_are_offered_once(db):
    codes = menu.all_permission_codes()
    assert len(codes) == len(set(codes))


def test_administrator_menu_has_access_control_and_dictionary(administrator):
    names = menu_url_names(administrator)
    assert {"accounts:user-list", "accounts:department-list", "accounts:role-list", "dictionary:item-list"} <= names


@pytest.mark.parametrize("role_fixture", ["supervisor", "account_manager", "executive"])
def test_other_default_roles_see_no_access_control_or_dictionary(request, role_fixture):
    names = menu_url_names(request.getfixturevalue(role_fixture))
    assert not names & {"accounts:user-list", "accounts:department-list", "accounts:role-list", "dictionary:item-list"}


def test_menu_follows_each_item_permission_for_every_default_role(
    administrator, supervisor, account_manager, executive
):
    for user in (administrator, supervisor, account_manager, executive):
        shown = menu_url_names(user)
        for group in menu.GROUPS.values():
            for item in group.items:
                allowed = item.permission is None or user.has_perm(item.permission)
                assert (item.url_name in shown) == allowed, (user.username, item.url_name)


def test_group_without_an_allowed_item_is_hidden(db):
    nobody = UserFactory()
    assert [group for group, _items in menu.menu_for(nobody) if any(i.permission for i in _items)] == []


def test_sidebar_shows_only_allowed_entries(client_for, account_manager):
    html = client_for(account_manager).get("/", follow=True).content.decode()
    assert 'data-menu="accounts:user-list"' not in html
    assert 'data-menu="dictionary:item-list"' not in html


def test_sidebar_of_the_administrator_links_the_access_pages(client_for, administrator):
    html = client_for(administrator).get("/").content.decode()
    assert 'data-menu="accounts:user-list"' in html
    assert 'data-menu="accounts:role-list"' in html


def test_home_page_tells_a_user_without_roles_to_ask_an_administrator(client_for, db):
    nobody = UserFactory()
    html = client_for(nobody).get("/").content.decode()
    assert "Your roles do not grant any module yet." in html


def test_pages_need_a_signed_in_user(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

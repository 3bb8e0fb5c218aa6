"""The administrator manages users: create one, change their roles, disable them."""

import re

import pytest
from playwright.sync_api import expect

from crm.accounts.models import Role, User

pytestmark = pytest.mark.e2e

ADMIN_ONLY_MENU = ["accounts:user-list", "accounts:role-list", "dictionary:item-list"]


def menu_entry(page, url_name):
    return page.locator(f'nav.crm-sidebar [data-menu="{url_name}"]')


def role_checkbox(page, key):
    return page.locator(f'input[name="roles"][value="{Role.objects.get(system_key=key).pk}"]')


def user_row(page, username):
    return page.locator("#list-results tbody tr").filter(has=page.get_by_role("link", name=username, exact=True))


def test_new_user_menu_follows_the_roles_the_administrator_gives(
    new_page, login, logout, demo_admin, sales_department, live_server
):
    page = new_page()
    login(page, "alice")
    menu_entry(page, "accounts:user-list").click()
    page.click("#create")
    expect(page).to_have_url(f"{live_server.url}/accounts/users/new/")
    page.fill("#id_username", "carol")
    page.fill("#id_name", "Carol Chen")
    page.fill("#id_mobile", "13900000009")
    page.fill("#id_email", "carol@example.com")
    page.select_option("#id_department", label="Sales")
    page.fill("#id_position", "Account manager")
    page.fill("#id_password", "carol-Initial-2026")
    role_checkbox(page, Role.Key.ACCOUNT_MANAGER).check()
    page.click("#submit")

    expect(page).to_have_url(re.compile(r"/accounts/users/$"))
    expect(page.get_by_role("status")).to_contain_text("User created.")
    row = user_row(page, "carol")
    expect(row).to_contain_text("Carol Chen")
    expect(row).to_contain_text("Sales")
    expect(row).to_contain_text("客户经理")
    logout(page)

    # The new user signs in with the initial password and sees no administration entries.
    login(page, "carol", "carol-Initial-2026")
    expect(page.locator("#user-menu")).to_contain_text("Carol Chen")
    for url_name in ADMIN_ONLY_MENU:
        expect(menu_entry(page, url_name)).to_have_count(0)
    assert page.goto(f"{live_server.url}/accounts/users/").status == 403
    page.go_back()

    # Meanwhile the administrator, at another desk, makes Carol an administrator as well.
    admin = new_page()
    login(admin, "alice")
    admin.goto(f"{live_server.url}/accounts/users/")
    user_row(admin, "carol").get_by_role("link", name="Edit").click()
    expect(admin.locator("#id_username")).to_have_value("carol")
    expect(role_checkbox(admin, Role.Key.ACCOUNT_MANAGER)).to_be_checked()
    role_checkbox(admin, Role.Key.ADMINISTRATOR).check()
    admin.click("#submit")
    expect(admin.get_by_role("status")).to_contain_text("Saved.")
    expect(user_row(admin, "carol")).to_contain_text("系统管理员")

    # Carol's next page shows the administration menu, without signing in again.
    page.reload()
    for url_name in ADMIN_ONLY_MENU:
        expect(menu_entry(page, url_name)).to_have_count(1)
    menu_entry(page, "accounts:user-list").click()
    expect(page.locator("h1")).to_have_text("Users")


def test_disabled_user_can_no_longer_sign_in(new_page, login, demo_admin, demo_manager, live_server):
    admin = new_page()
    login(admin, "alice")
    admin.goto(f"{live_server.url}/accounts/users/")
    user_row(admin, "bob").get_by_role("link", name="Disable").click()

    expect(admin).to_have_url(re.compile(rf"/accounts/users/{demo_manager.pk}/disable/$"))
    expect(admin.locator(".crm-confirm")).to_contain_text("Disable Bob Manager?")
    assert User.objects.get(pk=demo_manager.pk).is_active  # nothing happens before confirming
    admin.click("#confirm")

    expect(admin.get_by_role("status")).to_contain_text("User disabled.")
    row = user_row(admin, "bob")
    expect(row).to_contain_text("Disabled")
    expect(row.get_by_role("link", name="Enable")).to_be_visible()

    page = new_page()
    login(page, "bob")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_have_text("This account is disabled. Ask an administrator.")
    login(page, "13900000002")
    expect(page.get_by_role("alert")).to_have_text("This account is disabled. Ask an administrator.")
    expect(page.locator("#user-menu")).to_have_count(0)

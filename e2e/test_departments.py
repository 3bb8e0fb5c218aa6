"""The administrator maintains the organisation tree: create, rename, delete a department."""

import re

import pytest
from playwright.sync_api import expect

from crm.accounts.models import Department

pytestmark = pytest.mark.e2e


def department(page, name):
    return page.locator(f'.crm-tree li[data-department="{name}"]')


def test_department_is_created_renamed_and_deleted_after_confirmation(page, login, demo_admin, live_server):
    login(page, "alice")
    page.locator('nav.crm-sidebar [data-menu="accounts:department-list"]').click()
    expect(page.locator("h1")).to_have_text("Departments")

    page.click("#create")
    page.fill("#id_name", "East China sales")
    page.select_option("#id_parent", label="Information technology")
    page.click("#submit")
    expect(page.get_by_role("status")).to_contain_text("Department created.")
    # Shown under its parent.
    expect(department(page, "Information technology").locator('li[data-department="East China sales"]')).to_be_visible()

    department(page, "East China sales").get_by_role("link", name="Edit", exact=True).click()
    expect(page.locator("#id_name")).to_have_value("East China sales")
    page.fill("#id_name", "East China key accounts")
    page.click("#submit")
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(department(page, "East China sales")).to_have_count(0)
    expect(department(page, "East China key accounts")).to_be_visible()

    department(page, "East China key accounts").get_by_role("link", name="Delete", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/departments/\d+/delete/$"))
    expect(page.locator(".crm-confirm")).to_contain_text("Delete the department East China key accounts?")
    assert Department.objects.filter(name="East China key accounts").exists()
    page.click("#confirm")

    expect(page).to_have_url(f"{live_server.url}/accounts/departments/")
    expect(page.get_by_role("status")).to_contain_text("Department deleted.")
    expect(department(page, "East China key accounts")).to_have_count(0)
    expect(department(page, "Information technology")).to_be_visible()
    assert not Department.objects.filter(name="East China key accounts").exists()

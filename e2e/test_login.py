"""Signing in: by username, by mobile number, and the error for a wrong password."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_sign_in_with_username_opens_home_page(page, login, demo_admin, live_server):
    login(page, "alice")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#user-menu")).to_contain_text("Alice Admin")
    expect(page.locator("h1")).to_contain_text("Welcome, Alice Admin")


def test_sign_in_with_mobile_number(page, login, demo_manager, live_server):
    login(page, "13900000002")

    # An account manager's home is their dashboard.
    expect(page).to_have_url(f"{live_server.url}/reports/")
    expect(page.locator("#user-menu")).to_contain_text("Bob Manager")


def test_wrong_password_shows_error_and_stays_signed_out(page, login, demo_admin):
    login(page, "alice", "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_have_text("The username/mobile number or password is wrong.")
    expect(page.locator("#user-menu")).to_have_count(0)

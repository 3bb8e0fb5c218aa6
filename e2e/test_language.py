"""Switching the interface language (简体中文 ↔ English) on the sign-in page and in the top bar.

The assertions read ``<html lang>`` and the selected language, not translated text, so they hold
whatever the state of the catalogues.
"""

import re

import pytest
from playwright.sync_api import expect

from crm.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_sign_in_page_language_buttons_switch_language(page, login, demo_admin, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#lang-en")).to_have_class(re.compile(r"\bfw-bold\b"))

    page.click("#lang-zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#lang-zh-hans")).to_have_class(re.compile(r"\bfw-bold\b"))
    expect(page.locator("#lang-en")).not_to_have_class(re.compile(r"\bfw-bold\b"))

    # The choice made before signing in carries over into the application.
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("#login")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("select[name=language]")).to_have_value("zh-hans")


def test_top_bar_language_switch_is_kept_for_the_user(new_page, login, demo_admin, live_server):
    page = new_page()
    login(page, "alice")
    page.goto(f"{live_server.url}/accounts/users/")
    language = page.locator("select[name=language]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(language).to_have_value("en")

    language.select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(language).to_have_value("zh-hans")
    expect(page).to_have_url(f"{live_server.url}/accounts/users/")  # stays on the same page

    # Signed in at another desk with an English browser, the saved preference still applies.
    elsewhere = new_page()
    login(elsewhere, "alice")
    expect(elsewhere.locator("html")).to_have_attribute("lang", "zh-hans")

    language.select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(language).to_have_value("en")
    demo_admin.refresh_from_db()
    assert demo_admin.language == "en"

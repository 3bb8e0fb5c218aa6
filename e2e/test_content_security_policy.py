"""Under the Content-Security-Policy the pages' scripts still run (the conftest fails any test whose
browser console reports a violation): Alpine's CSP build, the behaviours in app.js, Swagger UI."""

import datetime
import re

from playwright.sync_api import expect

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role

INJECT_INLINE_SCRIPT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.inlineScriptRan = true";
  document.body.appendChild(script);
}"""


def test_a_policy_violation_is_caught_by_the_console_check(browser, live_server, csp_violation):
    """The check the other browser tests rely on does see a violation (an inline script); this
    test's own context is outside the check, since it provokes one on purpose."""
    context = browser.new_context(base_url=live_server.url)
    try:
        messages = []
        page = context.new_page()
        page.on("console", lambda message: messages.append(message))
        page.goto("/accounts/login/")
        page.evaluate(INJECT_INLINE_SCRIPT)
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.inlineScriptRan") is None
        assert any(csp_violation(message) for message in messages)
    finally:
        context.close()


def test_the_api_documentation_works_under_the_policy(page, login, demo_admin):
    login(page, "alice")
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CRM API")
    expect(page.locator(".opblock").first).to_be_visible()


def test_select_all_on_the_role_form_works_without_inline_script(page, login, demo_admin):
    login(page, "alice")
    page.goto("/accounts/roles/new/")
    group = page.locator(".crm-perm-group").first
    group.get_by_role("button", name="Select all").click()
    boxes = group.locator("input[type=checkbox]")
    for index in range(boxes.count()):
        expect(boxes.nth(index)).to_be_checked()


def test_filling_every_month_of_a_target_works_without_inline_script(page, login, demo_admin):
    login(page, "alice")
    page.goto(f"/reports/targets/user/{demo_admin.pk}/{datetime.date.today().year}/")
    page.fill("#fill-amount", "1200")
    page.click("#fill")
    months = page.locator("[data-month]")
    expect(months).to_have_count(12)
    for index in range(12):
        expect(months.nth(index)).to_have_value("1200")


def test_the_period_switch_and_the_language_switch_work_without_inline_script(page, login, sales_department):
    user_with_role(Role.Key.EXECUTIVE, username="erin", department=sales_department)
    login(page, "erin")
    page.goto("/reports/contribution/")
    dates = page.locator("[x-show]").first
    expect(dates).to_be_hidden()
    page.select_option("#id_period", "custom")
    expect(dates).to_be_visible()
    page.select_option("select[name=language]", "zh-hans")
    page.wait_for_url(re.compile(r"/reports/contribution/"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

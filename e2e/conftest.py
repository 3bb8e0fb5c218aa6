"""Browser tests: Playwright (sync API) drives Debian's Chromium against pytest-django's live server.

Playwright's browser is never downloaded (no ``playwright install``): the system Chromium is used.
Each test gets a fresh browser context, so cookies and sessions never leak between tests, and
leaves a screenshot of every page it opened in ``e2e-artifacts/``.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from crm.accounts.models import Department, Role
from crm.accounts.tests.factories import PASSWORD, user_with_role

# Playwright's sync API runs an asyncio event loop in the test thread; without this Django refuses
# ORM calls made from that thread (factories, the live server's set-up) as unsafe in async code.
# Django reads it on every call, so setting it here, at collection time, is early enough.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "e2e-artifacts"
VIEWPORT = {"width": 1366, "height": 850}
# Actions and assertions wait up to this long: CI runs two workers, two servers and two browsers
# on two cores, where a sign-in (password hashing) can take seconds.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(autouse=True)
def live_database(transactional_db):
    """Browser tests talk to a live server in another thread, so they run outside a transaction
    (the root conftest then restores what ``migrate`` leaves before each one)."""


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def browser_for(browser):
    """``browser_for(locale)``: a Chromium whose own controls (file picker, date fields) speak that
    language. They follow the process's ``LANGUAGE``, not the context's locale, so another language
    than English needs its own browser (and Debian's chromium-l10n; without it they stay English)."""
    launched = {}

    def get(locale):
        if locale.startswith("en"):
            return browser
        if locale not in launched:
            env = {**os.environ, "LANGUAGE": locale.replace("-", "_")}
            launched[locale] = browser.browser_type.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=env)
        return launched[locale]

    yield get
    for other in launched.values():
        other.close()


def is_csp_violation(message):
    """A console message in which Chromium reports something the Content-Security-Policy refused."""
    return message.type == "error" and "Content Security Policy" in message.text


@pytest.fixture
def csp_violation():
    return is_csp_violation


@pytest.fixture
def new_page(browser_for, live_server, request):
    """``new_page()`` opens a page in a fresh browser context (a separate person at another desk).

    The interface is English (``Accept-Language: en``) so assertions can use the source strings;
    ``new_page(locale="zh-CN")`` is a browser set up for Chinese (its own controls included).
    Every page opened is photographed into e2e-artifacts/ when the test ends, pass or fail. A
    Content-Security-Policy violation reported on the browser's console fails the test: the
    policy silently disables what it blocks (a script, a style, a request).
    """
    contexts, violations = [], []

    def record_violation(message):
        if is_csp_violation(message):
            violations.append(f"{message.location.get('url', '')}: {message.text}")

    def open_page(locale="en-US"):
        context = browser_for(locale).new_context(viewport=VIEWPORT, locale=locale, base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", record_violation)
        contexts.append(context)
        return context.new_page()

    yield open_page

    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for index, context in enumerate(contexts):
        for page in context.pages:
            suffix = f"-{index + 1}" if len(contexts) > 1 else ""
            try:
                page.screenshot(path=ARTIFACTS / f"{name}{suffix}.png", full_page=True)
            except Exception as error:  # a crashed page must not hide the test's own result
                print(f"screenshot of {name}{suffix} failed: {error}")
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def login(live_server):
    """``login(page, username, password)`` submits the sign-in form; the caller checks the outcome."""

    def sign_in(page, username, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#login")
        page.wait_for_load_state()
        return page

    return sign_in


@pytest.fixture
def logout():
    """``logout(page)`` signs out through the user menu in the top bar."""

    def sign_out(page):
        page.click("#user-menu")
        page.click("#logout")
        page.wait_for_url(re.compile(r"/accounts/login/"))
        return page

    return sign_out


@pytest.fixture
def it_department(transactional_db):
    return Department.objects.create(name="Information technology")


@pytest.fixture
def sales_department(transactional_db):
    return Department.objects.create(name="Sales")


@pytest.fixture
def demo_admin(it_department):
    return user_with_role(
        Role.Key.ADMINISTRATOR, username="alice", name="Alice Admin", mobile="13900000001", department=it_department
    )


@pytest.fixture
def demo_manager(sales_department):
    return user_with_role(
        Role.Key.ACCOUNT_MANAGER, username="bob", name="Bob Manager", mobile="13900000002", department=sales_department
    )

"""A new account manager's first day, the whole classic flow through the pages, in 简体中文 and English.

The administrator creates a department and an account manager; a supervisor records an
opportunity and assigns it; the account manager plans and wins it, which creates the customer;
the customer gets a contact and an interaction record; its first order arrives through the
sales-system import; another customer's churn warning is postponed, then confirmed lost; a
complaint goes round the service desk twice and is archived; the executive finds all of it in
the dashboard and the reports.

The database holds only what an installation has (migrations' data) plus the people who run it,
the products and one long-standing customer with an old order. Everything else happens in the
browser; the ORM is only read, to check what the pages did. Each person signs in at their own
desk (browser context) and chooses the interface language on the sign-in page, as a user does.
The main pages are photographed into ``docs/screenshots/<language>/`` for the user guides.
"""

import datetime
import io
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import expect

from crm.accounts.models import Department, Role, User
from crm.accounts.tests.factories import PASSWORD, user_with_role
from crm.catalog.models import Order
from crm.catalog.tests.factories import OrderFactory, OrderLineFactory, ProductFactory
from crm.customers.models import Activity, ChurnRecord, Contact, Customer
from crm.customers.services import months_before
from crm.customers.tests.factories import CustomerFactory, set_created
from crm.sales.models import Opportunity
from crm.service.models import ServiceRequest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Every run photographs the journey into e2e-artifacts/; GUIDE_SCREENSHOTS=1 renews the guides'
# pictures in docs/ instead (they carry the day's dates, so not on every run).
CAMERA_FOLDER = SCREENSHOTS if os.environ.get("GUIDE_SCREENSHOTS") else ROOT / "e2e-artifacts" / "journey"
NEW_PASSWORD = "Liqiang-Start-2026"
OWN_PASSWORD = "Tianjin-Harbour-77"

# The company's data is Chinese in both runs, as it would be; only the interface changes.
NEW_DEPARTMENT = "华北销售组"
PROSPECT = "天津港湾物流有限公司"
OLD_CUSTOMER = "北方重工有限公司"
COMPLAINT = "首批定位终端晚到两周"


class Words:
    """The interface's words in the run's language, from the compiled catalogue."""

    def __init__(self, language):
        self.language = language

    def __call__(self, message, **values):
        with translation.override(self.language):
            text = translation.gettext(message)
        return text % values if values else text

    def plural(self, singular, plural, count, **values):
        with translation.override(self.language):
            text = translation.ngettext(singular, plural, count)
        return text % {"count": count, **values}


class Camera:
    """Full-page screenshots for the user guides, once every chart is drawn and every tab shown."""

    def __init__(self, language):
        self.folder = CAMERA_FOLDER / language
        self.folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name):
        expect(page.locator("[data-chart]:not([data-chart-drawn])")).to_have_count(0)
        expect(page.locator(".tab-pane.active:not(.show)")).to_have_count(0)  # a tab still fading in
        page.evaluate("document.fonts.ready.then(() => true)")
        # Finished transitions are shown as they end, not half-way.
        page.screenshot(path=self.folder / f"{name}.png", full_page=True, animations="disabled", caret="hide")


def menu_entry(page, url_name):
    return page.locator(f'nav.crm-sidebar [data-menu="{url_name}"]')


def list_row(page, text):
    return page.locator("#list-results tbody tr").filter(has_text=text)


def status_message(page):
    return page.get_by_role("status")


def choose(page, select_id, text):
    """Type into a type-ahead picker (Tom Select) until one option is left, and take it."""
    page.locator(f".ts-wrapper:has(#{select_id}-ts-control) .ts-control").click()
    page.fill(f"#{select_id}-ts-control", text)
    options = page.locator(f"#{select_id}-ts-dropdown .option")
    expect(options).to_have_count(1)
    options.filter(has_text=text).click()
    expect(page.locator(f"#{select_id}-ts-dropdown")).to_be_hidden()


@pytest.fixture(params=["zh-hans", "en"])
def language(request):
    return request.param


@pytest.fixture
def company(transactional_db):
    """What exists before the first day: the people who run the CRM, products, one old customer."""
    it = Department.objects.create(name="信息技术部")
    sales = Department.objects.create(name="销售部")
    office = Department.objects.create(name="总经理办公室")
    user_with_role(Role.Key.ADMINISTRATOR, username="zhaomin", name="赵敏", department=it, position="系统管理员")
    supervisor = user_with_role(
        Role.Key.SUPERVISOR, username="zhangwei", name="张伟", department=sales, position="销售总监"
    )
    user_with_role(Role.Key.EXECUTIVE, username="chenjing", name="陈静", department=office, position="总经理")
    television = ProductFactory(
        external_key="P-0001", name="幸福牌电视机", model="818 FFT", batch="A级", unit="台", price=Decimal("7500")
    )
    ProductFactory(
        external_key="P-0002", name="幸福牌收音机", model="天语007", batch="", unit="台", price=Decimal("36")
    )

    # A customer the supervisor has looked after for two years, without an order for eight months.
    today = timezone.localdate()
    customer = CustomerFactory(name=OLD_CUSTOMER, number="KH202401150001", owner=supervisor)
    set_created(customer, months_before(today, 24))
    order = OrderFactory(customer=customer, number="DD20240115001", order_date=months_before(today, 8))
    OrderLineFactory(order=order, line_no=1, product=television, quantity=Decimal("2"), unit_price=Decimal("7500"))


def test_first_day_from_new_department_to_reports(new_page, company, language, live_server):
    t = Words(language)
    browser_locale = {"zh-hans": "zh-CN", "en": "en-US"}[language]
    shot = Camera(language)
    today = timezone.localdate()

    def sign_in(username, password=PASSWORD, *, photo=None):
        """A person at their own desk opens the sign-in page, picks the language and signs in."""
        page = new_page(locale=browser_locale)
        page.goto(f"{live_server.url}/accounts/login/")
        page.click(f"#lang-{language}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("#login")).to_have_text(t("Sign in"))
        if photo:
            shot(page, photo)
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#login")
        expect(page.locator("#user-menu")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", language)
        return page

    # 1. The administrator creates the department and the account manager. -----------------------
    admin = sign_in("zhaomin", photo="01-sign-in")
    expect(admin.locator("h1")).to_have_text(t("Welcome, %(name)s", name="赵敏"))

    menu_entry(admin, "accounts:department-list").click()
    expect(admin.locator("h1")).to_have_text(t("Departments"))
    admin.click("#create")
    admin.fill("#id_name", NEW_DEPARTMENT)
    admin.select_option("#id_parent", label="销售部")
    admin.click("#submit")
    expect(status_message(admin)).to_contain_text(t("Department created."))
    tree = admin.locator('.crm-tree li[data-department="销售部"]')
    expect(tree.locator(f'li[data-department="{NEW_DEPARTMENT}"]')).to_be_visible()
    shot(admin, "02-departments")

    menu_entry(admin, "accounts:user-list").click()
    admin.click("#create")
    expect(admin.locator("h1")).to_have_text(t("New user"))
    admin.fill("#id_username", "liqiang")
    admin.fill("#id_name", "李强")
    admin.fill("#id_mobile", "13800000005")
    admin.fill("#id_email", "liqiang@example.com")
    admin.select_option("#id_department", label=NEW_DEPARTMENT)
    admin.fill("#id_position", "客户经理")
    admin.fill("#id_password", NEW_PASSWORD)
    admin.get_by_label("客户经理", exact=True).check()
    shot(admin, "03-new-user")
    admin.click("#submit")
    expect(status_message(admin)).to_contain_text(t("User created."))
    row = admin.locator("#list-results tbody tr").filter(has=admin.get_by_role("link", name="liqiang", exact=True))
    expect(row).to_contain_text(NEW_DEPARTMENT)
    expect(row).to_contain_text("客户经理")
    manager = User.objects.get(username="liqiang")
    assert manager.department.parent.name == "销售部"
    assert list(manager.roles.values_list("system_key", flat=True)) == [Role.Key.ACCOUNT_MANAGER]

    # 2. The supervisor records an opportunity and assigns it to the new account manager. ------
    boss = sign_in("zhangwei")
    menu_entry(boss, "sales:opportunity-list").click()
    boss.click("#create")
    boss.fill("#id_customer_name", PROSPECT)
    boss.select_option("#id_source", label="网站")
    boss.fill("#id_probability", "60")
    boss.fill("#id_summary", "40辆货车的车队定位系统")
    boss.fill("#id_contact", "王芳")
    boss.fill("#id_contact_phone", "022-25601234")
    boss.fill("#id_description", "物流展会后来电询价。")
    boss.click("#submit")
    expect(status_message(boss)).to_contain_text(t("Opportunity created. It waits for a supervisor to assign it."))

    menu_entry(boss, "sales:unassigned").click()
    expect(menu_entry(boss, "sales:unassigned").locator(".badge")).to_have_text("1")
    list_row(boss, PROSPECT).get_by_role("link", name=t("Assign")).click()
    choose(boss, "id_to", "李强")
    boss.click("#submit")
    expect(status_message(boss)).to_contain_text(t("Assigned to %(name)s.", name="李强"))
    expect(list_row(boss, PROSPECT)).to_have_count(0)
    opportunity = Opportunity.objects.get(customer_name=PROSPECT)
    assert (opportunity.status, opportunity.owner) == (Opportunity.Status.DEVELOPING, manager)

    # 3. The account manager signs in with the initial password, plans, executes and wins it. ---
    work = sign_in("liqiang", NEW_PASSWORD)
    work.click("#user-menu")
    work.get_by_role("link", name=t("Change password")).click()
    work.fill("#id_old_password", NEW_PASSWORD)
    work.fill("#id_new_password1", OWN_PASSWORD)
    work.fill("#id_new_password2", OWN_PASSWORD)
    work.click("#submit")
    expect(status_message(work)).to_contain_text(t("Your password has been changed."))
    manager.refresh_from_db()
    assert manager.check_password(OWN_PASSWORD)
    menu_entry(work, "sales:my-plans").click()
    row = list_row(work, PROSPECT)
    expect(row).to_contain_text(t("No plan yet"))
    row.get_by_role("link", name=t("Work on the plan")).click()
    steps = [
        (today, "电话确认车队规模", "确认40辆货车，客户要求报价"),
        (today + datetime.timedelta(days=3), "到客户车场演示定位系统", "演示顺利，客户接受报价"),
    ]
    for date, todo, _result in steps:
        work.fill("#id_date", date.isoformat())
        work.fill("#id_todo", todo)
        work.click("#add-plan-item")
        expect(status_message(work)).to_contain_text(t("Plan item added."))
        expect(work.locator("#plan")).to_contain_text(todo)
    for _date, todo, result in steps:
        work.locator("#plan tbody tr").filter(has_text=todo).get_by_role("link", name=t("Record result")).click()
        work.fill("#id_result", result)
        work.click("#submit")
        expect(status_message(work)).to_contain_text(t("Result recorded."))
        expect(work.locator("#plan tbody tr").filter(has_text=todo)).to_contain_text(result)
    shot(work, "04-development-plan")

    work.click("#succeed")
    expect(work.locator("#id_contact_phone")).to_have_value("022-25601234")
    work.select_option("#id_contact_gender", "female")
    work.fill("#id_contact_position", "车队经理")
    work.click("#submit")
    expect(status_message(work)).to_contain_text(t("Development succeeded; a new customer record was added."))
    customer = Customer.objects.get(name=PROSPECT)
    assert (customer.owner, Opportunity.objects.get().status) == (manager, Opportunity.Status.SUCCEEDED)

    # 4. The manager completes the new customer, adds a contact and an interaction record. -----
    work.get_by_role("link", name=t("Open the customer %(name)s", name=PROSPECT)).click()
    expect(work.locator("h1")).to_contain_text(PROSPECT)
    number = re.search(r"KH\d{12}", work.locator("h1").inner_text()).group()
    assert number == customer.number
    # Success recorded what the opportunity knew; the manager completes the rest.
    expect(work.locator("#completeness")).to_be_visible()
    work.click("#edit")
    work.select_option("#id_region", label="华北")
    work.select_option("#id_grade", label="重点开发客户")
    work.select_option("#id_satisfaction", "4")
    work.select_option("#id_credit", "4")
    work.fill("#id_address", "天津市滨海新区港城大道66号")
    work.fill("#id_post_code", "300450")
    work.fill("#id_phone", "022-25601200")
    work.fill("#id_fax", "022-25601201")
    work.fill("#id_website", "https://tj-harbour-logistics.example.com")
    work.fill("#id_legal_representative", "刘海")
    work.fill("#id_bank", "中国银行天津分行")
    work.fill("#id_bank_account", "6216600012345678")
    work.click("#submit")
    expect(work).to_have_url(f"{live_server.url}/customers/{customer.pk}/")
    expect(work.locator("#completeness")).to_have_count(0)
    expect(work.locator("#pane-info")).to_contain_text("重点开发客户")
    work.click("#tab-contacts")
    expect(work.locator("#pane-contacts")).to_contain_text("王芳")
    work.click("#add-contact")
    work.fill("#id_name", "赵磊")
    work.select_option("#id_gender", "male")
    work.fill("#id_position", "财务经理")
    work.fill("#id_office_phone", "022-25601299")
    work.click("#submit")
    expect(status_message(work)).to_contain_text(t("Contact added."))
    expect(work.locator("#pane-contacts")).to_contain_text("赵磊")
    expect(work.locator("#pane-contacts")).to_contain_text(t("Male"))

    work.click("#tab-activities")
    work.click("#add-activity")
    work.fill("#id_place", "客户总部会议室")
    work.fill("#id_summary", "合同签订与首批交付安排")
    work.fill("#id_details", "签订40台定位终端合同，首批本周发货。")
    work.select_option("#id_follow_up_method", label="电话")
    work.fill("#id_next_contact_date", (today + datetime.timedelta(days=7)).isoformat())
    work.click("#submit")
    expect(status_message(work)).to_contain_text(t("Interaction record added."))
    expect(work.locator("#pane-activities")).to_contain_text("合同签订与首批交付安排")
    shot(work, "05-customer")
    assert Contact.objects.filter(customer=customer).count() == 2
    assert Activity.objects.filter(customer=customer, created_by=manager).count() == 1

    # 5. Its first order arrives from the sales system through the import page. ---------------
    rows = [
        "order_key,order_number,customer_number,order_date,status,line_no,product_key,quantity,unit_price",
        f"O-{number},DD{today:%Y%m%d}001,{number},{today.isoformat()},shipped,1,P-0001,2,7500.00",
        f"O-{number},DD{today:%Y%m%d}001,{number},{today.isoformat()},shipped,2,P-0002,10,36.00",
    ]
    admin.goto(f"{live_server.url}/")
    menu_entry(admin, "catalog:import").click()
    admin.select_option("#id_kind", "orders")
    admin.set_input_files(
        "#id_file", {"name": "orders.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}
    )
    shot(admin, "06-import")
    admin.click("#submit")
    expect(admin.locator("#import-result")).to_contain_text(
        t("%(created)s new, %(updated)s updated, %(unchanged)s unchanged.", created=1, updated=0, unchanged=0)
    )
    shot(admin, "07-import-result")
    order = Order.objects.get(customer=customer)
    assert (order.amount, order.lines.count()) == (Decimal("15360.00"), 2)

    work.goto(f"{live_server.url}/customers/{customer.pk}/")
    work.click("#tab-orders")
    expect(work.locator("#pane-orders")).to_contain_text(f"DD{today:%Y%m%d}001")
    expect(work.locator("#pane-orders")).to_contain_text("15,360.00")

    # 6. The old customer passes to the new manager; the nightly check warns of its churn. -----
    menu_entry(boss, "customers:customer-list").click()
    list_row(boss, OLD_CUSTOMER).locator('input[name="ids"]').check()
    boss.click("#transfer-selected")
    choose(boss, "id_to", "李强")
    boss.click("#submit")
    expect(status_message(boss)).to_contain_text(
        t.plural(
            "%(count)d customer transferred to %(name)s.",
            "%(count)d customers transferred to %(name)s.",
            1,
            name="李强",
        )
    )

    output = io.StringIO()
    call_command("open_churn_warnings", stdout=output)
    assert output.getvalue().startswith("Opened 1 churn warning(s).")
    record = ChurnRecord.objects.get()
    assert record.customer.name == OLD_CUSTOMER

    menu_entry(work, "customers:churn-list").click()
    row = list_row(work, OLD_CUSTOMER)
    expect(row).to_contain_text(t("Warning"))
    shot(work, "08-churn-warnings")
    row.get_by_role("link", name=t("Postpone")).click()
    work.fill("#id_measure", "总经理上门拜访，下季度订单九折。")
    work.click("#submit")
    expect(status_message(work)).to_contain_text(t("Measure recorded; the churn warning is postponed."))
    expect(list_row(work, OLD_CUSTOMER)).to_contain_text(t("Postponed"))
    list_row(work, OLD_CUSTOMER).get_by_role("link", name=t("Confirm lost")).click()
    expect(work.locator("ol")).to_contain_text("总经理上门拜访，下季度订单九折。")
    work.select_option("#id_reason_category", label="转向竞争对手")
    work.fill("#id_reason", "客户改从竞争对手处采购。")
    work.click("#submit")
    expect(status_message(work)).to_contain_text(t("The customer is recorded as lost."))
    record.refresh_from_db()
    assert (record.status, record.confirmed_by) == (ChurnRecord.Status.LOST, manager)

    # 7. A complaint goes round the service desk twice and is archived. -----------------------
    menu_entry(work, "service:create").click()
    choose(work, "id_customer", PROSPECT)
    work.select_option("#id_service_type", label="投诉")
    work.fill("#id_summary", COMPLAINT)
    work.fill("#id_details", "客户反映首批定位终端比约定晚到两周。")
    work.click("#submit")
    expect(status_message(work)).to_contain_text(t("Service request created."))
    request_url = work.url

    boss.reload()
    expect(menu_entry(boss, "service:assignment").locator(".badge")).to_have_text("1")
    menu_entry(boss, "service:assignment").click()
    row = list_row(boss, COMPLAINT)
    expect(row).to_contain_text(PROSPECT)
    row.get_by_role("button", name=t("Assign to…")).click()
    row.get_by_role("button", name=re.compile(r"^李强")).click()
    expect(status_message(boss)).to_contain_text("李强")

    def handle(text):
        work.goto(f"{live_server.url}/")
        menu_entry(work, "service:handling").click()
        list_row(work, COMPLAINT).get_by_role("link", name=t("Handle")).click()
        work.fill("#id_handling", text)
        work.click("#submit")
        expect(status_message(work)).to_contain_text(t("Handling recorded; the request now waits for feedback."))

    def feedback(result, satisfaction):
        menu_entry(work, "service:feedback-list").click()
        list_row(work, COMPLAINT).get_by_role("link", name=t("Feedback")).click()
        work.fill("#id_result", result)
        work.check(f'input[name="satisfaction"][value="{satisfaction}"]')
        work.click("#submit")

    handle("致电客户致歉，承运商确认延误原因。")
    feedback("客户要求补偿，不只是道歉。", 2)
    expect(status_message(work)).to_contain_text(
        t("Feedback recorded; satisfaction below 3 sends the request back to %(name)s to handle again.", name="李强")
    )
    handle("与客户商定下一单九五折。")
    feedback("客户接受折扣。", 4)
    expect(status_message(work)).to_contain_text(t("Feedback recorded; the service request is archived."))
    work.goto(request_url)
    expect(work.locator("#history > li")).to_have_count(2)
    shot(work, "09-service-request")
    complaint = ServiceRequest.objects.get()
    assert complaint.status == ServiceRequest.Status.ARCHIVED
    assert list(complaint.rounds.order_by("number").values_list("satisfaction", flat=True)) == [2, 4]

    # 8. The executive finds the day in the dashboard and the reports. -----------------------
    # She signs in on a computer set up for the other language and switches in the top bar.
    other = "en" if language == "zh-hans" else "zh-hans"
    chief = new_page(locale={"zh-hans": "en-US", "en": "zh-CN"}[language])
    chief.goto(f"{live_server.url}/accounts/login/")
    chief.fill("#id_username", "chenjing")
    chief.fill("#id_password", PASSWORD)
    chief.click("#login")
    expect(chief.locator("html")).to_have_attribute("lang", other)
    chief.locator("select[name=language]").select_option(language)
    expect(chief.locator("html")).to_have_attribute("lang", language)
    assert User.objects.get(username="chenjing").language == language
    expect(chief).to_have_url(f"{live_server.url}/reports/")
    expect(chief.locator("h1")).to_have_text(t("Dashboard"))
    expect(chief.locator('[data-kpi="customers"]')).to_have_text("1")
    expect(chief.locator('[data-kpi="contacts"]')).to_have_text("2")
    expect(chief.locator('[data-kpi="opportunities"]')).to_have_text("1")
    expect(chief.locator('[data-kpi="orders"]')).to_have_text("1")
    expect(chief.locator('[data-kpi="amount"]')).to_have_text("15,360")
    expect(chief.locator('[data-kpi="activities"]')).to_have_text("1")
    for chart in ("performance-chart", "trend-chart"):
        expect(chief.locator(f'[data-chart="{chart}"] canvas')).to_be_visible()
    shot(chief, "10-dashboard")

    menu_entry(chief, "reports:contribution").click()
    expect(chief.locator("h1")).to_have_text(t("Customer contribution"))
    row = chief.locator(".crm-report-table tbody tr").filter(has_text=PROSPECT)
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("李强")
    expect(row).to_contain_text("15,360.00")
    shot(chief, "11-contribution")

    menu_entry(chief, "reports:composition").click()
    expect(chief.locator("h1")).to_have_text(t("Customer composition"))
    # Customers in status normal: the new one; the lost one is no longer counted.
    expect(chief.locator(".crm-report-table tbody tr")).to_have_count(1)
    expect(chief.locator(".crm-report-table tbody tr")).to_contain_text("重点开发客户")
    expect(chief.locator(".crm-report-table tfoot td").nth(1)).to_have_text("1")
    shot(chief, "12-composition")

    menu_entry(chief, "reports:service").click()
    expect(chief.locator("h1")).to_have_text(t("Service composition"))
    row = chief.locator(".crm-report-table tbody tr").filter(has_text="投诉")
    expect(row.locator("td").nth(1)).to_have_text("1")  # requests
    expect(row.locator("td").nth(5)).to_have_text("1")  # of which archived
    shot(chief, "13-service-composition")

    menu_entry(chief, "reports:churn").click()
    expect(chief.locator("h1")).to_have_text(t("Churn analysis"))
    row = chief.locator(".crm-report-table tbody tr").filter(has_text=OLD_CUSTOMER)
    expect(row).to_contain_text("转向竞争对手")
    expect(row).to_contain_text("客户改从竞争对手处采购。")
    expect(row).to_contain_text(today.isoformat())
    shot(chief, "14-churn-analysis")


@pytest.mark.parametrize(("guide", "language"), [("user-guide.md", "en"), ("user-guide.zh-Hans.md", "zh-hans")])
def test_user_guide_shows_the_journeys_screenshots_in_its_language(guide, language):
    text = (SCREENSHOTS.parent / guide).read_text(encoding="utf-8")
    linked = re.findall(r"\]\((screenshots/[^)\s]+)\)", text)
    assert linked, f"{guide} shows no screenshots"
    assert {Path(link).parent.name for link in linked} == {language}
    missing = [link for link in linked if not (SCREENSHOTS.parent / link).is_file()]
    assert not missing, f"{guide} links screenshots the journey does not take: {missing}"

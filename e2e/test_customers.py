"""An account manager looks after a customer: creates it, adds a contact and an interaction record,
plans the next contact, and handles its churn warning up to the confirmed loss."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role
from crm.customers.models import Activity, ChurnRecord, Contact, Customer
from crm.customers.services import months_before
from crm.customers.tests.factories import CustomerFactory, set_created

pytestmark = pytest.mark.e2e

CUSTOMER = "北方重工有限公司"


def menu_entry(page, url_name):
    return page.locator(f'nav.crm-sidebar [data-menu="{url_name}"]')


def list_row(page, text):
    return page.locator("#list-results tbody tr").filter(has_text=text)


def status_message(page):
    return page.get_by_role("status")


@pytest.fixture
def manager(transactional_db):
    return user_with_role(Role.Key.ACCOUNT_MANAGER, username="liu", name="Liu Manager", mobile="13900000011")


def test_manager_looks_after_a_customer_until_it_is_lost(page, login, manager, live_server):
    today = timezone.localdate()
    next_contact = today + datetime.timedelta(days=3)
    login(page, "liu")

    # A new customer with everything the specification's edit form requires.
    menu_entry(page, "customers:customer-list").click()
    expect(page.locator("h1")).to_have_text("Customers")
    page.click("#create")
    expect(page).to_have_url(f"{live_server.url}/customers/new/")
    page.fill("#id_name", CUSTOMER)
    page.select_option("#id_region", label="华北")
    page.select_option("#id_grade", label="大客户")
    page.select_option("#id_satisfaction", "4")
    page.select_option("#id_credit", "5")
    page.fill("#id_address", "天津市滨海新区黄海路18号")
    page.fill("#id_post_code", "300457")
    page.fill("#id_phone", "022-66001234")
    page.fill("#id_fax", "022-66001235")
    page.fill("#id_website", "https://beifang-heavy.example.com")
    page.fill("#id_legal_representative", "赵海涛")
    page.fill("#id_registered_capital", "5000")
    page.fill("#id_bank", "中国建设银行天津分行")
    page.fill("#id_bank_account", "6227000012345678")
    page.click("#submit")

    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    customer = Customer.objects.get(name=CUSTOMER)
    assert page.url == f"{live_server.url}/customers/{customer.pk}/"
    assert customer.number.startswith(f"KH{today:%Y%m%d}")
    assert (customer.owner, customer.created_by, customer.status) == (manager, manager, Customer.Status.NORMAL)
    assert (customer.region.label, customer.grade.label) == ("华北", "大客户")
    assert (customer.satisfaction, customer.credit, customer.registered_capital) == (4, 5, 5000)
    assert customer.bank_account == "6227000012345678"
    expect(status_message(page)).to_contain_text(f"Customer {CUSTOMER} created with number {customer.number}.")
    expect(page.locator("h1")).to_contain_text(customer.number)
    expect(page.locator("#completeness")).to_have_count(0)  # nothing required is missing
    info = page.locator("#pane-info")
    expect(info).to_contain_text("Liu Manager")
    expect(info).to_contain_text("华北")
    expect(info).to_contain_text("★★★★☆")

    # A contact, added from the customer's page.
    page.click("#tab-contacts")
    page.click("#add-contact")
    expect(page).to_have_url(f"{live_server.url}/customers/{customer.pk}/contacts/new/")
    page.fill("#id_name", "孙丽")
    page.select_option("#id_gender", label="Female")
    page.fill("#id_position", "采购部经理")
    page.fill("#id_office_phone", "022-66001288")
    page.click("#submit")

    expect(status_message(page)).to_contain_text("Contact added.")
    contacts = page.locator("#pane-contacts")
    expect(contacts).to_contain_text("孙丽")
    expect(contacts).to_contain_text("Female")
    expect(contacts).to_contain_text("022-66001288")
    contact = Contact.objects.get(customer=customer)
    assert (contact.name, contact.gender, contact.position, contact.owner) == (
        "孙丽",
        Contact.Gender.FEMALE,
        "采购部经理",
        manager,
    )

    # An interaction record that plans the next contact.
    page.click("#tab-activities")
    page.click("#add-activity")
    expect(page.locator("#id_date")).to_have_value(today.isoformat())
    page.fill("#id_place", "客户总部会议室")
    page.fill("#id_summary", "年度采购计划沟通")
    page.fill("#id_details", "客户计划第三季度扩产，需要新的设备报价。")
    page.select_option("#id_follow_up_method", label="上门拜访")
    page.fill("#id_next_contact_date", next_contact.isoformat())
    page.click("#submit")

    expect(status_message(page)).to_contain_text("Interaction record added.")
    activities = page.locator("#pane-activities")
    expect(activities).to_contain_text("年度采购计划沟通")
    expect(activities).to_contain_text(next_contact.isoformat())
    activity = Activity.objects.get(customer=customer)
    assert (activity.date, activity.place, activity.next_contact_date) == (today, "客户总部会议室", next_contact)
    assert (activity.follow_up_method.label, activity.created_by) == ("上门拜访", manager)

    # The planned contact is on the manager's follow-up list.
    menu_entry(page, "customers:follow-ups").click()
    expect(page.locator("h1")).to_have_text("My follow-ups")
    row = list_row(page, CUSTOMER)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(next_contact.isoformat())
    expect(row).to_contain_text("上门拜访")
    expect(row).to_contain_text("年度采购计划沟通")

    # Seven months without an order: the daily check opens a churn warning.
    set_created(customer, months_before(today, 7))
    output = io.StringIO()
    call_command("open_churn_warnings", stdout=output)
    assert output.getvalue().startswith("Opened 1 churn warning(s).")
    record = ChurnRecord.objects.get(customer=customer)
    assert (record.status, record.created_date, record.last_order_date) == (ChurnRecord.Status.WARNING, today, None)

    menu_entry(page, "customers:churn-list").click()
    expect(page.locator("h1")).to_have_text("Churn warnings")
    row = list_row(page, CUSTOMER)
    expect(row).to_contain_text("Warning")
    expect(row).to_contain_text("never ordered")
    row.get_by_role("link", name="Postpone").click()
    expect(page).to_have_url(f"{live_server.url}/customers/churn/{record.pk}/postpone/")
    expect(page.locator("h1")).to_have_text(f"Postpone the loss of {CUSTOMER}")
    page.fill("#id_measure", "总经理上门拜访，提供九折优惠。")
    page.click("#submit")

    expect(page).to_have_url(f"{live_server.url}/customers/churn/")
    expect(status_message(page)).to_contain_text("Measure recorded; the churn warning is postponed.")
    expect(list_row(page, CUSTOMER)).to_contain_text("Postponed")
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.POSTPONED
    assert [(m.text, m.date, m.created_by) for m in record.measures.all()] == [
        ("总经理上门拜访，提供九折优惠。", today, manager)
    ]

    # The measure stays visible while the manager confirms the loss.
    list_row(page, CUSTOMER).get_by_role("link", name="Confirm lost").click()
    expect(page.locator("h1")).to_have_text(f"Confirm the loss of {CUSTOMER}")
    expect(page.locator(".crm-props")).to_contain_text("Postponed")
    expect(page.locator("ol")).to_contain_text("总经理上门拜访，提供九折优惠。")
    page.select_option("#id_reason_category", label="转向竞争对手")
    page.fill("#id_reason", "客户改从竞争对手处采购。")
    page.click("#submit")

    expect(status_message(page)).to_contain_text("The customer is recorded as lost.")
    expect(list_row(page, CUSTOMER)).to_have_count(0)  # the list shows open warnings by default
    record.refresh_from_db()
    assert (record.status, record.lost_date, record.confirmed_by) == (ChurnRecord.Status.LOST, today, manager)
    assert (record.reason, record.reason_category.label) == ("客户改从竞争对手处采购。", "转向竞争对手")
    customer.refresh_from_db()
    assert customer.status == Customer.Status.LOST

    # The lost customer can no longer be edited; its churn record keeps the measure and the reason.
    page.goto(f"/customers/{customer.pk}/")
    expect(page.locator("h1")).to_contain_text("Lost")
    expect(page.locator("#pane-info")).to_contain_text("This customer is recorded as lost and can no longer be edited.")
    expect(page.locator("#edit")).to_have_count(0)
    page.click("#tab-churn")
    churn = page.locator("#pane-churn")
    expect(churn).to_contain_text("Lost")
    expect(churn).to_contain_text("[转向竞争对手] 客户改从竞争对手处采购。")
    expect(churn).to_contain_text("总经理上门拜访，提供九折优惠。")

    page.goto(f"/customers/{customer.pk}/edit/")
    expect(page).to_have_url(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.get_by_role("alert").filter(has_text="can be changed")).to_contain_text(
        "Only customers in status normal can be changed; this one is Lost."
    )
    version = customer.version
    customer.refresh_from_db()
    assert (customer.status, customer.version, customer.name) == (Customer.Status.LOST, version, CUSTOMER)


def test_manager_cannot_see_another_managers_customer(page, login, manager, live_server):
    theirs = CustomerFactory(owner=manager, name=CUSTOMER)
    other = user_with_role(Role.Key.ACCOUNT_MANAGER, username="zhou", name="Zhou Manager", mobile="13900000012")
    own = CustomerFactory(owner=other, name="南方电子有限公司")

    login(page, "zhou")
    menu_entry(page, "customers:customer-list").click()
    expect(list_row(page, own.number)).to_have_count(1)
    expect(page.locator("#list-results")).not_to_contain_text(CUSTOMER)
    expect(page.locator("#list-results")).not_to_contain_text(theirs.number)

    # Searching for it finds nothing either.
    page.goto(f"/customers/?q={theirs.number}")
    expect(page.locator("#list-results")).not_to_contain_text(CUSTOMER)

    for path in (f"/customers/{theirs.pk}/", f"/customers/{theirs.pk}/edit/", f"/customers/{theirs.pk}/contacts/new/"):
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.locator("h1")).to_have_text("Page not found")
        expect(page.locator("body")).not_to_contain_text(CUSTOMER)

    # Nothing changed for the first manager's customer.
    theirs.refresh_from_db()
    assert (theirs.owner, theirs.status, theirs.version) == (manager, Customer.Status.NORMAL, 1)
    assert not Contact.objects.filter(customer=theirs).exists()
    assert list(Customer.objects.visible_to(other)) == [own]

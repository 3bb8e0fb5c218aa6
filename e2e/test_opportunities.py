"""Sales opportunities: a supervisor records and assigns one, the account manager develops it into a
customer; an unassigned opportunity is deleted by its creator and by nobody else."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.accounts.models import Department, Role
from crm.accounts.tests.factories import user_with_role
from crm.customers.models import Contact, Customer
from crm.dictionary.models import DictItem, DictType
from crm.sales import services
from crm.sales.models import Opportunity

pytestmark = pytest.mark.e2e


def menu_entry(page, url_name):
    return page.locator(f'nav.crm-sidebar [data-menu="{url_name}"]')


def list_row(page, text):
    return page.locator("#list-results tbody tr").filter(has_text=text)


def picker_options(page, select_id):
    return page.locator(f"#{select_id}-ts-dropdown .option")


def open_picker(page, select_id):
    """Open a type-ahead picker (Tom Select over the ``<select id=select_id>``)."""
    page.locator(f".ts-wrapper:has(#{select_id}-ts-control) .ts-control").click()
    expect(page.locator(f"#{select_id}-ts-dropdown")).to_be_visible()


def choose(page, select_id, text):
    """Search the open picker for ``text`` and take the one option that matches.

    Tom Select filters a moment after the input (debounced); clicking an option before that
    would let the late filtering reopen the dropdown over the form. So: one input event
    (``fill``), wait until the list is filtered down to one option, then click it.
    """
    page.fill(f"#{select_id}-ts-control", text)
    expect(picker_options(page, select_id)).to_have_count(1)
    picker_options(page, select_id).filter(has_text=text).click()
    expect(page.locator(f"#{select_id}-ts-dropdown")).to_be_hidden()


@pytest.fixture
def east_sales(transactional_db):
    return Department.objects.create(name="East China sales")


@pytest.fixture
def supervisor_sam(east_sales):
    return user_with_role(Role.Key.SUPERVISOR, username="sam", name="Sam Supervisor", department=east_sales)


def test_supervisor_assigns_opportunity_and_account_manager_develops_it_into_a_customer(
    new_page, login, east_sales, supervisor_sam, live_server
):
    amy = user_with_role(Role.Key.ACCOUNT_MANAGER, username="amy", name="Amy Manager", department=east_sales)
    north = Department.objects.create(name="North China sales")
    user_with_role(Role.Key.ACCOUNT_MANAGER, username="otto", name="Otto Outsider", department=north)

    # The supervisor records the opportunity.
    sam = new_page()
    login(sam, "sam")
    menu_entry(sam, "sales:opportunity-list").click()
    sam.click("#create")
    expect(sam).to_have_url(f"{live_server.url}/sales/opportunities/new/")
    sam.fill("#id_customer_name", "Hangzhou Lakeside Logistics")
    sam.select_option("#id_source", label="网站")
    sam.fill("#id_probability", "60")
    sam.fill("#id_summary", "Fleet tracking for 40 lorries")
    sam.fill("#id_contact", "Wang Fang")
    sam.fill("#id_contact_phone", "0571-88001234")
    sam.fill("#id_description", "Asked for a quote after the logistics fair.")
    sam.click("#submit")

    expect(sam.get_by_role("status")).to_contain_text("Opportunity created. It waits for a supervisor to assign it.")
    opportunity = Opportunity.objects.get(customer_name="Hangzhou Lakeside Logistics")
    expect(sam).to_have_url(f"{live_server.url}/sales/opportunities/{opportunity.pk}/")
    assert opportunity.status == Opportunity.Status.UNASSIGNED
    assert opportunity.created_by == supervisor_sam and opportunity.owner is None
    assert opportunity.source == DictItem.objects.get(dict_type=DictType.OPPORTUNITY_SOURCE, label="网站")
    assert (opportunity.probability, opportunity.contact, opportunity.contact_phone) == (
        60,
        "Wang Fang",
        "0571-88001234",
    )

    # It waits under "Awaiting assignment"; the picker offers only account managers of Sam's department.
    menu_entry(sam, "sales:unassigned").click()
    expect(sam.locator("h1")).to_have_text("Unassigned opportunities")
    row = list_row(sam, "Hangzhou Lakeside Logistics")
    expect(row).to_contain_text("Wang Fang")
    expect(row).to_contain_text("60%")
    expect(row).to_contain_text("Sam Supervisor")
    row.get_by_role("link", name="Assign").click()
    expect(sam).to_have_url(f"{live_server.url}/sales/opportunities/{opportunity.pk}/assign/")
    open_picker(sam, "id_to")
    expect(picker_options(sam, "id_to").filter(has_text="Amy Manager (amy) · East China sales")).to_be_visible()
    expect(picker_options(sam, "id_to").filter(has_text="Otto Outsider")).to_have_count(0)
    choose(sam, "id_to", "Amy Manager")
    expect(sam.locator("#id_to")).to_have_value(str(amy.pk))
    sam.click("#submit")

    expect(sam).to_have_url(f"{live_server.url}/sales/unassigned/")
    expect(sam.get_by_role("status")).to_contain_text("Assigned to Amy Manager.")
    expect(list_row(sam, "Hangzhou Lakeside Logistics")).to_have_count(0)
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.DEVELOPING
    assert (opportunity.owner, opportunity.assigned_by) == (amy, supervisor_sam)

    # The account manager, at her own desk, works on the plan.
    page = new_page()
    login(page, "amy")
    menu_entry(page, "sales:my-plans").click()
    expect(page.locator("h1")).to_have_text("My development plans")
    row = list_row(page, "Hangzhou Lakeside Logistics")
    expect(row).to_contain_text("No plan yet")
    row.get_by_role("link", name="Work on the plan").click()
    expect(page).to_have_url(f"{live_server.url}/sales/opportunities/{opportunity.pk}/")

    today = timezone.localdate()
    steps = [
        (today, "Call Wang Fang to confirm the fleet size"),
        (today + datetime.timedelta(days=3), "Demonstrate tracking at their depot"),
    ]
    for date, todo in steps:
        page.fill("#id_date", date.isoformat())
        page.fill("#id_todo", todo)
        page.click("#add-plan-item")
        expect(page.get_by_role("status")).to_contain_text("Plan item added.")
        expect(page.locator("#plan")).to_contain_text(todo)
    assert list(opportunity.plan_items.values_list("date", "todo")) == steps

    results = ["40 lorries confirmed, quote requested", "Demo went well; they accept the quote"]
    for (_date, todo), result in zip(steps, results, strict=True):
        page.locator("#plan tbody tr").filter(has_text=todo).get_by_role("link", name="Record result").click()
        expect(page.locator("h1")).to_contain_text("Result of the plan item")
        page.fill("#id_result", result)
        page.click("#submit")
        expect(page.get_by_role("status")).to_contain_text("Result recorded.")
        expect(page.locator("#plan tbody tr").filter(has_text=todo)).to_contain_text(result)
    assert list(opportunity.plan_items.values_list("result", flat=True)) == results

    # Success: the new customer's first contact needs what the opportunity did not record.
    page.click("#succeed")
    expect(page).to_have_url(f"{live_server.url}/sales/opportunities/{opportunity.pk}/succeed/")
    expect(page.locator("main")).to_contain_text("a new customer Hangzhou Lakeside Logistics is created")
    expect(page.locator("#id_contact_phone")).to_have_value("0571-88001234")
    expect(page.locator("#id_contact_gender")).to_have_value("")  # asked, not preselected
    page.select_option("#id_contact_gender", label="Female")
    page.fill("#id_contact_position", "Fleet manager")
    page.click("#submit")

    expect(page).to_have_url(f"{live_server.url}/sales/opportunities/{opportunity.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Development succeeded; a new customer record was added.")
    expect(page.locator("h1 .badge")).to_have_text("Succeeded")
    expect(page.locator("#pane-plan")).to_contain_text("Development succeeded. The opportunity is closed")
    # Read-only: no actions, no plan form, no result or edit links.
    for control in ("#succeed", "#fail", "#plan-form", "#stage-form", "#edit-pipeline", "#assign", "#edit"):
        expect(page.locator(control)).to_have_count(0)
    expect(page.locator("#plan").get_by_role("link")).to_have_count(0)
    page.goto(f"{live_server.url}/sales/opportunities/{opportunity.pk}/plan/new/")
    expect(page.locator("#blocked")).to_contain_text("This opportunity is closed (“Succeeded”)")
    expect(page.locator("form#plan-form, #submit")).to_have_count(0)

    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.SUCCEEDED and opportunity.closed_at is not None
    customer = Customer.objects.get(name="Hangzhou Lakeside Logistics")
    assert opportunity.customer == customer and customer.owner == amy
    contact = Contact.objects.get(customer=customer)
    assert (contact.name, contact.gender, contact.position, contact.office_phone) == (
        "Wang Fang",
        Contact.Gender.FEMALE,
        "Fleet manager",
        "0571-88001234",
    )

    # The customer is in Amy's customer list, managed by her, with Wang Fang as its contact.
    menu_entry(page, "customers:customer-list").click()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    row = list_row(page, "Hangzhou Lakeside Logistics")
    expect(row).to_contain_text("Amy Manager")
    row.get_by_role("link", name="Hangzhou Lakeside Logistics").click()
    expect(page).to_have_url(f"{live_server.url}/customers/{customer.pk}/")
    page.click("#tab-contacts")
    contacts = page.locator("#pane-contacts")
    expect(contacts).to_contain_text("Wang Fang")
    expect(contacts).to_contain_text("Fleet manager")
    expect(contacts).to_contain_text("0571-88001234")


def test_only_the_creator_deletes_an_unassigned_opportunity(new_page, login, east_sales, supervisor_sam, live_server):
    user_with_role(Role.Key.SUPERVISOR, username="sue", name="Sue Supervisor", department=east_sales)
    fields = {"probability": 30, "description": "Met at the trade fair.", "contact": "Li Lei"}
    mistaken = services.create_opportunity(
        by=supervisor_sam, customer_name="Duplicate Trading Co", summary="Entered twice", **fields
    )
    kept = services.create_opportunity(
        by=supervisor_sam, customer_name="Ningbo Harbour Foods", summary="Cold-chain monitoring", **fields
    )

    sam = new_page()
    login(sam, "sam")
    menu_entry(sam, "sales:unassigned").click()
    list_row(sam, "Duplicate Trading Co").get_by_role("link", name="Delete").click()
    expect(sam).to_have_url(f"{live_server.url}/sales/opportunities/{mistaken.pk}/delete/")
    expect(sam.locator(".crm-confirm")).to_contain_text(
        "Delete the opportunity “Entered twice” for Duplicate Trading Co? This cannot be undone."
    )
    assert Opportunity.objects.filter(pk=mistaken.pk).exists()  # nothing happens before confirming
    sam.click("#confirm")

    expect(sam).to_have_url(f"{live_server.url}/sales/unassigned/")
    expect(sam.get_by_role("status")).to_contain_text("Opportunity deleted.")
    expect(list_row(sam, "Duplicate Trading Co")).to_have_count(0)
    expect(list_row(sam, "Ningbo Harbour Foods")).to_be_visible()
    assert not Opportunity.objects.filter(pk=mistaken.pk).exists()

    # Another supervisor of the department sees Sam's opportunity but is offered no deletion ...
    sue = new_page()
    login(sue, "sue")
    menu_entry(sue, "sales:unassigned").click()
    row = list_row(sue, "Ningbo Harbour Foods")
    expect(row).to_contain_text("Sam Supervisor")
    expect(row.get_by_role("link", name="Assign")).to_be_visible()
    expect(row.get_by_role("link", name="Delete")).to_have_count(0)
    row.get_by_role("link", name="Ningbo Harbour Foods").click()
    expect(sue.locator("#assign")).to_be_visible()
    expect(sue.locator("#delete")).to_have_count(0)

    # ... and opening the delete address directly is refused when she confirms.
    sue.goto(f"{live_server.url}/sales/opportunities/{kept.pk}/delete/")
    sue.click("#confirm")
    expect(sue).to_have_url(f"{live_server.url}/sales/opportunities/{kept.pk}/")
    expect(sue.get_by_role("alert").filter(has_text="not the creator")).to_have_text(
        "You are not the creator; you may not delete it."
    )
    kept.refresh_from_db()
    assert kept.status == Opportunity.Status.UNASSIGNED and kept.created_by == supervisor_sam

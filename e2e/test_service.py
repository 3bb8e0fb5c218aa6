"""A complaint goes round the service desk: created, assigned, handled twice, archived (issue 7).

Three people at three desks: the account manager who takes the customer's complaint, the
supervisor of the same department who assigns it, and a second account manager who handles it.
Unsatisfied feedback sends the request back for a second round; satisfied feedback archives it,
after which the archive finds it and its page is read-only.
"""

import re

import pytest
from playwright.sync_api import expect

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role
from crm.customers.tests.factories import CustomerFactory
from crm.dictionary.models import DictType
from crm.service.models import ServiceRequest

pytestmark = pytest.mark.e2e

Status = ServiceRequest.Status
SUMMARY = "Delivery arrived two weeks late"


def menu_entry(page, url_name):
    return page.locator(f'nav.crm-sidebar [data-menu="{url_name}"]')


def menu_badge(page, url_name):
    return menu_entry(page, url_name).locator(".badge")


def result_row(page, text):
    return page.locator("#list-results tbody tr").filter(has_text=text)


def history_round(page, number):
    return page.locator(f'#history [data-round="{number}"]')


def stored():
    return ServiceRequest.objects.select_related("service_type").get()


def rounds_of(service_request):
    return list(service_request.rounds.order_by("number").values_list("number", "handled_by", "satisfaction"))


def give_feedback(page, result, satisfaction):
    """The requester opens Feedback, picks the only row and rates the handling."""
    menu_entry(page, "service:feedback-list").click()
    result_row(page, SUMMARY).get_by_role("link", name="Feedback").click()
    page.fill("#id_result", result)
    page.check(f'input[name="satisfaction"][value="{satisfaction}"]')
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/service/feedback/$"))


def handle(page, handling, round_label):
    """The assignee opens Handling, checks the round shown and records what was done."""
    menu_entry(page, "service:handling").click()
    row = result_row(page, SUMMARY)
    expect(row).to_contain_text(round_label)
    row.get_by_role("link", name="Handle").click()
    expect(page.locator("h1")).to_contain_text("Handle service request")
    page.fill("#id_handling", handling)
    page.click("#submit")
    expect(page).to_have_url(re.compile(r"/service/handling/$"))
    expect(page.get_by_role("status")).to_contain_text("Handling recorded; the request now waits for feedback.")
    expect(page.locator("#list-results")).to_contain_text("Nothing is assigned to you right now.")


def test_complaint_is_assigned_handled_twice_and_archived_read_only(new_page, login, sales_department, live_server):
    manager = user_with_role(Role.Key.ACCOUNT_MANAGER, username="liuyang", name="Liu Yang", department=sales_department)
    handler = user_with_role(
        Role.Key.ACCOUNT_MANAGER, username="wangfang", name="Wang Fang", department=sales_department
    )
    supervisor = user_with_role(Role.Key.SUPERVISOR, username="zhouli", name="Zhou Li", department=sales_department)
    customer = CustomerFactory(owner=manager, name="Huabei Machinery Co.")
    CustomerFactory(owner=handler, name="Someone Else's Customer")  # not in Liu Yang's picker

    # 1. The account manager records the customer's complaint.
    desk = new_page()
    login(desk, "liuyang")
    menu_entry(desk, "service:create").click()
    expect(desk.locator("h1")).to_have_text("New service request")
    desk.locator("#id_customer-ts-control").fill("Huabei")
    desk.locator(".ts-dropdown").get_by_role("option", name=re.compile("Huabei Machinery Co.")).click()
    desk.locator("#id_customer-ts-control").fill("Someone Else")
    expect(desk.locator(".ts-dropdown").get_by_role("option", name=re.compile("Someone Else"))).to_have_count(0)
    desk.locator("#id_customer-ts-control").fill("")
    desk.keyboard.press("Escape")
    expect(desk.locator("#id_customer")).to_have_value(str(customer.pk))
    desk.select_option("#id_service_type", label="投诉")
    desk.fill("#id_summary", SUMMARY)
    desk.fill("#id_details", "The order placed in March was delivered two weeks after the agreed date.")
    desk.click("#submit")

    expect(desk.get_by_role("status")).to_contain_text("Service request created.")
    request = stored()
    expect(desk).to_have_url(f"{live_server.url}/service/{request.pk}/")
    assert (request.customer, request.created_by, request.status) == (customer, manager, Status.NEW)
    assert (request.service_type.dict_type, request.service_type.value) == (DictType.SERVICE_TYPE, "complaint")
    assert request.assignee is None and rounds_of(request) == []
    expect(desk.locator("h1")).to_contain_text("New")

    # 2. The supervisor of the department sees it waiting and assigns it to the second manager.
    boss = new_page()
    login(boss, "zhouli")
    expect(menu_badge(boss, "service:assignment")).to_have_text("1")
    menu_entry(boss, "service:assignment").click()
    expect(boss.locator("h1")).to_have_text("Assign service requests")
    row = result_row(boss, SUMMARY)
    expect(row).to_contain_text("Huabei Machinery Co.")
    expect(row).to_contain_text("投诉")
    expect(row).to_contain_text("Liu Yang")
    row.get_by_role("button", name="Assign to…").click()
    row.get_by_role("button", name=re.compile(r"^Wang Fang")).click()

    expect(boss.get_by_role("status")).to_contain_text(f"Service request #{request.pk} assigned to Wang Fang.")
    expect(boss.locator("#list-results")).to_contain_text("No new service requests are waiting to be assigned.")
    expect(menu_badge(boss, "service:assignment")).to_have_count(0)
    request = stored()
    assert (request.status, request.assignee, request.assigned_by) == (Status.ASSIGNED, handler, supervisor)
    assert request.assigned_at is not None and rounds_of(request) == []

    # 3. The assignee handles it (round 1).
    work = new_page()
    login(work, "wangfang")
    expect(menu_badge(work, "service:handling")).to_have_text("1")
    handle(work, "Called the customer and apologised; the carrier confirmed the delay.", "Round 1")
    request = stored()
    assert request.status == Status.HANDLED
    assert rounds_of(request) == [(1, handler.pk, None)]
    assert request.latest_round.number == 1

    # 4. The customer is not satisfied (2): the request goes back to the assignee.
    desk.reload()
    expect(menu_badge(desk, "service:feedback-list")).to_have_text("1")
    give_feedback(desk, "The customer wants compensation, not only an apology.", 2)
    expect(desk.get_by_role("status")).to_contain_text(
        "Feedback recorded; satisfaction below 3 sends the request back to Wang Fang to handle again."
    )
    request = stored()
    assert (request.status, request.assignee, request.archived_at) == (Status.ASSIGNED, handler, None)
    assert rounds_of(request) == [(1, handler.pk, 2)]
    round_one = request.rounds.get(number=1)
    assert (round_one.feedback_by, round_one.result) == (
        manager,
        "The customer wants compensation, not only an apology.",
    )

    desk.goto(f"/service/{request.pk}/")
    expect(desk.locator("#history > li")).to_have_count(1)
    expect(history_round(desk, 1)).to_contain_text("Round 1")
    expect(history_round(desk, 1)).to_contain_text("Sent back for handling")
    expect(history_round(desk, 1)).to_contain_text("The customer wants compensation")

    # 5. The assignee handles it again: the list marks round 2, the handling page shows round 1.
    work.reload()
    expect(menu_badge(work, "service:handling")).to_have_text("1")
    menu_entry(work, "service:handling").click()
    result_row(work, SUMMARY).get_by_role("link", name="Handle").click()
    expect(history_round(work, 1)).to_contain_text("Sent back for handling")
    handle(work, "Agreed a 5% discount on the next order with the customer.", "Round 2")
    request = stored()
    assert request.status == Status.HANDLED
    assert rounds_of(request) == [(1, handler.pk, 2), (2, handler.pk, None)]
    assert request.latest_round.number == 2

    # 6. Satisfied this time (4): the request is archived.
    desk.reload()
    give_feedback(desk, "The customer accepted the discount.", 4)
    expect(desk.get_by_role("status")).to_contain_text("Feedback recorded; the service request is archived.")
    request = stored()
    assert request.status == Status.ARCHIVED and request.archived_at is not None
    assert rounds_of(request) == [(1, handler.pk, 2), (2, handler.pk, 4)]
    assert request.rounds.filter(feedback_by=manager).count() == 2

    # 7. The archive finds it by its summary; its page shows both rounds and offers no action.
    menu_entry(desk, "service:archive").click()
    desk.fill("#id_summary", "two weeks late")
    desk.get_by_role("button", name="Search").click()
    expect(desk).to_have_url(re.compile(r"summary=two(\+|%20)weeks(\+|%20)late"))
    row = result_row(desk, SUMMARY)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Archived")
    expect(row).to_contain_text("Wang Fang")
    expect(row).to_contain_text("★★★★☆")
    desk.fill("#id_summary", "no such complaint")
    desk.get_by_role("button", name="Search").click()
    expect(desk).to_have_url(re.compile(r"summary=no(\+|%20)such"))
    expect(desk.locator("#list-results")).not_to_contain_text(SUMMARY)
    desk.fill("#id_summary", "two weeks late")
    desk.get_by_role("button", name="Search").click()
    result_row(desk, SUMMARY).get_by_role("link", name=SUMMARY).click()

    expect(desk).to_have_url(f"{live_server.url}/service/{request.pk}/")
    expect(desk.locator("#pane-request .alert")).to_contain_text(
        "This service request is archived and can no longer be changed."
    )
    expect(desk.locator("#tab-request .badge")).to_have_text("2")
    expect(desk.locator("#history > li")).to_have_count(2)
    expect(history_round(desk, 1)).to_contain_text("Called the customer and apologised")
    expect(history_round(desk, 2)).to_contain_text("Agreed a 5% discount")
    expect(history_round(desk, 2)).to_contain_text("The customer accepted the discount.")
    expect(history_round(desk, 2)).not_to_contain_text("Sent back for handling")
    for page in (desk, boss, work):
        page.goto(f"/service/{request.pk}/")
        expect(page.locator("h1")).to_contain_text("Archived")
        for action in ("edit", "handle", "feedback", "assign", "delete"):
            expect(page.locator(f"#{action}")).to_have_count(0)

    # Typing the edit address does not open the form either.
    desk.goto(f"/service/{request.pk}/edit/")
    expect(desk).to_have_url(f"{live_server.url}/service/{request.pk}/")
    expect(desk.get_by_role("alert").filter(has_text="archived and can no longer be changed")).to_have_count(1)
    assert stored().summary == SUMMARY and stored().version == request.version

"""Service composition (R-REP-3): service requests created in the period, by type and status."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.customers.tests.factories import CustomerFactory, dict_item
from crm.dictionary.models import DictType
from crm.service.models import ServiceRequest
from crm.service.tests.factories import ServiceRequestFactory

from .conftest import local

pytestmark = pytest.mark.django_db

NEW, ASSIGNED, HANDLED, ARCHIVED = (
    ServiceRequest.Status.NEW,
    ServiceRequest.Status.ASSIGNED,
    ServiceRequest.Status.HANDLED,
    ServiceRequest.Status.ARCHIVED,
)
STATUSES = [NEW, ASSIGNED, HANDLED, ARCHIVED]
TYPES = [("consultation", "咨询"), ("suggestion", "建议"), ("complaint", "投诉")]  # the dictionary's order
day = datetime.date


@pytest.fixture
def requests(org, created_at):
    """(customer's manager, type, status, created at, assignee) per request: the input."""
    spec = [
        (org.alice, "consultation", NEW, local(day(2025, 1, 1)), None),  # the year's first second
        (org.alice, "consultation", ASSIGNED, local(day(2025, 2, 1), 9), org.bob),
        (org.bob, "consultation", ARCHIVED, local(day(2025, 12, 31), 23, 59, 59), org.bob),  # its last second
        (org.carol, "complaint", HANDLED, local(day(2025, 6, 15), 14), org.carol),
        (org.carol, "complaint", NEW, local(day(2024, 12, 31), 23, 59, 59), None),
        (org.bob, "suggestion", NEW, local(day(2026, 1, 1)), None),
        # Another department's customer, assigned to alice: her supervisor sees her work.
        (org.dave, "suggestion", ASSIGNED, local(day(2025, 5, 5), 11), org.alice),
        (org.dave, "complaint", NEW, local(day(2025, 5, 5), 11), None),
    ]
    for owner, service_type, status, moment, assignee in spec:
        request = ServiceRequestFactory(
            customer=CustomerFactory(owner=owner),
            service_type=dict_item(DictType.SERVICE_TYPE, service_type),
            status=status,
            assignee=assignee,
        )
        created_at(request, moment)
    return spec


def expected_rows(spec, visible, year):
    """[label, total, per status…, share] per type, summed in plain Python from the input."""
    chosen = [row for row in spec if visible(row) and row[3].year == year]
    rows = []
    for value, label in TYPES:
        of_type = [row for row in chosen if row[1] == value]
        if of_type:
            counts = [sum(1 for row in of_type if row[2] == status) for status in STATUSES]
            rows.append([label, len(of_type), *counts, round(len(of_type) * 100 / len(chosen), 1)])
    return rows


def test_a_year_counts_requests_from_its_first_to_its_last_second(client_for, org, requests, report, plain):
    response = report(client_for(org.supervisor), "service", year=2025)
    table = response.context["table"]
    assert table.header == ["Service type", "Requests", "New", "Assigned", "Handled", "Archived", "Share (%)"]
    assert plain(table.rows) == [
        ["咨询", 3, 1, 1, 0, 1, 60.0],
        ["建议", 1, 0, 1, 0, 0, 20.0],
        ["投诉", 1, 0, 0, 1, 0, 20.0],
    ]
    assert plain([table.footer]) == [["Total", 5, 1, 2, 1, 1, 100]]
    tree = {org.alice, org.bob, org.carol}

    def visible(row):
        return row[0] in tree or row[4] in tree

    assert plain(table.rows) == expected_rows(requests, visible, 2025)


def test_the_executive_sees_every_request(client_for, executive, requests, report, plain):
    table = report(client_for(executive), "service", year=2025).context["table"]
    assert plain(table.rows) == [
        ["咨询", 3, 1, 1, 0, 1, 50.0],
        ["建议", 1, 0, 1, 0, 0, 16.7],
        ["投诉", 2, 1, 0, 1, 0, 33.3],
    ]
    assert plain(table.rows) == expected_rows(requests, lambda row: True, 2025)
    assert table.footer[1] == 6


def test_the_neighbouring_years_keep_their_own_requests(client_for, org, requests, report, plain):
    client = client_for(org.supervisor)
    assert plain(report(client, "service", year=2024).context["table"].rows) == [["投诉", 1, 1, 0, 0, 0, 100.0]]
    assert plain(report(client, "service", year=2026).context["table"].rows) == [["建议", 1, 1, 0, 0, 0, 100.0]]


def test_a_custom_range_counts_whole_days_in_local_time(client_for, org, requests, report, plain):
    # 2025-01-01 00:00 local is 2024-12-31 16:00 UTC: it still belongs to the range's first day.
    response = report(client_for(org.supervisor), "service", period="custom", start="2025-01-01", end="2025-02-01")
    assert plain(response.context["table"].rows) == [["咨询", 2, 1, 1, 0, 0, 100.0]]


def test_the_chart_stacks_each_status_per_type(client_for, org, requests, report):
    chart = report(client_for(org.supervisor), "service", year=2025).context["chart"]
    assert chart["xAxis"]["data"] == ["咨询", "建议", "投诉"]
    assert [(s["name"], s["data"]) for s in chart["series"]] == [
        ("New", [1, 0, 0]),
        ("Assigned", [1, 1, 0]),
        ("Handled", [0, 0, 1]),
        ("Archived", [1, 0, 0]),
    ]


def test_account_managers_may_not_open_it(client_for, account_manager):
    assert client_for(account_manager).get(reverse("reports:service")).status_code == 403


def test_query_count_does_not_grow_with_customers(client_for, org, created_at, django_assert_max_num_queries):
    client = client_for(org.supervisor)
    url = reverse("reports:service")
    owners = [org.alice, org.bob, org.carol]

    def raise_request(index):
        value = TYPES[index % 3][0]
        request = ServiceRequestFactory(
            customer=CustomerFactory(owner=owners[index % 3]),
            service_type=dict_item(DictType.SERVICE_TYPE, value),
            status=STATUSES[index % 4],
        )
        created_at(request, local(day(2025, 4, 1), 10))

    for index in range(3):
        raise_request(index)
    client.get(url, {"year": 2025})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"year": 2025})
    for index in range(3, 30):
        raise_request(index)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"year": 2025})
    assert response.context["table"].footer[1] == 30

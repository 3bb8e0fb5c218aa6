"""Customer composition (R-REP-2): customers in status normal by grade, credit, satisfaction or region."""

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.customers.models import ChurnRecord, Customer
from crm.customers.tests.factories import ChurnRecordFactory, CustomerFactory, dict_item
from crm.dictionary.models import DictType

pytestmark = pytest.mark.django_db


def grade(value):
    return dict_item(DictType.CUSTOMER_GRADE, value)


def region(value):
    return dict_item(DictType.REGION, value)


@pytest.fixture
def customers(org, customer_for, make_order):
    """(owner, grade value, credit, satisfaction, region value, status) per customer: the input."""
    spec = [
        (org.alice, "1", 5, 4, "beijing", Customer.Status.NORMAL),
        (org.alice, "1", 5, 3, "beijing", Customer.Status.NORMAL),
        (org.bob, "1", 3, None, "north", Customer.Status.NORMAL),
        (org.carol, "3", None, 5, "north", Customer.Status.NORMAL),  # two levels below the supervisor
        (org.carol, None, 1, 5, None, Customer.Status.NORMAL),
        (org.alice, "3", 5, 4, "beijing", Customer.Status.LOST),  # lost: not in the composition
        (org.bob, "5", 5, 4, "west", Customer.Status.DELETED),
        (org.dave, "5", 2, 1, "west", Customer.Status.NORMAL),  # outside the supervisor's tree
    ]
    created = []
    for owner, grade_value, credit, satisfaction, region_value, status in spec:
        created.append(
            customer_for(
                owner,
                grade=grade(grade_value) if grade_value else None,
                credit=credit,
                satisfaction=satisfaction,
                region=region(region_value) if region_value else None,
                status=status,
            )
        )
    lost = created[5]
    ChurnRecordFactory(customer=lost, status=ChurnRecord.Status.LOST, lost_date=datetime.date(2025, 3, 1))
    # Orders do not matter here: the first customer has some, the others none, all count once.
    make_order(created[0], datetime.date(2025, 1, 1), "500")
    return spec


def counted(spec, owners, index):
    """Counter of the chosen attribute over normal customers of ``owners``: the expectation."""
    return Counter(row[index] for row in spec if row[0] in owners and row[5] == Customer.Status.NORMAL)


def test_by_grade_counts_normal_customers_with_or_without_orders(client_for, org, customers, report, plain):
    response = report(client_for(org.supervisor), "composition", by="grade")
    table = response.context["table"]
    assert table.header == ["Grade", "Customers", "Share (%)"]
    # Grades in the dictionary's order, then the customers without a grade.
    assert plain(table.rows) == [["普通客户", 3, 60.0], ["大客户", 1, 20.0], ["Not set", 1, 20.0]]
    assert plain([table.footer]) == [["Total", 5, 100]]
    expected = counted(customers, {org.alice, org.bob, org.carol}, 1)
    assert expected == {"1": 3, "3": 1, None: 1}
    assert sum(expected.values()) == table.footer[1]


def test_by_credit_and_by_satisfaction_show_the_best_rating_first(client_for, org, customers, report, plain):
    client = client_for(org.supervisor)
    credit = report(client, "composition", by="credit").context["table"]
    assert credit.header[0] == "Credit"
    assert plain(credit.rows) == [["★★★★★", 2, 40.0], ["★★★", 1, 20.0], ["★", 1, 20.0], ["Not set", 1, 20.0]]
    satisfaction = report(client, "composition", by="satisfaction").context["table"]
    assert plain(satisfaction.rows) == [["★★★★★", 2, 40.0], ["★★★★", 1, 20.0], ["★★★", 1, 20.0], ["Not set", 1, 20.0]]
    mine = {org.alice, org.bob, org.carol}
    assert counted(customers, mine, 2) == {5: 2, 3: 1, 1: 1, None: 1}
    assert counted(customers, mine, 3) == {5: 2, 4: 1, 3: 1, None: 1}


def test_by_region_and_filtered_to_one_region(client_for, org, customers, report, plain):
    client = client_for(org.supervisor)
    rows = report(client, "composition", by="region").context["table"].rows
    assert plain(rows) == [["北京", 2, 40.0], ["华北", 2, 40.0], ["Not set", 1, 20.0]]
    north = report(client, "composition", by="grade", region=region("north").pk).context["table"]
    assert plain(north.rows) == [["普通客户", 1, 50.0], ["大客户", 1, 50.0]]
    assert north.footer[1] == 2


def test_lost_and_deleted_customers_are_left_out(client_for, executive, customers, report):
    table = report(client_for(executive), "composition", by="grade").context["table"]
    # Everyone's normal customers: the five of the tree and dave's; not the lost nor the deleted one.
    normal = [row for row in customers if row[5] == Customer.Status.NORMAL]
    assert table.footer[1] == len(normal) == 6
    assert [(str(r[0]), r[1]) for r in table.rows] == [
        ("普通客户", 3),
        ("大客户", 1),
        ("战略合作伙伴", 1),
        ("Not set", 1),
    ]


def test_the_chart_shows_the_table_rows(client_for, org, customers, report):
    response = report(client_for(org.supervisor), "composition", by="grade")
    data = response.context["chart"]["series"][0]["data"]
    assert data == [{"name": "普通客户", "value": 3}, {"name": "大客户", "value": 1}, {"name": "Not set", "value": 1}]
    assert response.context["chart_title"] == "Customers by Grade"


def test_a_region_link_without_a_dimension_shows_grades_and_no_filter_error(client_for, org, customers, report):
    response = report(client_for(org.supervisor), "composition", region=region("beijing").pk)
    assert not response.context["form"].errors
    assert [(str(r[0]), r[1]) for r in response.context["table"].rows] == [("普通客户", 2)]
    assert "Some filters are not valid" not in response.content.decode()


def test_an_empty_scope_shows_an_empty_table(client_for, supervisor, report):
    response = report(client_for(supervisor), "composition")
    assert response.context["table"].rows == []
    assert response.context["table"].footer[1:] == [0, 0]
    assert response.context["chart"] is None
    assert "No data for these filters." in response.content.decode()


def test_account_managers_may_not_open_it(client_for, account_manager):
    assert client_for(account_manager).get(reverse("reports:composition")).status_code == 403


def test_query_count_does_not_grow_with_customers(client_for, org, django_assert_max_num_queries):
    client = client_for(org.supervisor)
    url = reverse("reports:composition")
    owners = [org.alice, org.bob, org.carol]
    values = ["beijing", "north", "central_south", "northeast", "west"]
    for index in range(3):
        CustomerFactory(owner=owners[index], region=region(values[index]))
    for by in ("grade", "region", "credit"):
        client.get(url, {"by": by})
    counts = {}
    for by in ("grade", "region", "credit"):
        with CaptureQueriesContext(connection) as few:
            client.get(url, {"by": by})
        counts[by] = len(few.captured_queries)
    for index in range(27):
        CustomerFactory(owner=owners[index % 3], region=region(values[index % 5]), credit=index % 5 + 1)
    for by, count in counts.items():
        with django_assert_max_num_queries(count):
            response = client.get(url, {"by": by})
        assert response.context["table"].footer[1] == 30

"""Churn analysis (R-REP-4): confirmed-lost customers with last order, lost date and reason."""

import datetime
from collections import Counter
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.customers.models import ChurnRecord, Customer
from crm.customers.tests.factories import ChurnRecordFactory, CustomerFactory, dict_item
from crm.dictionary.models import DictType

pytestmark = pytest.mark.django_db

day = datetime.date
LOST, WARNING, CLOSED = ChurnRecord.Status.LOST, ChurnRecord.Status.WARNING, ChurnRecord.Status.CLOSED
REASON_LABELS = {"price": "价格因素", "quality": "产品质量", "competitor": "转向竞争对手", "service": "服务不满意"}


@pytest.fixture(autouse=True)
def today():
    """The year choices of the filter end at the current year: pin it to 2026."""
    with mock.patch("django.utils.timezone.localdate", return_value=day(2026, 6, 15)):
        yield


@pytest.fixture
def churn(org):
    """(manager, customer name, status, lost date, last order date, reason value, reason) per record."""
    spec = [
        (org.alice, "流失甲", LOST, day(2025, 1, 1), day(2024, 1, 1), "price", "价格太高"),
        (org.bob, "流失乙", LOST, day(2025, 12, 31), day(2024, 11, 30), "competitor", "转投对手"),
        (org.carol, "流失丙", LOST, day(2025, 7, 15), None, "price", "预算削减"),
        (org.alice, "流失己", LOST, day(2025, 3, 3), day(2024, 6, 1), None, ""),
        (org.carol, "流失丁", LOST, day(2024, 12, 31), day(2023, 12, 1), "quality", "质量问题"),
        (org.alice, "流失戊", LOST, day(2026, 1, 1), day(2024, 12, 1), "service", "服务慢"),
        (org.alice, "预警客户", WARNING, None, day(2025, 1, 1), None, ""),
        (org.bob, "挽回客户", CLOSED, None, day(2025, 1, 1), None, ""),
        (org.dave, "外部门流失", LOST, day(2025, 5, 5), day(2024, 5, 5), "price", "别处"),
    ]
    records = {}
    for owner, name, status, lost_date, last_order, reason_value, reason in spec:
        customer = CustomerFactory(
            owner=owner, name=name, status=Customer.Status.LOST if status == LOST else Customer.Status.NORMAL
        )
        records[name] = ChurnRecordFactory(
            customer=customer,
            status=status,
            lost_date=lost_date,
            last_order_date=last_order,
            reason_category=dict_item(DictType.CHURN_REASON, reason_value) if reason_value else None,
            reason=reason,
        )
    return spec, records


def expected_rows(spec, owners, year=None):
    """The table rows the input gives, most recent loss first."""
    chosen = [row for row in spec if row[0] in owners and row[2] == LOST and (year is None or row[3].year == year)]
    chosen.sort(key=lambda row: row[3], reverse=True)
    return [
        [str(row[3].year), row[1], row[0].name, row[4], row[3], REASON_LABELS.get(row[5]), row[6]] for row in chosen
    ]


def without_number(rows):
    return [[row[0], *row[2:]] for row in rows]


def test_lost_customers_of_a_year_with_last_order_lost_date_and_reason(client_for, org, churn, report, plain):
    spec, records = churn
    table = report(client_for(org.supervisor), "churn", year=2025).context["table"]
    assert table.header == [
        "Year",
        "Customer number",
        "Customer",
        "Account manager",
        "Last order date",
        "Lost date",
        "Reason category",
        "Reason",
    ]
    number = {name: record.customer.number for name, record in records.items()}
    assert plain(table.rows) == [
        ["2025", number["流失乙"], "流失乙", "Bob", day(2024, 11, 30), day(2025, 12, 31), "转向竞争对手", "转投对手"],
        ["2025", number["流失丙"], "流失丙", "Carol", None, day(2025, 7, 15), "价格因素", "预算削减"],
        ["2025", number["流失己"], "流失己", "Alice", day(2024, 6, 1), day(2025, 3, 3), None, ""],
        ["2025", number["流失甲"], "流失甲", "Alice", day(2024, 1, 1), day(2025, 1, 1), "价格因素", "价格太高"],
    ]
    assert without_number(plain(table.rows)) == expected_rows(spec, {org.alice, org.bob, org.carol}, 2025)


def test_the_reasons_summary_counts_each_category_most_frequent_first(client_for, org, churn, report, plain):
    spec, _records = churn
    response = report(client_for(org.supervisor), "churn", year=2025)
    side = response.context["side_table"]
    assert side.header == ["Reason category", "Customers", "Share (%)"]
    assert plain(side.rows) == [["价格因素", 2, 50.0], ["转向竞争对手", 1, 25.0], ["Not given", 1, 25.0]]
    assert plain([side.footer]) == [["Total", 4, 100]]
    counts = Counter(
        row[5] for row in spec if row[0] in {org.alice, org.bob, org.carol} and row[2] == LOST and row[3].year == 2025
    )
    assert counts == {"price": 2, "competitor": 1, None: 1}
    pie = response.context["chart"]["series"][0]["data"]
    assert pie == [
        {"name": "价格因素", "value": 2},
        {"name": "转向竞争对手", "value": 1},
        {"name": "Not given", "value": 1},
    ]


def test_all_years_by_default_and_the_neighbouring_years_apart(client_for, org, churn, report, plain):
    spec, _records = churn
    client = client_for(org.supervisor)
    tree = {org.alice, org.bob, org.carol}
    every = report(client, "churn").context["table"]
    assert without_number(plain(every.rows)) == expected_rows(spec, tree)
    assert len(every.rows) == 6
    assert [r[2] for r in plain(report(client, "churn", year=2024).context["table"].rows)] == ["流失丁"]
    assert [r[2] for r in plain(report(client, "churn", year=2026).context["table"].rows)] == ["流失戊"]


def test_open_and_closed_warnings_are_not_losses(client_for, executive, churn, report):
    names = [str(r[2]) for r in report(client_for(executive), "churn").context["table"].rows]
    assert "预警客户" not in names and "挽回客户" not in names
    assert "外部门流失" in names and len(names) == 7


def test_the_name_and_manager_filters(client_for, org, churn, report):
    client = client_for(org.supervisor)
    by_name = report(client, "churn", name="丙").context["table"].rows
    assert [str(r[2]) for r in by_name] == ["流失丙"]
    by_manager = report(client, "churn", manager=org.alice.pk, year=2025).context["table"].rows
    assert [str(r[2]) for r in by_manager] == ["流失己", "流失甲"]


def test_a_supervisor_cannot_pick_a_manager_outside_the_tree(client_for, org, churn, report):
    response = report(client_for(org.supervisor), "churn", manager=org.dave.pk)
    assert "manager" in response.context["form"].errors
    names = [str(r[2]) for r in response.context["table"].rows]
    assert "外部门流失" not in names and len(names) == 6


def test_account_managers_may_not_open_it(client_for, account_manager):
    assert client_for(account_manager).get(reverse("reports:churn")).status_code == 403


def test_query_count_does_not_grow_with_customers(client_for, org, django_assert_max_num_queries):
    client = client_for(org.supervisor)
    url = reverse("reports:churn")
    owners = [org.alice, org.bob, org.carol]
    reasons = ["price", "quality", "competitor", "service"]

    def lose(index):
        customer = CustomerFactory(owner=owners[index % 3], status=Customer.Status.LOST)
        ChurnRecordFactory(
            customer=customer,
            status=LOST,
            lost_date=day(2025, 1 + index % 12, 1),
            reason_category=dict_item(DictType.CHURN_REASON, reasons[index % 4]),
            reason="原因",
        )

    for index in range(3):
        lose(index)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(3, 30):
        lose(index)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 30
    assert len(response.context["table"].rows) == 20

"""Customer contribution (R-REP-1): order amount per customer in the period, largest first."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

D = Decimal
day = datetime.date


@pytest.fixture
def sales(org, customer_for, make_order):
    """Customers of the supervisor's tree and one outside it, with orders around the year 2025.

    ``orders`` lists every order as (customer, date, line amounts), the input the expectations
    are summed from.
    """
    c = {
        "alice": customer_for(org.alice, name="甲公司"),
        "bob": customer_for(org.bob, name="乙公司"),
        "carol": customer_for(org.carol, name="丙公司"),
        "idle": customer_for(org.alice, name="无订单公司"),  # never ordered
        "neighbours": customer_for(org.alice, name="邻年公司"),  # ordered only in 2024 and 2026
        "dave": customer_for(org.dave, name="外部门公司"),  # outside the supervisor's tree
    }
    orders = [
        (c["alice"], day(2025, 1, 1), ["100", "50.50"]),
        (c["alice"], day(2025, 6, 30), ["1000"]),
        (c["alice"], day(2024, 12, 31), ["7777"]),
        (c["alice"], day(2026, 1, 1), ["8888"]),
        (c["bob"], day(2025, 12, 31), ["2000"]),
        (c["carol"], day(2025, 3, 3), ["300"]),
        (c["carol"], day(2025, 3, 4), ["300", "0.25"]),
        (c["neighbours"], day(2024, 12, 31), ["5"]),
        (c["neighbours"], day(2026, 1, 1), ["5"]),
        (c["dave"], day(2025, 5, 5), ["99999"]),
    ]
    for customer, date, lines in orders:
        make_order(customer, date, *lines)
    return c, orders


def expected(orders, customers, start, end):
    """(customer, order count, amount) per customer with orders in [start, end], largest first."""
    totals = {}
    for customer, date, lines in orders:
        if customer in customers and start <= date <= end:
            count, amount = totals.get(customer, (0, D(0)))
            totals[customer] = (count + 1, amount + sum(D(x) for x in lines))
    return sorted(((c, n, a) for c, (n, a) in totals.items()), key=lambda item: (-item[2], item[0].pk))


def test_a_year_counts_orders_of_jan_1_and_dec_31_and_none_of_the_neighbouring_years(
    client_for, org, sales, report, plain
):
    customers, orders = sales
    response = report(client_for(org.supervisor), "contribution", year=2025)
    table = response.context["table"]

    assert table.header == ["Rank", "Customer number", "Customer", "Account manager", "Orders", "Amount (yuan)"]
    assert plain(table.rows) == [
        [1, customers["bob"].number, "乙公司", "Bob", 1, D("2000.00")],
        [2, customers["alice"].number, "甲公司", "Alice", 2, D("1150.50")],
        [3, customers["carol"].number, "丙公司", "Carol", 2, D("600.25")],
    ]
    assert plain([table.footer]) == [["Total", None, None, None, 5, D("3750.75")]]
    # The same figures summed in plain Python from the orders the fixture created.
    mine = {customers[k] for k in ("alice", "bob", "carol", "idle", "neighbours")}
    want = expected(orders, mine, day(2025, 1, 1), day(2025, 12, 31))
    assert [(row[2], row[4], row[5]) for row in plain(table.rows)] == [(c.name, n, a) for c, n, a in want]
    summary = response.context["summary"]
    assert (summary["customers"], summary["orders"], summary["amount"]) == (3, 5, D("3750.75"))


def test_customers_without_orders_in_the_period_are_not_listed(client_for, org, sales, report):
    customers, _orders = sales
    names = [str(row[2]) for row in report(client_for(org.supervisor), "contribution", year=2025).context["table"].rows]
    assert "无订单公司" not in names and "邻年公司" not in names
    # The neighbouring years hold their own orders.
    rows_2024 = report(client_for(org.supervisor), "contribution", year=2024).context["table"].rows
    assert [(str(r[2]), r[5]) for r in rows_2024] == [("甲公司", D("7777.00")), ("邻年公司", D("5.00"))]
    rows_2026 = report(client_for(org.supervisor), "contribution", year=2026).context["table"].rows
    assert [(str(r[2]), r[5]) for r in rows_2026] == [("甲公司", D("8888.00")), ("邻年公司", D("5.00"))]


def test_a_custom_range_includes_both_of_its_days(client_for, org, sales, report):
    response = report(client_for(org.supervisor), "contribution", period="custom", start="2025-03-04", end="2025-06-30")
    rows = response.context["table"].rows
    assert [(str(r[2]), r[4], r[5]) for r in rows] == [("甲公司", 1, D("1000.00")), ("丙公司", 1, D("300.25"))]


def test_the_name_filter_narrows_rows_and_totals(client_for, org, sales, report):
    response = report(client_for(org.supervisor), "contribution", year=2025, name="丙")
    assert [str(r[2]) for r in response.context["table"].rows] == ["丙公司"]
    assert response.context["table"].footer[4:] == [2, D("600.25")]


def test_the_executive_sees_every_department(client_for, executive, sales, report):
    customers, orders = sales
    rows = report(client_for(executive), "contribution", year=2025).context["table"].rows
    assert [(str(r[2]), r[5]) for r in rows] == [
        ("外部门公司", D("99999.00")),
        ("乙公司", D("2000.00")),
        ("甲公司", D("1150.50")),
        ("丙公司", D("600.25")),
    ]
    want = expected(orders, set(customers.values()), day(2025, 1, 1), day(2025, 12, 31))
    assert sum(a for _c, _n, a in want) == rows[0][5] + D("3750.75")


def test_a_supervisor_does_not_see_customers_outside_the_department_tree(client_for, org, sales, report):
    rows = report(client_for(org.supervisor), "contribution", year=2025).context["table"].rows
    assert "外部门公司" not in [str(r[2]) for r in rows]


def test_account_managers_may_not_open_it(client_for, account_manager):
    assert client_for(account_manager).get(reverse("reports:contribution")).status_code == 403


def test_pages_continue_the_ranking_and_the_chart_keeps_the_overall_top_ten(client_for, supervisor, make_order, report):
    amounts = [D(10 * (i + 1)) for i in range(23)]  # 10 … 230
    for index, amount in enumerate(amounts):
        make_order(CustomerFactory(owner=supervisor, name=f"客户{index:02d}"), day(2025, 7, 1), amount)
    client = client_for(supervisor)
    first = report(client, "contribution", year=2025)
    second = report(client, "contribution", year=2025, page=2)
    ranked = sorted(amounts, reverse=True)
    assert [r[0] for r in first.context["table"].rows] == list(range(1, 21))
    assert [r[5] for r in first.context["table"].rows] == ranked[:20]
    assert [r[0] for r in second.context["table"].rows] == [21, 22, 23]
    assert [r[5] for r in second.context["table"].rows] == ranked[20:]
    assert second.context["page"].paginator.count == 23
    top_ten = [float(a) for a in ranked[:10]]
    assert first.context["chart"]["series"][0]["data"] == top_ten
    assert second.context["chart"]["series"][0]["data"] == top_ten
    assert second.context["table"].footer[5] == sum(amounts)


def test_query_count_does_not_grow_with_customers(client_for, org, make_order, django_assert_max_num_queries):
    client = client_for(org.supervisor)
    url = reverse("reports:contribution")
    owners = [org.alice, org.bob, org.carol]
    for index in range(3):
        make_order(CustomerFactory(owner=owners[index]), day(2025, 2, 1), 100 + index)
    client.get(url, {"year": 2025})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"year": 2025})
    for index in range(27):
        make_order(CustomerFactory(owner=owners[index % 3]), day(2025, 2, 1), 200 + index)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"year": 2025})
    assert response.context["summary"]["customers"] == 30
    assert len(response.context["table"].rows) == 20

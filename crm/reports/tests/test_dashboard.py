"""The dashboard (R-REP-5): brief, performance against targets, funnel, trend and ranking.

Figures for everyone in scope, one department with its sub-departments, or one employee; each
expectation is summed from the records the test creates.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.customers.tests.factories import ActivityFactory, ContactFactory, CustomerFactory
from crm.reports import selectors
from crm.reports.forms import DashboardForm
from crm.reports.models import SalesTarget
from crm.reports.periods import Period
from crm.sales.models import Opportunity, PipelineStage
from crm.sales.tests.factories import OpportunityFactory, developing, stage

from .conftest import local

pytestmark = pytest.mark.django_db

D = Decimal
day = datetime.date


def subject(kind, record=None):
    return "all" if record is None else f"{kind}-{record.pk}"


# The sales of 2025 ---------------------------------------------------------------------------------


@pytest.fixture
def year_2025(org, customer_for, created_at, make_order):
    """New customers, contacts, opportunities, orders and follow-ups around the year 2025.

    Each list holds (owner, moment) or (owner, date, amounts): the input the tests sum.
    """
    new_customers = [
        (org.alice, local(day(2025, 1, 1))),
        (org.alice, local(day(2025, 12, 31), 23, 59, 59)),
        (org.bob, local(day(2025, 6, 1), 10)),
        (org.carol, local(day(2024, 12, 31), 23, 59, 59)),
        (org.carol, local(day(2026, 1, 1))),
        (org.dave, local(day(2025, 5, 5), 10)),
    ]
    for owner, moment in new_customers:
        customer_for(owner, created=moment)
    # Records below hang off customers created "now", outside 2025, so only they count.
    base = {user: CustomerFactory(owner=user) for user in (org.alice, org.bob, org.carol, org.dave)}
    new_contacts = [
        (org.alice, local(day(2025, 3, 1), 9)),
        (org.carol, local(day(2025, 12, 31), 23)),
        (org.bob, local(day(2024, 12, 31), 23)),
        (org.dave, local(day(2025, 8, 8), 9)),
    ]
    for owner, moment in new_contacts:
        created_at(ContactFactory(customer=base[owner]), moment)
    new_opportunities = [
        (org.alice, local(day(2025, 2, 1), 9), "developing"),
        (org.carol, local(day(2025, 1, 1)), "developing"),
        (org.bob, local(day(2025, 4, 1), 9), "unassigned"),  # not assigned yet: it is its creator's
        (org.bob, local(day(2026, 1, 1)), "developing"),
        (org.dave, local(day(2025, 7, 7), 9), "developing"),
    ]
    for owner, moment, status in new_opportunities:
        opportunity = developing(owner) if status == "developing" else OpportunityFactory(created_by=owner)
        created_at(opportunity, moment)
    orders = [
        (org.alice, day(2025, 1, 1), ["100", "50"]),
        (org.alice, day(2025, 12, 31), ["1000"]),
        (org.bob, day(2025, 6, 1), ["200"]),
        (org.carol, day(2025, 3, 15), ["300"]),
        (org.carol, day(2024, 12, 31), ["9999"]),
        (org.dave, day(2025, 5, 5), ["5000"]),
    ]
    for owner, date, lines in orders:
        make_order(base[owner], date, *lines)
    follow_ups = [
        (org.alice, day(2025, 1, 1)),
        (org.bob, day(2025, 12, 31)),
        (org.carol, day(2026, 1, 1)),
        (org.dave, day(2025, 6, 1)),
    ]
    for owner, date in follow_ups:
        ActivityFactory(customer=base[owner], date=date)
    targets = [  # (user or department, month, amount)
        (org.alice, 1, "300"),
        (org.alice, 12, "800"),
        (org.bob, 6, "400"),
        (org.carol, 3, "300"),
        (org.dave, 1, "999"),
        (org.top, 1, "5000"),
        (org.east, 3, "1000"),
        (org.east, 6, "1000"),
        (org.alice, 1, "7000", 2024),  # another year
    ]
    for who, month, amount, *year in targets:
        field = "user" if who in (org.alice, org.bob, org.carol, org.dave) else "department"
        SalesTarget.objects.create(**{field: who}, month=day(year[0] if year else 2025, month, 1), amount=D(amount))
    return {
        "customers": new_customers,
        "contacts": new_contacts,
        "opportunities": new_opportunities,
        "orders": orders,
        "follow_ups": follow_ups,
    }


def brief_from(data, owners, year=2025):
    """The brief computed from the fixture's lists for records owned by ``owners``."""

    def in_year(moment):
        return moment.year == year

    orders = [(o, d, lines) for o, d, lines in data["orders"] if o in owners and in_year(d)]
    return {
        "customers": sum(1 for o, m in data["customers"] if o in owners and in_year(m)),
        "contacts": sum(1 for o, m in data["contacts"] if o in owners and in_year(m)),
        "opportunities": sum(1 for o, m, _s in data["opportunities"] if o in owners and in_year(m)),
        "orders": len(orders),
        "amount": sum((D(x) for _o, _d, lines in orders for x in lines), D(0)),
        "activities": sum(1 for o, d in data["follow_ups"] if o in owners and in_year(d)),
    }


def figures(response):
    brief = response.context["brief"]
    return {key: brief[key] for key in ("customers", "contacts", "opportunities", "orders", "amount", "activities")}


def test_the_brief_for_everyone_in_the_supervisors_tree(client_for, org, year_2025, report):
    response = report(client_for(org.supervisor), "dashboard", year=2025)
    assert figures(response) == {
        "customers": 3,
        "contacts": 2,
        "opportunities": 3,
        "orders": 4,
        "amount": D("1650.00"),
        "activities": 2,
    }
    assert figures(response) == brief_from(year_2025, {org.supervisor, org.alice, org.bob, org.carol})
    assert str(response.context["period"]) == "2025-01-01 – 2025-12-31"


def test_a_department_includes_its_sub_departments(client_for, org, year_2025, report):
    client = client_for(org.supervisor)
    east = figures(report(client, "dashboard", year=2025, subject=subject("department", org.east)))
    # east holds bob; its sub-department shanghai holds carol.
    assert east == {
        "customers": 1,
        "contacts": 1,
        "opportunities": 2,
        "orders": 2,
        "amount": D("500.00"),
        "activities": 1,
    }
    assert east == brief_from(year_2025, {org.bob, org.carol})
    shanghai = figures(report(client, "dashboard", year=2025, subject=subject("department", org.shanghai)))
    assert shanghai == brief_from(year_2025, {org.carol})
    top = figures(report(client, "dashboard", year=2025, subject=subject("department", org.top)))
    assert top == brief_from(year_2025, {org.supervisor, org.alice, org.bob, org.carol})


def test_one_employee(client_for, org, year_2025, report):
    alice = figures(report(client_for(org.supervisor), "dashboard", year=2025, subject=subject("employee", org.alice)))
    assert alice == {
        "customers": 2,
        "contacts": 1,
        "opportunities": 1,
        "orders": 2,
        "amount": D("1150.00"),
        "activities": 1,
    }
    assert alice == brief_from(year_2025, {org.alice})


def test_the_executive_sees_everyone(client_for, executive, org, year_2025, report):
    response = report(client_for(executive), "dashboard", year=2025)
    everyone = {org.supervisor, org.alice, org.bob, org.carol, org.dave}
    assert figures(response) == brief_from(year_2025, everyone)
    assert figures(response)["amount"] == D("6650.00")
    other = figures(report(client_for(executive), "dashboard", year=2025, subject=subject("department", org.other)))
    assert other == brief_from(year_2025, {org.dave})


def test_the_dashboard_is_read_only(client_for, executive):
    assert client_for(executive).post(reverse("reports:dashboard"), {"year": 2025}).status_code == 405


def test_an_account_manager_sees_only_their_own_figures(client_for, org, year_2025, report, make_order):
    client = client_for(org.alice)
    assert figures(report(client, "dashboard", year=2025)) == brief_from(year_2025, {org.alice})
    # Another employee cannot be chosen: an invalid filter falls back to the defaults (this month,
    # the manager's own records), never to bob's figures.
    make_order(CustomerFactory(owner=org.bob), timezone.localdate(), "777")
    response = report(client, "dashboard", year=2025, subject=subject("employee", org.bob))
    assert "subject" in response.context["form"].errors
    assert response.context["form"].get_subject() == selectors.Subject()
    assert (response.context["brief"]["orders"], response.context["brief"]["amount"]) == (0, 0)
    assert figures(response) == figures(report(client, "dashboard"))
    for name in ("contribution", "composition", "service", "churn"):
        assert client.get(reverse(f"reports:{name}")).status_code == 403, name


def test_a_supervisor_cannot_pick_someone_outside_the_tree(client_for, org, year_2025, report, make_order):
    client = client_for(org.supervisor)
    form = DashboardForm(user=org.supervisor)
    offered = {value for _group, options in form.fields["subject"].choices[1:] for value, _label in options}
    assert offered == {
        subject("department", org.top),
        subject("department", org.east),
        subject("department", org.shanghai),
        subject("employee", org.supervisor),
        subject("employee", org.alice),
        subject("employee", org.bob),
        subject("employee", org.carol),
    }
    make_order(CustomerFactory(owner=org.dave), timezone.localdate(), "777")
    for chosen in (subject("employee", org.dave), subject("department", org.other)):
        response = report(client, "dashboard", year=2025, subject=chosen)
        assert "subject" in response.context["form"].errors
        # The defaults instead: this month, everyone in the tree (no orders), not dave's order.
        assert (response.context["brief"]["orders"], response.context["brief"]["amount"]) == (0, 0)


# Performance against targets -----------------------------------------------------------------------


def performance(response):
    """(target, actual, rate) of each month and of the total."""
    table = response.context["table"]
    return [tuple(row[1:]) for row in table.rows], tuple(table.footer[1:])


def test_everyone_measures_against_the_sum_of_individual_targets(client_for, org, year_2025, report):
    months, total = performance(report(client_for(org.supervisor), "dashboard", year=2025))
    assert len(months) == 12
    expected = {
        1: (D("300"), D("150"), 50.0),  # alice: the 2024 target of 7000 does not count
        3: (D("300"), D("300"), 100.0),
        6: (D("400"), D("200"), 50.0),
        12: (D("800"), D("1000"), 125.0),
    }
    for month, row in enumerate(months, start=1):
        assert row == expected.get(month, (None, D("0"), None)), month
    # Department targets are not added to everyone's: 300 + 300 + 400 + 800.
    assert total == (D("1800"), D("1650"), 91.7)


def test_a_department_measures_against_its_own_target(client_for, org, year_2025, report):
    client = client_for(org.supervisor)
    months, total = performance(report(client, "dashboard", year=2025, subject=subject("department", org.east)))
    assert months[2] == (D("1000"), D("300"), 30.0)  # carol, in the sub-department
    assert months[5] == (D("1000"), D("200"), 20.0)  # bob
    assert months[0] == (None, D("0"), None)
    assert total == (D("2000"), D("500"), 25.0)
    _months, top = performance(report(client, "dashboard", year=2025, subject=subject("department", org.top)))
    assert top == (D("5000"), D("1650"), 33.0)


def test_one_employee_measures_against_their_target(client_for, org, year_2025, report):
    months, total = performance(
        report(client_for(org.supervisor), "dashboard", year=2025, subject=subject("employee", org.bob))
    )
    assert months[5] == (D("400"), D("200"), 50.0)
    assert total == (D("400"), D("200"), 50.0)


def test_targets_follow_the_data_scope(client_for, org, executive, year_2025, report):
    _months, everyone = performance(report(client_for(executive), "dashboard", year=2025))
    assert everyone == (D("2799"), D("6650"), 237.6)  # dave's 999 in January joins; 6650 / 2799
    _months, own = performance(report(client_for(org.alice), "dashboard", year=2025))
    assert own == (D("1100"), D("1150"), 104.5)


def test_without_any_target_the_totals_say_so(client_for, supervisor, report):
    response = report(client_for(supervisor), "dashboard", year=2025)
    assert performance(response)[1] == (None, D("0"), None)
    assert "No target set" in response.content.decode()


def offered_subjects(user):
    form = DashboardForm(user=user)
    return {value for _group, options in form.fields["subject"].choices[1:] for value, _label in options}


def test_a_self_scoped_account_manager_is_not_offered_their_department(api_for, client_for, org, year_2025, report):
    """alice sees only her own records; the department she works in (with the supervisor) is not
    hers to measure: not offered, refused by the API, and its target never meets her figures."""
    assert offered_subjects(org.alice) == {subject("employee", org.alice)}
    response = api_for(org.alice).get(
        "/api/v1/reports/dashboard/", {"year": 2025, "subject": subject("department", org.top)}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and list(response.json()["errors"]) == ["subject"]
    page = report(client_for(org.alice), "dashboard", year=2025, subject=subject("department", org.top))
    assert "subject" in page.context["form"].errors
    # Even asked directly, the selector sets no target it could not show against whole figures.
    _months, totals = selectors.performance(
        org.alice,
        period=Period(day(2025, 1, 1), day(2025, 12, 31)),
        subject=selectors.Subject("department", org.top.pk),
    )
    assert totals["target"] is None


@pytest.mark.parametrize("who", ["supervisor", "executive"])
def test_the_dashboard_api_accepts_only_subjects_in_scope(api_for, request, org, year_2025, who):
    viewer = request.getfixturevalue(who) if who == "executive" else org.supervisor
    api = api_for(viewer)
    east = api.get("/api/v1/reports/dashboard/", {"year": 2025, "subject": subject("department", org.east)})
    assert east.status_code == 200
    assert east.json()["table"]["footer"][1:3] == ["2000.00", "500.00"]  # east's own target and orders
    other = api.get("/api/v1/reports/dashboard/", {"year": 2025, "subject": subject("department", org.other)})
    dave = api.get("/api/v1/reports/dashboard/", {"year": 2025, "subject": subject("employee", org.dave)})
    if who == "executive":
        assert other.status_code == dave.status_code == 200
    else:
        assert other.status_code == dave.status_code == 400
        assert list(other.json()["errors"]) == list(dave.json()["errors"]) == ["subject"]


# The funnel ----------------------------------------------------------------------------------------


@pytest.fixture
def pipeline(org):
    """(owner, stage name, status, expected amount, closed at) per opportunity."""
    spec = [
        (org.alice, "验证客户", Opportunity.Status.DEVELOPING, "1000", None),
        (org.alice, "方案报价", Opportunity.Status.DEVELOPING, "2500.50", None),
        (org.carol, "方案报价", Opportunity.Status.DEVELOPING, "1000", None),
        (org.bob, None, Opportunity.Status.DEVELOPING, "400", None),
        (org.bob, "需求分析", Opportunity.Status.DEVELOPING, None, None),  # no amount given yet
        (org.dave, "谈判审核", Opportunity.Status.DEVELOPING, "7000", None),
        (org.alice, "谈判审核", Opportunity.Status.FAILED, "9000", local(day(2025, 5, 1), 9)),
        (org.alice, "谈判审核", Opportunity.Status.SUCCEEDED, "3000", local(day(2025, 12, 31), 23, 59)),
        (org.bob, "谈判审核", Opportunity.Status.SUCCEEDED, "500", local(day(2026, 1, 1))),
        (org.carol, "谈判审核", Opportunity.Status.SUCCEEDED, "700", local(day(2025, 1, 1))),
        (org.dave, "谈判审核", Opportunity.Status.SUCCEEDED, "800", local(day(2025, 6, 1), 9)),
    ]
    for owner, stage_name, status, amount, closed_at in spec:
        developing(
            owner,
            stage=stage(stage_name) if stage_name else None,
            expected_amount=D(amount) if amount else None,
        )
        if status != Opportunity.Status.DEVELOPING:
            Opportunity.objects.filter(pk=Opportunity.objects.latest("pk").pk).update(
                status=status, closed_at=closed_at
            )
    OpportunityFactory(created_by=org.alice, expected_amount=D("123"))  # unassigned: not in the funnel
    return spec


STAGES = [("验证客户", 10), ("需求分析", 30), ("方案报价", 60), ("谈判审核", 80)]  # the seeded stages


def funnel_from(spec, owners):
    """(label, win rate, count, amount, weighted) per stage, "no stage" first, and the won of 2025."""
    open_ = [row for row in spec if row[0] in owners and row[2] == Opportunity.Status.DEVELOPING]
    rows = []
    unstaged = [row for row in open_ if row[1] is None]
    if unstaged:
        rows.append(("No stage yet", None, len(unstaged), sum(D(r[3] or 0) for r in unstaged), None))
    for name, rate in STAGES:
        at = [row for row in open_ if row[1] == name]
        amount = sum((D(r[3] or 0) for r in at), D(0))
        rows.append((name, rate, len(at), amount, (amount * rate / 100).quantize(D("0.01"))))
    won = [row for row in spec if row[0] in owners and row[2] == Opportunity.Status.SUCCEEDED and row[4].year == 2025]
    return rows, (len(won), sum(D(r[3]) for r in won))


def test_the_funnel_counts_open_opportunities_per_stage_with_weighted_amounts(client_for, org, pipeline):
    tree = {org.supervisor, org.alice, org.bob, org.carol}
    rows, won = selectors.funnel(
        org.supervisor, period=Period(day(2025, 1, 1), day(2025, 12, 31)), subject=selectors.Subject()
    )
    assert [(r["label"], r["win_rate"], r["count"], r["amount"], r["weighted"]) for r in rows] == [
        ("No stage yet", None, 1, D("400"), None),
        ("验证客户", 10, 1, D("1000"), D("100.00")),
        ("需求分析", 30, 1, D("0"), D("0.00")),
        ("方案报价", 60, 2, D("3500.50"), D("2100.30")),
        ("谈判审核", 80, 0, D("0"), D("0.00")),
    ]
    assert (won["count"], won["amount"]) == (2, D("3700"))  # alice on Dec 31, carol on Jan 1
    expected_rows, expected_won = funnel_from(pipeline, tree)
    assert [(str(r["label"]), r["win_rate"], r["count"], r["amount"], r["weighted"]) for r in rows] == expected_rows
    assert (won["count"], won["amount"]) == expected_won


def test_the_funnel_on_the_page_in_whole_yuan(client_for, org, pipeline, report, plain):
    response = report(client_for(org.supervisor), "dashboard", year=2025)
    table = response.context["funnel_table"]
    assert table.header == [
        "Stage",
        "Win rate (%)",
        "Opportunities",
        "Expected amount (yuan)",
        "Weighted amount (yuan)",
    ]
    assert plain(table.rows) == [
        ["No stage yet", None, 1, 400, None],
        ["验证客户", 10, 1, 1000, 100],
        ["需求分析", 30, 1, 0, 0],
        ["方案报价", 60, 2, 3501, 2100],
        ["谈判审核", 80, 0, 0, 0],
    ]
    assert plain([table.footer]) == [["Won in the period", None, 2, 3700, None]]
    chart = response.context["funnel_chart"]["series"][0]["data"]
    assert chart == [
        {"name": "No stage yet", "value": 1},
        {"name": "验证客户", "value": 1},
        {"name": "需求分析", "value": 1},
        {"name": "方案报价", "value": 2},
    ]


def test_the_funnel_of_a_department_and_of_the_executive(client_for, org, executive, pipeline, report, plain):
    east = report(client_for(org.supervisor), "dashboard", year=2025, subject=subject("department", org.east))
    rows = plain(east.context["funnel_table"].rows)
    assert [row[2] for row in rows] == [1, 0, 1, 1, 0]  # bob's unstaged and analysis ones, carol's quote
    assert east.context["funnel_table"].footer[2:4] == [1, 700]
    expected_rows, expected_won = funnel_from(pipeline, {org.bob, org.carol})
    assert [row[2] for row in rows] == [r[2] for r in expected_rows]
    assert east.context["funnel_table"].footer[2] == expected_won[0]
    everyone = report(client_for(executive), "dashboard", year=2025).context["funnel_table"]
    assert plain(everyone.rows)[-1] == ["谈判审核", 80, 1, 7000, 5600]
    assert everyone.footer[2:4] == [3, 4500]


def test_an_inactive_stage_still_shows_its_open_opportunities(client_for, org, report):
    PipelineStage.objects.filter(name="需求分析").update(is_active=False)
    PipelineStage.objects.filter(name="验证客户").update(is_active=False)
    developing(org.alice, stage=stage("需求分析"), expected_amount=D("100"))
    rows = report(client_for(org.supervisor), "dashboard").context["funnel_table"].rows
    assert [str(row[0]) for row in rows] == ["需求分析", "方案报价", "谈判审核"]


# The trend and the ranking -------------------------------------------------------------------------


def test_the_trend_covers_twelve_months_up_to_the_periods_end_with_empty_months(
    client_for, org, customer_for, make_order, report
):
    customer = customer_for(org.alice)
    orders = [
        (day(2024, 3, 31), "99"),  # the month before the twelve
        (day(2024, 4, 1), "10"),
        (day(2024, 12, 31), "5"),
        (day(2025, 1, 1), "6"),
        (day(2025, 3, 15), "20"),  # the period's last day
        (day(2025, 3, 16), "77"),  # after it
    ]
    for date, amount in orders:
        make_order(customer, date, amount)
    period = Period(day(2025, 3, 1), day(2025, 3, 15))
    trend = selectors.sales_trend(org.supervisor, period=period, subject=selectors.Subject())
    months = [day(2024, m, 1) for m in range(4, 13)] + [day(2025, m, 1) for m in range(1, 4)]
    expected = {
        month: sum((D(a) for d, a in orders if d.replace(day=1) == month and d <= period.end), D(0)) for month in months
    }
    assert [month for month, _amount in trend] == months
    assert dict(trend) == expected
    assert [amount for _month, amount in trend] == [10, 0, 0, 0, 0, 0, 0, 0, 5, 6, 0, 20]
    response = report(client_for(org.supervisor), "dashboard", period="custom", start="2025-03-01", end="2025-03-15")
    chart = response.context["trend_chart"]
    assert chart["xAxis"]["data"][0] == "April 2024" and chart["xAxis"]["data"][-1] == "March 2025"
    assert chart["series"][0]["data"] == [10.0, 0, 0, 0, 0, 0, 0, 0, 5.0, 6.0, 0, 20.0]


def test_the_ranking_orders_employees_by_amount_with_their_targets(
    client_for, org, executive, year_2025, report, plain
):
    table = report(client_for(org.supervisor), "dashboard", year=2025).context["ranking_table"]
    assert table.header == ["Employee", "Orders", "Amount (yuan)", "Target (yuan)", "Completion (%)"]
    # The year's targets: alice 300 + 800, carol 300, bob 400.
    assert plain(table.rows) == [
        ["Alice", 2, 1150, 1100, 104.5],
        ["Carol", 1, 300, 300, 100.0],
        ["Bob", 1, 200, 400, 50.0],
    ]
    everyone = report(client_for(executive), "dashboard", year=2025).context["ranking_table"]
    assert [(str(r[0]), r[2], r[4]) for r in everyone.rows][0] == ("Dave", 5000, 500.5)
    east = report(client_for(org.supervisor), "dashboard", year=2025, subject=subject("department", org.east))
    assert [str(r[0]) for r in east.context["ranking_table"].rows] == ["Carol", "Bob"]


# Query count ---------------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_customers(client_for, org, make_order, django_assert_max_num_queries):
    client = client_for(org.supervisor)
    url = reverse("reports:dashboard")
    owners = [org.alice, org.bob, org.carol]

    def customer_with_records(index):
        customer = CustomerFactory(owner=owners[index % 3])
        make_order(customer, day(2025, 1 + index % 12, 1), 100 + index)
        ContactFactory(customer=customer)
        ActivityFactory(customer=customer, date=day(2025, 2, 1))
        developing(owners[index % 3], stage=stage(STAGES[index % 4][0]), expected_amount=D(1000))
        SalesTarget.objects.get_or_create(
            user=owners[index % 3], month=day(2025, 1 + index % 12, 1), defaults={"amount": 500}
        )

    for index in range(3):
        customer_with_records(index)
    params = {"year": 2025, "subject": subject("department", org.east)}
    counts = {}
    for key, query in (("all", {"year": 2025}), ("east", params)):
        client.get(url, query)
        with CaptureQueriesContext(connection) as few:
            client.get(url, query)
        counts[key] = (query, len(few.captured_queries))
    for index in range(3, 30):
        customer_with_records(index)
    for query, count in counts.values():
        with django_assert_max_num_queries(count):
            response = client.get(url, query)
    assert response.context["brief"]["orders"] == 20  # bob's and carol's ten each

"""Exports (``?export=csv|xlsx``): exactly the table's header, every filtered row and the footer."""

import csv
import datetime
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm.customers.models import ChurnRecord, Customer
from crm.customers.tests.factories import ChurnRecordFactory, CustomerFactory, dict_item
from crm.dictionary.models import DictType
from crm.service.tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db

D = Decimal
day = datetime.date


def export(client, url_name, file_format, **params):
    response = client.get(reverse(f"reports:{url_name}"), {**params, "export": file_format})
    assert response.status_code == 200, response.content[:300]
    return response


def csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads Chinese correctly
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def as_csv(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


@pytest.fixture
def ranked(supervisor, org, make_order):
    """25 customers of the supervisor's tree (more than one page) and one outside it."""
    owners = [org.alice, org.bob, org.carol]
    spec = []  # (customer, manager, amount)
    for index in range(25):
        owner = owners[index % 3]
        customer = CustomerFactory(owner=owner, name=f"排名客户{index:02d}")
        amount = D(1000 + 37 * index) + D("0.25")
        make_order(customer, day(2025, 1 + index % 12, 1 + index % 28), amount)
        spec.append((customer, owner, amount))
    make_order(CustomerFactory(owner=org.dave, name="外部门客户"), day(2025, 5, 5), "99999")
    return sorted(spec, key=lambda row: -row[2])


HEADER = ["Rank", "Customer number", "Customer", "Account manager", "Orders", "Amount (yuan)"]


def test_contribution_csv_holds_every_row_not_only_the_page(client_for, org, ranked):
    client = client_for(org.supervisor)
    rows = csv_rows(export(client, "contribution", "csv", year=2025))
    assert rows[0] == HEADER
    expected = [
        [str(rank), c.number, c.name, owner.name, "1", f"{amount:.2f}"]
        for rank, (c, owner, amount) in enumerate(ranked, start=1)
    ]
    assert rows[1:-1] == expected
    assert len(rows[1:-1]) == 25  # the page shows 20
    assert rows[-1] == ["Total", "", "", "", "25", f"{sum(a for _c, _o, a in ranked):.2f}"]


def test_contribution_xlsx_keeps_numbers_as_numbers(client_for, org, ranked):
    response = export(client_for(org.supervisor), "contribution", "xlsx", year=2025)
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert rows[0] == HEADER
    assert len(rows) == 1 + 25 + 1
    for rank, (row, (customer, owner, amount)) in enumerate(zip(rows[1:-1], ranked, strict=True), start=1):
        assert row[:4] == [rank, customer.number, customer.name, owner.name]
        assert isinstance(row[4], int) and row[4] == 1
        assert isinstance(row[5], (int, float)) and D(str(row[5])) == amount
    total = rows[-1]
    assert total[0] == "Total" and total[1:4] == [None, None, None]
    assert total[4] == 25 and D(str(total[5])) == sum(a for _c, _o, a in ranked)


def test_exports_follow_the_filters_and_the_scope(client_for, org, ranked):
    client = client_for(org.supervisor)
    rows = csv_rows(export(client, "contribution", "csv", year=2025, name="排名客户0"))
    assert [row[2] for row in rows[1:-1]] == sorted(
        (c.name for c, _o, _a in ranked if c.name.startswith("排名客户0")),
        key=lambda name: -next(a for c, _o, a in ranked if c.name == name),
    )
    everything = csv_rows(export(client, "contribution", "csv", year=2025))
    assert "外部门客户" not in [row[2] for row in everything]
    assert csv_rows(export(client, "contribution", "csv", year=2024))[1:] == [["Total", "", "", "", "0", "0.00"]]


def test_formula_looking_text_is_neutralised_in_both_formats(client_for, supervisor, make_order):
    supervisor.name = "+cmd|' /C calc'!A0"
    supervisor.save()
    make_order(CustomerFactory(owner=supervisor, name='=HYPERLINK("http://evil","点")'), day(2025, 3, 3), "10")
    make_order(CustomerFactory(owner=supervisor, name="@SUM(A1:A9)"), day(2025, 3, 3), "5")
    client = client_for(supervisor)
    for rows in (
        csv_rows(export(client, "contribution", "csv", year=2025)),
        xlsx_rows(export(client, "contribution", "xlsx", year=2025)),
    ):
        assert [row[2:4] for row in rows[1:3]] == [
            ['\'=HYPERLINK("http://evil","点")', "'+cmd|' /C calc'!A0"],
            ["'@SUM(A1:A9)", "'+cmd|' /C calc'!A0"],
        ]


def test_churn_export_has_every_lost_customer_with_dates_as_dates(client_for, org):
    reasons = ["price", "quality", "=1+1"]
    for index in range(23):
        customer = CustomerFactory(owner=org.bob, name=f"流失{index:02d}", status=Customer.Status.LOST)
        ChurnRecordFactory(
            customer=customer,
            status=ChurnRecord.Status.LOST,
            lost_date=day(2025, 1, 1) + datetime.timedelta(days=index),
            last_order_date=day(2024, 1, 1),
            reason_category=dict_item(DictType.CHURN_REASON, reasons[index % 2]),
            reason=reasons[2] if index == 0 else "价格",
        )
    client = client_for(org.supervisor)
    page = client.get(reverse("reports:churn"))
    assert len(page.context["table"].rows) == 20
    rows = xlsx_rows(export(client, "churn", "xlsx"))
    assert rows[0] == page.context["table"].header
    assert len(rows) == 1 + 23
    first, last = rows[1], rows[-1]  # most recent loss first
    assert first[0] == "2025" and first[2] == "流失22" and first[5] == datetime.datetime(2025, 1, 23)
    assert first[4] == datetime.datetime(2024, 1, 1) and first[3] == "Bob"
    assert last[2] == "流失00" and last[7] == "'=1+1"
    csv_last = csv_rows(export(client, "churn", "csv"))[-1]
    assert csv_last[4:] == ["2024-01-01", "2025-01-01", "价格因素", "'=1+1"]


def test_every_report_exports_exactly_its_table(client_for, org, make_order):
    customer = CustomerFactory(owner=org.alice, grade=dict_item(DictType.CUSTOMER_GRADE, "3"))
    CustomerFactory(owner=org.carol, grade=None, credit=None)
    make_order(customer, day(2025, 6, 1), "120.50")
    ServiceRequestFactory(customer=customer)
    ChurnRecordFactory(
        customer=CustomerFactory(owner=org.bob, status=Customer.Status.LOST),
        status=ChurnRecord.Status.LOST,
        lost_date=day(2025, 8, 8),
        reason_category=dict_item(DictType.CHURN_REASON, "price"),
    )
    client = client_for(org.supervisor)
    pages = [
        ("contribution", {"year": 2025}),
        ("composition", {"by": "grade"}),
        ("composition", {"by": "credit"}),
        ("service", {"period": "this_year"}),
        ("churn", {}),
        ("dashboard", {"year": 2025}),
    ]
    for url_name, params in pages:
        table = client.get(reverse(f"reports:{url_name}"), params).context["table"]
        assert table.rows, url_name
        body = [*table.rows, *([table.footer] if table.footer else [])]
        shown = [table.header] + [[as_csv(v) for v in row] for row in body]
        assert csv_rows(export(client, url_name, "csv", **params)) == shown, url_name
        sheet = xlsx_rows(export(client, url_name, "xlsx", **params))
        assert sheet[0] == table.header and len(sheet) == len(shown), url_name
        for cells, values in zip(sheet[1:], body, strict=True):
            for cell, value in zip(cells, values, strict=True):
                if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                    assert isinstance(cell, (int, float)) and D(str(cell)) == D(str(value)), (url_name, value)
                elif isinstance(value, datetime.date):
                    assert cell == datetime.datetime.combine(value, datetime.time()), url_name
                elif value is None or value == "":
                    assert cell in (None, ""), url_name  # an empty text cell reads back as empty
                else:
                    assert cell == str(value), (url_name, value)


def test_the_dashboard_exports_its_twelve_months(client_for, org, make_order):
    make_order(CustomerFactory(owner=org.alice), day(2025, 1, 1), "100")
    make_order(CustomerFactory(owner=org.bob), day(2025, 12, 31), "200")
    rows = csv_rows(export(client_for(org.supervisor), "dashboard", "csv", year=2025))
    assert rows[0] == ["Month", "Target (yuan)", "Actual (yuan)", "Completion (%)"]
    assert [row[2] for row in rows[1:13]] == ["100.00"] + ["0.00"] * 10 + ["200.00"]
    assert rows[13][:3] == ["Total", "", "300.00"]


def test_an_export_beyond_the_limit_asks_to_narrow_the_filters(client_for, org, ranked):
    client = client_for(org.supervisor)
    with mock.patch("crm.reports.views.EXPORT_LIMIT", 10):
        response = client.get(reverse("reports:contribution"), {"year": 2025, "export": "xlsx"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:contribution") + "?year=2025"
    page = client.get(response["Location"])
    assert "narrow the filters" in page.content.decode()


def test_an_account_manager_cannot_export_the_reports(client_for, account_manager):
    client = client_for(account_manager)
    for url_name in ("contribution", "composition", "service", "churn"):
        response = client.get(reverse(f"reports:{url_name}"), {"export": "csv"})
        assert response.status_code == 403, url_name

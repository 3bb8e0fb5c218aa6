"""Pages: product, stock and order queries, the customer's order fragment, the import page."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from crm.accounts.tests.factories import UserFactory
from crm.catalog.models import ImportRun, Product
from crm.core.tests.workbooks import declare_dimension, with_dtd, workbook_bytes
from crm.customers.tests.factories import CustomerFactory

from .factories import OrderFactory, OrderLineFactory, ProductFactory, StockFactory
from .helpers import PRODUCT_HEADER, csv_bytes

pytestmark = pytest.mark.django_db


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# Products and stock ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["account_manager", "supervisor", "executive", "administrator"])
def test_every_default_role_may_query_products_stock_and_orders(request, client_for, role):
    client = client_for(request.getfixturevalue(role))
    for url in ("/catalog/products/", "/catalog/stock/", "/catalog/orders/"):
        assert client.get(url).status_code == 200, url


def test_a_user_without_the_permissions_is_refused(client_for):
    client = client_for(UserFactory())
    for url in ("/catalog/products/", "/catalog/stock/", "/catalog/orders/", "/catalog/import/"):
        assert client.get(url).status_code == 403, url


def test_products_filter_by_name_model_and_batch(client_for, account_manager):
    ProductFactory(name="幸福牌电视机", model="818 FFT", batch="A级")
    ProductFactory(name="幸福牌收音机", model="天语007", batch="")
    ProductFactory(name="海龙笔记本电脑", model="i60", batch="")
    client = client_for(account_manager)

    def names(query):
        return sorted(p.name for p in client.get(f"/catalog/products/?{query}").context["rows"])

    assert names("name=幸福") == sorted(["幸福牌电视机", "幸福牌收音机"])
    assert names("model=i60") == ["海龙笔记本电脑"]
    assert names("batch=A级") == ["幸福牌电视机"]


def test_the_product_page_shows_its_stock_rows_and_their_total(client_for, account_manager):
    tv = ProductFactory(name="幸福牌电视机", model="818 FFT")
    StockFactory(product=tv, warehouse="北京-西直门库", location="EC-D2", quantity=12)
    StockFactory(product=tv, warehouse="上海-浦东库", location="PD-A1", quantity=30)
    StockFactory(warehouse="广州-白云库")  # another product's stock
    response = client_for(account_manager).get(f"/catalog/products/{tv.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "EC-D2" in content and "PD-A1" in content and "广州-白云库" not in content
    assert response.context["totals"] == {"quantity": 42, "rows": 2}


def test_stock_filters_by_product_and_warehouse(client_for, account_manager):
    tv = ProductFactory(name="幸福牌电视机", model="818 FFT")
    radio = ProductFactory(name="幸福牌收音机", model="天语007")
    StockFactory(product=tv, warehouse="北京-西直门库")
    StockFactory(product=radio, warehouse="北京-西直门库")
    StockFactory(product=radio, warehouse="上海-浦东库")
    client = client_for(account_manager)

    def rows(query):
        return sorted((s.product.name, s.warehouse) for s in client.get(f"/catalog/stock/?{query}").context["rows"])

    assert rows("product=天语") == [("幸福牌收音机", "上海-浦东库"), ("幸福牌收音机", "北京-西直门库")]
    assert rows("warehouse=北京-西直门库") == [("幸福牌收音机", "北京-西直门库"), ("幸福牌电视机", "北京-西直门库")]
    assert rows("product=电视&warehouse=上海-浦东库") == []


def test_product_and_stock_lists_use_a_constant_number_of_queries(client_for, account_manager):
    client = client_for(account_manager)
    StockFactory()
    few = page_queries(client, "/catalog/stock/"), page_queries(client, "/catalog/products/")
    StockFactory.create_batch(15)
    assert (page_queries(client, "/catalog/stock/"), page_queries(client, "/catalog/products/")) == few


# Orders -----------------------------------------------------------------------------------------


@pytest.fixture
def own_order(account_manager):
    order = OrderFactory(customer=CustomerFactory(owner=account_manager, name="我的客户"), number="DD-MINE")
    OrderLineFactory(order=order, quantity=Decimal("2"), unit_price=Decimal("7500"))
    OrderLineFactory(order=order, quantity=Decimal("3"), unit_price=Decimal("36.50"))
    return order


@pytest.fixture
def other_order():
    order = OrderFactory(customer=CustomerFactory(owner=UserFactory(), name="别人的客户"), number="DD-OTHER")
    OrderLineFactory(order=order)
    return order


def test_an_account_manager_sees_only_the_orders_of_own_customers(client_for, account_manager, own_order, other_order):
    client = client_for(account_manager)
    response = client.get("/catalog/orders/")
    assert [o.number for o in response.context["rows"]] == ["DD-MINE"]
    assert "DD-OTHER" not in response.content.decode()
    assert client.get(f"/catalog/orders/{own_order.pk}/").status_code == 200
    assert client.get(f"/catalog/orders/{other_order.pk}/").status_code == 404


def test_an_executive_sees_every_order(client_for, executive, own_order, other_order):
    response = client_for(executive).get("/catalog/orders/")
    assert {o.number for o in response.context["rows"]} == {"DD-MINE", "DD-OTHER"}


def test_a_supervisor_sees_the_orders_of_the_department_tree(client_for, supervisor, own_order, other_order):
    teammate = UserFactory(department=supervisor.department)
    team_order = OrderFactory(customer=CustomerFactory(owner=teammate), number="DD-TEAM")
    client = client_for(supervisor)
    assert [o.number for o in client.get("/catalog/orders/").context["rows"]] == ["DD-TEAM"]
    assert client.get(f"/catalog/orders/{team_order.pk}/").status_code == 200
    assert client.get(f"/catalog/orders/{other_order.pk}/").status_code == 404


def test_the_order_list_shows_totals_and_filters_by_customer_date_and_status(client_for, executive, own_order):
    OrderFactory(customer=own_order.customer, number="DD-OLD", order_date="2021-01-02", status="unpaid")
    client = client_for(executive)

    def numbers(query):
        return sorted(o.number for o in client.get(f"/catalog/orders/?{query}").context["rows"])

    rows = client.get("/catalog/orders/?customer=我的").context["rows"]
    assert {o.number: o.total for o in rows} == {"DD-MINE": Decimal("15109.50"), "DD-OLD": Decimal("0")}
    assert numbers(f"customer={own_order.customer.number}") == ["DD-MINE", "DD-OLD"]
    assert numbers("date_from=2024-01-01") == ["DD-MINE"]
    assert numbers("date_to=2023-12-31") == ["DD-OLD"]
    assert numbers("status=unpaid") == ["DD-OLD"]
    assert numbers("sort=-total") == ["DD-MINE", "DD-OLD"]


def test_the_order_page_shows_lines_amounts_and_the_total(client_for, account_manager, own_order):
    response = client_for(account_manager).get(f"/catalog/orders/{own_order.pk}/")
    content = response.content.decode()
    assert [line.amount for line in response.context["lines"]] == [Decimal("15000.00"), Decimal("109.50")]
    assert response.context["object"].total == Decimal("15109.50")
    assert "15,109.50" in content and "109.50" in content


def test_the_order_list_uses_a_constant_number_of_queries(client_for, executive, own_order):
    client = client_for(executive)
    few = page_queries(client, "/catalog/orders/")
    for _ in range(12):
        OrderLineFactory.create_batch(2, order=OrderFactory())
    assert page_queries(client, "/catalog/orders/") == few


# Import page -----------------------------------------------------------------------------------


def upload(client, kind, content, name="products.csv"):
    return client.post("/catalog/import/", {"kind": kind, "file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("role", ["account_manager", "supervisor", "executive"])
def test_only_holders_of_the_import_permission_may_import(request, client_for, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get("/catalog/import/").status_code == 403
    assert upload(client, "products", csv_bytes(PRODUCT_HEADER, "P1,x,,,台,1,,")).status_code == 403
    assert client.get("/catalog/import/template/products.csv").status_code == 403
    assert not Product.objects.exists()


def test_an_administrator_imports_a_file_and_sees_the_result(client_for, administrator):
    client = client_for(administrator)
    assert client.get("/catalog/import/").status_code == 200
    response = upload(
        client, "products", csv_bytes(PRODUCT_HEADER, "P1,幸福牌电视机,818 FFT,,台,7500,,", encoding="gbk")
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/catalog/import/runs/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "1 new, 0 updated, 0 unchanged" in page
    assert run.by == administrator and run.source == ImportRun.Source.PAGE
    assert Product.objects.get().name == "幸福牌电视机"


def test_a_rejected_file_shows_each_error_and_the_report_downloads_as_safe_csv(client_for, administrator):
    client = client_for(administrator)
    upload(
        client,
        "products",
        csv_bytes(PRODUCT_HEADER, "P1,电视机,,,台,=1+2,,", "P2,收音机,,,台,-36,,", "@SUM,x,,,台,1,,"),
    )
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REJECTED
    page = client.get(f"/catalog/import/runs/{run.pk}/").content.decode()
    assert "Nothing was imported: 2 errors in 3 rows." in page
    assert "Must not be negative." in page
    response = client.get(f"/catalog/import/runs/{run.pk}/errors.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Row", "Column", "Message", "Value"],
        ["2", "price", "Enter a number.", "'=1+2"],
        ["3", "price", "Must not be negative.", "'-36"],
    ]
    assert not Product.objects.exists()


def test_missing_columns_are_shown_on_the_form(client_for, administrator):
    response = upload(client_for(administrator), "stock", csv_bytes("stock_key,quantity", "S1,1"))
    assert response.status_code == 400
    assert "Missing columns: product_key (Product key), warehouse (Warehouse)." in response.content.decode()


@override_settings(CRM_MAX_UPLOAD_BYTES=1024)
def test_a_file_over_the_limit_is_refused_on_the_form(client_for, administrator):
    response = upload(client_for(administrator), "products", b"x" * 2048)
    assert response.status_code == 400
    assert "files of up to" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_file_of_another_type_is_refused_on_the_form(client_for, administrator):
    response = upload(client_for(administrator), "products", b"%PDF-1.4", name="products.pdf")
    assert response.status_code == 400
    assert "Choose a .csv or .xlsx file." in response.content.decode()


@pytest.mark.parametrize("kind", ["products", "stock", "orders"])
def test_templates_download_as_csv_and_xlsx_with_the_kinds_columns(client_for, administrator, kind):
    client = client_for(administrator)
    header = client.get(f"/catalog/import/template/{kind}.csv").content.decode("utf-8-sig").strip().split(",")
    workbook = load_workbook(io.BytesIO(client.get(f"/catalog/import/template/{kind}.xlsx").content))
    assert [cell.value for cell in workbook.worksheets[0][1]] == header
    assert workbook.worksheets[1].max_row == len(header) + 1  # one explanation row per column
    assert header[0].endswith("_key")


def test_a_downloaded_template_filled_in_imports(client_for, administrator):
    client = client_for(administrator)
    template = load_workbook(io.BytesIO(client.get("/catalog/import/template/products.xlsx").content))
    sheet = template.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    values = {"product_key": "P1", "name": "幸福牌电视机", "price": 7500, "unit": "台"}
    sheet.append([values.get(column) for column in header])
    buffer = io.BytesIO()
    template.save(buffer)
    upload(client, "products", buffer.getvalue(), name="filled.xlsx")
    assert ImportRun.objects.get().status == ImportRun.Status.APPLIED
    assert Product.objects.get().price == Decimal("7500.00")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (with_dtd(workbook_bytes([["product_key", "name", "price"], ["P1", "x", 1]])), "p.xlsx", "(DTD)"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "p.xlsx", "not a readable .xlsx workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "p.xlsx", "old Excel workbook"),
        (csv_bytes(PRODUCT_HEADER, "P1,x,,,台,1,,", "P2,x,,,台,1,,", "P3,x,,,台,1,,"), "p.csv", "More than 2 rows"),
        (csv_bytes("product_key,name,price", "P1,x,1" + ",1" * 200), "p.csv", "at most 100 columns"),
    ],
)
@override_settings(IMPORT_MAX_ROWS=2)
def test_a_hostile_or_oversized_file_is_refused_on_the_form(client_for, administrator, content, name, message):
    response = upload(client_for(administrator), "products", content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists() and not Product.objects.exists()


def test_a_workbook_declaring_the_whole_grid_imports_its_real_rows(client_for, administrator):
    data = declare_dimension(
        workbook_bytes(
            [["product_key", "name", "price"], ["P1", "电视机", 7500]],
            cells=[(3000, 1, "P2"), (3000, 2, "收音机"), (3000, 3, 36)],
        ),
        "A1:XFD1048576",
    )
    response = upload(client_for(administrator), "products", data, name="p.xlsx")
    assert response.status_code == 302
    assert ImportRun.objects.get().row_count == 2
    assert set(Product.objects.values_list("external_key", "price")) == {
        ("P1", Decimal("7500.00")),
        ("P2", Decimal("36.00")),
    }


def test_a_number_out_of_range_on_the_import_page_is_a_row_error(client_for, administrator):
    client = client_for(administrator)
    response = upload(client, "products", csv_bytes(PRODUCT_HEADER, "P1,电视机,,,台,1e30,,", "P2,x,,,台,1e999999999,,"))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.status == ImportRun.Status.REJECTED
    assert [error[:3] for error in run.errors] == [
        [2, "price", "The number is too large."],
        [3, "price", "The number is too large."],
    ]
    assert not Product.objects.exists()

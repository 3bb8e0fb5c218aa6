"""The API: read-only queries with the pages' scope, and the sales-sync bulk upsert."""

from decimal import Decimal

import pytest
from django.test import override_settings

from crm.accounts.tests.factories import UserFactory
from crm.catalog.models import ImportRun, Order, Product
from crm.customers.tests.factories import CustomerFactory

from .factories import OrderFactory, OrderLineFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCTS = [
    {"product_key": "P1", "name": "幸福牌电视机", "model": "818 FFT", "unit": "台", "price": "7500"},
    {"product_key": "P2", "name": "幸福牌收音机", "model": "天语007", "unit": "台", "price": 36},
]


ORDER_LINE = {
    "order_key": "O1",
    "order_number": "DD1",
    "customer_number": "KH1",
    "order_date": "2024-05-06",
    "status": "shipped",
    "line_no": 1,
    "product_key": "P1",
    "quantity": 2,
    "unit_price": "7500.00",
}


def test_the_sales_system_upserts_products_and_a_repeat_changes_nothing(api_for, administrator):
    api = api_for(administrator)
    response = api.post("/api/v1/sales-sync/products/", PRODUCTS, format="json")
    assert response.status_code == 200, response.data
    assert {k: response.data[k] for k in ("kind", "rows", "created", "updated", "unchanged")} == {
        "kind": "products",
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }
    again = api.post("/api/v1/sales-sync/products/", PRODUCTS, format="json")
    assert (again.data["created"], again.data["updated"], again.data["unchanged"]) == (0, 0, 2)
    assert ImportRun.objects.filter(source=ImportRun.Source.API, by=administrator).count() == 2


def test_a_batch_with_a_bad_row_is_refused_whole_with_row_errors(api_for, administrator):
    rows = [
        *PRODUCTS,
        {"product_key": "P3", "name": "x", "price": "abc"},
        {"product_key": "P1", "name": "y", "price": 1},
    ]
    response = api_for(administrator).post("/api/v1/sales-sync/products/", rows, format="json")
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["message"] == "2 rows have errors; nothing was imported."
    assert response.data["errors"] == {
        "rows[3].price": ["Enter a number."],
        "rows[4].product_key": ["Duplicate key: this row repeats row 1."],
    }
    assert response.data["row_errors"][0] == {"row": 3, "column": "price", "message": "Enter a number.", "value": "abc"}
    assert not Product.objects.exists()


def test_orders_sync_checks_customers_and_products(api_for, administrator):
    CustomerFactory(number="KH1")
    ProductFactory(external_key="P1")
    order = ORDER_LINE
    api = api_for(administrator)
    bad = api.post("/api/v1/sales-sync/orders/", [order | {"customer_number": "KH404"}], format="json")
    assert bad.status_code == 400 and bad.data["errors"] == {"rows[1].customer_number": ["Unknown customer number."]}
    good = api.post("/api/v1/sales-sync/orders/", [order], format="json")
    assert good.status_code == 200 and good.data["created"] == 1 and good.data["details"]["lines_created"] == 1


@pytest.mark.parametrize("role", ["account_manager", "supervisor", "executive"])
def test_only_holders_of_the_import_permission_may_sync(request, api_for, role):
    response = api_for(request.getfixturevalue(role)).post("/api/v1/sales-sync/products/", PRODUCTS, format="json")
    assert response.status_code == 403
    assert not Product.objects.exists()


def test_sync_refuses_what_is_not_a_list_of_rows(api_for, administrator):
    api = api_for(administrator)
    response = api.post("/api/v1/sales-sync/products/", {"rows": PRODUCTS}, format="json")
    assert response.status_code == 400 and response.data["message"] == "Send a JSON list of rows."
    response = api.post("/api/v1/sales-sync/products/", [PRODUCTS[0], "P2"], format="json")
    assert response.status_code == 400 and "rows 2 are not" in response.data["message"]
    response = api.post("/api/v1/sales-sync/products/", [{"product_key": "P1"}], format="json")
    assert response.status_code == 400 and response.data["message"] == "Missing columns: name, price."
    assert api.post("/api/v1/sales-sync/customers/", PRODUCTS, format="json").status_code == 404


@override_settings(CRM_MAX_UPLOAD_BYTES=200)
def test_sync_refuses_a_request_over_the_size_limit(api_for, administrator):
    response = api_for(administrator).post("/api/v1/sales-sync/products/", PRODUCTS * 5, format="json")
    assert response.status_code == 413
    assert response.data["code"] == "too_large"
    assert not Product.objects.exists()


def test_the_order_api_is_scoped_like_the_pages(api_for, account_manager, executive):
    mine = OrderFactory(customer=CustomerFactory(owner=account_manager))
    OrderLineFactory(order=mine, quantity=Decimal("2"), unit_price=Decimal("7500"))
    other = OrderFactory(customer=CustomerFactory(owner=UserFactory()))
    api = api_for(account_manager)
    assert [o["id"] for o in api.get("/api/v1/orders/").data["results"]] == [mine.pk]
    detail = api.get(f"/api/v1/orders/{mine.pk}/").data
    assert detail["total"] == "15000.00" and detail["lines"][0]["amount"] == "15000.00"
    assert api.get(f"/api/v1/orders/{other.pk}/").status_code == 404
    assert {o["id"] for o in api_for(executive).get("/api/v1/orders/").data["results"]} == {mine.pk, other.pk}


def test_the_catalog_api_is_read_only_and_needs_the_view_permissions(api_for, account_manager):
    ProductFactory(external_key="P1")
    api = api_for(account_manager)
    assert api.get("/api/v1/products/?external_key=P1").data["count"] == 1
    assert api.get("/api/v1/stock/").status_code == 200
    # There is no add/change/delete permission for the copy at all, so writes are refused.
    assert api.post("/api/v1/products/", {"name": "x"}, format="json").status_code in (403, 405)
    assert not Product.objects.filter(name="x").exists()
    assert api_for(UserFactory()).get("/api/v1/products/").status_code == 403


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("1e30", "The number is too large."),
        ("1e999999999", "The number is too large."),
        ("99999999999999999999", "The number is too large."),
        ("NaN", "Enter a number."),
        ("Infinity", "Enter a number."),
        ("1e-30", "At most 2 decimal places are allowed."),
    ],
)
def test_sync_answers_a_price_out_of_range_with_a_row_error(api_for, administrator, price, message):
    rows = [{"product_key": "X", "name": "x", "price": price}]
    response = api_for(administrator).post("/api/v1/sales-sync/products/", rows, format="json")
    assert response.status_code == 400
    assert response.data["errors"] == {"rows[1].price": [message]}
    assert not Product.objects.exists()


def test_sync_answers_a_json_number_beyond_float_range_with_a_row_error(api_for, administrator):
    body = '[{"product_key": "X", "name": "x", "price": 1e999}]'  # json reads it as infinity
    response = api_for(administrator).post("/api/v1/sales-sync/products/", body, content_type="application/json")
    assert response.status_code == 400 and response.data["errors"] == {"rows[1].price": ["Enter a number."]}


@pytest.mark.parametrize("column", ["quantity", "unit_price"])
def test_sync_answers_an_order_line_number_out_of_range_with_a_row_error(api_for, administrator, column):
    CustomerFactory(number="KH1")
    ProductFactory(external_key="P1")
    order = ORDER_LINE
    response = api_for(administrator).post("/api/v1/sales-sync/orders/", [order | {column: "1e30"}], format="json")
    assert response.status_code == 400
    assert response.data["errors"] == {f"rows[1].{column}": ["The number is too large."]}
    assert not Order.objects.exists()


@override_settings(IMPORT_MAX_ROWS=1)
def test_sync_refuses_more_rows_than_the_cap(api_for, administrator):
    response = api_for(administrator).post("/api/v1/sales-sync/products/", PRODUCTS, format="json")
    assert response.status_code == 400
    assert (
        response.data["message"]
        == "More than 1 rows; at most 1 rows can be imported at once. Split the data into parts."
    )
    assert not Product.objects.exists() and not ImportRun.objects.exists()


def test_sync_answers_json_nested_too_deeply_with_400(api_for, administrator):
    body = "[" * 100_000 + "]" * 100_000
    response = api_for(administrator).post("/api/v1/sales-sync/products/", body, content_type="application/json")
    assert response.status_code == 400 and response.data["code"] == "parse_error"
    assert not ImportRun.objects.exists()

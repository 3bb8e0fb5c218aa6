"""The import of sales-system data (R-DATA-4): checks, all-or-nothing, idempotent upserts."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from crm.catalog import services, signals
from crm.catalog.models import ImportRun, Order, OrderLine, Product, Stock
from crm.customers.models import ChurnRecord
from crm.customers.tests.factories import CustomerFactory

from .factories import OrderFactory, OrderLineFactory, ProductFactory
from .helpers import ORDER_HEADER, PRODUCT_HEADER, STOCK_HEADER, errors_of, import_csv, xlsx_bytes

pytestmark = pytest.mark.django_db


def snapshot(model):
    return list(model.objects.order_by("pk").values())


# Products -----------------------------------------------------------------------------------------


def test_products_are_created_then_updated_by_key_and_a_second_import_changes_nothing():
    lines = [PRODUCT_HEADER, "P1,幸福牌电视机,818 FFT,A级,台,7500,,1", "P2,幸福牌收音机,天语007,,台,36,,"]
    run = import_csv("products", *lines)
    assert run.status == ImportRun.Status.APPLIED
    assert (run.created, run.updated, run.unchanged) == (2, 0, 0)
    tv = Product.objects.get(external_key="P1")
    assert str(tv) == "幸福牌电视机-818 FFT-A级"
    assert tv.price == Decimal("7500.00")
    before = snapshot(Product)

    again = import_csv("products", *lines)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot(Product) == before  # not even updated_at moved

    changed = import_csv("products", PRODUCT_HEADER, "P1,幸福牌电视机,818 FFT,A级,台,7200,降价,1")
    assert (changed.created, changed.updated, changed.unchanged) == (1 - 1, 1, 0)
    assert Product.objects.get(external_key="P1").price == Decimal("7200.00")
    assert Product.objects.count() == 2


def test_a_column_left_out_keeps_the_stored_values():
    ProductFactory(external_key="P1", name="旧名", remark="保留的备注", active=False)
    run = import_csv("products", "product_key,name,price", "P1,新名,10")
    assert run.status == ImportRun.Status.APPLIED
    product = Product.objects.get(external_key="P1")
    assert (product.name, product.remark, product.active) == ("新名", "保留的备注", False)


def test_chinese_headers_and_a_gbk_file_are_understood():
    run = import_csv(
        "products", "产品编号,产品名称,型号,等级/批次,单位,单价", "P9,海龙笔记本电脑,i61,,台,16800", encoding="gbk"
    )
    assert run.status == ImportRun.Status.APPLIED
    assert Product.objects.get(external_key="P9").name == "海龙笔记本电脑"


def test_gb18030_and_utf8_with_bom_files_are_read():
    import_csv("products", PRODUCT_HEADER, "P1,幸福牌电视机,,,台,1,,", encoding="gb18030")
    import_csv("products", PRODUCT_HEADER, "P2,幸福牌收音机,,,台,1,,", encoding="utf-8-sig")
    assert set(Product.objects.values_list("name", flat=True)) == {"幸福牌电视机", "幸福牌收音机"}


def test_every_bad_product_row_is_reported_with_row_column_and_message_and_nothing_is_applied():
    ProductFactory(external_key="P0", name="不变", price=Decimal("1"))
    before = snapshot(Product)
    run = import_csv(
        "products",
        PRODUCT_HEADER,
        "P0,改了,,,台,2,,",  # valid on its own, but the batch must not half-apply
        "P1,负价,,,台,-5,,",
        "P2,非数字,,,台,abc,,",
        "P3,,,,台,5,,",
        "P4,小数,,,台,1.234,,",
        "P0,重复,,,台,3,,",
        "P5,状态,,,台,3,,maybe",
    )
    assert run.status == ImportRun.Status.REJECTED
    assert errors_of(run) == {
        (3, "price"): "Must not be negative.",
        (4, "price"): "Enter a number.",
        (5, "name"): "This value is required.",
        (6, "price"): "At most 2 decimal places are allowed.",
        (7, "product_key"): "Duplicate key: this row repeats row 2.",
        (8, "active"): "Enter 1 (active) or 0 (inactive).",
    }
    assert run.error_count == 6 and run.row_count == 7
    assert snapshot(Product) == before


def test_missing_columns_are_reported_before_any_row():
    with pytest.raises(ValidationError) as error:
        import_csv("products", "product_key,model", "P1,x")
    assert "Missing columns: name (Name), price (Price)." in error.value.messages[0]
    assert not ImportRun.objects.exists()


def test_a_file_without_rows_is_refused():
    with pytest.raises(ValidationError, match="no data rows"):
        import_csv("products", PRODUCT_HEADER)


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message():
    class Huge(io.BytesIO):
        size = 50 * 1024 * 1024

    with pytest.raises(ValidationError) as error:
        services.import_file(kind="products", file=Huge(b"x"), file_name="big.csv")
    assert error.value.messages == [
        "The file is 50.0 MB; files of up to 20 MB can be imported. Split it and import the parts."
    ]


@override_settings(CRM_MAX_UPLOAD_BYTES=100)
def test_the_size_limit_comes_from_the_setting():
    with pytest.raises(ValidationError, match="up to 0 MB"):
        import_csv("products", PRODUCT_HEADER, *[f"P{i},产品,,,台,1,," for i in range(20)])


def test_a_binary_file_named_csv_is_refused():
    with pytest.raises(ValidationError, match="not a CSV"):
        services.import_file(kind="products", file=io.BytesIO(b"\x00\x01\x02" * 100), file_name="x.csv")


def test_an_old_excel_file_is_refused_with_advice():
    with pytest.raises(ValidationError, match="xlsx or .csv"):
        services.import_file(kind="products", file=io.BytesIO(b"\xd0\xcf\x11\xe0"), file_name="x.xls")


def test_xlsx_files_are_imported_with_numbers_and_dates_as_excel_gives_them():
    data = xlsx_bytes(
        [["product_key", "name", "price", "unit"], [1001, "幸福牌电视机", 7500.0, "台"], [1002, "收音机", 36, None]]
    )
    run = services.import_file(kind="products", file=io.BytesIO(data), file_name="p.xlsx")
    assert run.status == ImportRun.Status.APPLIED
    assert set(Product.objects.values_list("external_key", "price")) == {
        ("1001", Decimal("7500.00")),
        ("1002", Decimal("36.00")),
    }


def test_a_formula_cell_in_xlsx_is_a_row_error():
    data = xlsx_bytes([["product_key", "name", "price"], ["P1", "电视机", "=100*75"], ["P2", "收音机", 36]])
    run = services.import_file(kind="products", file=io.BytesIO(data), file_name="p.xlsx")
    assert run.status == ImportRun.Status.REJECTED
    assert list(errors_of(run)) == [(2, "price")]
    assert "formula" in run.errors[0][2] and run.errors[0][3] == "=100*75"
    assert not Product.objects.exists()


def test_an_unreadable_xlsx_is_refused():
    with pytest.raises(ValidationError, match="not a readable .xlsx"):
        services.import_file(kind="products", file=io.BytesIO(b"PK\x03\x04garbage"), file_name="p.xlsx")


# Stock ----------------------------------------------------------------------------------------------


def test_stock_rows_reference_imported_products():
    tv = ProductFactory(external_key="P1")
    run = import_csv("stock", STOCK_HEADER, "S1,P1,北京-西直门库,EC-D2,12,", "S2,P1,上海-浦东库,PD-A1,0,")
    assert run.status == ImportRun.Status.APPLIED
    assert list(tv.stock.order_by("external_key").values_list("warehouse", "location", "quantity")) == [
        ("北京-西直门库", "EC-D2", 12),
        ("上海-浦东库", "PD-A1", 0),
    ]


def test_bad_stock_rows_are_reported_and_nothing_is_applied():
    ProductFactory(external_key="P1")
    run = import_csv(
        "stock",
        STOCK_HEADER,
        "S1,P1,北京-西直门库,EC-D2,12,",
        "S2,P1,北京-西直门库,EC-D3,-1,",
        "S3,NOPE,北京-西直门库,EC-D4,3,",
        "S4,P1,北京-西直门库,EC-D5,2.5,",
        "S1,P1,北京-西直门库,EC-D6,1,",
        "S5,P1,,EC-D7,1,",
    )
    assert run.status == ImportRun.Status.REJECTED
    assert errors_of(run) == {
        (3, "quantity"): "Must not be negative.",
        (4, "product_key"): "Unknown product key; import the product first.",
        (5, "quantity"): "Enter a whole number.",
        (6, "stock_key"): "Duplicate key: this row repeats row 2.",
        (7, "warehouse"): "This value is required.",
    }
    assert not Stock.objects.exists()


# Orders ---------------------------------------------------------------------------------------------


@pytest.fixture
def customer():
    return CustomerFactory(number="KH202401010001")


@pytest.fixture
def products():
    return ProductFactory(external_key="P1", unit="台"), ProductFactory(external_key="P2", unit="套")


ORDER_ROWS = [
    "O1,DD001,KH202401010001,2024-05-06,北京市海淀区,已发货,1,P1,2,台,7500",
    "O1,DD001,KH202401010001,2024-05-06,北京市海淀区,已发货,2,P2,3,,36.5",
    "O2,DD002,KH202401010001,2024/06/01,,paid,1,P1,1,台,7400",
]


def test_orders_with_lines_are_imported_one_row_per_line(customer, products):
    run = import_csv("orders", ORDER_HEADER, *ORDER_ROWS)
    assert run.status == ImportRun.Status.APPLIED
    assert (run.created, run.updated, run.unchanged) == (2, 0, 0)
    assert run.details["lines_created"] == 3
    order = Order.objects.with_total().get(external_key="O1")
    assert (order.number, order.customer, order.status) == ("DD001", customer, Order.Status.SHIPPED)
    assert order.total == order.amount == Decimal("15109.50")  # stored total equals the lines' sum
    lines = list(order.lines.order_by("line_no").values_list("line_no", "unit", "amount"))
    assert lines == [(1, "台", Decimal("15000.00")), (2, "套", Decimal("109.50"))]  # empty unit → product's unit
    assert customer.orders.count() == 2


def test_orders_import_from_xlsx_with_real_date_cells(customer, products):
    import datetime

    header = ORDER_HEADER.split(",")
    row = ["O1", "DD001", "KH202401010001", datetime.datetime(2024, 5, 6), "", "已回款", 1, "P1", 2, "台", 7500]
    data = xlsx_bytes([header, row])
    run = services.import_file(kind="orders", file=io.BytesIO(data), file_name="orders.xlsx")
    assert run.status == ImportRun.Status.APPLIED, run.errors
    assert Order.objects.get().order_date == datetime.date(2024, 5, 6)


def test_importing_the_same_orders_twice_changes_nothing(customer, products):
    import_csv("orders", ORDER_HEADER, *ORDER_ROWS)
    orders, lines = snapshot(Order), snapshot(OrderLine)
    run = import_csv("orders", ORDER_HEADER, *ORDER_ROWS)
    assert (run.created, run.updated, run.unchanged) == (0, 0, 2)
    assert run.details == {"lines_created": 0, "lines_updated": 0, "lines_deleted": 0}
    assert snapshot(Order) == orders and snapshot(OrderLine) == lines


def test_an_order_sent_again_replaces_its_lines(customer, products):
    import_csv("orders", ORDER_HEADER, *ORDER_ROWS)
    run = import_csv("orders", ORDER_HEADER, "O1,DD001,KH202401010001,2024-05-06,北京市海淀区,已回款,1,P1,4,台,7500")
    assert (run.created, run.updated, run.unchanged) == (0, 1, 0)
    assert run.details["lines_updated"] == 1 and run.details["lines_deleted"] == 1
    order = Order.objects.with_total().get(external_key="O1")
    assert order.status == Order.Status.PAID
    assert order.total == order.amount == Decimal("30000.00")  # the stored total follows new lines
    assert Order.objects.get(external_key="O2").lines.count() == 1  # orders not in the file stay


def test_every_bad_order_row_is_reported_and_nothing_is_applied(customer, products):
    OrderLineFactory(order=OrderFactory(external_key="O9", customer=customer), product=products[0])
    orders, lines = snapshot(Order), snapshot(OrderLine)
    run = import_csv(
        "orders",
        ORDER_HEADER,
        "O1,DD001,KH202401010001,2024-05-06,,已发货,1,P1,2,台,7500",
        "O1,DD001,KH202401010001,2024-05-06,,已发货,2,P1,-2,台,7500",
        "O1,DD001,KH202401010001,2024-05-06,,已发货,3,P1,2,台,七千",
        "O2,DD002,KH-UNKNOWN,2024-05-06,,已发货,1,P1,1,台,1",
        "O3,DD003,KH202401010001,2024-05-06,,已发货,1,NOPE,1,台,1",
        "O1,DD001,KH202401010001,2024-05-06,,已发货,1,P2,1,台,1",
        "O1,DD001,KH202401010001,2024-05-07,,已发货,4,P1,1,台,1",
        "O4,DD004,KH202401010001,06/05/2024,,已发货,1,P1,1,台,1",
        "O5,DD005,KH202401010001,2024-05-06,,作废,1,P1,1,台,1",
        "O9,DD009,KH202401010001,2024-05-06,,已回款,1,P1,1,台,1",  # valid: must still not apply
    )
    assert run.status == ImportRun.Status.REJECTED
    assert errors_of(run) == {
        (3, "quantity"): "Must not be negative.",
        (4, "unit_price"): "Enter a number.",
        (5, "customer_number"): "Unknown customer number.",
        (6, "product_key"): "Unknown product key; import the product first.",
        (7, "line_no"): "Duplicate key: this row repeats row 2.",
        (8, "order_date"): "Differs from row 2 of the same order; an order's columns must be the same on each of "
        "its lines.",
        (9, "order_date"): "Enter a date as YYYY-MM-DD.",
        (10, "status"): "Unknown status. Use one of: unpaid, 未回款, 未付款, shipped, 已发货, paid, 已回款, 已付款.",
    }
    assert snapshot(Order) == orders and snapshot(OrderLine) == lines


def test_a_new_order_closes_the_customers_open_churn_record(customer, products, django_capture_on_commit_callbacks):
    record = ChurnRecord.objects.create(customer=customer, created_date="2024-01-01")
    with django_capture_on_commit_callbacks(execute=True):
        run = import_csv("orders", ORDER_HEADER, *ORDER_ROWS)
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.CLOSED
    run.refresh_from_db()
    assert run.details["churn_closed"] == 1


def test_new_orders_are_announced_only_once_the_import_committed(
    customer, products, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, customer_ids, **kwargs):
        heard.append(customer_ids)

    signals.orders_imported.connect(listener)
    try:
        record = ChurnRecord.objects.create(customer=customer, created_date="2024-01-01")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            import_csv("orders", ORDER_HEADER, *ORDER_ROWS)
        record.refresh_from_db()
        assert heard == [] and record.status == ChurnRecord.Status.WARNING  # not before the commit
        for callback in callbacks:
            callback()
    finally:
        signals.orders_imported.disconnect(listener)
    assert heard == [{customer.pk}]
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.CLOSED


def test_an_updated_order_does_not_close_a_churn_record(customer, products, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_csv("orders", ORDER_HEADER, *ORDER_ROWS)
    record = ChurnRecord.objects.create(customer=customer, created_date="2025-01-01")
    with django_capture_on_commit_callbacks(execute=True):
        import_csv("orders", ORDER_HEADER, ORDER_ROWS[2].replace("paid", "unpaid"))
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.WARNING


def test_a_rejected_order_file_leaves_the_churn_record_open(customer, products, django_capture_on_commit_callbacks):
    record = ChurnRecord.objects.create(customer=customer, created_date="2024-01-01")
    with django_capture_on_commit_callbacks(execute=True):
        import_csv("orders", ORDER_HEADER, *ORDER_ROWS, "O7,DD7,KH202401010001,2024-05-06,,已发货,1,P1,-1,台,1")
    record.refresh_from_db()
    assert record.status == ChurnRecord.Status.WARNING


def test_a_failing_in_transaction_subscriber_rolls_back_the_whole_batch(customer, products):
    def fail(sender, **kwargs):
        raise ValidationError("a subscriber refused")

    signals.orders_changed.connect(fail)
    try:
        with pytest.raises(ValidationError):
            import_csv("orders", ORDER_HEADER, *ORDER_ROWS)
    finally:
        signals.orders_changed.disconnect(fail)
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert not ImportRun.objects.exists()


def test_a_failing_churn_close_out_after_the_commit_keeps_the_import(
    customer, products, monkeypatch, django_capture_on_commit_callbacks
):
    def fail(customer, **kwargs):
        raise ValidationError("churn service refused")

    monkeypatch.setattr("crm.customers.services.close_churn_for_new_order", fail)
    with django_capture_on_commit_callbacks(execute=True):
        run = import_csv("orders", ORDER_HEADER, *ORDER_ROWS)
    assert run.status == ImportRun.Status.APPLIED
    assert Order.objects.count() == 2 and ImportRun.objects.count() == 1


def test_the_api_rows_go_through_the_same_checks(customer, products):
    run = services.import_records(
        kind="products",
        records=[
            {"product_key": "P7", "name": "网线", "price": "260"},
            {"product_key": "P8", "name": "椅子", "price": -1},
        ],
    )
    assert run.status == ImportRun.Status.REJECTED
    assert errors_of(run) == {(2, "price"): "Must not be negative."}
    assert not Product.objects.filter(external_key="P7").exists()


def test_the_import_run_records_who_and_what():
    from crm.accounts.models import Role
    from crm.accounts.tests.factories import user_with_role

    admin = user_with_role(Role.Key.ADMINISTRATOR)
    run = import_csv("products", PRODUCT_HEADER, "P1,电视机,,,台,1,,", by=admin, file_name="products.csv")
    run.refresh_from_db()
    assert (run.kind, run.by, run.file_name, run.row_count, run.source) == (
        "products",
        admin,
        "products.csv",
        1,
        ImportRun.Source.COMMAND,
    )

"""The order rollups the reports read always equal the orders they sum."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from crm.accounts.models import Role
from crm.accounts.tests.factories import user_with_role
from crm.catalog.models import ImportRun, Order
from crm.catalog.tests.factories import ProductFactory
from crm.catalog.tests.helpers import ORDER_HEADER, import_csv
from crm.customers.services import transfer_customers
from crm.customers.tests.factories import CustomerFactory
from crm.reports import rollups
from crm.reports.models import CustomerYearSales, OwnerMonthSales

pytestmark = pytest.mark.django_db


def snapshot():
    years = sorted(CustomerYearSales.objects.values_list("customer_id", "year", "amount", "orders"))
    months = sorted(
        OwnerMonthSales.objects.values_list("owner_id", "month", "amount", "orders"), key=lambda r: (r[0] or 0, r[1])
    )
    return years, months


@pytest.fixture
def setup():
    alice = user_with_role(Role.Key.ACCOUNT_MANAGER, username="alice")
    bob = user_with_role(Role.Key.ACCOUNT_MANAGER, username="bob")
    first = CustomerFactory(number="KH202401010001", owner=alice)
    second = CustomerFactory(number="KH202401010002", owner=bob)
    ProductFactory(external_key="P1", unit="台")
    return alice, bob, first, second


def test_an_import_fills_both_rollups_by_year_and_by_owner_month(setup):
    alice, bob, first, second = setup
    import_csv(
        "orders",
        ORDER_HEADER,
        "O1,DD1,KH202401010001,2024-12-31,,paid,1,P1,2,台,100",
        "O2,DD2,KH202401010001,2025-01-01,,paid,1,P1,1,台,30",
        "O3,DD3,KH202401010002,2025-01-20,,paid,1,P1,1,台,5",
    )
    years, months = snapshot()
    assert years == [
        (first.pk, 2024, Decimal("200.00"), 1),
        (first.pk, 2025, Decimal("30.00"), 1),
        (second.pk, 2025, Decimal("5.00"), 1),
    ]
    assert months == [
        (alice.pk, datetime.date(2024, 12, 1), Decimal("200.00"), 1),
        (alice.pk, datetime.date(2025, 1, 1), Decimal("30.00"), 1),
        (bob.pk, datetime.date(2025, 1, 1), Decimal("5.00"), 1),
    ]


def test_an_order_moved_to_another_customer_and_month_leaves_its_old_place(setup):
    alice, bob, first, second = setup
    import_csv("orders", ORDER_HEADER, "O1,DD1,KH202401010001,2024-12-31,,paid,1,P1,2,台,100")
    import_csv("orders", ORDER_HEADER, "O1,DD1,KH202401010002,2025-02-01,,paid,1,P1,3,台,100")
    years, months = snapshot()
    assert years == [(second.pk, 2025, Decimal("300.00"), 1)]
    assert months == [(bob.pk, datetime.date(2025, 2, 1), Decimal("300.00"), 1)]


def test_a_transfer_moves_the_customers_months_to_the_new_owner(setup):
    alice, bob, first, second = setup
    import_csv(
        "orders",
        ORDER_HEADER,
        "O1,DD1,KH202401010001,2025-01-05,,paid,1,P1,1,台,10",
        "O2,DD2,KH202401010002,2025-01-06,,paid,1,P1,1,台,20",
    )
    transfer_customers(customers=[first], to=bob, by=None)
    _years, months = snapshot()
    assert months == [(bob.pk, datetime.date(2025, 1, 1), Decimal("30.00"), 2)]


def test_rebuilding_from_scratch_gives_the_same_rows_as_the_incremental_upkeep(setup):
    alice, bob, first, second = setup
    import_csv(
        "orders",
        ORDER_HEADER,
        "O1,DD1,KH202401010001,2024-03-01,,paid,1,P1,1,台,10",
        "O1,DD1,KH202401010001,2024-03-01,,paid,2,P1,4,台,2.5",
        "O2,DD2,KH202401010002,2025-07-31,,paid,1,P1,2,台,7",
    )
    transfer_customers(customers=[second], to=alice, by=None)
    incremental = snapshot()
    rollups.rebuild_all()
    assert snapshot() == incremental


def refuse(**kwargs):
    raise DatabaseError("rollup refused")


def test_a_failing_rollup_rebuild_rolls_the_import_back(setup, monkeypatch):
    monkeypatch.setattr(rollups, "orders_changed", refuse)
    with pytest.raises(ValidationError):  # the import reports a database error as nothing imported
        import_csv("orders", ORDER_HEADER, "O1,DD1,KH202401010001,2025-01-05,,paid,1,P1,1,台,10")
    assert not Order.objects.exists() and not ImportRun.objects.exists()


def test_a_failing_rollup_rebuild_rolls_the_transfer_back(setup, monkeypatch):
    alice, bob, first, _second = setup
    monkeypatch.setattr(rollups, "owners_changed", refuse)
    with pytest.raises(DatabaseError):
        transfer_customers(customers=[first], to=bob, by=None)
    first.refresh_from_db()
    assert first.owner == alice

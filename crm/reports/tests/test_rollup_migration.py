"""Moving the order rollups from the catalog to the reports keeps their tables and rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("catalog", "0003_order_rollups"), ("reports", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migrating_an_existing_database_keeps_the_rollup_rows():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE)
        User = old.get_model("accounts", "User")
        Customer = old.get_model("customers", "Customer")
        owner = User.objects.create(username="owner-of-rollups")
        customer = Customer.objects.create(number="KH-ROLLUP-1", name="卷积", owner_id=owner.pk)
        old.get_model("catalog", "CustomerYearSales").objects.create(
            customer_id=customer.pk, year=2025, amount=Decimal("12.50"), orders=2
        )
        old.get_model("catalog", "OwnerMonthSales").objects.create(
            owner_id=owner.pk, month=datetime.date(2025, 1, 1), amount=Decimal("12.50"), orders=2
        )

        new = migrate(latest)
        assert not any(
            model._meta.model_name == "customeryearsales" for model in new.get_app_config("catalog").get_models()
        )
        years = new.get_model("reports", "CustomerYearSales").objects.values_list(
            "customer_id", "year", "amount", "orders"
        )
        months = new.get_model("reports", "OwnerMonthSales").objects.values_list(
            "owner_id", "month", "amount", "orders"
        )
        assert list(years) == [(customer.pk, 2025, Decimal("12.50"), 2)]
        assert list(months) == [(owner.pk, datetime.date(2025, 1, 1), Decimal("12.50"), 2)]
    finally:
        migrate(latest)

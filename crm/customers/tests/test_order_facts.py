"""Customers read order facts only through the provider the catalog registers (order_facts)."""

import datetime
from decimal import Decimal

import pytest

from crm.catalog import selectors as catalog_selectors
from crm.catalog.tests.factories import OrderFactory, OrderLineFactory
from crm.customers import order_facts, services
from crm.customers.models import Customer

from .factories import CustomerFactory, set_created

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 7, 1)


def test_the_catalog_registers_its_order_selectors_as_the_provider():
    assert order_facts.available()
    assert order_facts._provider is catalog_selectors


def test_a_customers_orders_come_newest_first_with_their_totals():
    customer = CustomerFactory()
    old = OrderFactory(customer=customer, order_date=datetime.date(2024, 1, 2))
    new = OrderFactory(customer=customer, order_date=datetime.date(2024, 3, 4))
    OrderLineFactory(order=new, quantity=Decimal("2"), unit_price=Decimal("10.00"))
    OrderFactory()  # another customer's
    orders = list(order_facts.orders_of(customer))
    assert orders == [new, old]
    assert [order.total for order in orders] == [Decimal("20.00"), Decimal("0")]


def test_the_last_order_date_is_the_latest_order_of_each_customer():
    ordered, never = CustomerFactory(), CustomerFactory()
    OrderFactory(customer=ordered, order_date=datetime.date(2024, 1, 2))
    OrderFactory(customer=ordered, order_date=datetime.date(2024, 5, 6))
    dates = dict(order_facts.with_last_order_date(Customer.objects.all()).values_list("pk", "last_order_date"))
    assert dates == {ordered.pk: datetime.date(2024, 5, 6), never.pk: None}


def test_without_an_order_provider_a_customer_has_no_orders_and_churns_by_its_age(monkeypatch):
    customer = set_created(CustomerFactory(), TODAY - datetime.timedelta(days=400))
    OrderFactory(customer=customer, order_date=TODAY - datetime.timedelta(days=3))
    monkeypatch.setattr(order_facts, "_provider", None)
    assert not order_facts.available()
    assert order_facts.orders_of(customer) is None
    [record] = services.open_churn_warnings(today=TODAY, months=6)
    assert record.customer == customer and record.last_order_date is None

"""Shared data for the report tests: an organisation tree and helpers that create dated records.

Every report test computes its expected figures from the records it creates here, never from
the report's own code.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.accounts.models import Role
from crm.accounts.tests.factories import DepartmentFactory, user_with_role
from crm.catalog.tests.factories import OrderFactory, OrderLineFactory
from crm.customers.models import Contact, Customer
from crm.customers.tests.factories import CustomerFactory
from crm.sales.models import Opportunity
from crm.service.models import ServiceRequest


@pytest.fixture
def org(supervisor):
    """The supervisor's department (top) → east → shanghai, and a department outside the tree.

    alice works in top, bob in east, carol in shanghai (two levels down), dave in other.
    """
    top = supervisor.department
    east = DepartmentFactory(name="华东", parent=top, sort_order=1)
    shanghai = DepartmentFactory(name="上海", parent=east, sort_order=2)
    other = DepartmentFactory(name="其他", sort_order=3)

    def manager(username, name, department):
        return user_with_role(Role.Key.ACCOUNT_MANAGER, username=username, name=name, department=department)

    return SimpleNamespace(
        supervisor=supervisor,
        top=top,
        east=east,
        shanghai=shanghai,
        other=other,
        alice=manager("alice", "Alice", top),
        bob=manager("bob", "Bob", east),
        carol=manager("carol", "Carol", shanghai),
        dave=manager("dave", "Dave", other),
    )


def local(day, hour=0, minute=0, second=0):
    """An aware datetime in the CRM's time zone (Asia/Shanghai by default)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))


@pytest.fixture
def make_order():
    """``make_order(customer, day, *line_amounts)``: an order whose lines sum to its amount."""

    def make(customer, day, *line_amounts):
        order = OrderFactory(customer=customer, order_date=day)
        for amount in line_amounts or (Decimal("100"),):
            OrderLineFactory(order=order, quantity=Decimal("1"), unit_price=Decimal(str(amount)))
        order.refresh_from_db()
        return order

    return make


@pytest.fixture
def customer_for():
    """``customer_for(owner, created=None, **fields)``: a customer, optionally created on a given day/time."""

    def make(owner, created=None, **fields):
        customer = CustomerFactory(owner=owner, **fields)
        if created is not None:
            moment = created if isinstance(created, datetime.datetime) else local(created, 10)
            Customer.objects.filter(pk=customer.pk).update(created_at=moment)
            customer.refresh_from_db()
        return customer

    return make


@pytest.fixture
def created_at():
    """``created_at(record, moment)``: move a record's creation time (auto_now_add cannot be set)."""

    def move(record, moment):
        moment = moment if isinstance(moment, datetime.datetime) else local(moment, 10)
        model = type(record)
        assert model in (Customer, Contact, Opportunity, ServiceRequest)
        model.objects.filter(pk=record.pk).update(created_at=moment)
        record.refresh_from_db()
        return record

    return move


@pytest.fixture
def report():
    """``report(client, url_name, **params)``: GET a report page and check it answered 200."""

    def get(client, url_name, /, **params):
        response = client.get(reverse(f"reports:{url_name}"), params)
        assert response.status_code == 200, response.content[:500]
        return response

    return get


@pytest.fixture
def plain():
    """``plain(rows)``: table rows with links and lazy strings as their text, to compare with literals."""

    def convert(rows):
        keep = (int, float, Decimal, datetime.date)
        return [[v if v is None or isinstance(v, keep) else str(v) for v in row] for row in rows]

    return convert

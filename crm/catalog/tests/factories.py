"""Factories for products, stock and orders; other apps' tests may import these."""

import datetime
from decimal import Decimal

import factory

from crm.catalog import signals
from crm.catalog.models import Order, OrderLine, Product, Stock
from crm.customers.tests.factories import CustomerFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    external_key = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"产品{n}")
    model = "M1"
    batch = ""
    unit = "台"
    price = Decimal("100.00")


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stock

    external_key = factory.Sequence(lambda n: f"S{n:05d}")
    product = factory.SubFactory(ProductFactory)
    warehouse = "北京-西直门库"
    location = "EC-D2"
    quantity = 10


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    external_key = factory.Sequence(lambda n: f"O{n:05d}")
    number = factory.Sequence(lambda n: f"DD2024{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    order_date = datetime.date(2024, 5, 6)
    status = Order.Status.PAID

    @factory.post_generation
    def keep_rollups(order, create, extracted, **kwargs):
        # As the import does: reports read the per-customer and per-owner rollups of orders.
        if create:
            signals.orders_changed.send(sender=Order, customer_ids=[order.customer_id])


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    line_no = factory.Sequence(lambda n: n + 1)
    product = factory.SubFactory(ProductFactory)
    quantity = Decimal("2")
    unit = "台"
    unit_price = Decimal("100.00")

    @factory.post_generation
    def store_order_amount(line, create, extracted, **kwargs):
        # As the import does: the order keeps the total of its lines.
        if create:
            Order.objects.filter(pk=line.order_id).refresh_amounts()
            signals.orders_changed.send(sender=Order, customer_ids=[line.order.customer_id])

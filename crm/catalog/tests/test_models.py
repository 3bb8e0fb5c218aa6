"""Amounts and totals are computed by the database, not by Python loops."""

from decimal import Decimal

import pytest

from crm.catalog.models import Order, OrderLine

from .factories import OrderFactory, OrderLineFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_a_line_amount_is_quantity_times_unit_price_stored_by_the_database():
    line = OrderLineFactory(quantity=Decimal("3"), unit_price=Decimal("36.50"))
    line.refresh_from_db()
    assert line.amount == Decimal("109.50")
    OrderLine.objects.filter(pk=line.pk).update(quantity=Decimal("4"))
    line.refresh_from_db()
    assert line.amount == Decimal("146.00")


def test_order_totals_are_summed_in_one_query(django_assert_num_queries):
    first, second, empty = OrderFactory(), OrderFactory(), OrderFactory()
    OrderLineFactory(order=first, quantity=Decimal("2"), unit_price=Decimal("7500"))
    OrderLineFactory(order=first, quantity=Decimal("1.5"), unit_price=Decimal("0.10"))
    OrderLineFactory(order=second, quantity=Decimal("10"), unit_price=Decimal("36"))
    with django_assert_num_queries(1) as captured:
        totals = {order.pk: order.total for order in Order.objects.with_total()}
    assert totals == {first.pk: Decimal("15000.15"), second.pk: Decimal("360.00"), empty.pk: Decimal("0")}
    assert "SUM(" in captured.captured_queries[0]["sql"].upper()


def test_a_product_reads_as_name_model_batch():
    assert str(ProductFactory(name="幸福牌电视机", model="818 FFT", batch="A级")) == "幸福牌电视机-818 FFT-A级"
    assert str(ProductFactory(name="幸福牌收音机", model="天语007", batch="")) == "幸福牌收音机-天语007"

"""Reads of products, stock and orders. Orders are scoped through their customer's manager."""

from django.db.models import Count, Max, Sum
from django.shortcuts import get_object_or_404

from .models import ImportRun, Order, Product, Stock


def products():
    return Product.objects.all()


def product_for(pk):
    """Products are company-wide master data: anyone allowed to query products sees every one."""
    return get_object_or_404(Product, pk=pk)


def stock_of(product):
    return product.stock.order_by("warehouse", "location", "pk")


def stock_totals(product):
    return product.stock.aggregate(quantity=Sum("quantity"), rows=Count("pk"))


def stock_rows():
    return Stock.objects.select_related("product")


def warehouses():
    return Stock.objects.order_by("warehouse").values_list("warehouse", flat=True).distinct()


def orders_for(user):
    """Orders the user may see (their customers' orders, by data scope), each with its total."""
    return Order.objects.visible_to(user).select_related("customer").with_total()


def order_for(user, pk):
    """One order in the user's scope, or 404 (never a record outside the scope)."""
    return get_object_or_404(orders_for(user), pk=pk)


def lines_of(order):
    return order.lines.select_related("product").order_by("line_no")


def orders_for_customer(user, customer):
    """A customer's orders as ``user`` may see them, newest first, each with its total.

    For the customer page: an empty result when the customer is outside the user's scope.
    """
    return orders_for(user).filter(customer=customer).order_by("-order_date", "-pk")


def customer_order_summary(user, customer):
    """Number, sum and latest date of a customer's orders in the user's scope, in one query."""
    return (
        Order.objects.visible_to(user)
        .filter(customer=customer)
        .aggregate(count=Count("pk", distinct=True), total=Sum("lines__amount"), last_date=Max("order_date"))
    )


def import_runs():
    return ImportRun.objects.select_related("by")


def import_run_for(pk):
    return get_object_or_404(ImportRun.objects.select_related("by"), pk=pk)

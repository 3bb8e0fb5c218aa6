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


def all_orders():
    """Every order, unscoped: for the system's own work on orders (the reports' rollups), never a page."""
    return Order.objects.all()


def orders_for(user):
    """Orders the user may see (their customers' orders, by data scope), each with its total."""
    return Order.objects.visible_to(user).select_related("customer").with_total()


def order_for(user, pk):
    """One order in the user's scope, or 404 (never a record outside the scope)."""
    return get_object_or_404(orders_for(user), pk=pk)


def lines_of(order):
    return order.lines.select_related("product").order_by("line_no")


def orders_of_customer(customer):
    """A customer's orders, newest first, each with its total (the customer page's orders tab:
    whoever may open the customer sees all of its orders)."""
    return Order.objects.filter(customer=customer).with_total().order_by("-order_date", "-pk")


def with_last_order_date(customers):
    """Annotate each customer of the queryset with ``last_order_date`` (None when it never ordered)."""
    return customers.annotate(last_order_date=Max("orders__order_date"))


def import_runs():
    return ImportRun.objects.select_related("by")


def import_run_for(pk):
    return get_object_or_404(ImportRun.objects.select_related("by"), pk=pk)

"""What the customers module knows of orders: asked of whichever app provides them.

Orders belong to the catalog, which sits above customers (an order points at its customer), so
customers never imports it. The catalog registers its order selectors here in its
``AppConfig.ready()``; without it a customer simply has no orders. Pages and the churn check
read order facts only through these functions.
"""

from django.db.models import DateField, Value

_provider = None


def register(provider):
    """``provider`` offers ``with_last_order_date(customers)`` and ``orders_of_customer(customer)``."""
    global _provider  # noqa: PLW0603 - one provider per process, set once at start-up
    _provider = provider


def available():
    return _provider is not None


def with_last_order_date(queryset):
    """Annotate each customer's ``last_order_date`` (None when no app provides orders)."""
    if _provider is None:
        return queryset.annotate(last_order_date=Value(None, output_field=DateField()))
    return _provider.with_last_order_date(queryset)


def orders_of(customer):
    """The customer's orders, newest first, each with its ``total`` (None when no app provides orders)."""
    return None if _provider is None else _provider.orders_of_customer(customer)

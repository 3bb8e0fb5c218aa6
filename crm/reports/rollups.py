"""Order rollups for reports: per customer and year, per current owner and month.

The reports own these tables. Orders are written only by the sales-system import (and the demo
data); customers change owner only by transfer. Both send a signal synchronously inside their own
transaction (``crm.catalog.signals.orders_changed``, ``crm.customers.signals.customers_transferred``)
that the reports follow here (``ReportsConfig.ready``), so a rollup never disagrees with the
orders it sums. Each rebuild deletes the affected rows and inserts them again
with one ``INSERT … SELECT`` compiled by the ORM: the database does the summing.
"""

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear, TruncMonth

from crm.catalog.selectors import all_orders
from crm.customers.models import Customer

from .models import CustomerYearSales, OwnerMonthSales


def _insert_select(model, columns, queryset):
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)


def _by_customer_year(orders):
    return (
        orders.order_by()
        .annotate(year=ExtractYear("order_date"))
        .values("customer_id", "year")
        .annotate(total=Sum("amount"), count=Count("*"))
        .values_list("customer_id", "year", "total", "count")
    )


def _by_owner_month(orders):
    return (
        orders.order_by()
        .annotate(month=TruncMonth("order_date"))
        .values("customer__owner", "month")
        .annotate(total=Sum("amount"), count=Count("*"))
        .values_list("customer__owner", "month", "total", "count")
    )


def _owners_q(field, owner_ids):
    owner_ids = set(owner_ids)
    condition = Q(**{f"{field}__in": [pk for pk in owner_ids if pk is not None]})
    if None in owner_ids:
        condition |= Q(**{f"{field}__isnull": True})
    return condition


def rebuild_customer_years(customer_ids):
    customer_ids = list(customer_ids)
    CustomerYearSales.objects.filter(customer_id__in=customer_ids).delete()
    orders = all_orders().filter(customer_id__in=customer_ids)
    _insert_select(CustomerYearSales, ["customer", "year", "amount", "orders"], _by_customer_year(orders))


def rebuild_owner_months(owner_ids):
    """Every month of these owners (``None`` stands for customers without an owner)."""
    OwnerMonthSales.objects.filter(_owners_q("owner", owner_ids)).delete()
    orders = all_orders().filter(_owners_q("customer__owner", owner_ids))
    _insert_select(OwnerMonthSales, ["owner", "month", "amount", "orders"], _by_owner_month(orders))


def orders_changed(*, customer_ids):
    """After orders of these customers were written: refresh both rollups for them.

    The caller passes every customer an order moved from or to; their current owners' months are
    rebuilt (a customer's earlier owner is unaffected: their rollup never held these customers).
    """
    customer_ids = set(customer_ids)
    if not customer_ids:
        return
    rebuild_customer_years(customer_ids)
    owners = set(Customer.objects.filter(pk__in=customer_ids).values_list("owner_id", flat=True).distinct())
    rebuild_owner_months(owners)


def owners_changed(*, owner_ids):
    """After customers changed hands: the old and new owners' months."""
    rebuild_owner_months(owner_ids)


def follow_orders(sender, *, customer_ids, **kwargs):
    """Receiver of ``orders_changed`` (inside the import's transaction)."""
    orders_changed(customer_ids=customer_ids)


def follow_transfer(sender, *, owner_ids, **kwargs):
    """Receiver of ``customers_transferred`` (inside the transfer's transaction)."""
    owners_changed(owner_ids=owner_ids)


def rebuild_all(order_model=None, customer_year_model=CustomerYearSales, owner_month_model=OwnerMonthSales):
    """Every rollup row from scratch (a migration, the volume generator, a repair).

    The models are parameters so the migration that creates the rollups can pass its own.
    """
    customer_year_model.objects.all().delete()
    owner_month_model.objects.all().delete()
    orders = all_orders() if order_model is None else order_model.objects.all()
    _insert_select(customer_year_model, ["customer", "year", "amount", "orders"], _by_customer_year(orders))
    _insert_select(owner_month_model, ["owner", "month", "amount", "orders"], _by_owner_month(orders))

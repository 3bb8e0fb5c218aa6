"""Products, stock and historical orders: a read-only copy of the company's sales system (R-DATA).

Every record carries the sales system's own key (``external_key``); imports upsert by it, so
importing the same data twice changes nothing. The CRM never edits these records by hand.

Units are stored as the sales system's text (台, 件, 套, …) rather than as a link to the
dictionary's 产品单位 items: the sales system owns the product master, so a unit it introduces
must not make a whole sync batch fail until someone adds it to the CRM's dictionary, and an
order line keeps the unit it was sold in even if the dictionary changes later.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from crm.core.models import ScopedQuerySet, TimeStampedModel

MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 12, "decimal_places": 2}


class Product(TimeStampedModel):
    external_key = models.CharField(_("sales system key"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    model = models.CharField(_("model"), max_length=100, blank=True)
    batch = models.CharField(_("grade/batch"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    price = models.DecimalField(_("price"), **MONEY, validators=[MinValueValidator(0)])
    remark = models.CharField(_("remark"), max_length=500, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "product"
        default_permissions = ("view",)  # a read-only copy: only imports write
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "model", "batch", "id"]
        indexes = [
            models.Index(fields=["name", "model", "batch"], name="product_name_model_batch_idx"),
            models.Index(fields=["model"], name="product_model_idx"),
            models.Index(fields=["batch"], name="product_batch_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative")]

    def __str__(self):
        return "-".join(part for part in (self.name, self.model, self.batch) if part)


class Stock(TimeStampedModel):
    external_key = models.CharField(_("sales system key"), max_length=64, unique=True)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="stock")
    warehouse = models.CharField(_("warehouse"), max_length=100)
    location = models.CharField(_("location"), max_length=50, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    remark = models.CharField(_("remark"), max_length=500, blank=True)

    class Meta:
        db_table = "storage"
        default_permissions = ("view",)  # a read-only copy: only imports write
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["warehouse", "location", "id"]
        indexes = [models.Index(fields=["warehouse", "location"], name="storage_warehouse_idx")]

    def __str__(self):
        return f"{self.product} @ {self.warehouse} {self.location}".strip()


class OrderQuerySet(ScopedQuerySet):
    def refresh_amounts(self):
        """Store each order's total (Σ line amounts), which reports sum without touching lines.

        Orders are written only by the sales-system import (and the demo), which call this after
        writing lines, so the stored total never drifts from its lines.
        """
        totals = OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order").annotate(t=Sum("amount"))
        return self.update(amount=Coalesce(Subquery(totals.values("t"), output_field=DecimalField(**MONEY)), Value(0)))

    def with_total(self):
        """Each order's total, summed by the database from its lines' amounts."""
        totals = (
            OrderLine.objects.filter(order=OuterRef("pk"))
            .order_by()
            .values("order")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return self.annotate(
            total=Coalesce(
                Subquery(totals, output_field=DecimalField(**MONEY)), Value(0), output_field=DecimalField(**MONEY)
            )
        )


class Order(TimeStampedModel):
    """A historical order (历史订单) of a customer, as the sales system recorded it."""

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("Unpaid")
        SHIPPED = "shipped", _("Shipped")
        PAID = "paid", _("Paid")

    external_key = models.CharField(_("sales system key"), max_length=64, unique=True)
    number = models.CharField(_("order number"), max_length=50, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    order_date = models.DateField(_("order date"))
    delivery_address = models.CharField(_("delivery address"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.UNPAID, db_index=True)
    # Σ line amounts, stored by ``refresh_amounts`` (see there); reports and the dashboard sum it.
    amount = models.DecimalField(_("amount"), **MONEY, default=0, editable=False)

    scope_owner_field = "customer__owner"
    objects = OrderQuerySet.as_manager()

    class Meta:
        db_table = "orders"
        default_permissions = ("view",)  # a read-only copy: only imports write
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "order_date"], name="orders_customer_date_idx"),
            # Period totals for reports: an index-only scan on PostgreSQL.
            models.Index(fields=["order_date", "customer", "amount"], name="orders_date_amount_idx"),
        ]

    def __str__(self):
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY, validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price"), **MONEY, validators=[MinValueValidator(0)])
    # Computed and stored by the database, so totals and reports sum it without Python loops.
    amount = models.GeneratedField(
        expression=F("quantity") * F("unit_price"),
        output_field=models.DecimalField(_("amount"), **MONEY),
        db_persist=True,
    )

    class Meta:
        db_table = "orders_line"
        default_permissions = ()
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="orders_line_unique_no"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="orders_line_quantity_not_negative"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orders_line_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.order_id}/{self.line_no}"


class ImportRun(models.Model):
    """One import of sales-system data (page, command or API): what came in and what it did.

    Rejected runs keep their row errors, so the error report can be downloaded later from any
    app server.
    """

    class Kind(models.TextChoices):
        PRODUCTS = "products", _("Products")
        STOCK = "stock", _("Stock")
        ORDERS = "orders", _("Orders")

    class Source(models.TextChoices):
        PAGE = "page", _("Import page")
        COMMAND = "command", _("Management command")
        API = "api", _("API")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected, nothing imported")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    details = models.JSONField(_("details"), default=dict, blank=True)  # e.g. order lines created/deleted
    errors = models.JSONField(_("row errors"), default=list, blank=True)  # [[row, column, message, value], ...]
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-id"]
        default_permissions = ()
        permissions = [("import_salesdata", _("Can import sales-system data"))]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_applied(self):
        return self.status == self.Status.APPLIED

    @property
    def is_rejected(self):
        return self.status == self.Status.REJECTED

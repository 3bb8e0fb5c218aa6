"""Monthly sales targets (销售目标), and the permissions of the report pages.

Reports read other modules' records through their selectors. The data this module owns: the
targets the dashboard measures performance against, and the rollups of orders (kept by
``rollups.py``; their tables keep the names they had when the catalog held them).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.accounts.scope import departments_within
from crm.core.models import ScopedQuerySet, VersionedModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class SalesTargetQuerySet(ScopedQuerySet):
    def owned_by(self, owner_ids):
        """An employee's targets, and the targets of the departments all of whose members (with
        the sub-departments') are among ``owner_ids``: a viewer never sees a department's target
        set against only part of its people."""
        return self.filter(Q(user__in=owner_ids) | Q(department__in=departments_within(owner_ids)))


class SalesTarget(VersionedModel):
    """The order amount one user, or one department, should reach in one month.

    A department's target is its own figure, set by an administrator, not the sum of its
    members' targets: managements often plan a department above or below what they ask of the
    individual people.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month"))  # the first day of the month
    amount = models.DecimalField(_("target amount"), **MONEY, validators=[MinValueValidator(0)])

    # An employee's target is theirs, like their records; a department's belongs to its members.
    scope_owner_field = "user"
    objects = SalesTargetQuerySet.as_manager()

    class Meta:
        db_table = "report_sales_target"
        default_permissions = ("view", "change")
        permissions = [
            ("view_dashboard", _("Can view the dashboard")),
            ("view_contribution_report", _("Can view the customer contribution report")),
            ("view_composition_report", _("Can view the customer composition report")),
            ("view_service_report", _("Can view the service composition report")),
            ("view_churn_report", _("Can view the churn analysis report")),
        ]
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, department__isnull=True)
                | Q(user__isnull=True, department__isnull=False),
                name="report_target_one_subject",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="report_target_first_of_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="report_target_not_negative"),
            models.UniqueConstraint(
                fields=["user", "month"], condition=Q(user__isnull=False), name="report_target_user_month"
            ),
            models.UniqueConstraint(
                fields=["department", "month"],
                condition=Q(department__isnull=False),
                name="report_target_department_month",
            ),
        ]

    def __str__(self):
        return f"{self.user or self.department} {self.month:%Y-%m}: {self.amount}"


class CustomerYearSales(models.Model):
    """One customer's order amount and order count in one calendar year.

    A rollup of ``Order`` kept by ``crm.reports.rollups`` in the same transaction as every change
    of orders, so the contribution report ranks a year's customers from an index instead of
    summing millions of orders per request.
    """

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY)
    orders = models.PositiveIntegerField()

    scope_owner_field = "customer__owner"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "orders_customer_year"
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["customer", "year"], name="orders_customer_year_unique")]
        indexes = [models.Index(fields=["year", "-amount", "customer"], name="orders_cy_year_amount_idx")]

    def __str__(self):
        return f"{self.customer_id} {self.year}: {self.amount}"


class OwnerMonthSales(models.Model):
    """The order amount and count of the customers an account manager owns now, per month.

    A rollup of ``Order`` by the customer's current owner, kept by ``crm.reports.rollups`` when
    orders arrive and when customers change hands, so the dashboard's monthly figures are sums
    over a few rows per person.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    amount = models.DecimalField(**MONEY)
    orders = models.PositiveIntegerField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        db_table = "orders_owner_month"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "month"], condition=Q(owner__isnull=False), name="orders_owner_month_unique"
            ),
            models.UniqueConstraint(
                fields=["month"], condition=Q(owner__isnull=True), name="orders_no_owner_month_unique"
            ),
        ]
        indexes = [models.Index(fields=["month", "owner"], name="orders_om_month_idx")]

    def __str__(self):
        return f"{self.owner_id} {self.month:%Y-%m}: {self.amount}"

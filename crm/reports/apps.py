from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "crm.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import SalesTarget

        auditlog.register(SalesTarget, exclude_fields=["version"])

        # The order rollups are kept in the transaction of every change they sum: both signals are
        # sent synchronously inside it (the import's ``orders_changed``, the transfer's
        # ``customers_transferred``), so a failing rebuild rolls the change back.
        from crm.catalog.signals import orders_changed
        from crm.customers.signals import customers_transferred

        from . import rollups

        orders_changed.connect(rollups.follow_orders, dispatch_uid="reports-rollups-follow-orders")
        customers_transferred.connect(rollups.follow_transfer, dispatch_uid="reports-rollups-follow-transfer")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "crm.customers"
    label = "customers"
    verbose_name = _("Customer management")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Activity, ChurnRecord, Contact, Customer

        auditlog.register(Customer, exclude_fields=["version"])
        auditlog.register(Contact, exclude_fields=["version"])
        auditlog.register(Activity, exclude_fields=["version"])
        auditlog.register(ChurnRecord, exclude_fields=["version"])

        from django.apps import apps

        if apps.is_installed("crm.catalog"):
            # A subscription, not a dependency: customers works without the catalog (see .importlinter).
            from crm.catalog.signals import orders_imported

            from .services import close_churn_for_new_orders

            orders_imported.connect(close_churn_for_new_orders, dispatch_uid="customers-close-churn-on-new-orders")

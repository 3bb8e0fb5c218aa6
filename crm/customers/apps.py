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

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Products, stock and historical orders: a read-only copy of the sales system (R-DATA)."""

    name = "crm.catalog"
    label = "catalog"
    verbose_name = _("Sales system data")

    def ready(self):
        from crm.customers import order_facts

        from . import selectors

        # Customers, below the catalog, learn order facts through its selectors.
        order_facts.register(selectors)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Products, stock and historical orders: a read-only copy of the sales system (R-DATA)."""

    name = "crm.catalog"
    label = "catalog"
    verbose_name = _("Sales system data")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Products, stock and historical orders: a read-only copy of the sales system (R-DATA)."""

    name = "crm.catalog"
    label = "catalog"
    verbose_name = _("Sales system data")

    def ready(self):
        from crm.customers.signals import customers_transferred

        customers_transferred.connect(_follow_transfer, dispatch_uid="catalog-rollups-follow-transfer")


def _follow_transfer(sender, owner_ids, **kwargs):
    from . import rollups

    rollups.owners_changed(owner_ids=owner_ids)

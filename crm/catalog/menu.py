from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Role
from crm.core.menu import MenuItem, add_item, add_permissions, grant_by_default

add_item("basedata", MenuItem(_("Products"), "catalog:product-list", "bi-box-seam", "catalog.view_product", 20))
add_item("basedata", MenuItem(_("Stock"), "catalog:stock-list", "bi-boxes", "catalog.view_stock", 30))
add_item(
    "basedata",
    MenuItem(_("Import sales data"), "catalog:import", "bi-cloud-arrow-up", "catalog.import_salesdata", 40),
)
add_item("customers", MenuItem(_("Historical orders"), "catalog:order-list", "bi-receipt", "catalog.view_order", 40))

add_permissions(
    "basedata",
    _("Products and stock"),
    [
        ("catalog.view_product", _("Query products")),
        ("catalog.view_stock", _("Query stock")),
        ("catalog.import_salesdata", _("Import sales-system data (products, stock, orders)")),
    ],
)
add_permissions("customers", _("Historical orders"), [("catalog.view_order", _("Query orders"))])

QUERY = ["catalog.view_product", "catalog.view_stock", "catalog.view_order"]

for role in (Role.Key.ACCOUNT_MANAGER, Role.Key.SUPERVISOR, Role.Key.EXECUTIVE):
    grant_by_default(role, QUERY)
grant_by_default(Role.Key.ADMINISTRATOR, [*QUERY, "catalog.import_salesdata"])

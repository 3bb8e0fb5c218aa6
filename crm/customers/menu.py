from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Role
from crm.core.menu import MenuItem, add_item, add_permissions, grant_by_default

add_item("customers", MenuItem(_("Customers"), "customers:customer-list", "bi-building", "customers.view_customer", 10))
add_item(
    "customers",
    MenuItem(_("My follow-ups"), "customers:follow-ups", "bi-calendar-check", "customers.view_activity", 20),
)
add_item(
    "customers",
    MenuItem(_("Churn warnings"), "customers:churn-list", "bi-exclamation-triangle", "customers.view_churnrecord", 30),
)

CUSTOMER_PERMISSIONS = [
    ("customers.view_customer", _("View")),
    ("customers.add_customer", _("Add")),
    ("customers.change_customer", _("Edit")),
    ("customers.delete_customer", _("Delete")),
    ("customers.transfer_customer", _("Transfer")),
]
CONTACT_PERMISSIONS = [
    ("customers.view_contact", _("View")),
    ("customers.add_contact", _("Add")),
    ("customers.change_contact", _("Edit")),
    ("customers.delete_contact", _("Delete")),
]
ACTIVITY_PERMISSIONS = [
    ("customers.view_activity", _("View")),
    ("customers.add_activity", _("Add")),
    ("customers.change_activity", _("Edit")),
    ("customers.delete_activity", _("Delete")),
]
CHURN_PERMISSIONS = [
    ("customers.view_churnrecord", _("View")),
    ("customers.change_churnrecord", _("Postpone, confirm lost")),
]

add_permissions("customers", _("Customer information"), CUSTOMER_PERMISSIONS)
add_permissions("customers", _("Contacts"), CONTACT_PERMISSIONS)
add_permissions("customers", _("Interaction records"), ACTIVITY_PERMISSIONS)
add_permissions("customers", _("Customer churn"), CHURN_PERMISSIONS)

ALL = [
    code
    for section in (CUSTOMER_PERMISSIONS, CONTACT_PERMISSIONS, ACTIVITY_PERMISSIONS, CHURN_PERMISSIONS)
    for code, _label in section
]
READ = ["customers.view_customer", "customers.view_contact", "customers.view_activity"]

grant_by_default(Role.Key.ACCOUNT_MANAGER, ALL)
grant_by_default(Role.Key.SUPERVISOR, [*READ, "customers.transfer_customer", "customers.view_churnrecord"])
grant_by_default(Role.Key.EXECUTIVE, READ)

from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Role
from crm.core.menu import MenuItem, add_item, add_permissions, grant_by_default

add_item("basedata", MenuItem(_("Data dictionary"), "dictionary:item-list", "bi-book", "dictionary.view_dictitem", 10))

add_permissions(
    "basedata",
    _("Data dictionary"),
    [
        ("dictionary.view_dictitem", _("View")),
        ("dictionary.add_dictitem", _("Add")),
        ("dictionary.change_dictitem", _("Edit")),
        ("dictionary.delete_dictitem", _("Delete")),
    ],
)

grant_by_default(
    Role.Key.ADMINISTRATOR,
    [
        "dictionary.view_dictitem",
        "dictionary.add_dictitem",
        "dictionary.change_dictitem",
        "dictionary.delete_dictitem",
    ],
)

from django.utils.translation import gettext_lazy as _

from crm.core.menu import MenuItem, add_item, add_permissions, grant_by_default

from .models import ADMINISTRATION_PERMISSIONS, Role

add_item("access", MenuItem(_("Users"), "accounts:user-list", "bi-person-badge", "accounts.view_user", order=10))
add_item(
    "access", MenuItem(_("Departments"), "accounts:department-list", "bi-diagram-3", "accounts.view_department", 20)
)
add_item("access", MenuItem(_("Roles"), "accounts:role-list", "bi-person-lock", "accounts.view_role", order=30))

add_permissions(
    "access",
    _("Users"),
    [
        ("accounts.view_user", _("View")),
        ("accounts.add_user", _("Add")),
        ("accounts.change_user", _("Edit, disable, reset password")),
    ],
)
add_permissions(
    "access",
    _("Departments"),
    [
        ("accounts.view_department", _("View")),
        ("accounts.add_department", _("Add")),
        ("accounts.change_department", _("Edit")),
        ("accounts.delete_department", _("Delete")),
    ],
)
add_permissions(
    "access",
    _("Roles"),
    [
        ("accounts.view_role", _("View")),
        ("accounts.add_role", _("Add")),
        ("accounts.change_role", _("Edit")),
        ("accounts.delete_role", _("Delete")),
    ],
)

grant_by_default(Role.Key.ADMINISTRATOR, sorted(ADMINISTRATION_PERMISSIONS))

from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Role
from crm.core.menu import MenuItem, add_item, add_permissions, grant_by_default

from . import selectors
from .services import ADD, ASSIGN, CHANGE, DELETE, FEEDBACK, HANDLE, VIEW

add_item("service", MenuItem(_("New request"), "service:create", "bi-plus-circle", ADD, order=10))
add_item(
    "service",
    MenuItem(_("Assignment"), "service:assignment", "bi-person-check", ASSIGN, 20, badge=selectors.count_new_requests),
)
add_item(
    "service", MenuItem(_("Handling"), "service:handling", "bi-tools", HANDLE, 30, badge=selectors.count_assigned_to)
)
add_item(
    "service",
    MenuItem(
        _("Feedback"), "service:feedback-list", "bi-star-half", FEEDBACK, 40, badge=selectors.count_awaiting_feedback
    ),
)
add_item("service", MenuItem(_("Archive"), "service:archive", "bi-archive", VIEW, order=50))

# The role form's sections follow the specification's menu (服务创建 … 服务归档).
add_permissions("service", _("Service creation"), [(ADD, _("Create")), (CHANGE, _("Edit (until archived)"))])
add_permissions("service", _("Service assignment"), [(ASSIGN, _("Assign")), (DELETE, _("Delete new requests"))])
add_permissions("service", _("Service handling"), [(HANDLE, _("Handle requests assigned to them"))])
add_permissions("service", _("Service feedback"), [(FEEDBACK, _("Record feedback"))])
add_permissions("service", _("Service archive"), [(VIEW, _("View and search"))])

grant_by_default(Role.Key.ACCOUNT_MANAGER, [ADD, CHANGE, HANDLE, FEEDBACK, VIEW])
grant_by_default(Role.Key.SUPERVISOR, [ASSIGN, DELETE, VIEW])
grant_by_default(Role.Key.EXECUTIVE, [VIEW])

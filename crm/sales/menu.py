from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Role
from crm.core.menu import MenuItem, add_item, add_permissions, grant_by_default

from . import selectors

add_item(
    "marketing",
    MenuItem(_("Sales opportunities"), "sales:opportunity-list", "bi-lightbulb", "sales.view_opportunity", 10),
)
add_item(
    "marketing",
    MenuItem(
        _("Awaiting assignment"),
        "sales:unassigned",
        "bi-person-plus",
        "sales.assign_opportunity",
        20,
        badge=selectors.unassigned_count,
    ),
)
add_item(
    "marketing",
    MenuItem(
        _("My development plans"),
        "sales:my-plans",
        "bi-list-check",
        "sales.develop_opportunity",
        30,
        badge=selectors.due_plan_steps,
    ),
)
add_item("marketing", MenuItem(_("Pipeline"), "sales:board", "bi-kanban", "sales.view_opportunity", 40))
add_item(
    "basedata",
    MenuItem(_("Pipeline stages"), "sales:stage-list", "bi-bar-chart-steps", "sales.change_pipelinestage", 50),
)

OPPORTUNITY_PERMISSIONS = [
    ("sales.view_opportunity", _("View")),
    ("sales.add_opportunity", _("Add")),
    ("sales.change_opportunity", _("Edit (while unassigned)")),
    ("sales.delete_opportunity", _("Delete (own, while unassigned)")),
    ("sales.assign_opportunity", _("Assign")),
]
PLAN_PERMISSIONS = [
    ("sales.develop_opportunity", _("Make and execute plans, move stages, close as success or failure"))
]
STAGE_PERMISSIONS = [
    ("sales.view_pipelinestage", _("View")),
    ("sales.add_pipelinestage", _("Add")),
    ("sales.change_pipelinestage", _("Edit")),
    ("sales.delete_pipelinestage", _("Delete")),
]

add_permissions("marketing", _("Sales opportunities"), OPPORTUNITY_PERMISSIONS)
add_permissions("marketing", _("Customer development plans"), PLAN_PERMISSIONS)
add_permissions("basedata", _("Pipeline stages"), STAGE_PERMISSIONS)

grant_by_default(
    Role.Key.SUPERVISOR,
    [code for code, _label in OPPORTUNITY_PERMISSIONS + PLAN_PERMISSIONS] + ["sales.view_pipelinestage"],
)
grant_by_default(
    Role.Key.ACCOUNT_MANAGER,
    [
        "sales.view_opportunity",
        "sales.add_opportunity",
        "sales.change_opportunity",
        "sales.delete_opportunity",
        "sales.develop_opportunity",
        "sales.view_pipelinestage",
    ],
)
grant_by_default(Role.Key.EXECUTIVE, ["sales.view_opportunity", "sales.view_pipelinestage"])
grant_by_default(Role.Key.ADMINISTRATOR, [code for code, _label in STAGE_PERMISSIONS])

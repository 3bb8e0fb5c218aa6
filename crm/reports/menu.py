from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Role
from crm.core.menu import MenuItem, add_item, add_permissions, grant_by_default, set_home_page

DASHBOARD = "reports.view_dashboard"
CONTRIBUTION = "reports.view_contribution_report"
COMPOSITION = "reports.view_composition_report"
SERVICE = "reports.view_service_report"
CHURN = "reports.view_churn_report"
REPORTS = [CONTRIBUTION, COMPOSITION, SERVICE, CHURN]

add_item("reports", MenuItem(_("Dashboard"), "reports:dashboard", "bi-speedometer2", DASHBOARD, 10))
add_item("reports", MenuItem(_("Customer contribution"), "reports:contribution", "bi-trophy", CONTRIBUTION, 20))
add_item("reports", MenuItem(_("Customer composition"), "reports:composition", "bi-pie-chart", COMPOSITION, 30))
add_item("reports", MenuItem(_("Service composition"), "reports:service", "bi-headset", SERVICE, 40))
add_item("reports", MenuItem(_("Churn analysis"), "reports:churn", "bi-graph-down-arrow", CHURN, 50))
set_home_page("reports:dashboard", DASHBOARD)


add_permissions(
    "reports",
    _("Statistics and reports"),
    [
        (DASHBOARD, _("Dashboard")),
        (CONTRIBUTION, _("Customer contribution")),
        (COMPOSITION, _("Customer composition")),
        (SERVICE, _("Service composition")),
        (CHURN, _("Churn analysis")),
    ],
)

# Every figure follows the viewer's data scope, so an account manager's dashboard shows their own
# work only; the analytical reports are for supervisors and executives by default.
grant_by_default(Role.Key.ACCOUNT_MANAGER, [DASHBOARD])
grant_by_default(Role.Key.SUPERVISOR, [DASHBOARD, *REPORTS])
grant_by_default(Role.Key.EXECUTIVE, [DASHBOARD, *REPORTS])

# Sales targets -----------------------------------------------------------------------------------
# Kept with the base data: administrators maintain them; the dashboard only reads them.
add_item(
    "basedata",
    MenuItem(_("Sales targets"), "reports:targets", "bi-bullseye", "reports.view_salestarget", order=60),
)
add_permissions(
    "basedata",
    _("Sales targets"),
    [("reports.view_salestarget", _("View")), ("reports.change_salestarget", _("Set targets"))],
)
grant_by_default(Role.Key.ADMINISTRATOR, ["reports.view_salestarget", "reports.change_salestarget"])
grant_by_default(Role.Key.SUPERVISOR, ["reports.view_salestarget"])
grant_by_default(Role.Key.EXECUTIVE, ["reports.view_salestarget"])

"""The product's menu and permission tree.

The groups follow the specification's menu (营销管理, 客户管理, 服务管理, 统计报表, 基础数据, 权限管理).
Each app fills them from its own ``menu.py`` (found by ``autodiscover``): menu entries, the
permissions a role form offers as checkboxes, and what the default roles are granted.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


@dataclass
class MenuItem:
    label: str
    url_name: str
    icon: str
    permission: str | None = None  # "app_label.codename"; None means every signed-in user
    order: int = 0
    badge: object = None  # optional callable(user) -> int, e.g. work waiting for the user

    @property
    def url(self):
        return reverse(self.url_name)


@dataclass
class PermissionSection:
    label: str
    permissions: list  # [(perm "app_label.codename", label)]


@dataclass
class MenuGroup:
    key: str
    label: str
    icon: str
    items: list = field(default_factory=list)
    sections: list = field(default_factory=list)


GROUPS = {
    group.key: group
    for group in [
        MenuGroup("marketing", _("Marketing"), "bi-bullseye"),
        MenuGroup("customers", _("Customers"), "bi-people"),
        MenuGroup("service", _("Service"), "bi-headset"),
        MenuGroup("reports", _("Reports"), "bi-bar-chart-line"),
        MenuGroup("basedata", _("Base data"), "bi-database"),
        MenuGroup("access", _("Access control"), "bi-shield-lock"),
    ]
}

# role key -> set of "app_label.codename" granted to that default role on install
DEFAULT_GRANTS: dict[str, set] = {}

# (url name, permission): the page that greets a user holding the permission instead of the menu
HOME_PAGES: list = []


def add_item(group_key, item):
    GROUPS[group_key].items.append(item)
    GROUPS[group_key].items.sort(key=lambda i: i.order)


def add_permissions(group_key, label, permissions):
    GROUPS[group_key].sections.append(PermissionSection(label, list(permissions)))


def grant_by_default(role_key, permissions):
    DEFAULT_GRANTS.setdefault(role_key, set()).update(permissions)


def set_home_page(url_name, permission):
    HOME_PAGES.append((url_name, permission))


def home_page_for(user):
    """The URL a user lands on after signing in, or None for the menu overview."""
    for url_name, permission in HOME_PAGES:
        if user.has_perm(permission):
            return reverse(url_name)
    return None


def all_permission_codes():
    return [code for group in GROUPS.values() for section in group.sections for code, _label in section.permissions]


def menu_for(user):
    """The groups and items this user may open, in menu order."""
    visible = []
    for group in GROUPS.values():
        items = [item for item in group.items if item.permission is None or user.has_perm(item.permission)]
        if items:
            visible.append((group, items))
    return visible


def autodiscover():
    autodiscover_modules("menu")

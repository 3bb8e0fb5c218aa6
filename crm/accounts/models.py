"""Users, departments and roles: who may do what (permissions) and see whose records (scope)."""

from django.contrib.auth.models import AbstractUser, Permission, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.models import VersionedModel

# What administration needs: managing users, departments and roles. The administrator role
# always holds these (its permissions cannot be reduced below them) and receives them by default.
ADMINISTRATION_PERMISSIONS = frozenset(
    [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_department",
        "accounts.add_department",
        "accounts.change_department",
        "accounts.delete_department",
        "accounts.view_role",
        "accounts.add_role",
        "accounts.change_role",
        "accounts.delete_role",
    ]
)


class Department(VersionedModel):
    """A node of the organisation tree (组织机构)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="department_unique_name_per_parent"),
        ]

    def __str__(self):
        return self.name


class Role(VersionedModel):
    """Operation permissions plus a data scope; a user's roles are unioned."""

    class DataScope(models.TextChoices):
        # Ordered from narrowest to widest; the widest of a user's roles applies.
        SELF = "self", _("Own records")
        SUBORDINATES = "subordinates", _("Own and subordinates' records")
        DEPARTMENT = "department", _("Own department")
        DEPARTMENT_TREE = "department_tree", _("Own department and sub-departments")
        ALL = "all", _("All records")

    class Key(models.TextChoices):
        """The default roles shipped with the CRM; they cannot be deleted."""

        ADMINISTRATOR = "administrator", _("System administrator")
        SUPERVISOR = "supervisor", _("Sales supervisor")
        ACCOUNT_MANAGER = "account_manager", _("Account manager")
        EXECUTIVE = "executive", _("Executive")

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    data_scope = models.CharField(_("data scope"), max_length=20, choices=DataScope, default=DataScope.SELF)
    permissions = models.ManyToManyField(Permission, verbose_name=_("permissions"), blank=True)
    system_key = models.CharField(
        _("default role"), max_length=30, choices=Key, unique=True, null=True, blank=True, editable=False
    )
    # Default grants already applied to a default role, so a permission the administrator took
    # away is not granted again when a later release adds new permissions.
    seeded_permissions = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def is_system(self):
        return bool(self.system_key)


class User(AbstractUser):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")
        UNKNOWN = "", _("Not given")

    name = models.CharField(_("full name"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=20, unique=True, null=True, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    superior = models.ForeignKey(
        "self",
        verbose_name=_("direct superior"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subordinates",
    )
    position = models.CharField(_("position"), max_length=60, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender, blank=True, default="")
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.name or self.get_full_name() or self.username

    def has_role(self, key):
        return any(role.system_key == key for role in self.roles.all())

    @property
    def is_administrator(self):
        """A superuser or a holder of the administrator role."""
        return self.is_superuser or self.has_role(Role.Key.ADMINISTRATOR)

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "crm.accounts"
    label = "accounts"
    verbose_name = _("Access control")

    def ready(self):
        from auditlog.registry import auditlog

        from crm.core.models import register_scope_resolver

        from . import services
        from .models import Department, Role, User
        from .scope import visible_owner_ids

        # Runs after every app's migrations, so permissions added by a later app reach the
        # default roles too.
        register_scope_resolver(visible_owner_ids)
        post_migrate.connect(services.sync_default_roles_on_migrate, dispatch_uid="crm.accounts.default_roles")
        auditlog.register(User, exclude_fields=["password", "last_login", "version"], m2m_fields={"roles"})
        auditlog.register(Department, exclude_fields=["version"])
        auditlog.register(Role, exclude_fields=["version", "seeded_permissions"], m2m_fields={"permissions"})

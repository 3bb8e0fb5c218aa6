from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "crm.audit"
    label = "crm_audit"
    verbose_name = _("Operation log")

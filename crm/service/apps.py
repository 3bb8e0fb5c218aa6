from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "crm.service"
    label = "service"
    verbose_name = _("Service management")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import ServiceRequest

        auditlog.register(ServiceRequest, exclude_fields=["version"])

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Marketing management (营销管理): sales opportunities, development plans, pipeline stages."""

    name = "crm.sales"
    label = "sales"
    verbose_name = _("Marketing management")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Opportunity, PipelineStage, PlanItem

        auditlog.register(Opportunity, exclude_fields=["version"])
        auditlog.register(PlanItem, exclude_fields=["version"])
        auditlog.register(PipelineStage, exclude_fields=["version"])

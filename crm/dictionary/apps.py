from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DictionaryConfig(AppConfig):
    name = "crm.dictionary"
    label = "dictionary"
    verbose_name = _("Data dictionary")

    def ready(self):
        from auditlog.registry import auditlog

        from .models import DictItem

        auditlog.register(DictItem, exclude_fields=["version"])

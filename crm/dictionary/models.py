"""Data dictionary (数据字典, bas_dict): typed picklists used across the CRM."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.core.models import VersionedModel


class DictType:
    """The dictionary types the CRM's own forms read. Administrators may add other types."""

    CUSTOMER_GRADE = "企业客户等级"
    REGION = "地区"
    SERVICE_TYPE = "服务类型"
    OPPORTUNITY_SOURCE = "机会来源"
    FOLLOW_UP_METHOD = "跟进方式"
    INDUSTRY = "行业"
    CHURN_REASON = "流失原因"
    PRODUCT_UNIT = "产品单位"


class DictItemQuerySet(models.QuerySet):
    def of_type(self, dict_type, *, active_only=True):
        queryset = self.filter(dict_type=dict_type)
        return queryset.filter(is_active=True) if active_only else queryset


class DictItem(VersionedModel):
    dict_type = models.CharField(_("type"), max_length=50, db_index=True)
    label = models.CharField(_("label"), max_length=100)
    value = models.CharField(_("value"), max_length=100)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    editable = models.BooleanField(
        _("editable"), default=True, help_text=_("System items cannot be edited or deleted.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = DictItemQuerySet.as_manager()

    class Meta:
        db_table = "bas_dict"
        verbose_name = _("dictionary item")
        verbose_name_plural = _("dictionary items")
        ordering = ["dict_type", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dict_type", "value"], name="dict_unique_value_per_type"),
            models.UniqueConstraint(fields=["dict_type", "label"], name="dict_unique_label_per_type"),
        ]
        indexes = [models.Index(fields=["dict_type", "sort_order"], name="dict_type_sort_idx")]

    def __str__(self):
        return self.label

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.core.forms import CrmModelForm, VersionedFormMixin

from .models import DictItem


class DictItemForm(VersionedFormMixin, CrmModelForm):
    class Meta:
        model = DictItem
        fields = ["dict_type", "label", "value", "sort_order", "is_active"]
        # The type suggests existing types as one types (a datalist filled by the page).
        widgets = {"dict_type": forms.TextInput(attrs={"list": "dict-types", "autocomplete": "off"})}
        help_texts = {"dict_type": _("Pick an existing type or type a new one.")}

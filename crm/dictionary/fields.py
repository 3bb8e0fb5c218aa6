"""Form fields for business modules that pick from a dictionary type."""

from django import forms
from django.db.models import Q

from .models import DictItem


class DictChoiceField(forms.ModelChoiceField):
    """Active items of one dictionary type in their sort order. ``current`` (the record's value)
    stays selectable even after it was disabled, so editing an old record does not lose it."""

    def __init__(self, dict_type, *args, current=None, **kwargs):
        active = Q(is_active=True)
        if current is not None:
            active |= Q(pk=getattr(current, "pk", current))
        queryset = DictItem.objects.filter(active, dict_type=dict_type).order_by("sort_order", "id")
        super().__init__(queryset, *args, **kwargs)
